import type { Clock } from '../../clock.js';
import type { Outgoing } from '../../core/outgoing.js';
import type { DeliveryListener, Sender, ThreadRef } from '../../ports.js';
import { withPreviousThreadLink } from './link.js';

/**
 * One Slack Web API call as the real sender would make it. The field order is the order of
 * `podbell replay`'s output keys (docs/design.md#commands, CONTRACT).
 */
export interface SlackCall {
  /** The virtual instant of the call: RFC 3339, UTC, milliseconds. */
  readonly at: string;
  readonly method: 'chat.postMessage' | 'chat.update';
  /** The channel as podbell addresses it (`#alerts` or an ID): a recording resolves no names. */
  readonly channel: string;
  /** postMessage: the ts Slack would have given the new message; update: the ts of the edited message. */
  readonly ts: string;
  /** The thread a postMessage goes into; null for top-level posts and for updates. */
  readonly thread_ts: string | null;
  readonly text: string;
  /** Block Kit blocks as sent; null when a post had none (an edit without blocks sends [] to clear the old ones). */
  readonly blocks: readonly unknown[] | null;
}

/** A call not yet final, with the thread it belongs to (for collapsing). */
interface PendingCall {
  call: SlackCall;
  readonly thread: string;
  /** A parent's link to the earlier thread, kept so an edit collapsing into it keeps the link. */
  readonly permalink?: string;
}

/** Something the recording could not place, as the real sender would log it. */
export interface RecordingProblem {
  readonly at: string;
  readonly thread: string;
  readonly why: string;
}

export interface RecordingSenderOptions {
  /** Stamps each call; `replay` passes its VirtualClock. */
  readonly clock: Clock;
  /**
   * Called once per call when it is final: edits to one thread queued at one instant collapse into
   * the latest (as the real sender's queue does), so a call is final once time moves on or on flush().
   * With onCall the recording streams and keeps only the current instant's calls (long replays stay
   * small); without it, `calls` holds every call.
   */
  readonly onCall?: (call: SlackCall) => void;
  /** A message for a thread that never got a parent; the real sender logs and counts these. */
  readonly onProblem?: (problem: RecordingProblem) => void;
  /** Told of every message at once: delivered as recorded, or failed (`no_thread`) when it could not be placed. */
  readonly onOutcome?: DeliveryListener;
}

/**
 * A Sender that talks to no network: it records the chat.postMessage and chat.update calls the real
 * Slack sender would make, with invented but deterministic ts values (`<virtual seconds>.<6-digit
 * sequence>`, the shape of Slack's own), so the same input always records the same bytes.
 *
 * Mirrors the real sender (src/adapters/slack/sender.ts) where it shapes calls: an edit queued at
 * the same instant as its thread's unsent parent or edit collapses into it; a parent with `linkTo`
 * gets a "Previous thread" link (text line and context block) to the earlier thread — the real
 * sender asks chat.getPermalink, which is not recorded; the link here is invented from channel and
 * ts; an edit without blocks sends `blocks: []`.
 */
export class RecordingSender implements Sender {
  readonly #clock: Clock;
  readonly #onCall: ((call: SlackCall) => void) | undefined;
  readonly #onProblem: ((problem: RecordingProblem) => void) | undefined;
  readonly #onOutcome: DeliveryListener | undefined;
  readonly #threads = new Map<string, ThreadRef>();
  readonly #final: SlackCall[] = [];
  /** Calls made at #pendingAt that an edit of the same instant may still collapse into. */
  #pending: PendingCall[] = [];
  #pendingAt: number | undefined;
  #seq = 0;

  constructor(options: RecordingSenderOptions) {
    if (!options?.clock || typeof options.clock.now !== 'function') throw new TypeError('RecordingSender: option clock is required');
    if (options.onCall !== undefined && typeof options.onCall !== 'function') throw new TypeError('RecordingSender: option onCall must be a function');
    if (options.onProblem !== undefined && typeof options.onProblem !== 'function') throw new TypeError('RecordingSender: option onProblem must be a function');
    this.#clock = options.clock;
    this.#onCall = options.onCall;
    this.#onProblem = options.onProblem;
    this.#onOutcome = options.onOutcome;
  }

