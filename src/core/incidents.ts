/**
 * Incidents (DESIGN.md §3): one Slack thread per failing (cluster, channel, namespace, workload).
 *
 *   PENDING --GROUP_WAIT--> OPEN <--> RESOLVING --RESOLVE_AFTER--> RESOLVED --REOPEN_WINDOW--> expired
 *      |  all pods healthy: dropped unposted        ^ fails again within REOPEN_WINDOW (same thread)
 *      |  (unless a ONE_SHOT_REASONS occurrence)    later, or thread older than THREAD_MAX_AGE: new parent, linkTo
 *
 * Reply bound, per incident: each new (pod, reason) is told exactly once, in its own reply or counted in
 * a digest; at most REPLY_BURST (3) own replies plus one digest per GROUP_INTERVAL. So replies <=
 * min(distinct (pod, reason) pairs, 4 per GROUP_INTERVAL in which new pairs appeared) + one reminder
 * per REPEAT_INTERVAL still failing + one "recovered" per resolution + one "failing again" per reopen.
 * A 6-replica Deployment crash-looping for 30 minutes: 1 parent and at most 7 replies.
 * Parent edits: at most one per GROUP_INTERVAL, only when the rendering changed (renders do not depend
 * on `now`, so time passing alone never edits).
 */
import type { Failure } from './detect.js';
import { PARENT_GONE_CAUSES, type Delivery, type Outgoing } from './outgoing.js';
import { hashMessage, needsEdit } from './parent-edit.js';
import type { PodState } from './pod.js';
import {
  renderDigest,
  renderParent,
  renderReminder,
  renderReopenedReply,
  renderReply,
  renderResolvedReply,
  renderStorm,
  type IncidentView,
  type StormMemberView,
} from './render.js';
import type { WorkloadRef } from './workload.js';

/** The windows of DESIGN.md §3, in milliseconds (defaults come from config: 10s 15s 4h 5m 1h 24h 10). */
export interface IncidentSettings {
  /** Shown in every message and part of the incident key. */
  readonly cluster?: string;
  /** PENDING lasts this long to gather siblings before the parent is posted. */
  readonly groupWaitMs: number;
  /** A parent is edited at most once per interval; more than REPLY_BURST replies in one fold into a digest. */
  readonly groupIntervalMs: number;
  /** Still failing this long after the parent (or the last reminder): one reminder reply. */
  readonly repeatIntervalMs: number;
  /** Quiet this long after every affected pod is healthy or gone: resolved. */
  readonly resolveAfterMs: number;
  /** A failure this soon after resolution reopens the same thread; the resolved incident expires after it. */
  readonly reopenWindowMs: number;
  /** A thread older than this is not reopened: a new parent links it instead. */
  readonly threadMaxAgeMs: number;
  /** More than this many new incidents in one channel within STORM_WINDOW_MS: one storm parent. */
  readonly stormThreshold: number;
}

/** Individual replies per GROUP_INTERVAL before the rest fold into one digest reply. */
export const REPLY_BURST = 3;
/** The "within a minute" of storm detection. */
export const STORM_WINDOW_MS = 60_000;
/**
 * Reasons that report something that already happened (a container was killed, a pod evicted), not a
 * state that may clear by itself: a PENDING incident holding one is posted even when its pods look
 * healthy again before GROUP_WAIT ends (an OOMKilled container is usually Running again within seconds).
 */
export const ONE_SHOT_REASONS: ReadonlySet<string> = new Set(['OOMKilled', 'Evicted', 'Error']);
/** Bounds that keep the book's size independent of how long an incident lasts. */
export const LIMITS = { podsPerIncident: 200, digestPods: 200, messageChars: 2000, stormMembers: 500, previousThreads: 1000 } as const;

export type IncidentStatus = 'pending' | 'open' | 'resolving' | 'resolved';

/** What an incident remembers of one affected pod. */
export interface PodEntry {
  name: string;
  failing: boolean;
  /** Deleted from the cluster: it can never fail again. */
  gone?: boolean;
  /**
   * `${container}\u0000${reason}` -> highest run counted (detect's `run ?? restartCount`). Runs only
   * grow for one pod uid, so this is the occurrence-key set (uid, container, reason, run) in bounded form.
   */
  counted: Record<string, number>;
  /** container -> highest restartCount seen: the pod's share of the restart total */
  restarts: Record<string, number>;
  /** reasons of this pod that already got a reply (or went into a digest) */
  replied: string[];
}

export interface Digest {
  items: number;
  since: number;
  pods: Record<string, true>;
  podCount: number;
  reasons: Record<string, number>;
}

