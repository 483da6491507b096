/**
 * Incidents (docs/design.md, "Incidents"): one Slack thread per failing (cluster, channel, namespace, workload).
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
 * Parent edits: at most one per GROUP_INTERVAL, only when the rendering differs from what Slack last
 * accepted (renders do not depend on `now`, so time passing alone never edits).
 *
 * reduce() is the single entry. The rest lives by concern under ./incidents/: model (the data),
 * lifecycle (the state machine and its deadlines), running-again (pods back from a crash, restarts,
 * live pod counts), pod-updates (what a pod's change does to its incidents), replies (replies and
 * digests), storms and storm-thread (what storm members say), continuation (reminders, too-old
 * threads), delivery (what Slack accepted) and workloads (a workload's incidents by namespace, kind
 * and name, so pod adds and deletes stay O(1)).
 */
import type { Outgoing } from './outgoing.js';
import { remind } from './incidents/continuation.js';
import { flushParent, outcome, repost } from './incidents/delivery.js';
import { inBackOff } from './detect.js';
import { deadlines, expire, failure, forget, open, resolve, type Deadlines } from './incidents/lifecycle.js';
import { backOffUpdate, podGone, podUpdate, upLongEnough } from './incidents/pod-updates.js';
import { causeUpdate, restartsUpdate, workloadSize } from './incidents/running-again.js';
import { checkSettings, has, normalise, type Incident, type IncidentBook, type IncidentInput, type IncidentSettings, type Step } from './incidents/model.js';
import { flushDigest } from './incidents/replies.js';
import { settleStorms } from './incidents/storms.js';

export {
  emptyBook,
  has,
  REPLY_BURST,
  type Incident,
  type IncidentBook,
  type IncidentInput,
  type IncidentSettings,
  type IncidentStatus,
  type Step,
} from './incidents/model.js';
export { deadlines } from './incidents/lifecycle.js';
export { say } from './incidents/storm-thread.js';
export { incidentOfThread } from './incidents/delivery.js';

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

/**
 * The incident state machine: decisions are pure (time in, effects out), the book is updated in place.
 * Called for every failure, every pod update, every pod delete and on wake-ups; the pipeline keeps one
 * timer at `wakeAt` and sends {type:'tick'} then.
 */
export function reduce(book: IncidentBook, input: IncidentInput, now: number, s: IncidentSettings): Step {
  // Hot path: a pod that belongs to no incident (nearly every watch event) costs one lookup.
  if (input.type === 'pod' || input.type === 'podDeleted' || input.type === 'cause') {
    const uid = input.type === 'pod' ? input.pod.uid : input.uid;
    if (!inLiveIncident(book, uid)) return idle(book);
    if (input.type === 'cause') return causeUpdate(book, uid, input.cause) ? settle(book, now, s, []) : idle(book);
    // backOffUpdate and restartsUpdate first (always): podUpdate may drop a pending incident and its index entries.
    let stateChanged = false;
    if (input.type === 'pod') {
      const backOff = backOffUpdate(book, uid, inBackOff(input.pod));
      stateChanged = restartsUpdate(book, uid, input.pod) || backOff;
    }
    const changed = (input.type === 'pod' ? podUpdate(book, uid, input.failing, now) : podGone(book, uid, now)) || stateChanged;
    if (!changed) return idle(book);
    return settle(book, now, s, []);
  }
  normalise(book);
  const out: Outgoing[] = [];
  if (input.type === 'flush') return settle(book, now, { ...s, groupIntervalMs: 0 }, out);
  if (input.type === 'workloadSize') {
    if (!workloadSize(book, input.namespace, input.workload, input.pods)) return idle(book);
  } else if (input.type === 'failure') failure(book, input.failure, input.channel, now, s, out, input.workloadPods);
  else if (input.type === 'delivered' || input.type === 'failed') {
    // What became of a reply changes nothing in the book: no scan, no settle.
    if (input.kind === 'reply') return idle(book);
    outcome(book, input, now, s, out);
  }
  else if (input.type === 'restored') repost(book, now, s, out);
  return settle(book, now, s, out);
}

/** Whether the pod belongs to a live (not resolved) incident: one lookup, the hot path's only cost. */
export function inLiveIncident(book: IncidentBook, uid: string): boolean {
  return book.pods !== undefined && has(book.pods, uid);
}

const due = (t: number | undefined, now: number): boolean => t !== undefined && now >= t;

/**
 * Runs every timer that is due, then works out the next wake-up. O(incidents in the book, resolved
 * ones included): only when something changed, never for a pod in no incident.
 */
function settle(book: IncidentBook, now: number, s: IncidentSettings, out: Outgoing[]): Step {
  checkSettings(s);
  normalise(book);
  let wakeAt: number | undefined;
  const wake = (t: number | undefined) => {
    // A deadline already past was fired above or waits for a delivery: never a timer in the past.
    if (t !== undefined && t > now && (wakeAt === undefined || t < wakeAt)) wakeAt = t;
  };
  for (const inc of Object.values(book.incidents)) {
    const left = fire(book, inc, now, s, out);
    if (left !== 'gone') for (const t of Object.values(left)) wake(t);
  }
  settleStorms(book, now, s, out, wake);
  book.wakeAt = wakeAt;
  return { book, out: out.length ? out : NO_OUT, wakeAt };
}

/** Fires each of the incident's deadlines that is due, in lifecycle order (a step may start the next). */
function fire(book: IncidentBook, inc: Incident, now: number, s: IncidentSettings, out: Outgoing[]): 'gone' | Deadlines {
  let d = deadlines(inc, s);
  // A step may start the next one: the deadlines are worked out again only after a step ran.
  const step = (at: number | undefined, run: () => void) => {
    if (!due(at, now)) return;
    run();
    d = deadlines(inc, s);
  };
  if (due(d.open, now) && inc.quietSince !== undefined && !inc.sticky && inc.heldUntil === undefined) {
    // Every pod recovered or went away within GROUP_WAIT, and no sibling failed meanwhile. (Held by
    // its channel, it was failing when GROUP_WAIT ended: the hold never decides whether it is posted.)
    forget(book, inc);
    return 'gone';
  }
  step(d.open, () => open(book, inc, now, s, out));
  step(d.upLongEnough, () => upLongEnough(book, inc, now, s));
  step(d.resolve, () => resolve(book, inc, now, s, out));
  step(d.remind, () => remind(book, inc, now, s, out));
  step(d.digest, () => flushDigest(inc, now, out));
  flushParent(book, inc, now, s, out);
  d = deadlines(inc, s);
  // A resolved parent's last edit goes out (once accepted) before the incident becomes a tombstone.
  if (due(d.expire, now) && !(inc.posted && inc.dirty)) {
    expire(book, inc, now, s);
    return 'gone';
  }
  return d;
}
