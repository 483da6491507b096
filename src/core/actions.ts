/**
 * Slack actions on incidents (docs/slack-actions.md): mute a workload (1h, 4h, 24h, until resolved),
 * mute a namespace (1h, 4h), acknowledge, unmute. Pure: time in, messages out.
 *
 * `reduceWithActions` is the incident book's `reduce` with one more input, `{type:'action'}`, so
 * actions are replayable like pod changes. Around every other input it
 *   1. lifts the mutes that ran out (one reply per thread saying what is STILL failing, and a parent
 *      edit with the true totals: what happened while muted is counted, not replayed),
 *   2. runs `reduce`,
 *   3. holds back what a muted incident would post (replies, edits, reminders; a parent of a namespace
 *      held by a namespace mute), except what a resolution posts,
 *   4. asks for a wake-up at the next mute expiry as well.
 * Nothing here writes annotations; the state lives in the book (Incident.actions, IncidentBook.actions).
 */
import { ACTION_NAMES, MUTE_CHOICES, type ActionLedger, type ActionName, type ActionResult, type ActionSettings, type MuteMark } from './action-types.js';
import { has, incidentOfThread, inLiveIncident, reduce, say, type Incident, type IncidentBook, type IncidentInput, type IncidentSettings, type Step } from './incidents.js';
import { obj } from './json.js';
import type { Outgoing } from './outgoing.js';
import { renderActionReply, renderMuteEnded, type StillFailing } from './render-actions.js';

/** An action seen again this soon (same envelope, or same click) changes nothing. */
export const DEDUP_WINDOW_MS = 15 * 60_000;
/** At most this many remembered envelope ids / clicks. */
const SEEN_MAX = 2000;
/** Slack user ids: what may appear in `<@…>` (anything else is malformed, so nothing can be injected). */
const USER_ID = /^[UW][A-Z0-9]{1,30}$/;

export interface ActionInput {
  readonly type: 'action';
  /** Socket Mode envelope id, or `replay:<line>`: the same id twice acts once. */
  readonly envelope: string;
  /** Slack user id of who clicked. */
  readonly user: string;
  readonly action: ActionName;
  /** podbell's thread id of the incident (what the button carries). */
  readonly thread: string;
  /** A mute's duration: one of MUTE_CHOICES. */
  readonly value?: string;
  /** When the user clicked (Slack's action_ts), ms: the same click delivered twice acts once. */
  readonly clickedAt?: number;
  /** The user's groups among ActionSettings.allowedGroups (the adapter asks Slack). */
  readonly groups?: readonly string[];
}

export type BookInput = IncidentInput | ActionInput;

export interface ActionStep extends Step {
  /** Set for an action input: how it ended. */
  readonly result?: ActionResult;
  /** For the user who clicked only (an ephemeral message), when the action was refused. */
  readonly notice?: string;
}

export const NOT_ALLOWED_NOTICE = "You are not allowed to act on podbell's alerts here. Ask the people who run podbell to add you to SLACK_ALLOWED_USERS or one of SLACK_ALLOWED_GROUPS.";

const HOUR = 3_600_000;

/** May this user act? Everyone, unless allowed users or groups are set. */
function mayAct(a: ActionSettings | undefined, user: string, groups: readonly string[] = []): boolean {
  if (!a || (a.allowedUsers.length === 0 && a.allowedGroups.length === 0)) return true;
  return a.allowedUsers.includes(user) || groups.some((g) => a.allowedGroups.includes(g));
}

/** `reduce` plus actions and mutes (see the module comment). */
export function reduceWithActions(book: IncidentBook, input: BookInput, now: number, s: IncidentSettings): ActionStep {
  if (input.type === 'action') return act(book, input, now, s);
  const ledger = book.actions;
  if (ledger === undefined || !active(ledger)) return reduce(book, input, now, s);
  // A pod in no incident (nearly every watch event) stays one lookup while a mute lasts: it cannot
  // speak, and the book's wake-up already includes the next mute expiry (finish), which lifts it.
  if ((input.type === 'pod' || input.type === 'podDeleted' || input.type === 'cause') && !inLiveIncident(book, input.type === 'pod' ? input.pod.uid : input.uid)) {
    return reduce(book, input, now, s);
  }
  const out: Outgoing[] = [];
  liftExpired(book, ledger, now, out);
  const step = reduce(book, input, now, s);
  return finish(book, ledger, step, out, now);
}

