/**
 * What pod updates do to the incidents a pod belongs to (docs/design.md#incidents): a pod failing
 * again or healthy, entering or leaving back-off, deleted, or up long enough after a crash; and when
 * every affected pod is healthy, the incident goes quiet (a pending one vanishes, an open one
 * starts resolving). Reached through the pod index, so a pod in no incident never gets here.
 */
import { unindexPod, type Incident, type IncidentBook, type IncidentSettings } from './model.js';
import { restartedBySelf } from './running-again.js';

export function podUpdate(book: IncidentBook, uid: string, failing: boolean, now: number): boolean {
  let changed = false;
  for (const key of book.pods[uid]!) {
    const inc = book.incidents[key];
    const pod = inc?.pods[uid];
    if (!inc || !pod) continue;
    if (failing) delete pod.upSince;
    if (pod.failing === failing) continue;
    changed = true;
    if (!failing && inc.status === 'open' && restartedBySelf(pod)) {
      // Running again after a crash: still failing until it has run RESOLVE_AFTER without a restart.
      pod.upSince ??= now;
      continue;
    }
    pod.failing = failing;
    inc.dirty = true;
    if (failing && (inc.status === 'resolving' || inc.status === 'pending')) {
      if (inc.status === 'resolving') inc.status = 'open';
      delete inc.quietSince;
    } else if (!failing) checkQuiet(book, inc, now);
  }
  return changed;
}

/** Keeps "N pods in CrashLoopBackOff" true: a pod entering or leaving back-off changes the parent. */
export function backOffUpdate(book: IncidentBook, uid: string, backOff: boolean): boolean {
  let changed = false;
  for (const key of book.pods[uid]!) {
    const pod = book.incidents[key]?.pods[uid];
    if (!pod || (pod.backOff === true) === backOff) continue;
    if (backOff) pod.backOff = true;
    else delete pod.backOff;
    book.incidents[key]!.dirty = changed = true;
  }
  return changed;
}

export function podGone(book: IncidentBook, uid: string, now: number): boolean {
  for (const key of [...book.pods[uid]!]) {
    const inc = book.incidents[key];
    const pod = inc?.pods[uid];
    unindexPod(book, uid, key);
    if (!inc || !pod) continue;
    pod.failing = false;
    pod.gone = true;
    delete pod.upSince;
    inc.dirty = true;
    checkQuiet(book, inc, now);
  }
  return true;
}

/**
 * RESOLVE_AFTER has passed since pods came back from a crash without another: they stop failing, and
 * the incident has been quiet since the last of them ran again (so it resolves at once when all are).
 */
export function upLongEnough(book: IncidentBook, inc: Incident, now: number, s: IncidentSettings): void {
  let since: number | undefined;
  for (const uid in inc.pods) {
    const pod = inc.pods[uid]!;
    if (!pod.failing || pod.upSince === undefined || pod.upSince + s.resolveAfterMs > now) continue;
    since = Math.max(since ?? pod.upSince, pod.upSince);
    pod.failing = false;
    delete pod.upSince;
    inc.dirty = true;
  }
  if (since !== undefined) checkQuiet(book, inc, since);
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
