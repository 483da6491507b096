import type { Clock } from './clock.js';
import { stuckCandidate, stuckFailure, type Failure } from './core/detect.js';
import type { PodState } from './core/pod.js';
import { RearmableTimer } from './timer.js';

/** A pod that may become stuck: its latest state, and when its PENDING_AFTER runs out. */
interface Candidate {
  pod: PodState;
  readonly reason: string;
  readonly since: number;
  readonly at: number;
  /** Reported for this stuck spell already (it stays a candidate until it starts or goes). */
  reported: boolean;
}

/**
 * Stuck pods in the running bot. A pod that stays Pending produces no watch event at the moment
 * PENDING_AFTER passes, so this module remembers the pods that may become stuck and re-judges them
 * at the right time through the Clock, with one timer for the earliest. It reports each stuck spell
 * (pod, reason, since) once: when its pod changes after the deadline, or when the timer fires.
 */
export class StuckPods {
  readonly #candidates = new Map<string, Candidate>();
  readonly #clock: Clock;
  readonly #pendingAfterMs: number;
  readonly #report: (pod: PodState, failure: Failure) => void;
  /**
   * Set to the earliest deadline when a candidate comes (O(1) per pod event); a candidate leaving
   * leaves it alone: firing early costs one scan, which sets it to the next deadline.
   */
  readonly #timer: RearmableTimer;

  constructor(clock: Clock, pendingAfterMs: number, report: (pod: PodState, failure: Failure) => void) {
    this.#clock = clock;
    this.#pendingAfterMs = pendingAfterMs;
    this.#report = report;
    this.#timer = new RearmableTimer(clock, () => this.#due());
  }

  /**
   * A pod changed (`pod` undefined: it was deleted). Returns the stuck failure to report now, if the
   * pod is stuck past its deadline and this spell was not reported yet; otherwise arms the timer.
   */
  changed(uid: string, pod: PodState | undefined): Failure | undefined {
    const s = pod && stuckCandidate(pod);
    if (!pod || !s) {
      // Most events (running pods) end here without touching the timer; the last candidate gone, no timer is left.
      if (this.#candidates.delete(uid) && this.#candidates.size === 0) this.#timer.cancel();
      return undefined;
    }
    const had = this.#candidates.get(uid);
    if (had && had.reason === s.reason && had.since === s.since) {
      had.pod = pod; // a re-delivery of the same spell: the timer stands
      return this.#dueNow(had);
    }
    const c: Candidate = { pod, reason: s.reason, since: s.since, at: s.since + this.#pendingAfterMs, reported: false };
    this.#candidates.set(uid, c);
    const f = this.#dueNow(c);
    if (!c.reported) this.#timer.earliest(c.at);
    return f;
  }

  /** The failure of a candidate whose deadline has passed and that was not reported yet (then it is). */
  #dueNow(c: Candidate): Failure | undefined {
    const now = this.#clock.now();
    if (c.reported || now < c.at) return undefined;
    c.reported = true;
    return stuckFailure(c.pod, now, this.#pendingAfterMs);
  }

  /** Whether the pod is stuck now (reported and not started since): the incident book counts it as failing. */
  stuck(uid: string): boolean {
    return this.#candidates.get(uid)?.reported === true;
  }

  stop(): void {
    this.#timer.cancel();
    this.#candidates.clear();
  }

  /** Reports every candidate past its deadline, then waits for the earliest one left. */
  #due(): void {
    const due: [PodState, Failure][] = [];
    let next: number | undefined;
    for (const c of this.#candidates.values()) {
      const f = this.#dueNow(c);
      if (f) due.push([c.pod, f]);
      else if (!c.reported && (next === undefined || c.at < next)) next = c.at;
    }
    this.#timer.set(next);
    for (const [pod, f] of due) this.#report(pod, f);
  }
}
