import type { Registry } from 'prom-client';
import type { Clock } from '../../clock.js';
import type { Logger } from '../../log.js';
import { positiveOption } from '../../options.js';
import type { DeliveryListener, ThreadStore } from '../../ports.js';

export interface SlackSenderOptions {
  /** Bot token (xoxb-…). Never logged. */
  readonly token: string;
  /** Web API base URL (config SLACK_API_URL), e.g. https://slack.com/api/ or a loopback fake. */
  readonly apiUrl: string;
  /** Where messages go when their own channel refuses them (config SLACK_CHANNEL). */
  readonly defaultChannel: string;
  readonly clock: Clock;
  readonly log: Logger;
  /** Registry for this adapter's metrics (never the global one). */
  readonly registry: Registry;
  /** Where each thread's parent landed; replies and edits are addressed through it. */
  readonly store: ThreadStore;
  /** Told what became of every message: delivered (channel, ts) or failed for good (the cause). */
  readonly onOutcome?: DeliveryListener;
  /** Jitter source for retry backoff, [0, 1). Default Math.random. */
  readonly random?: () => number;
  /** chat.postMessage budget per channel (Slack allows about 1 per second per channel). Default 1. */
  readonly postsPerSecond?: number;
  /** chat.update budget for the whole workspace (Slack's Tier 3, about 50 per minute). Default 50. */
  readonly updatesPerMinute?: number;
  /** Most replies one channel may hold queued; beyond, the oldest are dropped (and counted). Default 100. */
  readonly maxQueuedReplies?: number;
  /** First retry delay after a 5xx or network error; doubles up to maxBackoffMs, with jitter. Default 1000. */
  readonly minBackoffMs?: number;
  /** Default 30000. */
  readonly maxBackoffMs?: number;
  /** Per-request timeout of the HTTP client (wall time). Default 10000. */
  readonly requestTimeoutMs?: number;
}

/** The options with every default filled in. */
export interface SenderSettings extends Required<Omit<SlackSenderOptions, 'onOutcome'>> {
  readonly onOutcome: DeliveryListener;
}

/** Checks every option (a TypeError naming the first bad one) and fills in the defaults. */
export function senderSettings(options: SlackSenderOptions): SenderSettings {
  const o = options as Partial<SlackSenderOptions> | undefined;
  if (!o || typeof o !== 'object') throw new TypeError('SlackSender: options must be an object');
  if (typeof o.token !== 'string' || o.token === '') throw new TypeError('SlackSender: option token must be a non-empty string');
  if (typeof o.apiUrl !== 'string' || !/^https?:\/\//.test(o.apiUrl)) throw new TypeError('SlackSender: option apiUrl must be an http(s) URL');
  if (typeof o.defaultChannel !== 'string' || o.defaultChannel === '') throw new TypeError('SlackSender: option defaultChannel must be a channel (#name or ID)');
  if (!o.clock || typeof o.clock.now !== 'function' || typeof o.clock.setTimer !== 'function') throw new TypeError('SlackSender: option clock must be a Clock');
  if (!o.log || typeof o.log.warn !== 'function') throw new TypeError('SlackSender: option log must be a Logger');
  if (!o.registry || typeof o.registry.registerMetric !== 'function') throw new TypeError('SlackSender: option registry must be a prom-client Registry');
  if (!o.store || typeof o.store.get !== 'function' || typeof o.store.set !== 'function') throw new TypeError('SlackSender: option store must be a ThreadStore');
  for (const f of ['random', 'onOutcome'] as const) if (o[f] !== undefined && typeof o[f] !== 'function') throw new TypeError(`SlackSender: option ${f} must be a function`);
  const positive = (name: keyof SlackSenderOptions, fallback: number) => positiveOption(`SlackSender: option ${name}`, o[name], fallback);
  const minBackoffMs = positive('minBackoffMs', 1000);
  return {
    token: o.token,
    apiUrl: o.apiUrl,
    defaultChannel: o.defaultChannel,
    clock: o.clock,
    log: o.log,
    registry: o.registry,
    store: o.store,
    onOutcome: o.onOutcome ?? (() => {}),
    random: o.random ?? Math.random,
    postsPerSecond: positive('postsPerSecond', 1),
    updatesPerMinute: positive('updatesPerMinute', 50),
    maxQueuedReplies: Math.floor(positive('maxQueuedReplies', 100)),
    minBackoffMs,
    maxBackoffMs: Math.max(minBackoffMs, positive('maxBackoffMs', 30_000)),
    requestTimeoutMs: positive('requestTimeoutMs', 10_000),
  };
}
