import type { Cancel } from '../../clock.js';
import { obj } from '../../core/json.js';
import { excerpt, KubeApiError } from './errors.js';
import { watchMetrics } from './metrics.js';
import type { Change } from '../../ports.js';
import type { Watch } from './types.js';
import { WatchCache, rvOf, type CacheEntry } from './watch-cache.js';
import { WatchConnection } from './watch-connection.js';
import { watchSettings, type KubeWatchOptions, type WatchSettings } from './watch-options.js';
import { WatchRecovery, type Recovery } from './watch-recovery.js';
import { decodeWatchLine, LineSplitter, watchErrorStatus } from './watch-wire.js';

/** Why the stream ended without an exception. */
type StreamEnd = { readonly kind: 'closed'; readonly traffic: boolean } | { readonly kind: 'expired' };

/**
 * List+watch of one resource, keeping only the projected T per key. The loop: paginated LIST, then
 * WATCH from that list's resourceVersion (bookmarks on, randomized timeout); 410 Gone -> relist and
 * diff against the cache (vanished objects become synthetic DELETED); any other error -> jittered
 * exponential backoff, reset once a connection delivers something; a watchdog reopens silent streams.
 * The pieces: options (watch-options.ts), the cache (watch-cache.ts), the request and its watchdog
 * (watch-connection.ts), the stream's lines (watch-wire.ts), what follows a failure (watch-recovery.ts).
 */
export class KubeWatch<T> implements Watch {
  readonly #o: KubeWatchOptions<T>;
  readonly #settings: WatchSettings;
  readonly #cache: WatchCache<T>;
  readonly #conn: WatchConnection;
  readonly #recovery: WatchRecovery;
  /** resourceVersion to resume the watch from; undefined means "LIST first". */
  #rv: string | undefined;
  #synced = false;
  #started = false;
  #stopped = false;
  #run: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  #sleepCancel: Cancel | undefined;
  /** Counted in plain numbers on the hot path; the metrics read them at scrape time. */
  readonly #counts: { readonly resource: string; readonly events: Map<string, number>; lastEventAt: number };

  constructor(options: KubeWatchOptions<T>) {
    const s = watchSettings(options);
    const o = options;
    this.#o = o;
    this.#settings = s;
    const metrics = watchMetrics(o.registry);
    this.#counts = { resource: o.resource, events: new Map(), lastEventAt: 0 };
    metrics.track(this.#counts);
    this.#cache = new WatchCache((t) => o.keyOf(t));
    this.#conn = new WatchConnection(o, s, () => this.#stopped);
    this.#recovery = new WatchRecovery({ resource: o.resource, namespace: o.namespace, what: s.what, log: o.log, metrics, random: s.random, backoff: s.backoff });
  }

  get synced(): boolean {
    return this.#synced;
  }

  /** Where the next WATCH resumes (opaque; undefined before the first LIST or after a 410). */
  get resourceVersion(): string | undefined {
    return this.#rv;
  }

  /** How many objects the cache holds (for metrics and tests). */
  get size(): number {
    return this.#cache.size;
  }

  /** The cached objects, as projected: what a fresh LIST would deliver (a standby taking over feeds them on). */
  cached(): T[] {
    return this.#cache.values();
  }

  start(): void {
    if (this.#started) throw new Error(`KubeWatch(${this.#settings.what}): start() called twice`);
    this.#started = true;
    this.#run = this.#loop();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#conn.abort(new Error('watch stopped'));
    this.#sleepCancel?.();
    this.#wake?.();
    await this.#run;
  }

  async #loop(): Promise<void> {
    while (!this.#stopped) {
      let next: Recovery;
      try {
        if (this.#rv === undefined) await this.#relist();
        if (this.#stopped) break;
        const end = await this.#stream();
        next = end.kind === 'expired' ? this.#recovery.expired() : this.#recovery.closed(end.traffic);
      } catch (err) {
        if (this.#stopped) break;
        next = this.#recovery.failed(err, this.#rv === undefined ? 'list' : 'watch');
      }
      if (next.relist) this.#rv = undefined;
      if (next.waitMs !== undefined) await this.#sleep(next.waitMs);
    }
  }

  #count(type: string): void {
    this.#counts.events.set(type, (this.#counts.events.get(type) ?? 0) + 1);
  }

  #sleep(ms: number): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.#wake = resolve;
      this.#sleepCancel = this.#o.clock.setTimer(ms, resolve);
    }).then(() => {
      this.#wake = undefined;
      this.#sleepCancel = undefined;
    });
  }