/** One incident: plain, serialisable data. */
export interface Incident {
  /** podbell's thread id for this incident (Outgoing.thread); changes when a too-old thread is continued */
  id: string;
  readonly key: string;
  readonly channel: string;
  readonly namespace: string;
  readonly workload: WorkloadRef;
  status: IncidentStatus;
  firstSeen: number;
  lastSeen: number;
  /** start of the current failing spell: firstSeen, or the time of the last reopen */
  failingSince: number;
  /** when the parent was posted (thread age) */
  openedAt?: number;
  quietSince?: number;
  /** counted a ONE_SHOT_REASONS occurrence: post even if it recovers while pending */
  sticky?: boolean;
  /** when it recovered (= quietSince at resolution) */
  resolvedAt?: number;
  /** when it was declared resolved; REOPEN_WINDOW and expiry count from here */
  closedAt?: number;
  counts: Record<string, number>;
  pods: Record<string, PodEntry>;
  /** distinct pods ever affected (survives pruning of gone pods) */
  podsAffected: number;
  restarts: number;
  latestMessage?: string;
  /** Slack accepted the parent of thread `id` (set only by a 'delivered' outcome, never on sending) */
  posted: boolean;
  /** state changed since the parent was last compared with what Slack shows */
  dirty: boolean;
  /** when Slack last accepted the parent or an edit of it (GROUP_INTERVAL counts from here) */
  lastEditAt: number;
  /** hash of the parent as Slack last accepted it, to edit only when the rendering changed */
  parentHash?: string;
  remindAt?: number;
  reopened: number;
  /** thread id of the earlier incident of this workload, for the sender to link */
  linkTo?: string;
  previousResolvedAt?: number;
  /** this thread continues linkTo, which grew older than THREAD_MAX_AGE while still failing */
  continues?: boolean;
  /** storm thread this incident's parent lives in */
  storm?: string;
  /** replies gathered while pending (at most REPLY_BURST), sent when the parent is posted */
  queued: Failure[];
  window: { start: number; sent: number };
  digest?: Digest;
}

export interface StormMember {
  key: string;
  namespace: string;
  workload: WorkloadRef;
  status: IncidentStatus;
  counts: Record<string, number>;
}

export interface Storm {
  readonly id: string;
  readonly channel: string;
  firstAt: number;
  lastJoinAt: number;
  members: StormMember[];
  /** members beyond LIMITS.stormMembers: counted, not listed */
  extra: number;
  dirty: boolean;
  lastEditAt: number;
  hash: string;
  /** Slack accepted the storm parent: its edits may go out */
  posted?: boolean;
}

export interface ChannelState {
  /** [time, incident key] of top-level parents posted within the last STORM_WINDOW_MS */
  opens: [number, string][];
  storm?: string;
}

/**
 * All incidents, keyed by incident key, plus the indexes that keep the hot path O(1).
 *
 * OWNERSHIP: reduce() consumes the book it is given and mutates it in place (and returns it), so a
 * watch event costs no copy. Keep only the returned book; do not share one book between two callers.
 * The book is plain data: JSON.stringify/JSON.parse round-trips it (persist it as is).
 */
export interface IncidentBook {
  incidents: Record<string, Incident>;
  seq: number;
  /** pod uid -> keys of the live (not resolved) incidents the pod belongs to */
  pods: Record<string, string[]>;
  channels: Record<string, ChannelState>;
  storms: Record<string, Storm>;
  /** incident key -> the last expired thread of that workload, so a later incident can link it */
  previous: Record<string, { thread: string; resolvedAt: number }>;
  /** the wakeAt of the last step */
  wakeAt?: number;
}

export type IncidentInput =
  | { readonly type: 'failure'; readonly failure: Failure; readonly channel: string }
  | { readonly type: 'pod'; readonly pod: PodState; readonly failing: boolean }
  | { readonly type: 'podDeleted'; readonly uid: string }
  | { readonly type: 'tick' }
  /** Shutdown: send every pending parent edit, digest and storm edit now, waiving GROUP_INTERVAL. */
  | { readonly type: 'flush' }
  /** The book was read back after a restart: parents it never saw accepted are posted (or found) again. */
  | { readonly type: 'restored' }
  /** What the sender made of a message (see Delivery). */
  | Delivery;

export interface Step {
  /** The same object as the book passed in, updated. */
  readonly book: IncidentBook;
  /** What to send, in order. Shared and frozen when empty: do not push to it. */
  readonly out: readonly Outgoing[];
  /** When reduce wants a 'tick' next; undefined when no timer is needed. */
  readonly wakeAt: number | undefined;
}

export function emptyBook(): IncidentBook {
  return { incidents: {}, seq: 0, pods: {}, channels: {}, storms: {}, previous: {} };
}

export function incidentKey(cluster: string | undefined, channel: string, namespace: string, workload: WorkloadRef): string {
  return [cluster ?? '', channel, namespace, workload.kind, workload.name].join('\u0000');
}

