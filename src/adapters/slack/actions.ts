/**
 * What the sender does when Slack refuses a message: one pure table of (Slack error, message kind)
 * to action, so every recovery is stated once and tested as a table (test/unit/slack-actions.test.ts).
 */
import { isAuthError, isBlockError, isChannelError, isEditError } from './errors.js';

export type JobKind = 'parent' | 'reply' | 'edit';

/** A failed call, as classify() reports it. */
export interface CallFailure {
  readonly code: string;
  readonly retryable: boolean;
  readonly retryAfterMs?: number | undefined;
}

/** What about the message matters for the decision. */
export interface JobFacts {
  readonly kind: JobKind;
  /** Already sent as text only (its blocks were refused once). */
  readonly plain: boolean;
  /** Already moved to the default channel once, or addressed there in the first place. */
  readonly inDefaultChannel: boolean;
}

export type Action =
  /** 429 with Retry-After: this channel (only) waits that long; the message stays first in line. */
  | { readonly do: 'pause'; readonly ms: number }
  /** 5xx, network, timeout: this channel backs off; a parent is looked up before it is posted again. */
  | { readonly do: 'retry' }
  /** Slack refused the blocks: send again as text only. */
  | { readonly do: 'plain' }
  /** The channel refused a parent (or the edit of one): the thread goes to the default channel, once. */
  | { readonly do: 'reroute' }
  /** Never deliverable: reported to the book as failed with `cause`; `auth` errors are told to the operator. */
  | { readonly do: 'give_up'; readonly cause: string; readonly auth?: true };

export function actionFor(e: CallFailure, job: JobFacts): Action {
  if (e.code === 'ratelimited' && e.retryAfterMs !== undefined) return { do: 'pause', ms: e.retryAfterMs };
  if (e.retryable) return { do: 'retry' };
  if (isAuthError(e.code)) return { do: 'give_up', cause: e.code, auth: true };
  if (isBlockError(e.code) && !job.plain) return { do: 'plain' };
  // The parent was deleted or is frozen: the book posts it again, as it is now (cause message_gone).
  if (isEditError(e.code) && job.kind === 'edit') return { do: 'give_up', cause: 'message_gone' };
  if (isChannelError(e.code) && job.kind !== 'reply' && !job.inDefaultChannel) return { do: 'reroute' };
  return { do: 'give_up', cause: e.code };
}
