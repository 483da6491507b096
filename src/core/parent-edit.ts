/**
 * When a posted parent needs an edit: one pure decision, like Alertmanager's needsUpdate. It compares
 * what the parent would say now with what Slack last ACCEPTED (never with what was merely queued), so
 * a lost or failed edit is made again and an edit that only repeats Slack's text is never sent.
 *
 * Not every change is worth an edit at once: a reader needs to know when the status changes, a new
 * reason appears, a count crosses a step or the pods failing go from none to some to most (the
 * readerSignature). Pod-level flips (`1 of 2` <-> `2 of 2`, a count going 6 -> 7) wait until the
 * incident has been quiet for GROUP_INTERVAL with no pod waiting out a crash back-off (the pause
 * between two crashes of a loop is not the end of it), then the exact totals are edited in.
 */
import type { SlackMessage } from './outgoing.js';
import type { IncidentView } from './render.js';
import type { StormView } from './render-storm.js';

/** The last rendering of a parent Slack accepted (post or edit), and when. */
export interface Accepted {
  readonly hash: string;
  readonly at: number;
  /** its readerSignature; undefined when not known (then any change is edited in when due) */
  readonly sig?: string | undefined;
}

/** The parent as it would render now. */
export interface Rendering {
  readonly hash: string;
  readonly sig: string;
  /** since when it has rendered this way (the incident has been quiet since) */
  readonly since: number;
  /**
   * A pod waits out a crash back-off: the quiet between two crashes of a crash loop is not the end of
   * the burst, so details wait for the next change (the pods running again, or a step crossed).
   */
  readonly backOff?: boolean;
}

export type EditDecision =
  /** Nothing to do: no parent in Slack yet, or Slack already shows this rendering. */
  | { readonly kind: 'none' }
  /** The rendering differs but the last edit is younger than the interval: ask again at `at`. */
  | { readonly kind: 'wait'; readonly at: number }
  /** Only details changed and a crash loop waits out its back-off: the next change decides. */
  | { readonly kind: 'hold' }
  | { readonly kind: 'edit' };

const NONE: EditDecision = Object.freeze({ kind: 'none' });
const EDIT: EditDecision = Object.freeze({ kind: 'edit' });
const HOLD: EditDecision = Object.freeze({ kind: 'hold' });

/**
 * @param rendered the parent as it would render now (called only when the time allows an edit, so
 *   waiting costs no rendering)
 * @param accepted what Slack accepted last; undefined while the parent is not in Slack
 * @param intervalMs GROUP_INTERVAL: at most one edit per interval, and the quiet a small change waits for
 * @param editBy a change a reader must see sooner (an action just taken, a storm member joining):
 *   the next edit is due by then at the latest
 */
export function needsEdit(rendered: () => Rendering, accepted: Accepted | undefined, now: number, intervalMs: number, editBy?: number): EditDecision {
  if (accepted === undefined) return NONE;
  const due = editBy === undefined ? accepted.at + intervalMs : Math.min(accepted.at + intervalMs, editBy);
  if (now < due) return { kind: 'wait', at: due };
  const r = rendered();
  if (r.hash === accepted.hash) return NONE;
  if (accepted.sig === undefined || r.sig !== accepted.sig) return EDIT;
  if (r.backOff && intervalMs > 0) return HOLD; // no interval (a shutdown's flush): nothing waits
  const quiet = r.since + intervalMs;
  return now >= quiet ? EDIT : { kind: 'wait', at: quiet };
}

/** What a parent (an incident's or a storm's) keeps between two edit decisions. */
export interface EditState {
  /** its state changed since the parent was last compared with what Slack shows */
  dirty: boolean;
  /** the rendering it would show now, and since when (a detail waits for quiet) */
  pendingHash?: string;
  pendingSince?: number;
  /** the last rendering sent (post or edit): its hash and signature, adopted when Slack accepts it */
  sent?: { hash: string; sig: string };
  /** the next edit is due by then at the latest, whatever GROUP_INTERVAL says (needsEdit's `editBy`) */
  editBy?: number;
}

/** A parent as it would render now: the message, its reader signature, and whether a crash loop waits out its back-off. */
export interface ParentRendering {
  readonly message: SlackMessage;
  readonly sig: string;
  readonly backOff: boolean;
}

