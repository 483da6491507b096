import type { Logger } from '../../log.js';
import type { SlackMetrics } from './metrics.js';

/**
 * Whether the default channel (SLACK_CHANNEL) takes podbell's posts. When it refuses (the bot was
 * never invited, the channel is gone), that is told once with the fix, kept for /readyz, and shown by
 * the podbell_slack_default_channel_refused gauge, until a post there lands.
 */
export class DefaultChannelHealth {
  readonly #channel: string;
  readonly #log: Logger;
  readonly #metrics: SlackMetrics;
  readonly #told = new Set<string>();
  #problem: string | undefined;

  constructor(channel: string, log: Logger, metrics: SlackMetrics) {
    this.#channel = channel;
    this.#log = log;
    this.#metrics = metrics;
  }

  get problem(): string | undefined {
    return this.#problem;
  }

  refused(code: string): void {
    this.#problem = `Slack refuses the default channel ${this.#channel} (${code}): invite the bot there (/invite @podbell) or set SLACK_CHANNEL to a channel it can post in`;
    this.#metrics.defaultChannelRefused.set(1);
    if (this.#told.has(code)) return;
    this.#told.add(code);
    this.#log.error({ channel: this.#channel, error: code }, this.#problem);
  }

  landed(): void {
    if (this.#problem === undefined) return;
    this.#problem = undefined;
    this.#metrics.defaultChannelRefused.set(0);
  }
}
