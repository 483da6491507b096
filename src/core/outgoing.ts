/**
 * What the incident book asks the Slack sender to do. Messages address threads by podbell's own
 * thread id; the sender maps ids to Slack's (channel, ts) once a parent has landed, so the pure core
 * never waits for Slack and never sees a ts.
 *
 * Thread ids are opaque strings unique within one book: `t<n>` for incidents, `s<n>` for storm parents.
 */
export interface SlackMessage {
  /** Plain-text fallback: notifications, screen readers, and the resend when Slack rejects blocks. */
  readonly text: string;
  readonly blocks?: readonly unknown[];
}

/** Which pod, container and run a reply is about, and whether its log can explain the failure. */
export interface EvidenceRequest {
  readonly namespace: string;
  readonly pod: string;
  readonly uid: string;
  /** empty for pod-level failures (Evicted) */
  readonly container: string;
  /** the run that failed (detect's run ?? restartCount): one log fetch per (uid, container, run) */
  readonly run: number;
  /** read the previous run's log (the container restarted since) instead of the current one */
  readonly previous: boolean;
  readonly reason: string;
  /** false when the container never ran (image pulls, config errors, evictions) or logs are switched off for the pod */
  readonly logs: boolean;
}

export type Outgoing =
  | {
      /**
       * Opens thread `thread` in `channel`.
       *
       * `linkTo`: the id of an earlier thread of the same workload (resolved longer ago than
       * REOPEN_WINDOW, or older than THREAD_MAX_AGE). The sender should add that thread's permalink
       * (chat.getPermalink of its parent, or `https://<team>.slack.com/archives/<channel>/p<ts without dot>`)
       * to the message, e.g. as a context block "previous thread: <link|…>". If the earlier thread is
       * unknown to the sender (lost store), it sends the message as is. The rendered parent already says
       * in words that it follows an earlier incident.
       */
      readonly kind: 'parent';
      readonly thread: string;
      readonly channel: string;
      readonly linkTo?: string;
      /**
       * This parent may already be in Slack (a restart found it unconfirmed): the sender looks for it
       * (podbell's message metadata in the channel's recent history) before posting it again.
       */
      readonly maybePosted?: boolean;
      readonly message: SlackMessage;
    }
  | {
      /** A reply in thread `thread` (in its channel). */
      readonly kind: 'reply';
      readonly thread: string;
      readonly message: SlackMessage;
      /**
       * The first reply for a (pod, reason): what the evidence stage should fetch and append (the
       * crashed run's log tail, the pod's Warning Events) before it sends the reply. Senders that do
       * not know evidence send the message as it is.
       */
      readonly evidence?: EvidenceRequest;
    }
  | {
      /** Replaces the parent of thread `thread`; queued edits of one thread collapse into the latest. */
      readonly kind: 'edit';
      readonly thread: string;
      readonly message: SlackMessage;
    };

/**
 * What became of one Outgoing message: the sender reports exactly one outcome per message it was
 * given (collapsed messages report once, with the content that went out). The pipeline feeds it to
 * the incident book like a pod change: `posted`, the accepted parent and its edit time change only here.
 */
export type Delivery =
  | {
      readonly type: 'delivered';
      readonly thread: string;
      readonly kind: Outgoing['kind'];
      /** Slack's channel ID and the ts of the message the call created or edited. */
      readonly channel: string;
      readonly ts: string;
      /** The content as podbell rendered it (before any plain-text fallback or link the sender added). */
      readonly message: SlackMessage;
    }
  | {
      readonly type: 'failed';
      readonly thread: string;
      readonly kind: Outgoing['kind'];
      /**
       * Why it will never be delivered: Slack's error string, or `no_thread` (a reply or edit whose
       * parent is not in Slack), `message_gone` (the parent to edit was deleted or is frozen),
       * `queue_full` (a reply dropped under backlog).
       */
      readonly cause: string;
    };

/** Causes of a failed edit that mean the parent itself is no longer in Slack: post it again. */
export const PARENT_GONE_CAUSES: ReadonlySet<string> = new Set(['no_thread', 'message_gone']);
