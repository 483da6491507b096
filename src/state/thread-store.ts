import type { ThreadRef, ThreadStore } from '../adapters/slack/types.js';

export interface SnapshotThreadStoreOptions {
  /** Most threads remembered (default 10000); beyond, the least recently used is forgotten (as MemoryThreadStore). */
  readonly maxThreads?: number;
}

/**
 * Where threads landed, in memory, readable as a whole for the state snapshot and restorable from
 * one. Tells its listener about every change so the snapshot gets saved.
 */
export class SnapshotThreadStore implements ThreadStore {
  readonly #threads = new Map<string, ThreadRef>();
  readonly #max: number;
  #listener: (() => void) | undefined;

  constructor(options: SnapshotThreadStoreOptions = {}) {
    const max = options.maxThreads ?? 10_000;
    if (!(Number.isInteger(max) && max >= 1)) throw new TypeError(`SnapshotThreadStore: option maxThreads must be an integer >= 1, got ${max}`);
    this.#max = max;
  }

  /** Called after every set (one listener: the state persister). */
  onChange(listener: (() => void) | undefined): void {
    this.#listener = listener;
  }

  get(thread: string): ThreadRef | undefined {
    const ref = this.#threads.get(thread);
    if (ref) {
      // Map keeps insertion order: re-inserting marks the thread as recently used.
      this.#threads.delete(thread);
      this.#threads.set(thread, ref);
    }
    return ref;
  }

  set(thread: string, ref: ThreadRef): void {
    this.#threads.delete(thread);
    this.#threads.set(thread, ref);
    if (this.#threads.size > this.#max) this.#threads.delete(this.#threads.keys().next().value!);
    this.#listener?.();
  }

  /** Every ref, least recently used first (the order trimming drops them in). */
  entries(): Record<string, ThreadRef> {
    return Object.fromEntries(this.#threads);
  }

  /** Adds refs read back from a snapshot (kept in their saved order, before any newer ones). */
  restore(refs: Readonly<Record<string, ThreadRef>>): void {
    const newer = [...this.#threads];
    this.#threads.clear();
    for (const [id, ref] of Object.entries(refs)) this.#threads.set(id, ref);
    for (const [id, ref] of newer) {
      this.#threads.delete(id);
      this.#threads.set(id, ref);
    }
    while (this.#threads.size > this.#max) this.#threads.delete(this.#threads.keys().next().value!);
  }

  get size(): number {
    return this.#threads.size;
  }
}
