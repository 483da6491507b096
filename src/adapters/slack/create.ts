import type { Registry } from 'prom-client';
import type { Clock } from '../../clock.js';
import type { Config } from '../../config.js';
import type { Logger } from '../../log.js';
import { ConsoleSender } from './console.js';
import { SlackSender } from './sender.js';
import type { DeliveryListener, Sender, ThreadStore } from '../../ports.js';

export interface CreateSenderOptions {
  readonly config: Pick<Config, 'slackToken' | 'slackApiUrl' | 'slackChannel'>;
  readonly clock: Clock;
  readonly log: Logger;
  readonly registry: Registry;
  readonly store: ThreadStore;
  /** Where ConsoleSender prints when there is no token, e.g. `(s) => process.stdout.write(s)`. */
  readonly write: (s: string) => void;
  /** Told what became of every message (the pipeline's delivery relay). */
  readonly onOutcome?: DeliveryListener;
}

/** Slack when SLACK_BOT_TOKEN is set, otherwise the terminal (so `podbell run` works before Slack is set up). */
export function createSender(o: CreateSenderOptions): Sender {
  if (o.config.slackToken === undefined) {
    o.log.warn('SLACK_BOT_TOKEN is not set: printing Slack messages to the terminal instead of sending them');
    return new ConsoleSender({ write: o.write, clock: o.clock, ...(o.onOutcome && { onOutcome: o.onOutcome }) });
  }
  return new SlackSender({
    token: o.config.slackToken,
    apiUrl: o.config.slackApiUrl,
    defaultChannel: o.config.slackChannel,
    clock: o.clock,
    log: o.log,
    registry: o.registry,
    store: o.store,
    ...(o.onOutcome && { onOutcome: o.onOutcome }),
  });
}
