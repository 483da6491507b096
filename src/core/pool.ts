import type { WorkloadRef } from './workload.js';

/**
 * Shares equal values among the PodStates podbell keeps, so 50,000 pods of 10,000 Deployments hold
 * 10,000 workload refs and one copy of each image, namespace and node name instead of one per pod.
 * JSON.parse makes a fresh string for every value of every event; without sharing, each cached pod
 * carries its own copies.
 *
 * Bounded: past `max` entries a table starts over (values already shared stay valid; the steady set
 * refills at once), so a cluster churning through unique names cannot grow it without end.
 */
export class ValuePool {
  readonly #max: number;
  #strings = new Map<string, string>();
  #workloads = new Map<string, Map<string, WorkloadRef>>();
  #workloadCount = 0;

  /** @param max most entries per table before it starts over (default 100,000). */
  constructor(max = 100_000) {
    if (!Number.isInteger(max) || max < 1) throw new TypeError(`ValuePool: max must be a positive integer, got ${String(max)}`);
    this.#max = max;
  }

  /** The pool's string equal to `s` (`s` itself the first time). */
  string(s: string): string {
    const have = this.#strings.get(s);
    if (have !== undefined) return have;
    if (this.#strings.size >= this.#max) this.#strings = new Map();
    this.#strings.set(s, s);
    return s;
  }

  /** The pool's ref equal to `ref` (`ref` itself the first time). */
  workload(ref: WorkloadRef): WorkloadRef {
    let byName = this.#workloads.get(ref.kind);
    const have = byName?.get(ref.name);
    if (have !== undefined) return have;
    if (this.#workloadCount >= this.#max) {
      this.#workloads = new Map();
      this.#workloadCount = 0;
      byName = undefined;
    }
    if (!byName) this.#workloads.set(ref.kind, (byName = new Map()));
    byName.set(ref.name, ref);
    this.#workloadCount++;
    return ref;
  }
}
