/** The Sender port lives in src/ports.ts (neutral); re-exported here for the adapters. */
export type { DeliveryListener, Sender } from '../../ports.js';

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
