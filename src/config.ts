import { parseChannel } from './core/channel.js';
import type { IncidentSettings } from './core/incidents.js';
import { parseDuration } from './duration.js';
import { ConfigError } from './errors.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Everything podbell reads from its environment, parsed once. Durations are milliseconds. */
export interface Config {
  readonly slackToken: string | undefined;
  readonly slackChannel: string;
  readonly slackApiUrl: string;
  readonly clusterName: string | undefined;
  readonly watchNamespaces: readonly string[];
  readonly kubeconfig: string | undefined;
  /** The incident windows (GROUP_WAIT … THREAD_MAX_AGE, STORM_THRESHOLD) and CLUSTER_NAME, as the book takes them. */
  readonly incidents: IncidentSettings;
  readonly httpPort: number;
  readonly logLevel: LogLevel;
  /** POD_NAMESPACE: the namespace podbell runs in (the chart sets it from the downward API). */
  readonly podNamespace: string | undefined;
  /**
   * THREAD_STORE_CONFIGMAP: ConfigMap in POD_NAMESPACE holding open incidents and Slack thread refs
   * across restarts. Persistence is on only when both are set; otherwise state lives in memory.
   */
  readonly threadStoreConfigMap: string | undefined;
}

export type Env = Readonly<Record<string, string | undefined>>;

/** The defaults of docs/design.md#environment, as the user would write them (.env.example shows the same). */
export const DEFAULTS = {
  SLACK_CHANNEL: '#alerts',
  SLACK_API_URL: 'https://slack.com/api/',
  GROUP_WAIT: '10s',
  GROUP_INTERVAL: '15s',
  REPEAT_INTERVAL: '4h',
  RESOLVE_AFTER: '5m',
  REOPEN_WINDOW: '1h',
  THREAD_MAX_AGE: '24h',
  STORM_THRESHOLD: '10',
  HTTP_PORT: '8080',
  LOG_LEVEL: 'info',
} as const;

/** Every variable podbell reads (others are ignored), e.g. to reject a typo in `replay --set`. */
export const VARIABLES: readonly string[] = Object.freeze([
  ...Object.keys(DEFAULTS),
  'SLACK_BOT_TOKEN',
  'CLUSTER_NAME',
  'WATCH_NAMESPACES',
  'KUBECONFIG',
  'POD_NAMESPACE',
  'THREAD_STORE_CONFIGMAP',
]);

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** DNS-1123 subdomain: what a ConfigMap name must be. */
const DNS_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * Parses the environment into a frozen Config. Unknown variables are ignored; every malformed
 * value is collected and thrown together in one ConfigError, each naming the variable and value.
 */
export function loadConfig(env: Env): Config {
  const problems: string[] = [];
  const raw = (name: keyof typeof DEFAULTS | string): string | undefined => {
    const v = env[name];
    if (v !== undefined && v.trim() !== '') return v.trim();
    return (DEFAULTS as Record<string, string>)[name];
  };
  const bad = (name: string, value: string, why: string) => problems.push(`${name}=${JSON.stringify(value)}: ${why}`);

  const duration = (name: keyof typeof DEFAULTS): number => {
    const v = raw(name)!;
    const ms = parseDuration(v);
    if (ms === undefined) bad(name, v, 'not a duration (write it like 10s, 5m, 4h or 1h30m)');
    return ms ?? parseDuration(DEFAULTS[name])!;
  };
  const integer = (name: keyof typeof DEFAULTS, min: number, max: number): number => {
    const v = raw(name)!;
    const n = /^\d+$/.test(v) ? Number(v) : NaN;
    if (!(n >= min && n <= max)) bad(name, v, `not a whole number from ${min} to ${max}`);
    return n >= min && n <= max ? n : Number(DEFAULTS[name]);
  };

  const token = raw('SLACK_BOT_TOKEN');
  if (token !== undefined && !/^xox[a-z]?-[A-Za-z0-9-]+$|^xoxe\.xox[a-z]-[A-Za-z0-9-]+$/.test(token)) {
    // The value is a secret: name the variable and the shape, never the value.
    problems.push('SLACK_BOT_TOKEN: does not look like a Slack token (expected xoxb-…)');
  }

  const channelText = raw('SLACK_CHANNEL')!;
  const channel = parseChannel(channelText);
  if (!channel) bad('SLACK_CHANNEL', channelText, 'not a channel name (#alerts) or ID (C0123ABCD)');

  let apiUrl = raw('SLACK_API_URL')!;
  try {
    const u = new URL(apiUrl);
    if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error('scheme');
    if (!apiUrl.endsWith('/')) apiUrl += '/';
  } catch {
    bad('SLACK_API_URL', apiUrl, 'not an http(s) URL');
  }

  const namespaces = (raw('WATCH_NAMESPACES') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const ns of namespaces) if (!DNS_LABEL.test(ns)) bad('WATCH_NAMESPACES', ns, 'not a namespace name');

  const level = raw('LOG_LEVEL')!;
  if (!(LOG_LEVELS as readonly string[]).includes(level)) bad('LOG_LEVEL', level, `not one of ${LOG_LEVELS.join(', ')}`);

  const podNamespace = raw('POD_NAMESPACE');
  if (podNamespace !== undefined && !DNS_LABEL.test(podNamespace)) bad('POD_NAMESPACE', podNamespace, 'not a namespace name (DNS-1123 label)');
  const threadStore = raw('THREAD_STORE_CONFIGMAP');
  if (threadStore !== undefined && !DNS_SUBDOMAIN.test(threadStore)) bad('THREAD_STORE_CONFIGMAP', threadStore, 'not a ConfigMap name (DNS-1123 subdomain)');

  const config: Config = {
    slackToken: token,
    slackChannel: channel ?? DEFAULTS.SLACK_CHANNEL,
    slackApiUrl: apiUrl,
    clusterName: raw('CLUSTER_NAME'),
    watchNamespaces: [...new Set(namespaces)],
    kubeconfig: raw('KUBECONFIG'),
    incidents: Object.freeze({
      ...(raw('CLUSTER_NAME') !== undefined && { cluster: raw('CLUSTER_NAME') }),
      groupWaitMs: duration('GROUP_WAIT'),
      groupIntervalMs: duration('GROUP_INTERVAL'),
      repeatIntervalMs: duration('REPEAT_INTERVAL'),
      resolveAfterMs: duration('RESOLVE_AFTER'),
      reopenWindowMs: duration('REOPEN_WINDOW'),
      threadMaxAgeMs: duration('THREAD_MAX_AGE'),
      stormThreshold: integer('STORM_THRESHOLD', 1, 10_000),
    }),
    httpPort: integer('HTTP_PORT', 0, 65_535),
    logLevel: level as LogLevel,
    podNamespace,
    threadStoreConfigMap: threadStore,
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(config);
}
