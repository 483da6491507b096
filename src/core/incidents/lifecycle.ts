/**
 * An incident's life: PENDING -> OPEN <-> RESOLVING -> RESOLVED -> expired (see ../incidents.ts), the
 * occurrences it counts, and the one place its deadlines are stated: deadlines() drives both what the
 * reducer fires and when it asks to be woken. What pod updates do to it is in ./pod-updates.ts.
 */
import type { Failure } from '../detect.js';
import type { Outgoing } from '../outgoing.js';
import { causeLabel, renderParent, renderReopenedReply, renderResolvedReply, usefulMessage, type IncidentView } from '../render.js';
import { has, indexPod, LIMITS, ONE_SHOT_REASONS, unindexAll, incidentKey, type Incident, type IncidentBook, type IncidentSettings, type PodEntry } from './model.js';
import { hashMessage, readerSignature } from '../parent-edit.js';
import { named, parentLanded, replyFor } from './replies.js';
import { say } from './storm-thread.js';
import { countRestarts, restartedBySelf, setCause, upDeadline } from './running-again.js';
import { markStormDirty, stormFor } from './storms.js';
import { indexWorkload, liveIncidentsOf, unindexWorkload } from './workloads.js';

/** When each of an incident's timers is due (undefined: not running). One statement of every window. */
export interface Deadlines {
  /** PENDING: GROUP_WAIT (and its channel's storm hold) is over, the parent goes out (or, all quiet, the incident is dropped). */
  readonly open?: number;
  /** RESOLVING: RESOLVE_AFTER of quiet. */
  readonly resolve?: number;
  /** OPEN: REPEAT_INTERVAL since the parent or the last reminder. */
  readonly remind?: number;
  /** A digest's GROUP_INTERVAL is over. */
  readonly digest?: number;
  /** A posted parent whose state changed may be edited (GROUP_INTERVAL after Slack accepted the last edit). */
  readonly edit?: number;
  /** RESOLVED: REOPEN_WINDOW is over, the incident becomes a tombstone a later one can link. */
  readonly expire?: number;
  /** OPEN: a pod running again after a crash has run RESOLVE_AFTER without a restart: it stops failing. */
  readonly upLongEnough?: number;
}

export function deadlines(inc: Incident, s: IncidentSettings): Deadlines {
  return {
    ...(inc.status === 'pending' && { open: Math.max(inc.firstSeen + s.groupWaitMs, inc.heldUntil ?? 0) }),
    ...(inc.status === 'resolving' && inc.quietSince !== undefined && { resolve: inc.quietSince + s.resolveAfterMs }),
    ...(inc.status === 'open' && inc.remindAt !== undefined && { remind: inc.remindAt }),
    ...(inc.digest !== undefined && { digest: inc.window.start + s.groupIntervalMs }),
    // Not accepted yet: its delivery, not a timer, lets the edit go.
    // A change a reader need not see at once waits for GROUP_INTERVAL of quiet (pendingSince).
    ...(inc.posted && inc.dirty && { edit: Math.min(Math.max(inc.lastEditAt, inc.pendingSince ?? inc.lastEditAt) + s.groupIntervalMs, inc.editBy ?? Number.POSITIVE_INFINITY) }),
    ...(inc.status === 'resolved' && { expire: (inc.closedAt ?? inc.lastSeen) + s.reopenWindowMs }),
    ...upDeadline(inc, s),
  };
}

export function newIncident(book: IncidentBook, key: string, channel: string, f: Failure, now: number, s: IncidentSettings): Incident {
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
  indexWorkload(book, inc);
  return inc;
}

/** Takes an incident out of the book and out of every index that names it. */
export function forget(book: IncidentBook, inc: Incident): void {
  unindexAll(book, inc);
  delete book.incidents[inc.key];
  unindexWorkload(book, inc);
}

