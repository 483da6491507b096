/**
 * What the book learns of an affected pod beyond "failing or not": whether it runs again after a
 * crash (it keeps failing until RESOLVE_AFTER without a restart), its restarts as kubectl shows
 * them, its cause as later Warning Events explain it, and its workload's live pod count (the M of
 * "N of M pods failing"). No decisions of the lifecycle here: lifecycle.ts reads these.
 */
import type { PodState } from '../pod.js';
import type { Incident, IncidentBook, IncidentSettings, PodEntry } from './model.js';
import { liveIncidentsOf } from './workloads.js';

/**
 * When every pod still counted failing runs again after a crash: the instant the last of them will
 * have run RESOLVE_AFTER without a restart (the incident resolves then, unless one crashes again).
 */
export function runningAgainUntil(inc: Incident, s: IncidentSettings): number | undefined {
  let until: number | undefined;
  for (const uid in inc.pods) {
    const p = inc.pods[uid]!;
    if (!p.failing) continue;
    if (p.upSince === undefined) return undefined;
    until = Math.max(until ?? 0, p.upSince + s.resolveAfterMs);
  }
  return until;
}

export function upDeadline(inc: Incident, s: IncidentSettings): { upLongEnough?: number } {
  const t = inc.status === 'open' ? earliestUp(inc) : NaN;
  return Number.isNaN(t) ? {} : { upLongEnough: t + s.resolveAfterMs };
}

/** The earliest upSince of a pod still counted failing (NaN when none: no deadline). */
function earliestUp(inc: Incident): number {
  let t = NaN;
  for (const uid in inc.pods) {
    const p = inc.pods[uid]!;
    if (p.failing && p.upSince !== undefined && !(p.upSince >= t)) t = p.upSince;
  }
  return t;
}


/** The pod's share of the restart total follows the highest restartCount seen of a container that failed. */
export function countRestarts(inc: Incident, pod: PodEntry, container: string, restartCount: number): boolean {
  const r = pod.restarts[container];
  if (r !== undefined && restartCount <= r) return false;
  inc.restarts += restartCount - (r ?? 0);
  pod.restarts[container] = restartCount;
  return r !== undefined || restartCount > 0;
}


/** A workload's live pod count changed: its live incidents show it. Whether any incident changed. O(1): workloads.ts. */
export function workloadSize(book: IncidentBook, namespace: string, workload: { kind: string; name: string }, pods: number): boolean {
  let changed = false;
  for (const inc of liveIncidentsOf(book, namespace, workload)) {
    if (inc.podsLive === pods) continue;
    inc.podsLive = pods;
    inc.dirty = changed = true;
  }
  return changed;
}

/**
 * The pod's failure is explained better now (its Warning Event came after the failure, as the
 * kubelet's `Failed` Event follows ImagePullBackOff): its live incidents show the new cause line.
 * The pod must be indexed (book.pods). Whether any incident changed.
 */
export function causeUpdate(book: IncidentBook, uid: string, cause: string): boolean {
  let changed = false;
  for (const key of book.pods[uid]!) {
    const inc = book.incidents[key];
    if (inc && setCause(inc, cause)) inc.dirty = changed = true;
  }
  return changed;
}

/** Cause lines remembered per incident: enough to tell a new cause from pods taking turns. */
const CAUSES_KEPT = 8;

/** The incident's cause line is now `cause` (and has been shown, for the edit policy). Whether it changed. */
export function setCause(inc: Incident, cause: string): boolean {
  if (inc.cause === cause) return false;
  inc.cause = cause;
  // A hand-edited saved book may hold anything here: start the list afresh rather than throw.
  const shown = Array.isArray(inc.causes) ? inc.causes : (inc.causes = []);
  if (!shown.includes(cause)) {
    shown.push(cause);
    if (shown.length > CAUSES_KEPT) shown.shift();
  }
  return true;
}

/**
 * The restarts of an affected pod's failed containers, as kubectl shows them: an OOMKill seen only at
 * restartCount 0 counts its restart once the container runs again (restartCount 1).
 */
export function restartsUpdate(book: IncidentBook, uid: string, state: PodState): boolean {
  let changed = false;
  for (const key of book.pods[uid]!) {
    const inc = book.incidents[key];
    const pod = inc?.pods[uid];
    if (!inc || !pod) continue;
    for (const c of state.containers) {
      if (c.name in pod.restarts && countRestarts(inc, pod, c.name, c.restartCount)) inc.dirty = changed = true;
    }
  }
  return changed;
}


export const restartedBySelf = (pod: PodEntry): boolean => {
  for (const c in pod.restarts) if (pod.restarts[c]! > 0) return true;
  return false;
};