  /** The calls recorded so far in the order the sender would make them (only unsettled ones when onCall is set). */
  get calls(): readonly SlackCall[] {
    return [...this.#final, ...this.#pending.map((p) => p.call)];
  }

  /** Where each thread landed, as the real sender's ThreadStore would hold it. */
  thread(id: string): ThreadRef | undefined {
    return this.#threads.get(id);
  }

  async start(): Promise<void> {}

  /** Records the call the real sender would make, then reports its outcome (synchronously). */
  send(message: Outgoing): void {
    const ref = this.#record(message);
    if (!this.#onOutcome) return;
    if (ref) this.#onOutcome({ type: 'delivered', thread: message.thread, kind: message.kind, channel: ref.channel, ts: ref.ts, message: message.message });
    else this.#onOutcome({ type: 'failed', thread: message.thread, kind: message.kind, cause: 'no_thread' });
  }

  /** The message recorded as a call; returns where it landed, undefined when it could not be placed. */
  #record(message: Outgoing): ThreadRef | undefined {
    const now = this.#clock.now();
    if (this.#pendingAt !== undefined && now !== this.#pendingAt) this.#settle();
    this.#pendingAt = now;
    const at = new Date(now).toISOString();
    const blocks = message.message.blocks ? [...message.message.blocks] : null;
    const text = message.message.text;

    if (message.kind === 'parent') {
      const channel = message.channel;
      const permalink = this.#permalink(message.linkTo);
      const linked = withPreviousThreadLink(text, blocks, permalink);
      const ts = this.#ts(now);
      const landed = { channel, ts, replyTo: ts };
      this.#threads.set(message.thread, landed);
      this.#pending.push({ thread: message.thread, ...(permalink !== undefined && { permalink }), call: { at, method: 'chat.postMessage', channel, ts, thread_ts: null, ...linked } });
      return landed;
    }

    const ref = this.#threads.get(message.thread);
    if (!ref) {
      this.#problem(at, message.thread, `${message.kind} for a thread that was never posted; dropped`);
      return undefined;
    }
    if (message.kind === 'reply') {
      const ts = this.#ts(now);
      this.#pending.push({ thread: message.thread, call: { at, method: 'chat.postMessage', channel: ref.channel, ts, thread_ts: ref.replyTo, text, blocks } });
      return { channel: ref.channel, ts, replyTo: ref.replyTo };
    }
    // Collapse into this thread's unsent parent (keeping its link) or unsent edit, as the real queue does.
    const queued = this.#pending.find((p) => p.thread === message.thread && (p.call.method === 'chat.update' || p.call.ts === ref.ts));
    if (queued) {
      const content = withPreviousThreadLink(text, blocks, queued.call.method === 'chat.postMessage' ? queued.permalink : undefined);
      queued.call = { ...queued.call, ...content, blocks: queued.call.method === 'chat.update' ? (content.blocks ?? []) : content.blocks };
      return ref;
    }
    this.#pending.push({ thread: message.thread, call: { at, method: 'chat.update', channel: ref.channel, ts: ref.ts, thread_ts: null, text, blocks: blocks ?? [] } });
    return ref;
  }

  async flush(_deadlineMs?: number): Promise<void> {
    this.#settle();
  }

  stop(): void {}

  #settle(): void {
    const done = this.#pending;
    this.#pending = [];
    this.#pendingAt = undefined;
    for (const { call } of done) {
      if (this.#onCall) this.#onCall(call);
      else this.#final.push(call);
    }
  }

  #ts(now: number): string {
    this.#seq += 1;
    return `${Math.floor(now / 1000)}.${String(this.#seq % 1_000_000).padStart(6, '0')}`;
  }

  /** The earlier thread's invented permalink, or undefined when there is none (as the real sender, which then posts without it). */
  #permalink(linkTo: string | undefined): string | undefined {
    const previous = linkTo === undefined ? undefined : this.#threads.get(linkTo);
    if (!previous) return undefined;
    return `https://slack.com/archives/${encodeURIComponent(previous.channel.replace(/^#/, ''))}/p${previous.ts.replace('.', '')}`;
  }

  #problem(at: string, thread: string, why: string): void {
    this.#onProblem?.({ at, thread, why });
  }
}