/** Fails at once, naming the option, when a setting cannot work. */
export function checkSettings(s: IncidentSettings): void {
  for (const name of ['groupWaitMs', 'groupIntervalMs', 'repeatIntervalMs', 'resolveAfterMs', 'reopenWindowMs', 'threadMaxAgeMs'] as const) {
    const v = s[name];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new TypeError(`IncidentSettings.${name} must be a finite number >= 0, got ${String(v)}`);
  }
  if (s.repeatIntervalMs <= 0) throw new TypeError(`IncidentSettings.repeatIntervalMs must be > 0, got ${s.repeatIntervalMs}`);
  if (!Number.isInteger(s.stormThreshold) || s.stormThreshold < 1) throw new TypeError(`IncidentSettings.stormThreshold must be an integer >= 1, got ${String(s.stormThreshold)}`);
}

const NO_OUT: readonly Outgoing[] = Object.freeze([]);
const IDLE = Symbol('podbell.idleStep');
type CachedBook = IncidentBook & { [IDLE]?: Step };

/** The "nothing happened" step, cached on the book (under a symbol JSON ignores) so the hot path allocates nothing. */
function idle(book: IncidentBook): Step {
  const b = book as CachedBook;
  let step = b[IDLE];
  if (step === undefined || step.wakeAt !== book.wakeAt) {
    step = { book, out: NO_OUT, wakeAt: book.wakeAt };
    Object.defineProperty(b, IDLE, { value: step, writable: true, configurable: true, enumerable: false });
  }
  return step;
}

const has = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);

/**
 * The incident state machine: decisions are pure (time in, effects out), the book is updated in place.
 * Called for every failure, every pod update, every pod delete and on wake-ups; the pipeline keeps one
 * timer at `wakeAt` and sends {type:'tick'} then.
 */
export function reduce(book: IncidentBook, input: IncidentInput, now: number, s: IncidentSettings): Step {
  // Hot path: a pod that belongs to no incident (nearly every watch event) costs one lookup.
  if (input.type === 'pod' || input.type === 'podDeleted') {
    const index = book.pods;
    const uid = input.type === 'pod' ? input.pod.uid : input.uid;
    if (index === undefined || !has(index, uid)) return idle(book);
    const changed = input.type === 'pod' ? podUpdate(book, uid, input.failing, now) : podGone(book, uid, now);
    if (!changed) return idle(book);
    return settle(book, now, s, []);
  }
  normalise(book);
  const out: Outgoing[] = [];
  if (input.type === 'flush') return settle(book, now, { ...s, groupIntervalMs: 0 }, out);
  if (input.type === 'failure') failure(book, input.failure, input.channel, now, s, out);
  else if (input.type === 'delivered' || input.type === 'failed') outcome(book, input, now, s, out);
  else if (input.type === 'restored') repost(book, now, s, out);
  return settle(book, now, s, out);
}

/** A book made by an older version (only incidents and seq) gets its indexes. */
function normalise(book: IncidentBook): void {
  book.pods ??= {};
  book.channels ??= {};
  book.storms ??= {};
  book.previous ??= {};
}

function indexPod(book: IncidentBook, uid: string, key: string): void {
  const keys = has(book.pods, uid) ? book.pods[uid]! : (book.pods[uid] = []);
  if (!keys.includes(key)) keys.push(key);
}

function unindexPod(book: IncidentBook, uid: string, key: string): void {
  if (!has(book.pods, uid)) return;
  const keys = book.pods[uid]!.filter((k) => k !== key);
  if (keys.length) book.pods[uid] = keys;
  else delete book.pods[uid];
}

function unindexAll(book: IncidentBook, inc: Incident): void {
  for (const uid of Object.keys(inc.pods)) unindexPod(book, uid, inc.key);
}

function newIncident(book: IncidentBook, key: string, channel: string, f: Failure, now: number, s: IncidentSettings): Incident {
  const inc: Incident = {
    id: `t${++book.seq}`,
    key,
    channel,
    namespace: f.namespace,
    workload: { kind: f.workload.kind, name: f.workload.name },
    status: 'pending',
    firstSeen: now,
    lastSeen: now,
    failingSince: now,
    counts: {},
    pods: {},
    podsAffected: 0,
    restarts: 0,
    posted: false,
    dirty: true,
    lastEditAt: now,
    reopened: 0,
    queued: [],
    window: { start: now, sent: 0 },
  };
  const prev = has(book.previous, key) ? book.previous[key] : undefined;
  if (prev && prev.resolvedAt + s.threadMaxAgeMs >= now) {
    inc.linkTo = prev.thread;
    inc.previousResolvedAt = prev.resolvedAt;
  }
  book.incidents[key] = inc;
  return inc;
}

