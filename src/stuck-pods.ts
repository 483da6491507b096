import type { Cancel, Clock } from './clock.js';
import { stuckCandidate, stuckFailure, type Failure } from './core/detect.js';
import type { PodState } from './core/pod.js';

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
  #timer: { at: number; cancel: Cancel } | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly pendingAfterMs: number,
    private readonly report: (pod: PodState, failure: Failure) => void,
  ) {}

  /**
   * A pod changed (`pod` undefined: it was deleted). Returns the stuck failure to report now, if the
   * pod is stuck past its deadline and this spell was not reported yet; otherwise arms the timer.
   */
  changed(uid: string, pod: PodState | undefined): Failure | undefined {
    const s = pod && stuckCandidate(pod);
    const had = this.#candidates.get(uid);
    if (!pod || !s) {
      // Most events (running pods) end here without touching the timer.
      if (had) {
        this.#candidates.delete(uid);
        this.#arm();
      }
      return undefined;
    }
    if (had && had.reason === s.reason && had.since === s.since) {
      had.pod = pod; // a re-delivery of the same spell: the timer stands
      return this.#dueNow(had);
    }
    const c: Candidate = { pod, reason: s.reason, since: s.since, at: s.since + this.pendingAfterMs, reported: false };
    this.#candidates.set(uid, c);
    const f = this.#dueNow(c);
    this.#arm();
    return f;
  }

  /** The failure of a candidate whose deadline has passed and that was not reported yet (then it is). */
  #dueNow(c: Candidate): Failure | undefined {
    const now = this.clock.now();
    if (c.reported || now < c.at) return undefined;
    c.reported = true;
    return stuckFailure(c.pod, now, this.pendingAfterMs);
  }

  /** Whether the pod is stuck now (reported and not started since): the incident book counts it as failing. */
  stuck(uid: string): boolean {
    return this.#candidates.get(uid)?.reported === true;
  }

  stop(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#candidates.clear();
  }

  /** One timer, for the earliest deadline not yet reported. */
  #arm(): void {
    let at: number | undefined;
    for (const c of this.#candidates.values()) if (!c.reported && (at === undefined || c.at < at)) at = c.at;
    if (this.#timer && this.#timer.at === at) return;
    this.#timer?.cancel();
    this.#timer = undefined;
    if (at === undefined) return;
    const cancel = this.clock.setTimer(at - this.clock.now(), () => this.#due());
    this.#timer = { at, cancel };
  }

  #due(): void {
    this.#timer = undefined;
    const due: [PodState, Failure][] = [];
    for (const c of this.#candidates.values()) {
      const f = this.#dueNow(c);
      if (f) due.push([c.pod, f]);
    }
    this.#arm();
    for (const [pod, f] of due) this.report(pod, f);
  }
}