/**
 * needsEdit for one parent, with its bookkeeping: since when the rendering has been what it is, and
 * what was sent. Returns the edit to send, or when to ask again (`wakeAt`).
 */
export function decideEdit(state: EditState, render: () => ParentRendering, accepted: Accepted | undefined, now: number, intervalMs: number): { readonly edit?: SlackMessage; readonly wakeAt?: number } {
  let current: ParentRendering | undefined;
  const rendered = (): Rendering => {
    current = render();
    const hash = hashMessage(current.message);
    if (hash !== state.pendingHash) {
      state.pendingHash = hash;
      state.pendingSince = now;
    }
    return { hash, sig: current.sig, since: state.pendingSince ?? now, backOff: current.backOff };
  };
  const decision = needsEdit(rendered, accepted, now, intervalMs, state.editBy);
  if (decision.kind === 'wait') return { wakeAt: decision.at };
  if (decision.kind === 'hold') return {};
  state.dirty = false;
  delete state.pendingHash;
  delete state.pendingSince;
  delete state.editBy;
  if (decision.kind === 'none' || current === undefined) return {};
  state.sent = { hash: hashMessage(current.message), sig: current.sig };
  return { edit: current.message };
}

/** 1 2 5 10 20 50 100 …: the step a count has reached (0 below 1). */
export function countStep(n: number): number {
  let step = 0;
  for (let base = 1; base <= n; base *= 10) {
    for (const m of [1, 2, 5]) if (base * m <= n) step = base * m;
  }
  return step;
}

/** Each reason with the step its count reached: `Error (exit 1)=10`. */
const reasonSteps = (counts: Readonly<Record<string, number>>): string[] =>
  Object.keys(counts)
    .sort()
    .map((r) => `${r}=${countStep(counts[r]!)}`);

/**
 * What a reader of the parent needs to be told at once: the status shown, each reason with the step
 * its count reached, whether no pods, some (under half) or most are failing, who muted or
 * acknowledged it, and each cause line it has shown (a later Warning Event saying why a pull failed
 * is news; pods of one workload failing for different causes and taking turns in the line are not). Everything else (exact counts, restarts, pods going `1 of 2` <-> `2 of 2`, the
 * back-off state, the latest message) waits for a quiet GROUP_INTERVAL.
 */
export function readerSignature(v: IncidentView): string {
  const status = v.status === 'resolved' ? 'resolved' : v.continuedAt !== undefined ? 'continued' : v.status === 'resolving' && !v.firstPost ? 'recovering' : 'failing';
  const reasons = reasonSteps(v.counts);
  const live = Math.max(v.podsLive ?? v.podsAffected, v.podsFailing ?? 0);
  const failing = v.podsFailing === undefined ? '?' : v.podsFailing === 0 ? 'none' : 2 * v.podsFailing < live ? 'some' : 'most';
  // Where new incidents of the workload now go (a channel change) is news too.
  // A resolved parent shows no cause line (render.ts): its cause is not news.
  const causes = v.status === 'resolved' || v.cause === undefined ? [] : [...new Set([...(v.causesShown ?? []), v.cause])].sort();
  return JSON.stringify([status, reasons, failing, v.reopened ?? 0, v.actions ?? null, v.movedTo ?? null, causes]);
}

/**
 * What a reader of a storm parent needs at once: which workloads are in it, each one's status and the
 * step each of its counts reached. A member's count going 6 -> 7 waits for a quiet GROUP_INTERVAL.
 */
export function stormSignature(v: StormView): string {
  const members = v.members.map((m) => [m.namespace, m.workload.kind, m.workload.name, m.status === 'resolved' ? 'resolved' : 'failing', reasonSteps(m.counts)]);
  return JSON.stringify([members, v.extra ?? 0]);
}

/** FNV-1a of the message: enough to tell "the rendering changed" without keeping 4 kB per incident. */
export function hashMessage(m: SlackMessage): string {
  const str = JSON.stringify({ text: m.text, blocks: m.blocks });
  let h = 0x811c9dc5;
  for (let i = 0; i < str.length; i++) h = Math.imul(h ^ str.charCodeAt(i), 0x01000193);
  return `${(h >>> 0).toString(16)}:${str.length}`;
}