/** Turns a resolved incident into a small tombstone a later incident of the workload can link to. */
function expire(book: IncidentBook, inc: Incident, now: number, s: IncidentSettings): void {
  unindexAll(book, inc);
  delete book.incidents[inc.key];
  if (!inc.posted) return;
  const prev = book.previous;
  for (const [k, p] of Object.entries(prev)) if (p.resolvedAt + s.threadMaxAgeMs < now) delete prev[k];
  delete prev[inc.key];
  prev[inc.key] = { thread: inc.id, resolvedAt: inc.resolvedAt ?? now };
  const keys = Object.keys(prev);
  for (let i = 0; i < keys.length - LIMITS.previousThreads; i++) delete prev[keys[i]!];
}

/** Which run of the container a failure belongs to: what detect's occurrenceKey counts by. */
const runOf = (f: Failure): number => f.run ?? f.restartCount;

/**
 * How many occurrences a new fact stands for. A crash loop crashes once per run, so when runs were
 * missed (podbell was down, or restarted from a state saved a little earlier) the pod's restartCount
 * is the evidence: counting the gap keeps a count from ever going down after a restart.
 */
function occurrences(pod: PodEntry, f: Failure): number {
  const last = pod.counted[`${f.container}\u0000${f.reason}`];
  if (f.reason !== 'CrashLoopBackOff' || last === undefined) return 1;
  return Math.max(1, runOf(f) - last);
}

/** Has this occurrence (uid, container, reason, run) been counted already? */
function alreadyCounted(inc: Incident, f: Failure): boolean {
  const pod = has(inc.pods, f.uid) ? inc.pods[f.uid] : undefined;
  const c = pod?.counted[`${f.container}\u0000${f.reason}`];
  return c !== undefined && c >= runOf(f);
}

function failure(book: IncidentBook, f: Failure, channel: string, now: number, s: IncidentSettings, out: Outgoing[]): void {
  const key = incidentKey(s.cluster, channel, f.namespace, f.workload);
  let inc = has(book.incidents, key) ? book.incidents[key] : undefined;
  if (inc?.status === 'resolved') {
    if (alreadyCounted(inc, f)) return; // the same fact re-delivered (relist): not a new failure
    const inWindow = now < (inc.closedAt ?? now) + s.reopenWindowMs;
    const young = now - (inc.openedAt ?? inc.firstSeen) < s.threadMaxAgeMs;
    if (inWindow && young) reopen(book, inc, f, now, s, out);
    else {
      expire(book, inc, now, s);
      inc = undefined;
    }
  }
  inc ??= newIncident(book, key, channel, f, now, s);
  record(book, inc, f, now, s, out);
}

function reopen(book: IncidentBook, inc: Incident, f: Failure, now: number, s: IncidentSettings, out: Outgoing[]): void {
  if (inc.posted) out.push({ kind: 'reply', thread: inc.id, message: renderReopenedReply(inc.resolvedAt ?? now, now, f) });
  inc.status = 'open';
  inc.reopened++;
  inc.failingSince = now;
  inc.remindAt = now + s.repeatIntervalMs;
  delete inc.quietSince;
  delete inc.resolvedAt;
  delete inc.closedAt;
  inc.dirty = true;
  // The reopen note names the pod that failed; its reply budget starts afresh.
  inc.window = { start: now, sent: 1 };
  for (const [uid, pod] of Object.entries(inc.pods)) if (!pod.gone) indexPod(book, uid, inc.key);
  markStormDirty(book, inc);
}

function record(book: IncidentBook, inc: Incident, f: Failure, now: number, s: IncidentSettings, out: Outgoing[]): void {
  let pod = has(inc.pods, f.uid) ? inc.pods[f.uid] : undefined;
  if (!pod) {
    prunePods(inc);
    pod = inc.pods[f.uid] = { name: f.pod, failing: true, counted: {}, restarts: {}, replied: [] };
    inc.podsAffected++;
    inc.dirty = true;
  }
  indexPod(book, f.uid, inc.key);
  if (!pod.failing || pod.gone) {
    pod.failing = true;
    delete pod.gone;
    inc.dirty = true;
  }
  if (inc.status === 'resolving' || inc.status === 'pending') {
    if (inc.status === 'resolving') inc.status = 'open';
    delete inc.quietSince;
    inc.dirty = true;
  }
  if (alreadyCounted(inc, f)) return; // re-delivered: counts once
  inc.counts[f.reason] = (inc.counts[f.reason] ?? 0) + occurrences(pod, f);
  pod.counted[`${f.container}\u0000${f.reason}`] = runOf(f);
  if (ONE_SHOT_REASONS.has(f.reason)) inc.sticky = true;
  const r = pod.restarts[f.container] ?? 0;
  if (f.restartCount > r) {
    inc.restarts += f.restartCount - r;
    pod.restarts[f.container] = f.restartCount;
  }
  inc.lastSeen = now;
  if (f.message) inc.latestMessage = f.message.length > LIMITS.messageChars ? f.message.slice(0, LIMITS.messageChars) : f.message;
  inc.dirty = true;
  if (!pod.replied.includes(f.reason)) {
    pod.replied.push(f.reason);
    replyFor(inc, f, now, s, out);
  }
}

