/**
 * The ports between podbell's stages, in one neutral module every side imports (and which imports
 * nothing but the pure core), so adapters and the pipeline never import each other.
 *
 *   watches --Change--> Pipeline --Outgoing--> Sender --Delivery--> Pipeline (reduce)
 */
import type { Delivery, Outgoing } from './core/outgoing.js';

export type { Delivery, Outgoing } from './core/outgoing.js';

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** One change of one object, already projected: `prev` from the watch's own cache, `next` from the wire. */
export interface Change<T> {
  readonly type: ChangeType;
  readonly prev?: T;
  readonly next?: T;
  /** True when the change was inferred on a relist (the object vanished while we were not watching). */
  readonly synthetic?: boolean;
}

/** Where a thread landed in Slack. */
export interface ThreadRef {
  readonly channel: string;
  /** ts of podbell's parent message for the thread (what chat.update edits). */
  readonly ts: string;
  /**
   * ts replies go under: the parent's own ts. (Threads saved by versions before storm members lost
   * their own parents may name the storm parent's, when their parent was itself a reply in it.)
   */
  readonly replyTo: string;
}

/** Remembers where threads landed (the sender writes it; persistence saves and restores it). */
export interface ThreadStore {
  get(thread: string): ThreadRef | undefined;
  set(thread: string, ref: ThreadRef): void;
}

/** A ThreadStore persistence can save whole, restore, and be told of changes to. */
export interface SavedThreads {
  /** Every ref, least recently used first. */
  entries(): Record<string, ThreadRef>;
  restore(refs: Readonly<Record<string, ThreadRef>>): void;
  /** Called after every set (one listener). */
  onChange(listener: (() => void) | undefined): void;
}

/** Where every outcome of a sender goes (given to the sender at construction). */
export type DeliveryListener = (outcome: Delivery) => void;

/**
 * Where the pipeline's Outgoing messages go: Slack's Web API, the terminal, or a recording. Every
 * message given to send() ends in one Delivery reported to the listener the sender was built with:
 * delivered (channel and ts) or failed for good (a cause). Messages collapsed into one (an edit into
 * its unsent parent or edit) report once, with the content that went out. A message still queued at
 * stop() or at flush()'s deadline reports nothing: the book then knows it was never accepted.
 */
export interface Sender {
  /**
   * Checks credentials (auth.test) before any watch starts; rejects with SlackAuthError only when
   * Slack definitely refuses them. An unreachable Slack is no reason not to watch: it resolves.
   */
  start(): Promise<void>;
  /** Queues a message; returns at once. Never throws for Slack's own errors (they are logged and counted). */
  send(message: Outgoing): void;
  /** Sends what is queued, giving up after deadlineMs; resolves either way. */
  flush(deadlineMs: number): Promise<void>;
  /** Stops every timer and retry; what is still queued stays unsent (and unreported). */
  stop(): void;
  /** What an operator must fix before messages can arrive (shown by /readyz), if anything. Optional. */
  problem?(): string | undefined;
}

/**
 * Connects a sender (built first, by the composition root) to the pipeline that is built after it:
 * the sender reports into `report`, the Bot listens. Outcomes before anyone listens are kept.
 */
export class DeliveryRelay {
  #listener: DeliveryListener | undefined;
  readonly #early: Delivery[] = [];

  readonly report: DeliveryListener = (outcome) => {
    if (this.#listener) this.#listener(outcome);
    else this.#early.push(outcome);
  };

  listen(listener: DeliveryListener): void {
    this.#listener = listener;
    for (const o of this.#early.splice(0)) listener(o);
  }
}
