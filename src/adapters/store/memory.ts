import type { ThreadRef, ThreadStore } from '../slack/types.js';

export class MemoryThreadStore implements ThreadStore {
  readonly #threads = new Map<string, ThreadRef>();
  get(thread: string): ThreadRef | undefined {
    return this.#threads.get(thread);
  }
  set(thread: string, ref: ThreadRef): void {
    this.#threads.set(thread, ref);
  }
}