/** Turns a resolved incident into a small tombstone a later incident of the workload can link to. */
export function expire(book: IncidentBook, inc: Incident, now: number, s: IncidentSettings): void {
  forget(book, inc);
  if (!inc.posted) return;
  const prev = book.previous;
  for (const [k, p] of Object.entries(prev)) if (p.resolvedAt + s.threadMaxAgeMs < now) delete prev[k];
  delete prev[inc.key];
  // A storm member's thread is the storm's: a later incident of the workload links there.
  prev[inc.key] = { thread: inc.storm ?? inc.id, resolvedAt: inc.resolvedAt ?? now };
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
export function occurrences(pod: PodEntry, f: Failure): number {
  // Only a container the kubelet restarts by itself crashes once per run.
  if (f.reason !== 'CrashLoopBackOff' && !f.willRestart && !f.backOff) return 1;
  // The last run counted of this container, whatever its cause: one crash per run, never two.
  let last: number | undefined;
  const prefix = `${f.container}\u0000`;
  for (const k in pod.counted) if (k.startsWith(prefix) && (last === undefined || pod.counted[k]! > last)) last = pod.counted[k];
  if (last === undefined) return 1;
  return Math.max(1, runOf(f) - last);
}

/** Has this occurrence (uid, container, reason, run) been counted already? */
function alreadyCounted(inc: Incident, f: Failure): boolean {
  const pod = has(inc.pods, f.uid) ? inc.pods[f.uid] : undefined;
  const c = pod?.counted[`${f.container}\u0000${f.reason}`];
  return c !== undefined && c >= runOf(f);
}

export function failure(book: IncidentBook, f: Failure, channel: string, now: number, s: IncidentSettings, out: Outgoing[], workloadPods?: number): void {
  const key = incidentKey(s.cluster, channel, f.namespace, f.workload);
  let inc = has(book.incidents, key) ? book.incidents[key] : followChannel(book, f, channel);
  if (inc?.movedTo !== undefined && inc.channel === channel) {
    delete inc.movedTo; // its channel is back: nothing to point at
    inc.dirty = true;
  }
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
  if (workloadPods !== undefined && workloadPods !== inc.podsLive) {
    inc.podsLive = workloadPods;
    inc.dirty = true;
  }
  record(book, inc, f, now, s, out);
}

/**
 * The workload's channel changed (podbell.io/channel edited, or an invalid value falling back) while
 * its incident is not resolved: the incident keeps its thread, counts and first seen, and its parent
 * says where new incidents go (docs/annotations.md#channels). Back in its own channel: the note goes.
 */
function followChannel(book: IncidentBook, f: Failure, channel: string): Incident | undefined {
  const inc = liveIncidentsOf(book, f.namespace, f.workload)[0];
  if (!inc) return undefined;
  const movedTo = inc.channel === channel ? undefined : channel;
  if (inc.movedTo !== movedTo) {
    if (movedTo === undefined) delete inc.movedTo;
    else inc.movedTo = movedTo;
    inc.dirty = true;
  }
  return inc;
}

export function reopen(book: IncidentBook, inc: Incident, f: Failure, now: number, s: IncidentSettings, out: Outgoing[]): void {
  if (inc.posted) say(book, inc, renderReopenedReply(inc.resolvedAt ?? now, now, f, named(inc)), out);
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

export function record(book: IncidentBook, inc: Incident, f: Failure, now: number, s: IncidentSettings, out: Outgoing[]): void {
  let pod = has(inc.pods, f.uid) ? inc.pods[f.uid] : undefined;
  if (!pod) {
    prunePods(inc);
    pod = inc.pods[f.uid] = { name: f.pod, failing: true, counted: {}, restarts: {}, replied: [] };
    inc.podsAffected++;
    inc.dirty = true;
  }
  indexPod(book, f.uid, inc.key);
  delete pod.upSince; // it failed again: a quiet run starts over
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
  if (f.backOff && !pod.backOff) {
    pod.backOff = true; // seen in back-off before the pod update that follows it (GROUP_WAIT 0 posts now)
    inc.dirty = true;
  }
  if (alreadyCounted(inc, f)) return; // re-delivered: counts once
  const label = causeLabel(f); // "Error (exit 1)": one crash, one count, named by its cause
  inc.counts[label] = (inc.counts[label] ?? 0) + occurrences(pod, f);
  pod.counted[`${f.container}\u0000${f.reason}`] = runOf(f);
  // A crash the kubelet restarts by itself (Error under restartPolicy Always) may pass: not one-shot.
  if (ONE_SHOT_REASONS.has(f.reason) && !(f.reason === 'Error' && f.willRestart)) inc.sticky = true;
  if (f.container !== '') countRestarts(inc, pod, f.container, f.restartCount);
  inc.lastSeen = now;
  // Boilerplate never replaces words worth showing (an earlier termination message).
  const said = usefulMessage(f.message);
  if (said) inc.latestMessage = said.length > LIMITS.messageChars ? said.slice(0, LIMITS.messageChars) : said;
  if (f.cause) setCause(inc, f.cause);
  inc.dirty = true;
  if (!pod.replied.includes(f.reason)) {
    pod.replied.push(f.reason);
    replyFor(book, inc, f, now, s, out);
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

export function viewOf(inc: Incident, s: IncidentSettings, now: number): IncidentView {
  let failing = 0;
  let inBackOff = 0;
  for (const uid in inc.pods) {
    const pod = inc.pods[uid]!;
    if (pod.failing) failing++;
    if (pod.failing && pod.backOff) inBackOff++;
  }
  return {
    status: inc.status,
    cluster: s.cluster,
    namespace: inc.namespace,
    workload: inc.workload,
    counts: inc.counts,
    podsAffected: inc.podsAffected,
    podsFailing: failing,
    ...(inc.podsLive !== undefined && { podsLive: inc.podsLive }),
    podsInBackOff: inBackOff,
    restarts: inc.restarts,
    firstSeen: inc.firstSeen,
    lastSeen: inc.lastSeen,
    failingSince: inc.failingSince,
    ...(inc.quietSince !== undefined && { quietSince: inc.quietSince }),
    ...(inc.resolvedAt !== undefined && { resolvedAt: inc.resolvedAt }),
    ...(inc.reopened > 0 && { reopened: inc.reopened }),
    ...(inc.previousResolvedAt !== undefined && { previousResolvedAt: inc.previousResolvedAt }),
    ...(inc.continues && { continuesEarlierThread: true }),
    ...(inc.movedTo !== undefined && { movedTo: inc.movedTo }),
    ...(inc.latestMessage !== undefined && { latestMessage: inc.latestMessage }),
    ...((s.actions?.buttons || inc.actions) && { actions: { buttons: s.actions?.buttons === true, thread: inc.id, ...inc.actions } }),
    ...(inc.cause !== undefined && { cause: inc.cause }),
    ...(Array.isArray(inc.causes) && { causesShown: inc.causes }),
    now,
  };
}

/**
 * GROUP_WAIT is over: the parent goes out. The incident is `posted` only once Slack accepts it (a
 * 'delivered' outcome); until then replies wait in `queued` and no edit is made.
 */
export function open(book: IncidentBook, inc: Incident, now: number, s: IncidentSettings, out: Outgoing[]): void {
  const place = stormFor(book, inc, now, s, out);
  if (place.kind === 'held') return; // its channel decides storm or not first (deadlines: heldUntil)
  delete inc.heldUntil;
  // A pod running again after a crash (an OOMKill restarted within GROUP_WAIT) still counts as failing.
  for (const uid in inc.pods) {
    const pod = inc.pods[uid]!;
    if (inc.quietSince === undefined || pod.failing || pod.gone || !restartedBySelf(pod)) continue;
    pod.failing = true;
    pod.upSince = inc.quietSince;
  }
  for (const uid in inc.pods) if (inc.pods[uid]!.failing) delete inc.quietSince;
  inc.status = inc.quietSince !== undefined ? 'resolving' : 'open';
  inc.openedAt = now;
  inc.remindAt = now + s.repeatIntervalMs;
  if (place.kind !== 'storm') {
    sendParent(inc, now, s, out);
    return;
  }
  // A storm member: its line on the storm parent stands for its parent (already in Slack, or when it lands).
  inc.dirty = false;
  if (book.storms[place.storm]?.posted !== false) parentLanded(book, inc, now, out);
  // The storm began: the incidents its channel held join it now.
  for (const key of place.released) {
    const held = book.incidents[key];
    if (held?.status === 'pending') open(book, held, now, s, out);
  }
}

/** The parent of `inc` as it renders now (thread age and GROUP_INTERVAL start when Slack accepts it). */
export function sendParent(inc: Incident, now: number, s: IncidentSettings, out: Outgoing[], maybePosted = false): void {
  inc.dirty = false;
  const view = { ...viewOf(inc, s, now), firstPost: true };
  const message = renderParent(view);
  inc.sent = { hash: hashMessage(message), sig: readerSignature(view) };
  out.push({
    kind: 'parent',
    thread: inc.id,
    channel: inc.channel,
    ...(inc.linkTo !== undefined && { linkTo: inc.linkTo }),
    ...(maybePosted && { maybePosted: true }),
    // A first post is red even when the container already runs again: it failed (an OOMKill).
    message,
  });
}

export function resolve(book: IncidentBook, inc: Incident, now: number, s: IncidentSettings, out: Outgoing[]): void {
  inc.status = 'resolved';
  inc.resolvedAt = inc.quietSince ?? now;
  inc.closedAt = now;
  delete inc.quietSince;
  delete inc.digest;
  inc.dirty = true;
  unindexAll(book, inc);
  // Not in Slack yet: the parent, when it lands, is edited to say resolved instead.
  if (inc.posted) say(book, inc, renderResolvedReply(viewOf(inc, s, now), named(inc)), out);
  markStormDirty(book, inc);
}
