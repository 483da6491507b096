/**
 * The bounds on log fetches (docs/evidence.md), so a storm of failures cannot become a storm of
 * requests against the API server: at most one fetch per (pod uid, container, run), at most
 * `perIncident` per incident per `intervalMs`, at most `perSecond` started per rolling second
 * cluster-wide. (At most 4 in flight is the fetch queue's concern.) Time is passed in.
 */
export interface EvidenceBudgetLimits {
  /** LOG_FETCHES_PER_INCIDENT */
  readonly perIncident: number;
  /** GROUP_INTERVAL, ms */
  readonly intervalMs: number;
  /** cluster-wide starts per second (default 10) */
  readonly perSecond?: number;
  /** runs remembered for de-duplication (default 10000; the oldest are forgotten first) */
  readonly rememberedRuns?: number;
}

export type Admission = { readonly ok: true } | { readonly ok: false; readonly why: 'already fetched' | 'incident budget spent' };

export class EvidenceBudget {
  readonly #limits: Required<EvidenceBudgetLimits>;
  /** `${uid}/${container}/${run}` already admitted, oldest first. */
  readonly #runs = new Set<string>();
  /** incident thread -> fetches in its current window */
  readonly #incidents = new Map<string, { start: number; n: number }>();
  /** start times of the fetches of the last second, oldest first */
  #starts: number[] = [];

  constructor(limits: EvidenceBudgetLimits) {
    this.#limits = { perSecond: 10, rememberedRuns: 10_000, ...limits };
  }

  /** May the log of this run be fetched for this incident? Counts it when yes. */
  admit(thread: string, uid: string, container: string, run: number, now: number): Admission {
    const key = `${uid}/${container}/${run}`;
    if (this.#runs.has(key)) return { ok: false, why: 'already fetched' };
    let w = this.#incidents.get(thread);
    if (!w || now - w.start >= this.#limits.intervalMs) w = { start: now, n: 0 };
    if (w.n >= this.#limits.perIncident) return { ok: false, why: 'incident budget spent' };
    w.n++;
    this.#incidents.delete(thread);
    this.#incidents.set(thread, w);
    if (this.#incidents.size > 1000) this.#forgetOldWindows(now);
    this.#runs.add(key);
    if (this.#runs.size > this.#limits.rememberedRuns) this.#runs.delete(this.#runs.values().next().value as string);
    return { ok: true };
  }

  /** When the next fetch may start under the cluster-wide rate: `now`, or later. */
  nextStart(now: number): number {
    this.#starts = this.#starts.filter((t) => now - t < 1000);
    return this.#starts.length < this.#limits.perSecond ? now : this.#starts[0]! + 1000;
  }

  /** A fetch started now. */
  started(now: number): void {
    this.#starts.push(now);
  }

  #forgetOldWindows(now: number): void {
    for (const [thread, w] of this.#incidents) if (now - w.start >= this.#limits.intervalMs) this.#incidents.delete(thread);
  }
}
