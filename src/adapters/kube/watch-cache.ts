/**
 * A watch's memory of what the API server holds: the projected object per key, with the object's
 * own resourceVersion. It exists so a relist (after 410 Gone) can tell what changed while nobody
 * was watching, vanished objects included, and so a resumed watch that repeats a version already
 * seen does not report it twice. Pure bookkeeping: no I/O, no logging; the loop (./watch.ts) emits
 * the changes it returns.
 */
import { obj } from '../../core/json.js';
import type { Change, ChangeType } from '../../ports.js';

export interface CacheEntry<T> {
  readonly t: T;
  /** The object's own resourceVersion: opaque, compared only for equality. */
  readonly rv: string | undefined;
}

/** metadata.resourceVersion of a raw API object, when it has one. */
export const rvOf = (raw: unknown): string | undefined => {
  const v = obj(obj(raw)?.metadata)?.resourceVersion;
  return typeof v === 'string' ? v : undefined;
};

/** How a relist change is counted in podbell_watch_events_total (next to the watch's own types). */
export type RelistCount = 'RELIST_ADDED' | 'RELIST_MODIFIED' | 'RELIST_DELETED';

export class WatchCache<T> {
  readonly #keyOf: (t: T) => string;
  #entries = new Map<string, CacheEntry<T>>();

  constructor(keyOf: (t: T) => string) {
    this.#keyOf = keyOf;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The cached objects, as projected. */
  values(): T[] {
    return [...this.#entries.values()].map((e) => e.t);
  }

  /**
   * Replaces the whole cache with a fresh LIST (keyed by keyOf) and returns, in order, what changed
   * since: vanished objects as synthetic DELETED first, then new and changed ones.
   */
  replace(fresh: Map<string, CacheEntry<T>>): { readonly count: RelistCount; readonly change: Change<T> }[] {
    const old = this.#entries;
    this.#entries = fresh;
    const out: { count: RelistCount; change: Change<T> }[] = [];
    for (const [key, e] of old) {
      if (!fresh.has(key)) out.push({ count: 'RELIST_DELETED', change: { type: 'DELETED', prev: e.t, synthetic: true } });
    }
    for (const [key, e] of fresh) {
      const before = old.get(key);
      if (!before) out.push({ count: 'RELIST_ADDED', change: { type: 'ADDED', next: e.t } });
      else if (before.rv !== e.rv || e.rv === undefined) out.push({ count: 'RELIST_MODIFIED', change: { type: 'MODIFIED', prev: before.t, next: e.t } });
    }
    return out;
  }

  /**
   * Applies one watch event to the cache; returns the change to report, or undefined when the event
   * repeats the version the cache already holds (a resumed watch may repeat what a relist showed).
   */
  apply(type: ChangeType, t: T, rv: string | undefined): Change<T> | undefined {
    const key = this.#keyOf(t);
    const before = this.#entries.get(key);
    if (type === 'DELETED') {
      this.#entries.delete(key);
      return before ? { type, prev: before.t, next: t } : { type, next: t };
    }
    if (before && rv !== undefined && before.rv === rv) return undefined;
    this.#entries.set(key, { t, rv });
    return before ? { type, prev: before.t, next: t } : { type, next: t };
  }
}