function active(l: ActionLedger): boolean {
  if (obj(l) === undefined || obj(l.muted) === undefined || obj(l.namespaces) === undefined) return false;
  for (const _ in l.muted) return true;
  for (const _ in l.namespaces) return true;
  return false;
}

/** Filters a step's messages through the mutes and adds the next mute expiry to its wake-up. */
function finish(book: IncidentBook, ledger: ActionLedger, step: Step, before: readonly Outgoing[], now: number, shown?: ReadonlySet<string>): ActionStep {
  const out = [...before, ...holdBack(book, ledger, step.out, now, shown)];
  const expiry = nextExpiry(book, ledger);
  const wakeAt = expiry === undefined ? step.wakeAt : step.wakeAt === undefined ? expiry : Math.min(expiry, step.wakeAt);
  book.wakeAt = wakeAt;
  return { book, out, wakeAt };
}

/** The book's ledger, made (or remade, if a hand-edited state left something else there) on first use. */
function ledgerOf(book: IncidentBook): ActionLedger {
  const l = obj(book.actions) ?? {};
  const ledger: ActionLedger = { muted: obj(l.muted) ?? {}, namespaces: obj(l.namespaces) ?? {}, seen: obj(l.seen) ?? {} } as ActionLedger;
  book.actions = ledger;
  return ledger;
}

function remember(ledger: ActionLedger, ids: readonly string[], now: number): void {
  for (const [k, at] of Object.entries(ledger.seen)) if (at + DEDUP_WINDOW_MS < now) delete ledger.seen[k];
  for (const id of ids) ledger.seen[id] = now;
  const keys = Object.keys(ledger.seen);
  for (let i = 0; i < keys.length - SEEN_MAX; i++) delete ledger.seen[keys[i]!];
}

function untilOf(value: string | undefined, now: number): number | undefined {
  return value === 'resolved' ? undefined : now + Number(value!.slice(0, -1)) * HOUR;
}

/** One action: checks, then the change, one reply in the thread, and the parent edited at once. */
function act(book: IncidentBook, a: ActionInput, now: number, s: IncidentSettings): ActionStep {
  const done = (result: ActionResult, step: Step, notice?: string): ActionStep => ({ ...step, result, ...(notice !== undefined && { notice }) });
  // Refused or without effect: the book is as it was, so nothing to send and the same wake-up.
  const idle = (): Step => ({ book, out: [], wakeAt: book.wakeAt });
  if (!USER_ID.test(a.user) || !ACTION_NAMES.includes(a.action) || typeof a.thread !== 'string') return done('malformed', idle());
  if (a.action === 'mute' || a.action === 'mute-namespace') {
    if (a.value === undefined || !MUTE_CHOICES[a.action].includes(a.value)) return done('malformed', idle());
  }
  const ledger = ledgerOf(book);
  const click = a.clickedAt !== undefined ? `click:${a.thread}:${a.action}:${a.value ?? ''}:${a.user}:${a.clickedAt}` : undefined;
  if (has(ledger.seen, `envelope:${a.envelope}`) || (click !== undefined && has(ledger.seen, click))) return done('duplicate', idle());
  if (a.clickedAt !== undefined && a.clickedAt + DEDUP_WINDOW_MS < now) return done('stale', idle());
  remember(ledger, click === undefined ? [`envelope:${a.envelope}`] : [`envelope:${a.envelope}`, click], now);
  if (!mayAct(s.actions, a.user, a.groups)) return done('denied', idle(), NOT_ALLOWED_NOTICE);
  const inc = incidentOfThread(book, a.thread);
  if (!inc) return done('unknown_incident', idle());
  if (inc.status === 'resolved') return done('noop', idle());

  const out: Outgoing[] = [];
  const shown = new Set<string>();
  if (!apply(book, ledger, inc, a, now, out, shown)) return done('noop', idle());
  editNow(inc, now, shown);
  const step = reduce(book, { type: 'tick' }, now, s);
  return done('applied', finish(book, ledger, step, out, now, shown));
}