/** Keeps per-pod detail bounded: forgets deleted pods first, then the longest-healthy ones. */
function prunePods(inc: Incident): void {
  const uids = Object.keys(inc.pods);
  if (uids.length < LIMITS.podsPerIncident) return;
  let excess = uids.length - LIMITS.podsPerIncident + 1;
  for (const pass of [(p: PodEntry) => p.gone === true, (p: PodEntry) => !p.failing]) {
    for (const uid of uids) {
      if (excess <= 0) return;
      const p = inc.pods[uid];
      if (p && pass(p)) {
        delete inc.pods[uid];
        excess--;
      }
    }
  }
}

/** A new (pod, reason): its own reply while the burst allows, else into the digest. */
function replyFor(inc: Incident, f: Failure, now: number, s: IncidentSettings, out: Outgoing[]): void {
  if (!inc.posted) {
    if (inc.queued.length < REPLY_BURST) inc.queued.push(slimFailure(f));
    else addToDigest(inc, f, now);
    return;
  }
  if (now >= inc.window.start + s.groupIntervalMs) {
    if (inc.digest) flushDigest(inc, now, out);
    else inc.window = { start: now, sent: 0 };
  }
  if (inc.window.sent < REPLY_BURST) {
    inc.window.sent++;
    out.push({ kind: 'reply', thread: inc.id, message: renderReply(f) });
  } else addToDigest(inc, f, now);
}

/** A Failure without an unbounded message, for the queue of a pending incident. */
function slimFailure(f: Failure): Failure {
  return f.message && f.message.length > LIMITS.messageChars ? { ...f, message: f.message.slice(0, LIMITS.messageChars) } : f;
}

function addToDigest(inc: Incident, f: Failure, now: number): void {
  const d = (inc.digest ??= { items: 0, since: now, pods: {}, podCount: 0, reasons: {} });
  d.items++;
  d.reasons[f.reason] = (d.reasons[f.reason] ?? 0) + 1;
  if (!has(d.pods, f.uid)) {
    d.podCount++;
    if (Object.keys(d.pods).length < LIMITS.digestPods) d.pods[f.uid] = true;
  }
}

function flushDigest(inc: Incident, now: number, out: Outgoing[]): void {
  const d = inc.digest;
  if (!d) return;
  out.push({ kind: 'reply', thread: inc.id, message: renderDigest({ items: d.items, pods: d.podCount, reasons: d.reasons, sinceMs: now - d.since }) });
  delete inc.digest;
  inc.window = { start: now, sent: 1 };
}

function podUpdate(book: IncidentBook, uid: string, failing: boolean, now: number): boolean {
  let changed = false;
  for (const key of book.pods[uid]!) {
    const inc = book.incidents[key];
    const pod = inc?.pods[uid];
    if (!inc || !pod || pod.failing === failing) continue;
    changed = true;
    pod.failing = failing;
    inc.dirty = true;
    if (failing && (inc.status === 'resolving' || inc.status === 'pending')) {
      if (inc.status === 'resolving') inc.status = 'open';
      delete inc.quietSince;
    } else if (!failing) checkQuiet(book, inc, now);
  }
  return changed;
}

function podGone(book: IncidentBook, uid: string, now: number): boolean {
  for (const key of [...book.pods[uid]!]) {
    const inc = book.incidents[key];
    const pod = inc?.pods[uid];
    unindexPod(book, uid, key);
    if (!inc || !pod) continue;
    pod.failing = false;
    pod.gone = true;
    inc.dirty = true;
    checkQuiet(book, inc, now);
  }
  return true;
}

/** Every affected pod healthy or gone: a pending incident vanishes unposted, an open one starts resolving. */
function checkQuiet(book: IncidentBook, inc: Incident, now: number): void {
  for (const uid in inc.pods) if (inc.pods[uid]!.failing) return;
  if (inc.status === 'pending' && inc.sticky) {
    inc.quietSince = now; // it happened: post it, already recovering
  } else if (inc.status === 'pending') {
    // Kept until GROUP_WAIT ends, counts and all: a sibling failing meanwhile (or a relist delivering
    // it after this pod's deletion) joins it, so a deletion never erases an occurrence already counted.
    inc.quietSince ??= now;
  } else if (inc.status === 'open') {
    inc.status = 'resolving';
    inc.quietSince = now;
    inc.dirty = true;
  }
}

