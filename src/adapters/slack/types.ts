import type { Outgoing } from '../../core/outgoing.js';

/** Where the pipeline's Outgoing messages go: Slack's Web API, the terminal, or a recording. */
export interface Sender {
  /** Checks credentials (auth.test) before any watch starts; rejects with SlackAuthError when they are bad. */
  start(): Promise<void>;
  /** Queues a message; returns at once. Never throws for Slack's own errors (they are logged and counted). */
  send(message: Outgoing): void;
  /** Sends what is queued, giving up after deadlineMs; resolves either way. */
  flush(deadlineMs: number): Promise<void>;
}

/** Where a thread landed in Slack. */
export interface ThreadRef {
  readonly channel: string;
  /** ts of podbell's parent message for the thread (what chat.update edits). */
  readonly ts: string;
  /** ts replies go under: the parent's own ts, or the storm parent's when the parent is itself a reply. */
  readonly replyTo: string;
}

/** Remembers where threads landed; memory now, a ConfigMap later so threads survive restarts. */
export interface ThreadStore {
  get(thread: string): ThreadRef | undefined;
  set(thread: string, ref: ThreadRef): void;
}
