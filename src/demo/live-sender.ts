import { RecordingSender, type SlackCall } from '../adapters/slack/recording.js';
import type { DeliveryListener, Sender } from '../ports.js';
import type { Cancel, Clock } from '../clock.js';
import type { Outgoing } from '../core/outgoing.js';

export interface LiveSenderOptions {
  readonly clock: Clock;
  /** Each Slack call, as soon as the bot has finished the step that made it. */
  readonly onCall: (call: SlackCall) => void;
  /** The real Slack sender (demo with SLACK_BOT_TOKEN): every message goes there too. */
  readonly forward?: Sender;
  /** Outcomes as the terminal view saw them (the recording delivers everything it can place). */
  readonly onOutcome?: DeliveryListener;
}

/**
 * The demo's Sender: records the Slack calls the real sender makes (RecordingSender mirrors how it
 * shapes and collapses them) and hands each to the terminal view; with `forward`, also sends them to
 * Slack. A recording settles a call only when time moves on, so it is settled on the next timer tick:
 * every message of one pipeline step is sent synchronously, which keeps same-step edits collapsed.
 */
export class LiveSender implements Sender {
  readonly #clock: Clock;
  readonly #recording: RecordingSender;
  readonly #forward: Sender | undefined;
  #settle: Cancel | undefined;

  constructor(o: LiveSenderOptions) {
    if (!o?.clock) throw new TypeError('LiveSender: option clock is required');
    if (typeof o.onCall !== 'function') throw new TypeError('LiveSender: option onCall must be a function');
    this.#clock = o.clock;
    this.#recording = new RecordingSender({ clock: o.clock, onCall: o.onCall, ...(o.onOutcome && { onOutcome: o.onOutcome }) });
    this.#forward = o.forward;
  }

  async start(): Promise<void> {
    await this.#forward?.start();
    await this.#recording.start();
  }

  send(message: Outgoing): void {
    this.#forward?.send(message);
    this.#recording.send(message);
    this.#settle ??= this.#clock.setTimer(0, () => {
      this.#settle = undefined;
      void this.#recording.flush();
    });
  }

  async flush(deadlineMs: number): Promise<void> {
    this.#settle?.();
    this.#settle = undefined;
    await this.#recording.flush();
    await this.#forward?.flush(deadlineMs);
  }

  stop(): void {
    this.#settle?.();
    this.#settle = undefined;
    this.#forward?.stop();
  }
}