function viewOf(inc: Incident, s: IncidentSettings, now: number): IncidentView {
  let failing = 0;
  for (const uid in inc.pods) if (inc.pods[uid]!.failing) failing++;
  return {
    status: inc.status,
    cluster: s.cluster,
    namespace: inc.namespace,
    workload: inc.workload,
    counts: inc.counts,
    podsAffected: inc.podsAffected,
    podsFailing: failing,
    restarts: inc.restarts,
    firstSeen: inc.firstSeen,
    lastSeen: inc.lastSeen,
    failingSince: inc.failingSince,
    ...(inc.quietSince !== undefined && { quietSince: inc.quietSince }),
    ...(inc.resolvedAt !== undefined && { resolvedAt: inc.resolvedAt }),
    ...(inc.reopened > 0 && { reopened: inc.reopened }),
    ...(inc.previousResolvedAt !== undefined && { previousResolvedAt: inc.previousResolvedAt }),
    ...(inc.continues && { continuesEarlierThread: true }),
    ...(inc.latestMessage !== undefined && { latestMessage: inc.latestMessage }),
    now,
  };
}

/**
 * GROUP_WAIT is over: the parent goes out. The incident is `posted` only once Slack accepts it (a
 * 'delivered' outcome); until then replies wait in `queued` and no edit is made.
 */
function open(book: IncidentBook, inc: Incident, now: number, s: IncidentSettings, out: Outgoing[]): void {
  inc.status = inc.quietSince !== undefined ? 'resolving' : 'open';
  inc.openedAt = now;
  inc.remindAt = now + s.repeatIntervalMs;
  const storm = stormFor(book, inc, now, s, out);
  sendParent(inc, now, s, out, storm);
}

/** The parent of `inc` as it renders now (thread age and GROUP_INTERVAL start when Slack accepts it). */
function sendParent(inc: Incident, now: number, s: IncidentSettings, out: Outgoing[], storm = inc.storm, maybePosted = false): void {
  inc.dirty = false;
  out.push({
    kind: 'parent',
    thread: inc.id,
    channel: inc.channel,
    ...(storm !== undefined && { inThread: storm }),
    ...(inc.linkTo !== undefined && { linkTo: inc.linkTo }),
    ...(maybePosted && { maybePosted: true }),
    message: renderParent(viewOf(inc, s, now)),
  });
}

/** Slack accepted the parent: the replies gathered meanwhile follow it, and edits may go out. */
function parentLanded(inc: Incident, now: number, out: Outgoing[]): void {
  inc.posted = true;
  for (const f of inc.queued) out.push({ kind: 'reply', thread: inc.id, message: renderReply(f) });
  inc.window = { start: now, sent: inc.queued.length };
  inc.queued = [];
  if (inc.digest) {
    flushDigest(inc, now, out);
    // Burst and digest both went out with the parent: anything new this interval waits for the next digest.
    inc.window = { start: now, sent: REPLY_BURST + 1 };
  }
}

/** Feeds one delivery outcome into the book: the only place `posted` and the accepted parent change. */
function outcome(book: IncidentBook, d: Delivery, now: number, s: IncidentSettings, out: Outgoing[]): void {
  if (has(book.storms, d.thread)) {
    const storm = book.storms[d.thread]!;
    if (d.type === 'delivered' && d.kind !== 'reply') {
      storm.posted = true;
      storm.hash = hashMessage(d.message);
      storm.lastEditAt = now;
      storm.dirty = true;
    }
    return;
  }
  const inc = incidentOfThread(book, d.thread);
  if (!inc) return; // an old thread (continued or expired): nothing in the book depends on it
  if (d.type === 'failed') {
    // The parent is no longer in Slack: post it again, as it is now, in its own channel.
    if (d.kind === 'edit' && PARENT_GONE_CAUSES.has(d.cause) && inc.posted) {
      inc.posted = false;
      delete inc.parentHash;
      sendParent(inc, now, s, out);
    }
    return;
  }
  if (d.kind === 'reply') return;
  if (d.kind === 'parent' && !inc.posted) parentLanded(inc, now, out);
  inc.parentHash = hashMessage(d.message);
  inc.lastEditAt = now;
  // What Slack shows may already be behind the state: compare again.
  inc.dirty = true;
}

function incidentOfThread(book: IncidentBook, thread: string): Incident | undefined {
  for (const key in book.incidents) if (book.incidents[key]!.id === thread) return book.incidents[key];
  return undefined;
}

/**
 * After a restart: every parent the saved book never saw accepted goes out again (the sender first
 * looks whether it landed before the restart, so a parent is never posted twice).
 */