/** Changes the book for one action; adds its reply to `out` and the threads whose parents must show it to `shown`. */
function apply(book: IncidentBook, ledger: ActionLedger, inc: Incident, a: ActionInput, now: number, out: Outgoing[], shown: Set<string>): boolean {
  const acts = (inc.actions ??= {});
  switch (a.action) {
    case 'ack':
      if (acts.acked) return false;
      acts.acked = { by: a.user, at: now };
      // Acknowledged: someone is on it, so no reminders (continuation.ts; a reopen starts a new spell,
      // with reminders), but a thread older than THREAD_MAX_AGE still continues under a new parent.
      say(book, inc, renderActionReply({ action: 'ack', by: a.user, ...inStorm(inc) }), out);
      return true;
    case 'mute': {
      const until = untilOf(a.value, now);
      const m = acts.muted;
      if (m && m.scope === 'workload' && m.until === until) return false;
      acts.muted = { by: a.user, at: now, scope: 'workload', ...(until !== undefined && { until }) };
      ledger.muted[inc.key] = true;
      say(book, inc, renderActionReply({ action: 'mute', by: a.user, at: now, ...inStorm(inc), ...(until !== undefined && { until }) }), out);
      return true;
    }
    case 'mute-namespace': {
      const mark: MuteMark = { by: a.user, at: now, scope: 'namespace', until: untilOf(a.value, now)! };
      ledger.namespaces[inc.namespace] = mark;
      for (const other of Object.values(book.incidents)) {
        if (other.namespace !== inc.namespace || other.status === 'resolved') continue;
        (other.actions ??= {}).muted = mark;
        ledger.muted[other.key] = true;
        if (other !== inc) editNow(other, now, shown);
      }
      say(book, inc, renderActionReply({ action: 'mute-namespace', by: a.user, at: now, until: mark.until!, namespace: inc.namespace, ...inStorm(inc) }), out);
      return true;
    }
    case 'unmute': {
      const m = acts.muted;
      if (!m) return false;
      if (m.scope === 'namespace') liftNamespace(book, ledger, inc.namespace, now, out, { by: a.user, thread: inc.id });
      else lift(book, ledger, inc, now, out, a.user);
      return true;
    }
  }
}

/**
 * The parent shows the change now rather than at the next GROUP_INTERVAL: a user who clicked wants to
 * see it took (the edit is due now: `editBy`).
 */
function editNow(inc: Incident, now: number, shown?: Set<string>): void {
  shown?.add(inc.id);
  inc.dirty = true;
  inc.editBy = now;
}

/** In a storm thread a reply names its workload (docs/design.md#incidents). */
const inStorm = (inc: Incident): { workload?: string } => (inc.storm !== undefined ? { workload: inc.workload.name } : {});

/** What is failing now, for the reply that ends a mute. */
function stillFailing(inc: Incident): StillFailing {
  let failing = 0;
  for (const uid in inc.pods) if (inc.pods[uid]!.failing) failing++;
  return { podsFailing: failing, podsAffected: inc.podsAffected, counts: inc.counts, restarts: inc.restarts };
}

/** Ends an incident's mute: a held parent is posted now, a posted one gets one reply and a fresh parent. */
function lift(book: IncidentBook, ledger: ActionLedger, inc: Incident, now: number, out: Outgoing[], by?: string): void {
  const acts = inc.actions;
  delete ledger.muted[inc.key];
  if (!acts?.muted) return;
  const mark = acts.muted;
  delete acts.muted;
  if (acts.held) {
    // Never posted: it opens now, as if GROUP_WAIT had just ended, with the true totals.
    delete acts.held;
    inc.status = 'pending';
    inc.posted = false;
    inc.queued = [];
    delete inc.digest;
    inc.dirty = true;
    return;
  }
  if (inc.status === 'resolved') return;
  say(book, inc, renderMuteEnded({ ...stillFailing(inc), ...inStorm(inc), mutedBy: mark.by, ...(by !== undefined && { unmutedBy: by }) }), out);
  editNow(inc, now);
}