  #emit(c: Change<T>): void {
    try {
      this.#o.onChange(c);
    } catch (err) {
      const t = c.next ?? c.prev;
      this.#o.log.error({ resource: this.#o.resource, key: t === undefined ? undefined : this.#o.keyOf(t), err: (err as Error)?.message ?? String(err) }, 'onChange threw; change skipped');
    }
  }

  #project(raw: unknown, where: string): T | undefined {
    let t: T | undefined;
    try {
      t = this.#o.project(raw);
    } catch (err) {
      // A throwing projection must not stop the stream: the same event would come back on every reconnect.
      this.#o.log.error({ resource: this.#o.resource, where, err: (err as Error)?.message ?? String(err) }, 'project threw; object skipped');
      return undefined;
    }
    if (t === undefined) {
      const meta = obj(obj(raw)?.metadata);
      this.#o.log.warn({ resource: this.#o.resource, where, name: meta?.name, namespace: meta?.namespace }, `${this.#o.resource} object without the fields podbell needs (uid/name); skipped`);
    }
    return t;
  }

  // ---- LIST ----

  async #relist(): Promise<void> {
    const fresh = new Map<string, CacheEntry<T>>();
    let cont: string | undefined;
    let listRv: string | undefined;
    do {
      const body = await this.#conn.list({ limit: String(this.#settings.pageSize), ...(cont && { continue: cont }) });
      const list = obj(body);
      const meta = obj(list?.metadata);
      if (!list || !Array.isArray(list.items)) throw new KubeApiError(500, `LIST ${this.#settings.what}: response is not a list`);
      for (const item of list.items) {
        const t = this.#project(item, 'list');
        if (t !== undefined) fresh.set(this.#o.keyOf(t), { t, rv: rvOf(item) });
      }
      listRv = typeof meta?.resourceVersion === 'string' ? meta.resourceVersion : listRv;
      cont = typeof meta?.continue === 'string' && meta.continue !== '' ? meta.continue : undefined;
    } while (cont && !this.#stopped);
    if (this.#stopped) return;
    this.#recovery.accepted();
    // What changed while we were not watching (vanished objects as synthetic DELETED).
    for (const { count, change } of this.#cache.replace(fresh)) {
      this.#count(count);
      this.#emit(change);
    }
    this.#rv = listRv ?? '';
    if (!this.#synced) {
      this.#synced = true;
      this.#o.log.info({ resource: this.#o.resource, namespace: this.#o.namespace, objects: fresh.size }, `synced ${this.#settings.what}`);
      try {
        this.#o.onSynced?.();
      } catch (err) {
        this.#o.log.error({ err: (err as Error)?.message }, 'onSynced threw');
      }
    }
  }

  // ---- WATCH ----

  async #stream(): Promise<StreamEnd> {
    const { min, max } = this.#settings.timeout;
    const timeoutSeconds = Math.round(min + this.#settings.random() * (max - min));
    const res = await this.#conn.open({ watch: 'true', allowWatchBookmarks: 'true', timeoutSeconds: String(timeoutSeconds), resourceVersion: this.#rv ?? '' });
    this.#recovery.accepted();
    return new Promise<StreamEnd>((resolve, reject) => {
      const lines = new LineSplitter();
      let traffic = false;
      let done = false;
      const finish = (f: () => void) => {
        if (done) return;
        done = true;
        this.#conn.disarm();
        f();
      };
      // One line of the stream; false once the stream is over (expired, or an error to recover from).
      const take = (line: string): boolean => {
        try {
          const r = this.#line(line);
          if (r === 'expired') {
            finish(() => resolve({ kind: 'expired' }));
            this.#conn.abort(new Error('watch expired'));
            return false;
          }
          if (r === 'applied' && !traffic) {
            traffic = true;
            this.#recovery.healthy();
          }
          return true;
        } catch (err) {
          finish(() => reject(err));
          this.#conn.abort(err as Error);
          return false;
        }
      };
      res.on('data', (chunk: Buffer) => {
        if (done) return;
        this.#conn.touch();
        lines.push(chunk, take);
      });
      res.on('end', () => {
        const rest = lines.rest();
        if (rest.trim() !== '') {
          try {
            if (this.#line(rest) === 'expired') return finish(() => resolve({ kind: 'expired' }));
          } catch (err) {
            return finish(() => reject(err));
          }
        }
        finish(() => resolve({ kind: 'closed', traffic }));
      });
      const broken = (err?: Error) => finish(() => reject(this.#conn.abortReason ?? err ?? new Error('watch connection closed mid-stream')));
      res.on('error', broken);
      res.on('aborted', () => broken());
      res.on('close', () => broken());
    });
  }

  /** Applies one JSON line of a watch stream: 'applied' for an event or bookmark, 'expired' on a 410 ERROR event. */
  #line(line: string): 'expired' | 'applied' | undefined {
    const ev = decodeWatchLine(line);
    if (ev.kind === 'blank') return undefined;
    if (ev.kind === 'malformed') {
      this.#count('MALFORMED');
      this.#o.log.warn({ resource: this.#o.resource, excerpt: excerpt(line) }, 'malformed watch line skipped');
      return undefined;
    }
    const { type, object: raw } = ev;
    this.#count(type);
    this.#counts.lastEventAt = this.#o.clock.now();
    if (type === 'ERROR') {
      const { code, message } = watchErrorStatus(raw);
      if (code === 410) return 'expired';
      throw new KubeApiError(code, `WATCH ${this.#settings.what}: ${message}`);
    }
    const rv = rvOf(raw);
    if (type === 'BOOKMARK') {
      if (rv !== undefined) this.#rv = rv;
      return 'applied';
    }
    if (type !== 'ADDED' && type !== 'MODIFIED' && type !== 'DELETED') {
      this.#o.log.warn({ resource: this.#o.resource, type }, 'unknown watch event type skipped');
      return undefined;
    }
    if (rv !== undefined) this.#rv = rv;
    const t = this.#project(raw, `watch ${type}`);
    if (t === undefined) return 'applied';
    const change = this.#cache.apply(type, t, rv);
    if (change) this.#emit(change);
    return 'applied';
  }
}

/** Factory form of `new KubeWatch(options)`. */
export function createWatch<T>(options: KubeWatchOptions<T>): KubeWatch<T> {
  return new KubeWatch(options);
}