function repost(book: IncidentBook, now: number, s: IncidentSettings, out: Outgoing[]): void {
  for (const inc of Object.values(book.incidents)) {
    if (inc.status !== 'pending' && !inc.posted) sendParent(inc, now, s, out, inc.storm, true);
  }
}

function memberOf(inc: Incident): StormMember {
  return { key: inc.key, namespace: inc.namespace, workload: inc.workload, status: inc.status, counts: { ...inc.counts } };
}

/**
 * Decides where a new parent goes: top level, or (more than stormThreshold within a minute) into the
 * channel's storm thread, posting the storm parent first when the storm begins. Returns the storm id.
 */
function stormFor(book: IncidentBook, inc: Incident, now: number, s: IncidentSettings, out: Outgoing[]): string | undefined {
  const ch = has(book.channels, inc.channel) ? book.channels[inc.channel]! : (book.channels[inc.channel] = { opens: [] });
  ch.opens = ch.opens.filter(([at]) => at > now - STORM_WINDOW_MS);
  let storm = ch.storm !== undefined ? book.storms[ch.storm] : undefined;
  if (storm && now >= storm.lastJoinAt + STORM_WINDOW_MS) {
    storm = undefined;
    delete ch.storm;
  }
  if (!storm && ch.opens.length < s.stormThreshold) {
    ch.opens.push([now, inc.key]);
    return undefined;
  }
  if (!storm) {
    storm = {
      id: `s${++book.seq}`,
      channel: inc.channel,
      firstAt: ch.opens[0]?.[0] ?? now,
      lastJoinAt: now,
      members: [],
      extra: 0,
      dirty: false,
      lastEditAt: now,
      hash: '',
      posted: false,
    };
    // The storm lists the whole burst, including the incidents that still made it to the channel.
    for (const [, key] of ch.opens) {
      const earlier = book.incidents[key];
      if (earlier) storm.members.push(memberOf(earlier));
    }
    book.storms[storm.id] = storm;
    ch.storm = storm.id;
    ch.opens = [];
    joinStorm(storm, inc, now);
    const msg = renderStorm(stormView(storm, s));
    out.push({ kind: 'parent', thread: storm.id, channel: inc.channel, message: msg });
    return storm.id;
  }
  joinStorm(storm, inc, now);
  storm.dirty = true;
  return storm.id;
}

function joinStorm(storm: Storm, inc: Incident, now: number): void {
  inc.storm = storm.id;
  storm.lastJoinAt = now;
  if (storm.members.length < LIMITS.stormMembers) storm.members.push(memberOf(inc));
  else storm.extra++;
}

function markStormDirty(book: IncidentBook, inc: Incident): void {
  if (inc.storm !== undefined && has(book.storms, inc.storm)) book.storms[inc.storm]!.dirty = true;
}

function stormView(storm: Storm, s: IncidentSettings) {
  const members: StormMemberView[] = storm.members;
  return {
    cluster: s.cluster,
    channel: storm.channel,
    firstAt: storm.firstAt,
    lastAt: storm.lastJoinAt,
    members,
    ...(storm.extra > 0 && { extra: storm.extra }),
  };
}

/**
 * Edits the parent when needsEdit says so: at most once per GROUP_INTERVAL after Slack accepted the
 * last one, and only when what Slack shows differs from the rendering now.
 */
function flushParent(book: IncidentBook, inc: Incident, now: number, s: IncidentSettings, out: Outgoing[]): void {
  if (!inc.posted || !inc.dirty) return;
  let parent: ReturnType<typeof renderParent> | undefined;
  const accepted = inc.parentHash === undefined ? undefined : { hash: inc.parentHash, at: inc.lastEditAt };
  const rendered = () => hashMessage((parent = renderParent(viewOf(inc, s, now))));
  const decision = needsEdit(rendered, accepted, now, s.groupIntervalMs);
  if (decision.kind === 'wait') return;
  inc.dirty = false;
  if (decision.kind === 'none' || parent === undefined) return;
  out.push({ kind: 'edit', thread: inc.id, message: parent });
  markStormDirty(book, inc);
}

/**
 * Still failing in a thread older than THREAD_MAX_AGE: the old parent says where it went, and the same
 * incident (counts and all) continues under a new top-level parent that links the old thread. This
 * takes the place of that reminder.
 */
function continueThread(inc: Incident, now: number, s: IncidentSettings, out: Outgoing[], book: IncidentBook): void {
  const old = inc.id;
  out.push({ kind: 'edit', thread: old, message: renderParent({ ...viewOf(inc, s, now), continuedAt: now }) });
  inc.id = `t${++book.seq}`;
  inc.linkTo = old;
  inc.continues = true;
  delete inc.previousResolvedAt;
  delete inc.storm;
  inc.openedAt = now;
  inc.posted = false;
  delete inc.parentHash;
  sendParent(inc, now, s, out);
  inc.window = { start: now, sent: 0 };
}

