import type { ThreadRef, ThreadStore } from '../../ports.js';

export interface MemoryThreadStoreOptions {
  /**
   * Most threads remembered (default 10000). Beyond, the least recently used is forgotten: threads
   * older than THREAD_MAX_AGE get no more traffic, so a long-running bot must not grow forever.
   */
  readonly maxThreads?: number;
}

/**
 * Where threads landed, in memory. On its own it is lost on restart; with persistence on, the state
 * persister reads it whole (entries) for the snapshot, restores it, and is told of every change.
 */
export class MemoryThreadStore implements ThreadStore {
  readonly #threads = new Map<string, ThreadRef>();
  readonly #max: number;
  #listener: (() => void) | undefined;

  constructor(options: MemoryThreadStoreOptions = {}) {
    const max = options.maxThreads ?? 10_000;
    if (!(Number.isInteger(max) && max >= 1)) throw new TypeError(`MemoryThreadStore: option maxThreads must be an integer >= 1, got ${max}`);
    this.#max = max;
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

  /** Called after every set (one listener: the state persister). */
  onChange(listener: (() => void) | undefined): void {
    this.#listener = listener;
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
