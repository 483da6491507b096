/**
 * What the Slack sender's pieces share: the settings, the logger and metrics, the channel queues,
 * the default channel's health and the transport, plus the two reports every piece makes (a message
 * failed for good; advice told once). The sender (sender.ts) builds it once and hands it to its
 * pieces (refusals.ts, parent-landing.ts), so they never reach back into the sender: no import cycle,
 * and no state kept twice.
 */
import type { Logger } from '../../log.js';
import type { JobKind } from './actions.js';
import type { ChannelQueues } from './channel-queue.js';
import type { DefaultChannelHealth } from './default-channel.js';
import type { SlackMetrics } from './metrics.js';
import type { SenderSettings } from './sender-options.js';
import type { SlackTransport } from './transport.js';

export interface SenderParts {
  readonly o: SenderSettings;
  /** The sender's logger (component slack). */
  readonly log: Logger;
  readonly metrics: SlackMetrics;
  readonly queues: ChannelQueues;
  readonly defaultChannel: DefaultChannelHealth;
  readonly transport: SlackTransport;
  /** Reports a message that can never be delivered to the sender's listener. */
  failed(thread: string, kind: JobKind, cause: string): void;
  /** True the first time `key` is asked about: advice worth telling once per process. */
  once(key: string): boolean;
}
