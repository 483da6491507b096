import { config as dotenv } from 'dotenv';
import { parseChannel } from './core/channel.js';
import type { IncidentSettings } from './core/incidents.js';
import { parseDuration } from './duration.js';
import { ConfigError } from './errors.js';
import { compileRedactions, splitPatterns } from './core/redact.js';

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
  /** PENDING_AFTER: a pod unschedulable, or scheduled with containers not started, this long is stuck. */
  readonly pendingAfterMs: number;
  readonly httpPort: number;
  readonly logLevel: LogLevel;
  /** POD_NAMESPACE: the namespace podbell runs in (the chart sets it from the downward API). */
  readonly podNamespace: string | undefined;
  /**
   * THREAD_STORE_CONFIGMAP: ConfigMap in POD_NAMESPACE holding open incidents and Slack thread refs
   * across restarts. Persistence is on only when both are set; otherwise state lives in memory.
   */
  readonly threadStoreConfigMap: string | undefined;
  /** SLACK_APP_TOKEN (xapp-…, connections:write): Socket Mode and buttons on parents. Unset: no buttons. */
  readonly slackAppToken: string | undefined;
  /** SLACK_ALLOWED_USERS: user ids who may use the buttons; with SLACK_ALLOWED_GROUPS empty too, everyone. */
  readonly slackAllowedUsers: readonly string[];
  /** SLACK_ALLOWED_GROUPS: user-group ids (S…) whose members may use the buttons. */
  readonly slackAllowedGroups: readonly string[];
  /** Leader election (docs/high-availability.md), on when POD_NAMESPACE is set: the Lease's name there. */
  readonly leaseName: string;
  /** LEASE_DURATION: whole seconds; a standby takes over after the Lease went unrenewed this long. */
  readonly leaseDurationMs: number;
  /** LEASE_RENEW: how often the leader renews; below LEASE_DURATION. */
  readonly leaseRenewMs: number;
  /** POD_NAME (the chart sets it from the downward API): this replica's identity in the Lease. */
  readonly podName: string | undefined;
  /** Evidence in thread replies (docs/evidence.md): LOGS, EVENTS, LOG_TAIL_LINES, LOG_FETCHES_PER_INCIDENT, LOG_REDACT. */
  readonly evidence: EvidenceConfig;
}

export interface EvidenceConfig {
  /** LOGS=on: fetch the crashed run's log tail (needs `get` on pods/log). */
  readonly logs: boolean;
  /** EVENTS=on: watch Warning Events of pods (needs `list`/`watch` on events). */
  readonly events: boolean;
  readonly tailLines: number;
  readonly fetchesPerIncident: number;
  /** LOG_REDACT, compiled (global regexps), applied after the built-in patterns. */
  readonly redact: readonly RegExp[];
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
  PENDING_AFTER: '10m',
  HTTP_PORT: '8080',
  LOG_LEVEL: 'info',
  LEASE_NAME: 'podbell',
  LEASE_DURATION: '15s',
  LEASE_RENEW: '5s',
  LOG_TAIL_LINES: '20',
  LOG_FETCHES_PER_INCIDENT: '3',
  LOGS: 'on',
  EVENTS: 'on',
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
  'SLACK_APP_TOKEN',
  'SLACK_ALLOWED_USERS',
  'SLACK_ALLOWED_GROUPS',
  'POD_NAME',
  'LOG_REDACT',
]);

/** What one command reads; problems of other variables do not stop it (`record` has no use for GROUP_WAIT). */
export const COMMAND_VARIABLES = {
  /** What the incident book and its messages use (replay, demo). */
  alerting: ['SLACK_CHANNEL', 'CLUSTER_NAME', 'WATCH_NAMESPACES', 'GROUP_WAIT', 'GROUP_INTERVAL', 'REPEAT_INTERVAL', 'RESOLVE_AFTER', 'REOPEN_WINDOW', 'THREAD_MAX_AGE', 'STORM_THRESHOLD', 'PENDING_AFTER', 'LOGS', 'EVENTS', 'LOG_TAIL_LINES', 'LOG_FETCHES_PER_INCIDENT', 'LOG_REDACT', 'LOG_LEVEL'],
  /** Posting to Slack (demo with a token). */
  slack: ['SLACK_BOT_TOKEN', 'SLACK_API_URL'],
  /** Reading the cluster (record). */
  cluster: ['KUBECONFIG', 'WATCH_NAMESPACES', 'EVENTS', 'LOG_LEVEL'],
  /** Judging pods as the bot would (check): only when a pending pod counts as stuck. */
  check: ['PENDING_AFTER'],
} as const;

