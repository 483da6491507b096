/**
 * What the incident book asks the Slack sender to do. Messages address threads by podbell's own
 * thread id; the sender maps ids to Slack's (channel, ts) once a parent has landed, so the pure core
 * never waits for Slack and never sees a ts.
 */
export interface SlackMessage {
  /** Plain-text fallback: notifications, screen readers, and the resend when Slack rejects blocks. */
  readonly text: string;
  readonly blocks?: readonly unknown[];
}

export type Outgoing =
  | {
      /** Opens thread `thread`. With `inThread`, the parent is itself posted as a reply in that thread (storms). */
      readonly kind: 'parent';
      readonly thread: string;
      readonly channel: string;
      readonly inThread?: string;
      readonly message: SlackMessage;
    }
  | {
      /** A reply in thread `thread` (in its channel). */
      readonly kind: 'reply';
      readonly thread: string;
      readonly message: SlackMessage;
    }
  | {
      /** Replaces the parent of thread `thread`; queued edits of one thread collapse into the latest. */
      readonly kind: 'edit';
      readonly thread: string;
      readonly message: SlackMessage;
    };