function resolve(book: IncidentBook, inc: Incident, now: number, s: IncidentSettings, out: Outgoing[]): void {
  inc.status = 'resolved';
  inc.resolvedAt = inc.quietSince ?? now;
  inc.closedAt = now;
  delete inc.quietSince;
  delete inc.digest;
  inc.dirty = true;
  unindexAll(book, inc);
  // Not in Slack yet: the parent, when it lands, is edited to say resolved instead.
  if (inc.posted) out.push({ kind: 'reply', thread: inc.id, message: renderResolvedReply(viewOf(inc, s, now)) });
  markStormDirty(book, inc);
}

/** Runs every timer that is due, then works out the next wake-up. O(live incidents); never on the hot path. */
function settle(book: IncidentBook, now: number, s: IncidentSettings, out: Outgoing[]): Step {
  checkSettings(s);
  normalise(book);
  let wakeAt: number | undefined;
  const wake = (t: number | undefined) => {
    if (t !== undefined && (wakeAt === undefined || t < wakeAt)) wakeAt = t;
  };
  for (const inc of Object.values(book.incidents)) {
    if (inc.status === 'pending' && now >= inc.firstSeen + s.groupWaitMs) {
      if (inc.quietSince !== undefined && !inc.sticky) {
        // Every pod recovered or went away within GROUP_WAIT, and no sibling failed meanwhile.
        unindexAll(book, inc);
        delete book.incidents[inc.key];
        continue;
      }
      open(book, inc, now, s, out);
    }
    if (inc.status === 'resolving' && inc.quietSince !== undefined && now >= inc.quietSince + s.resolveAfterMs) resolve(book, inc, now, s, out);
    if (inc.status === 'open' && inc.remindAt !== undefined && now >= inc.remindAt) {
      if (!inc.posted) sendParent(inc, now, s, out); // never accepted (Slack refused it): try again
      else if (now - (inc.openedAt ?? now) >= s.threadMaxAgeMs) continueThread(inc, now, s, out, book);
      else out.push({ kind: 'reply', thread: inc.id, message: renderReminder(viewOf(inc, s, now), now) });
      inc.remindAt = now + s.repeatIntervalMs;
    }
    if (inc.digest && now >= inc.window.start + s.groupIntervalMs) flushDigest(inc, now, out);
    flushParent(book, inc, now, s, out);
    if (inc.status === 'resolved' && (!inc.dirty || !inc.posted) && now >= (inc.closedAt ?? now) + s.reopenWindowMs) {
      expire(book, inc, now, s);
      continue;
    }
    switch (inc.status) {
      case 'pending':
        wake(inc.firstSeen + s.groupWaitMs);
        break;
      case 'open':
        wake(inc.remindAt);
        break;
      case 'resolving':
        wake((inc.quietSince ?? now) + s.resolveAfterMs);
        break;
      case 'resolved':
        wake((inc.closedAt ?? now) + s.reopenWindowMs);
        break;
    }
    if (inc.posted && inc.dirty) wake(inc.lastEditAt + s.groupIntervalMs);
    if (inc.digest) wake(inc.window.start + s.groupIntervalMs);
  }
  for (const storm of Object.values(book.storms)) {
    if (storm.dirty && storm.posted !== false && now >= storm.lastEditAt + s.groupIntervalMs) {
      storm.dirty = false;
      for (const m of storm.members) {
        const inc = book.incidents[m.key];
        if (inc && (inc.storm === storm.id || (inc.openedAt !== undefined && inc.openedAt <= storm.lastJoinAt))) {
          m.status = inc.status;
          m.counts = { ...inc.counts };
        }
      }
      const msg = renderStorm(stormView(storm, s));
      const hash = hashMessage(msg);
      if (hash !== storm.hash) {
        storm.hash = hash;
        storm.lastEditAt = now;
        out.push({ kind: 'edit', thread: storm.id, message: msg });
      }
    }
    if (storm.dirty) wake(storm.lastEditAt + s.groupIntervalMs);
    else if (now >= storm.lastJoinAt + STORM_WINDOW_MS && !storm.members.some((m) => book.incidents[m.key]?.storm === storm.id)) {
      // Over, and every member expired: nothing can change its parent any more.
      delete book.storms[storm.id];
      const ch = book.channels[storm.channel];
      if (ch?.storm === storm.id) delete ch.storm;
    }
  }
  for (const [name, ch] of Object.entries(book.channels)) {
    if (ch.storm === undefined && !ch.opens.some(([at]) => at > now - STORM_WINDOW_MS)) delete book.channels[name];
  }
  book.wakeAt = wakeAt;
  return { book, out: out.length ? out : NO_OUT, wakeAt };
}