export interface LoadConfigOptions {
  /** Only these variables are validated (default: all); a bad value elsewhere falls back to its default. */
  readonly uses?: readonly string[];
  /** Variables whose value came from the .env file, so a problem says where to fix it. */
  readonly fromEnvFile?: ReadonlySet<string>;
}

/** The process environment plus .env (the real environment wins), and which names .env supplied. */
export function readEnvironment(envFile = '.env'): { readonly env: Record<string, string | undefined>; readonly fromEnvFile: ReadonlySet<string> } {
  const env: Record<string, string | undefined> = { ...process.env };
  const { parsed } = dotenv({ quiet: true, path: envFile, processEnv: env as Record<string, string> });
  const fromEnvFile = new Set(Object.keys(parsed ?? {}).filter((name) => process.env[name] === undefined));
  return { env, fromEnvFile };
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** DNS-1123 subdomain: what a ConfigMap name must be. */
const DNS_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * Reads variables for the section readers below and collects their problems, in the order they are
 * met, so loadConfig can report every problem at once and in a stable order (tests rely on it).
 */
interface EnvReader {
  /** The trimmed value; the default when unset or blank. */
  readonly raw: (name: string) => string | undefined;
  /** Records a problem naming the variable and its value. */
  readonly bad: (name: string, value: string, why: string) => void;
  /** Records a problem naming the variable but not its value: the value is a secret. */
  readonly badSecret: (name: string, why: string) => void;
  /** A duration in ms; a malformed one is recorded and its default used. */
  readonly duration: (name: keyof typeof DEFAULTS) => number;
  /** A whole number in [min, max]; anything else is recorded and its default used. */
  readonly integer: (name: keyof typeof DEFAULTS, min: number, max: number) => number;
}

/** One bad variable: `name` lets LoadConfigOptions.uses pick what a command reports. */
interface Problem {
  readonly name: string;
  readonly text: string;
}

/** An EnvReader over `env` appending to `problems`; values from .env say so, to tell the user where to fix them. */
function envReader(env: Env, options: LoadConfigOptions, problems: Problem[]): EnvReader {
  const where = (name: string) => (options.fromEnvFile?.has(name) ? ' (set in .env)' : '');
  const raw = (name: string): string | undefined => {
    const v = env[name];
    if (v !== undefined && v.trim() !== '') return v.trim();
    return (DEFAULTS as Record<string, string>)[name];
  };
  const bad = (name: string, value: string, why: string) => problems.push({ name, text: `${name}=${JSON.stringify(value)}${where(name)}: ${why}` });
  const badSecret = (name: string, why: string) => problems.push({ name, text: `${name}${where(name)}: ${why}` });
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
  return { raw, bad, badSecret, duration, integer };
}

/** SLACK_BOT_TOKEN, SLACK_CHANNEL and SLACK_API_URL: where alerts are posted. */
function readSlack(r: EnvReader): Pick<Config, 'slackToken' | 'slackChannel' | 'slackApiUrl'> {
  const token = r.raw('SLACK_BOT_TOKEN');
  if (token !== undefined && !/^(xoxe\.)?xoxb-[A-Za-z0-9-]+$/.test(token)) {
    // The value is a secret: name the variable and the kind of token, never the value.
    const kind = /^(?:xoxe\.)?(xox[a-z])-/.exec(token)?.[1];
    r.badSecret('SLACK_BOT_TOKEN', kind ? `a ${kind}- token is not a bot token; podbell needs the app's Bot User OAuth Token (xoxb-…)` : 'does not look like a Slack bot token (xoxb-…)');
  }
  const channelText = r.raw('SLACK_CHANNEL')!;
  const channel = parseChannel(channelText);
  if (!channel) r.bad('SLACK_CHANNEL', channelText, 'not a channel name (#alerts) or ID (C0123ABCD)');
  let apiUrl = r.raw('SLACK_API_URL')!;
  try {
    const u = new URL(apiUrl);
    if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error('scheme');
    // The Web API client appends method names to it.
    if (!apiUrl.endsWith('/')) apiUrl += '/';
  } catch {
    r.bad('SLACK_API_URL', apiUrl, 'not an http(s) URL');
  }
  return { slackToken: token, slackChannel: channel ?? DEFAULTS.SLACK_CHANNEL, slackApiUrl: apiUrl };
}

/** WATCH_NAMESPACES: the namespaces to watch, without repeats; empty means the whole cluster. */
function readWatchNamespaces(r: EnvReader): readonly string[] {
  const namespaceList = r.raw('WATCH_NAMESPACES');
  const namespaces = (namespaceList ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const ns of namespaces) if (!DNS_LABEL.test(ns)) r.bad('WATCH_NAMESPACES', ns, 'not a namespace name');
  // ",," is not "the whole cluster" by accident: unset means that.
  if (namespaceList !== undefined && namespaces.length === 0) r.bad('WATCH_NAMESPACES', namespaceList, 'names no namespace (leave it unset to watch the whole cluster)');
  return [...new Set(namespaces)];
}

/** LOG_LEVEL: one of LOG_LEVELS. */
function readLogLevel(r: EnvReader): LogLevel {
  const level = r.raw('LOG_LEVEL')!;
  if (!(LOG_LEVELS as readonly string[]).includes(level)) r.bad('LOG_LEVEL', level, `not one of ${LOG_LEVELS.join(', ')}`);
  return level as LogLevel;
}

/** POD_NAMESPACE and THREAD_STORE_CONFIGMAP: where open incidents persist across restarts. */
function readStateStore(r: EnvReader): Pick<Config, 'podNamespace' | 'threadStoreConfigMap'> {
  const podNamespace = r.raw('POD_NAMESPACE');
  if (podNamespace !== undefined && !DNS_LABEL.test(podNamespace)) r.bad('POD_NAMESPACE', podNamespace, 'not a namespace name (DNS-1123 label)');
  const threadStore = r.raw('THREAD_STORE_CONFIGMAP');
  if (threadStore !== undefined && !DNS_SUBDOMAIN.test(threadStore)) r.bad('THREAD_STORE_CONFIGMAP', threadStore, 'not a ConfigMap name (DNS-1123 subdomain)');
  return { podNamespace, threadStoreConfigMap: threadStore };
}

/** A comma-separated list of ids of one `shape`, without repeats; each malformed id is a problem. */
function readIds(r: EnvReader, name: string, shape: RegExp, what: string): readonly string[] {
  const list = (r.raw(name) ?? '').split(',').map((x) => x.trim()).filter((x) => x !== '');
  for (const id of list) if (!shape.test(id)) r.bad(name, id, `not a ${what}`);
  return Object.freeze([...new Set(list)]);
}

/** Slack actions (docs/slack-actions.md): the app-level token and who may act. `botToken`: SLACK_BOT_TOKEN. */
function readSlackActions(r: EnvReader, botToken: string | undefined): Pick<Config, 'slackAppToken' | 'slackAllowedUsers' | 'slackAllowedGroups'> {
  const appToken = r.raw('SLACK_APP_TOKEN');
  if (appToken !== undefined && !/^xapp-[A-Za-z0-9-]+$/.test(appToken)) r.badSecret('SLACK_APP_TOKEN', 'does not look like an app-level token (expected xapp-…)');
  if (appToken !== undefined && botToken === undefined) r.badSecret('SLACK_APP_TOKEN', 'needs SLACK_BOT_TOKEN too (buttons are on messages the bot posts)');
  return {
    slackAppToken: appToken,
    slackAllowedUsers: readIds(r, 'SLACK_ALLOWED_USERS', /^[UW][A-Z0-9]{1,30}$/, 'Slack user id (U0123ABCD)'),
    slackAllowedGroups: readIds(r, 'SLACK_ALLOWED_GROUPS', /^S[A-Z0-9]{1,30}$/, 'Slack user-group id (S0123ABCD)'),
  };
}

/** LEASE_NAME, LEASE_DURATION and LEASE_RENEW: leader election (docs/high-availability.md). */
function readLease(r: EnvReader): Pick<Config, 'leaseName' | 'leaseDurationMs' | 'leaseRenewMs'> {
  const leaseName = r.raw('LEASE_NAME')!;
  if (!DNS_SUBDOMAIN.test(leaseName)) r.bad('LEASE_NAME', leaseName, 'not a Lease name (DNS-1123 subdomain)');
  const leaseDurationMs = r.duration('LEASE_DURATION');
  const leaseRenewMs = r.duration('LEASE_RENEW');
  if (!(leaseDurationMs >= 1000 && leaseDurationMs % 1000 === 0)) r.bad('LEASE_DURATION', r.raw('LEASE_DURATION')!, 'must be whole seconds, at least 1s (a Lease counts in seconds)');
  if (!(leaseRenewMs > 0 && leaseRenewMs < leaseDurationMs)) {
    const why = `must be above 0 and below LEASE_DURATION=${JSON.stringify(r.raw('LEASE_DURATION'))} (the leader must renew before its Lease can expire)`;
    r.bad('LEASE_RENEW', r.raw('LEASE_RENEW')!, why);
  }
  return { leaseName, leaseDurationMs, leaseRenewMs };
}

/** GROUP_WAIT … THREAD_MAX_AGE, STORM_THRESHOLD and CLUSTER_NAME, as the incident book takes them. */
function readIncidentWindows(r: EnvReader): IncidentSettings {
  const cluster = r.raw('CLUSTER_NAME');
  return Object.freeze({
    ...(cluster !== undefined && { cluster }),
    groupWaitMs: r.duration('GROUP_WAIT'),
    groupIntervalMs: r.duration('GROUP_INTERVAL'),
    repeatIntervalMs: r.duration('REPEAT_INTERVAL'),
    resolveAfterMs: r.duration('RESOLVE_AFTER'),
    reopenWindowMs: r.duration('REOPEN_WINDOW'),
    threadMaxAgeMs: r.duration('THREAD_MAX_AGE'),
    stormThreshold: r.integer('STORM_THRESHOLD', 1, 10_000),
  });
}

/**
 * Parses the environment into a frozen Config. Unknown variables are ignored; every malformed
 * value is collected and thrown together in one ConfigError, each naming the variable and value.
 * The sections are read in a fixed order because that is the order problems are reported in.
 */
export function loadConfig(env: Env, options: LoadConfigOptions = {}): Config {
  const problems: Problem[] = [];
  const r = envReader(env, options, problems);
  const slack = readSlack(r);
  const watchNamespaces = readWatchNamespaces(r);
  const logLevel = readLogLevel(r);
  const stateStore = readStateStore(r);
  const slackActions = readSlackActions(r, slack.slackToken);
  const lease = readLease(r);
  const evidence = readEvidence(r);
  const config: Config = {
    ...slack,
    clusterName: r.raw('CLUSTER_NAME'),
    watchNamespaces,
    kubeconfig: r.raw('KUBECONFIG'),
    incidents: readIncidentWindows(r),
    pendingAfterMs: r.duration('PENDING_AFTER'),
    httpPort: r.integer('HTTP_PORT', 0, 65_535),
    logLevel,
    ...stateStore,
    ...slackActions,
    ...lease,
    podName: r.raw('POD_NAME'),
    evidence,
  };
  const shown = problems.filter((p) => options.uses === undefined || options.uses.includes(p.name));
  if (shown.length > 0) throw new ConfigError(shown.map((p) => p.text));
  return Object.freeze(config);
}

/** LOGS, EVENTS, LOG_TAIL_LINES, LOG_FETCHES_PER_INCIDENT and LOG_REDACT (comma-separated regular expressions). */
function readEvidence(r: EnvReader): EvidenceConfig {
  const onOff = (name: 'LOGS' | 'EVENTS'): boolean => {
    const v = r.raw(name)!.toLowerCase();
    if (v === 'on' || v === 'true') return true;
    if (v === 'off' || v === 'false') return false;
    r.bad(name, v, 'not on or off');
    return true;
  };
  const sources = splitPatterns(r.raw('LOG_REDACT') ?? '');
  const compiled = compileRedactions(sources);
  if (!compiled.ok) for (const i of compiled.invalid) r.bad('LOG_REDACT', i.pattern, `not a usable regular expression (${i.why})`);
  return Object.freeze({
    logs: onOff('LOGS'),
    events: onOff('EVENTS'),
    tailLines: r.integer('LOG_TAIL_LINES', 1, 200),
    fetchesPerIncident: r.integer('LOG_FETCHES_PER_INCIDENT', 0, 50),
    redact: Object.freeze(compiled.ok ? [...compiled.patterns] : []),
  });
}
