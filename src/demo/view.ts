import type { SlackCall } from '../adapters/slack/recording.js';
import type { Cancel, Clock } from '../clock.js';
import { applyCall, emptyConversation, type Conversation, type Message } from '../terminal/conversation.js';
import { messageText, renderCallLive, renderConversation } from '../terminal/render.js';

export interface DemoViewOptions {
  readonly write: (s: string) => void;
  /** Redraw the whole conversation after each change (a terminal); otherwise append-only lines (CI, pipes). */
  readonly redraw: boolean;
  /** ANSI colours (only with redraw, and not under NO_COLOR). */
  readonly color: boolean;
  /** Coalesces a burst of calls (a storm) into one redraw. */
  readonly clock: Clock;
  /** Shown above the conversation when redrawing. */
  readonly title: string;
}

const ESC = '\u001b[';
/** Narration lines kept on screen below the conversation when redrawing. */
const NARRATION_SHOWN = 8;
/** Replies shown per thread when redrawing (Slack's channel view collapses threads too). */
const REPLIES_SHOWN = 2;

const hhmmss = (ms: number) => new Date(ms).toISOString().slice(11, 19);

/**
 * The demo's terminal: the Slack threads as they would appear, plus `▸` narration of what the
 * cluster does. Append-only it prints one block per Slack call (renderCallLive: new thread, `└`
 * reply, `✎` edit of a parent); redrawing it clears the screen and shows every thread in its latest
 * version, with the recent narration below.
 */
export class DemoView {
  readonly #o: DemoViewOptions;
  readonly #conv: Conversation = emptyConversation();
  readonly #narration: string[] = [];
  #pending: Cancel | undefined;

  constructor(o: DemoViewOptions) {
    if (typeof o?.write !== 'function') throw new TypeError('DemoView: option write must be a function');
    this.#o = o;
  }

  /** What the cluster is doing, visibly not a Slack message. */
  narrate(text: string): void {
    const line = `[${hhmmss(this.#o.clock.now())}] ▸ ${text}`;
    if (!this.#o.redraw) {
      this.#o.write(`${line}\n`);
      return;
    }
    this.#narration.push(line);
    this.#schedule();
  }

  call(call: SlackCall): void {
    if (!this.#o.redraw) {
      this.#o.write(renderCallLive(this.#conv, call, { color: false }));
      return;
    }
    applyCall(this.#conv, call);
    this.#schedule();
  }

  /** Draws what is pending now (before the summary). */
  close(): void {
    this.#pending?.();
    this.#pending = undefined;
    if (this.#o.redraw) this.#draw();
  }

  #schedule(): void {
    this.#pending ??= this.#o.clock.setTimer(50, () => {
      this.#pending = undefined;
      this.#draw();
    });
  }

  #draw(): void {
    const c = this.#o.color;
    const paint = (code: string, s: string) => (c ? `${ESC}${code}m${s}${ESC}0m` : s);
    const slack = renderConversation(collapsed(this.#conv), { color: c }) || paint('2', '(nothing in Slack yet)\n');
    const narration = this.#narration.slice(-NARRATION_SHOWN).map((l) => paint('36', l));
    // Home, clear screen and scrollback: the screen is the Slack channel as it stands now.
    this.#o.write(`${ESC}H${ESC}2J${ESC}3J${paint('1', this.#o.title)}\n\n${slack}\n${paint('2', '── cluster ──')}\n${narration.join('\n')}\n`);
  }
}

/** Each message's first line only. */
function oneLine(m: Message): Message {
  return { ...m, text: messageText(m, { color: false }).split('\n')[0] ?? '', blocks: null, replies: [] };
}

/**
 * The conversation as a screen can hold it: parents in full, each thread's last replies on one line,
 * after a line counting the earlier ones (as Slack shows "N replies" under a parent).
 */
function collapsed(conv: Conversation): Conversation {
  return {
    notes: conv.notes,
    channels: conv.channels.map((ch) => ({
      name: ch.name,
      messages: ch.messages.map((m) => {
        const hidden = m.replies.length - REPLIES_SHOWN;
        const shown = m.replies.slice(-REPLIES_SHOWN).map(oneLine);
        const more: Message[] = hidden > 0 ? [{ ...shown[0]!, text: `… ${hidden} earlier ${hidden === 1 ? 'reply' : 'replies'}`, edits: 0 }] : [];
        return { ...m, replies: [...more, ...shown] };
      }),
    })),
  };
}
