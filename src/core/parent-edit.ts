/**
 * When a posted parent needs an edit: one pure decision, like Alertmanager's needsUpdate. It compares
 * what the parent would say now with what Slack last ACCEPTED (never with what was merely queued), so
 * a lost or failed edit is made again and an edit that only repeats Slack's text is never sent.
 */
import type { SlackMessage } from './outgoing.js';

/** The last rendering of a parent Slack accepted (post or edit), and when. */
export interface Accepted {
  readonly hash: string;
  readonly at: number;
}

export type EditDecision =
  /** Nothing to do: no parent in Slack yet, or Slack already shows this rendering. */
  | { readonly kind: 'none' }
  /** The rendering differs but the last edit is younger than the interval: ask again at `at`. */
  | { readonly kind: 'wait'; readonly at: number }
  | { readonly kind: 'edit' };

const NONE: EditDecision = Object.freeze({ kind: 'none' });
const EDIT: EditDecision = Object.freeze({ kind: 'edit' });

/**
 * @param rendered the hash of the parent as it would render now (called only when the time allows an
 *   edit, so waiting costs no rendering)
 * @param accepted what Slack accepted last; undefined while the parent is not in Slack
 * @param intervalMs GROUP_INTERVAL: at most one edit per interval
 */
export function needsEdit(rendered: () => string, accepted: Accepted | undefined, now: number, intervalMs: number): EditDecision {
  if (accepted === undefined) return NONE;
  const due = accepted.at + intervalMs;
  if (now < due) return { kind: 'wait', at: due };
  return rendered() === accepted.hash ? NONE : EDIT;
}

/** FNV-1a of the message: enough to tell "the rendering changed" without keeping 4 kB per incident. */
export function hashMessage(m: SlackMessage): string {
  const str = JSON.stringify({ text: m.text, blocks: m.blocks });
  let h = 0x811c9dc5;
  for (let i = 0; i < str.length; i++) h = Math.imul(h ^ str.charCodeAt(i), 0x01000193);
  return `${(h >>> 0).toString(16)}:${str.length}`;
}
