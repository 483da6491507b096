import type { Outgoing } from '../../core/outgoing.js';
import type { Clock } from '../../clock.js';
import type { DeliveryListener, Sender } from '../../ports.js';
import { mrkdwnToText } from '../../terminal/mrkdwn.js';

export interface ConsoleSenderOptions {
  /** Where the rendered lines go, e.g. `(s) => process.stdout.write(s)`. Each call is whole lines. */
  readonly write: (s: string) => void;
  /** When given, each message starts with its time, `[MM-DD HH:MM:SS]` in UTC, as replay shows them. */
  readonly clock?: Clock;
  /** Told of every message as delivered (the terminal takes everything). */
  readonly onOutcome?: DeliveryListener;
}

/**
 * The Sender used when SLACK_BOT_TOKEN is unset: prints each message as it would appear in Slack,
 * no network. Parents open a thread, replies show as `└`, edits of the parent as `✎`:
 *
 *   [11-30 09:00:10]  #alerts  [t1]  🔴 checkout · Deployment · shop
 *   [11-30 09:00:10]  #alerts  [t1]  └ checkout-7d9f-x2k4q · app · OOMKilled
 *   [11-30 09:05:40]  #alerts  [t1]  ✎ ✅ Resolved · checkout · Deployment · shop
 */
export class ConsoleSender implements Sender {
  readonly #write: (s: string) => void;
  readonly #clock: Clock | undefined;
  /** thread -> channel its parent went to, so replies and edits can say where they are. */
  readonly #channels = new Map<string, string>();
  readonly #onOutcome: DeliveryListener | undefined;
  #seq = 0;

  constructor(options: ConsoleSenderOptions) {
    if (!options || typeof options.write !== 'function') throw new TypeError('ConsoleSender: option write must be a function');
    this.#write = options.write;
    this.#clock = options.clock;
    this.#onOutcome = options.onOutcome;
  }

  async start(): Promise<void> {}

  send(m: Outgoing): void {
    let channel: string;
    let mark: string;
    const label = m.thread;
    if (m.kind === 'parent') {
      channel = m.channel;
      this.#channels.set(m.thread, channel);
      mark = '';
    } else {
      channel = this.#channels.get(m.thread) ?? '?';
      mark = m.kind === 'reply' ? '└ ' : '✎ ';
    }
    const at = this.#clock && new Date(this.#clock.now()).toISOString();
    const prefix = `${at ? `[${at.slice(5, 10)} ${at.slice(11, 19)}]  ` : ''}${channel}  [${label}]  `;
    // Cluster text must not drive the operator's terminal (escape sequences) nor read as Slack markup.
    const [first = '', ...rest] = mrkdwnToText(m.message.text).split('\n');
    const pad = ' '.repeat(prefix.length + [...mark].length);
    this.#write(`${prefix}${mark}${first}\n${rest.map((l) => `${pad}${l}\n`).join('')}`);
    this.#onOutcome?.({ type: 'delivered', thread: m.thread, kind: m.kind, channel, ts: String(++this.#seq), message: m.message });
  }

  async flush(_deadlineMs: number): Promise<void> {}

  stop(): void {}
}