function liftNamespace(book: IncidentBook, ledger: ActionLedger, namespace: string, now: number, out: Outgoing[], unmute?: { by: string; thread: string }): void {
  delete ledger.namespaces[namespace];
  for (const key of Object.keys(ledger.muted)) {
    const inc = book.incidents[key];
    if (inc?.namespace === namespace && inc.actions?.muted?.scope === 'namespace') lift(book, ledger, inc, now, out, unmute?.by);
  }
}

/** Lifts every mute whose time has come; drops index entries of incidents that are gone. */
function liftExpired(book: IncidentBook, ledger: ActionLedger, now: number, out: Outgoing[]): void {
  for (const [ns, m] of Object.entries(ledger.namespaces)) if (m.until !== undefined && now >= m.until) liftNamespace(book, ledger, ns, now, out);
  for (const key of Object.keys(ledger.muted)) {
    const inc = has(book.incidents, key) ? book.incidents[key] : undefined;
    const m = inc?.actions?.muted;
    if (!inc || !m) delete ledger.muted[key];
    else if (m.until !== undefined && now >= m.until) lift(book, ledger, inc, now, out);
  }
}

function nextExpiry(book: IncidentBook, ledger: ActionLedger): number | undefined {
  let next: number | undefined;
  const see = (t: number | undefined) => {
    if (t !== undefined && (next === undefined || t < next)) next = t;
  };
  for (const ns in ledger.namespaces) see(ledger.namespaces[ns]!.until);
  for (const key in ledger.muted) see(book.incidents[key]?.actions?.muted?.until);
  return next;
}

/**
 * Keeps what muted incidents would post from going out. Incidents of a muted namespace get its mute
 * when they speak first (opened or reopened while it lasts). A resolution always goes out (and ends a
 * workload mute); a parent held back marks the incident `held`, so lifting posts it.
 */
function holdBack(book: IncidentBook, ledger: ActionLedger, out: readonly Outgoing[], now: number, shown?: ReadonlySet<string>): readonly Outgoing[] {
  if (out.length === 0 || !active(ledger)) return out;
  const byThread = new Map<string, Incident>();
  const nsMuted = Object.keys(ledger.namespaces).length > 0;
  for (const inc of Object.values(book.incidents)) {
    if (has(ledger.muted, inc.key) || (nsMuted && has(ledger.namespaces, inc.namespace))) byThread.set(inc.id, inc);
  }
  const kept = out.filter((o) => {
    const inc = byThread.get(o.thread);
    if (!inc) return true;
    const acts = (inc.actions ??= {});
    if (!acts.muted && inc.status !== 'resolved') {
      const ns = ledger.namespaces[inc.namespace];
      if (!ns || (ns.until !== undefined && now >= ns.until)) return true;
      acts.muted = ns;
      ledger.muted[inc.key] = true;
      // Speaking first while its namespace is muted: a new incident's parent waits for the lift.
      if (o.kind === 'parent') acts.held = true;
    }
    if (acts.held) return false;
    // An incident muted while posted continues in a new thread (THREAD_MAX_AGE): that parent goes out.
    if (o.kind === 'parent') return true;
    // The edit that shows an action just taken (🔕 muted by …) goes out; later ones wait for the lift.
    if (o.kind === 'edit' && shown?.has(o.thread)) return true;
    return inc.status === 'resolved' || !acts.muted;
  });
  // A resolution ends the incident's mute: its ✅ went out; a reopen is a new spell.
  for (const inc of byThread.values()) {
    if (inc.status === 'resolved' && inc.actions?.muted && !inc.actions.held) {
      delete inc.actions.muted;
      delete ledger.muted[inc.key];
    }
  }
  return kept;
}
