import type { ClientRequest, IncomingMessage } from 'node:http';
import { readBody } from '../http-body.js';
import { backoffDelay } from '../../backoff.js';
import { positiveOption } from '../../options.js';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Registry } from 'prom-client';
import type { Cancel, Clock } from '../../clock.js';
import type { Logger } from '../../log.js';
import { KubeApiError, WatchStalledError } from './errors.js';
import { watchMetrics, type RestartReason, type WatchMetrics } from './metrics.js';
import { parseWithoutManagedFields } from './managed-fields.js';
import type { Change, Watch } from './types.js';
import { type Obj, obj } from '../../core/json.js';
import { prepareKubeRequest } from './request.js';

export type WatchedResource = 'pods' | 'namespaces' | 'events';

export interface BackoffOptions {
  /** First delay after an error (default 500 ms). */
  readonly initialMs?: number;
  /** Cap of the doubling delay (default 30 s). */
  readonly maxMs?: number;
}

export interface KubeWatchOptions<T> {
  /** Used only for auth and the server address (token, client certs, exec plugins, in-cluster). */
  readonly kubeConfig: KubeConfig;
  readonly resource: WatchedResource;
  /** Only this namespace (pods: /api/v1/namespaces/NS/pods); all namespaces when absent. */
  readonly namespace?: string;
  /** Sent as-is on LIST and WATCH, e.g. `metadata.name=shop` to watch one namespace object. */
  readonly fieldSelector?: string;
  readonly labelSelector?: string;
  /** Raw API object -> what we keep; undefined means "cannot be tracked" (logged, skipped). */
  project(raw: unknown): T | undefined;
  /** Identity of a projected object in the cache: uid for pods, name for namespaces. */
  keyOf(t: T): string;
  readonly clock: Clock;
  readonly log: Logger;
  /** Metrics are registered here (shared between watches: existing metrics are reused). */
  readonly registry: Registry;
  /** Called synchronously, in order, for every change; an exception is logged, never fatal. */
  onChange(c: Change<T>): void;
  /** Called once, after the first complete LIST has been delivered through onChange. */
  onSynced?(): void;
  /** Source of jitter, in [0, 1) (default Math.random); seed it in tests. */
  readonly random?: () => number;
  /** A stream or request silent for longer than this is aborted and reopened (default 120 s). Bookmarks count. */
  readonly watchdogMs?: number;
  /** WATCH timeoutSeconds is drawn from [min, max] on each connect, so many watchers do not reconnect together (default 240–360). */
  readonly timeoutSeconds?: { readonly min: number; readonly max: number };
  readonly backoff?: BackoffOptions;
  /** LIST page size (default 500). */
  readonly pageSize?: number;
}

interface Entry<T> {
  readonly t: T;
  /** The object's own resourceVersion: opaque, compared only for equality. */
  readonly rv: string | undefined;
}

const rvOf = (raw: unknown): string | undefined => {
  const v = obj(obj(raw)?.metadata)?.resourceVersion;
  return typeof v === 'string' ? v : undefined;
};
const excerpt = (s: string, n = 160): string => (s.length > n ? `${s.slice(0, n)}…` : s);

/** Why the stream ended without an exception. */
type StreamEnd = { readonly kind: 'closed'; readonly traffic: boolean } | { readonly kind: 'expired' };

/**
 * List+watch of one resource, keeping only the projected T per key. The loop: paginated LIST, then
 * WATCH from that list's resourceVersion (bookmarks on, randomized timeout); 410 Gone -> relist and
 * diff against the cache (vanished objects become synthetic DELETED); any other error -> jittered
 * exponential backoff, reset once a connection delivers something; a watchdog reopens silent streams.
 */
export class KubeWatch<T> implements Watch {
  readonly #o: KubeWatchOptions<T>;
  readonly #metrics: WatchMetrics;
  readonly #random: () => number;
  readonly #watchdogMs: number;
  readonly #timeout: { readonly min: number; readonly max: number };
  readonly #initialBackoffMs: number;
  readonly #maxBackoffMs: number;
  readonly #pageSize: number;
  readonly #path: string;
  readonly #what: string;

  #cache = new Map<string, Entry<T>>();
  /** resourceVersion to resume the watch from; undefined means "LIST first". */
  #rv: string | undefined;
  #synced = false;
  #started = false;
  #stopped = false;
  #run: Promise<void> | undefined;
  #attempt = 0;
  #goneStreak = 0;
  #refused = false;
  #req: ClientRequest | undefined;
  #abortReason: Error | undefined;
  #wake: (() => void) | undefined;
  #sleepCancel: Cancel | undefined;
  #lastActivity = 0;
  /** Counted in plain numbers on the hot path; the metrics read them at scrape time. */
  readonly #counts: { readonly resource: string; readonly events: Map<string, number>; lastEventAt: number };

  constructor(options: KubeWatchOptions<T>) {
    const o = options;
    if (!o || typeof o !== 'object') throw new TypeError('KubeWatch: options are required');
    if (!o.kubeConfig || typeof o.kubeConfig.getCurrentCluster !== 'function') throw new TypeError('KubeWatch: options.kubeConfig must be a KubeConfig');
    if (!o.kubeConfig.getCurrentCluster()) throw new TypeError('KubeWatch: options.kubeConfig has no current cluster (check the current-context)');
    if (o.resource !== 'pods' && o.resource !== 'namespaces' && o.resource !== 'events') throw new TypeError(`KubeWatch: options.resource must be 'pods', 'namespaces' or 'events', got ${String(o.resource)}`);
    if (o.namespace !== undefined && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(o.namespace)) throw new TypeError(`KubeWatch: options.namespace is not a namespace name: ${JSON.stringify(o.namespace)}`);
    if (o.namespace !== undefined && o.resource === 'namespaces') throw new TypeError("KubeWatch: options.namespace applies to 'pods' and 'events' only (use fieldSelector metadata.name=NS for one namespace)");
    for (const f of ['project', 'keyOf', 'onChange'] as const) if (typeof o[f] !== 'function') throw new TypeError(`KubeWatch: options.${f} must be a function`);
    if (o.onSynced !== undefined && typeof o.onSynced !== 'function') throw new TypeError('KubeWatch: options.onSynced must be a function');
    if (!o.clock || typeof o.clock.setTimer !== 'function') throw new TypeError('KubeWatch: options.clock must be a Clock');
    if (!o.log || typeof o.log.warn !== 'function') throw new TypeError('KubeWatch: options.log must be a Logger');
    if (!o.registry || typeof o.registry.getSingleMetric !== 'function') throw new TypeError('KubeWatch: options.registry must be a prom-client Registry');
    const positive = (name: string, v: number | undefined, def: number): number => positiveOption(`KubeWatch: options.${name}`, v, def);
    this.#o = o;
    this.#random = o.random ?? Math.random;
    this.#watchdogMs = positive('watchdogMs', o.watchdogMs, 120_000);
    const min = positive('timeoutSeconds.min', o.timeoutSeconds?.min, 240);
    const max = positive('timeoutSeconds.max', o.timeoutSeconds?.max, 360);
    if (max < min) throw new TypeError(`KubeWatch: options.timeoutSeconds.max (${max}) is below min (${min})`);
    this.#timeout = { min, max };
    this.#initialBackoffMs = positive('backoff.initialMs', o.backoff?.initialMs, 500);
    this.#maxBackoffMs = positive('backoff.maxMs', o.backoff?.maxMs, 30_000);
    this.#pageSize = Math.floor(positive('pageSize', o.pageSize, 500));
    this.#metrics = watchMetrics(o.registry);
    this.#counts = { resource: o.resource, events: new Map(), lastEventAt: 0 };
    this.#metrics.track(this.#counts);
    this.#path = o.namespace ? `/api/v1/namespaces/${o.namespace}/${o.resource}` : `/api/v1/${o.resource}`;
    this.#what = `${o.resource}${o.namespace ? ` in namespace ${o.namespace}` : ''}${o.fieldSelector ? ` (${o.fieldSelector})` : ''}`;
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
    return [...this.#cache.values()].map((e) => e.t);
  }

  start(): void {
    if (this.#started) throw new Error(`KubeWatch(${this.#what}): start() called twice`);
    this.#started = true;
    this.#run = this.#loop();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#abort(new Error('watch stopped'));
    this.#sleepCancel?.();
    this.#wake?.();
    await this.#run;
  }

  async #loop(): Promise<void> {
    while (!this.#stopped) {
      try {
        if (this.#rv === undefined) await this.#relist();
        if (this.#stopped) break;
        const end = await this.#stream();
        if (end.kind === 'expired') {
          await this.#expired();
        } else {
          this.#restart('closed');
          // A server (or proxy) that ends every stream at once must not make us spin.
          if (!end.traffic) await this.#sleep(this.#nextBackoff());
        }
      } catch (err) {
        if (this.#stopped) break;
        await this.#onError(err);
      }
    }
  }

  /** 410 Gone, as an ERROR event or an HTTP status: relist; back off when it keeps happening. */
  async #expired(): Promise<void> {
    this.#restart('expired');
    this.#rv = undefined;
    if (this.#goneStreak++ > 0) await this.#sleep(this.#nextBackoff());
  }

  async #onError(err: unknown): Promise<void> {
    // An expired continue token, or a watch answered with HTTP 410: start over with a fresh LIST.
    if (err instanceof KubeApiError && err.status === 410) return this.#expired();
    const delay = this.#nextBackoff();
    if (err instanceof KubeApiError && (err.status === 401 || err.status === 403)) {
      this.#restart('unauthorized');
      if (!this.#refused) {
        this.#refused = true;
        this.#o.log.error(
          { resource: this.#o.resource, namespace: this.#o.namespace, status: err.status },
          `${err.status === 403 ? 'forbidden' : 'unauthorized'}: ${this.#rv === undefined ? 'list' : 'watch'} ${this.#what} — ${
            err.status === 403 ? 'check the ClusterRole/RoleBinding of podbell' : 'check the credentials in the kubeconfig or service account'
          } (retrying with backoff)`,
        );
      }
      await this.#sleep(delay);
      return;
    }
    if (err instanceof KubeApiError && err.status === 429) {
      this.#restart('throttled');
      await this.#sleep(Math.max(delay, err.retryAfterMs ?? 0));
      return;
    }
    this.#restart(err instanceof WatchStalledError ? 'watchdog' : 'error');
    this.#o.log.warn({ resource: this.#o.resource, namespace: this.#o.namespace, err: (err as Error)?.message ?? String(err), retryInMs: Math.round(delay) }, `watch of ${this.#what} failed; retrying`);
    await this.#sleep(delay);
  }

  /** The next delay of the jittered exponential backoff (src/backoff.ts). */
  #nextBackoff(): number {
    const delay = backoffDelay(this.#attempt, this.#initialBackoffMs, this.#maxBackoffMs, this.#random);
    this.#attempt = Math.min(this.#attempt + 1, 40);
    return delay;
  }

  /**
   * A watch stream delivered an event or bookmark: the next error starts the backoff from the
   * beginning. A successful LIST alone does not count, or a server that answers every WATCH with
   * 410 would get a full relist in a tight loop.
   */
  #healthy(): void {
    this.#attempt = 0;
    this.#goneStreak = 0;
  }

  /** The API server accepted a request: an earlier refusal (401/403) is over. */
  #accepted(): void {
    if (this.#refused) {
      this.#refused = false;
      this.#o.log.info({ resource: this.#o.resource, namespace: this.#o.namespace }, `access to ${this.#what} restored`);
    }
  }

  #restart(reason: RestartReason): void {
    this.#metrics.restarts.inc({ resource: this.#o.resource, reason });
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
    const fresh = new Map<string, Entry<T>>();
    let cont: string | undefined;
    let listRv: string | undefined;
    do {
      const q = this.#query({ limit: String(this.#pageSize), ...(cont && { continue: cont }) });
      const body = await this.#json(`${this.#path}?${q}`);
      const list = obj(body);
      const meta = obj(list?.metadata);
      if (!list || !Array.isArray(list.items)) throw new KubeApiError(500, `LIST ${this.#what}: response is not a list`);
      for (const item of list.items) {
        const t = this.#project(item, 'list');
        if (t !== undefined) fresh.set(this.#o.keyOf(t), { t, rv: rvOf(item) });
      }
      listRv = typeof meta?.resourceVersion === 'string' ? meta.resourceVersion : listRv;
      cont = typeof meta?.continue === 'string' && meta.continue !== '' ? meta.continue : undefined;
    } while (cont && !this.#stopped);
    if (this.#stopped) return;
    this.#accepted();
    this.#diff(fresh);
    this.#rv = listRv ?? '';
    if (!this.#synced) {
      this.#synced = true;
      this.#o.log.info({ resource: this.#o.resource, namespace: this.#o.namespace, objects: fresh.size }, `synced ${this.#what}`);
      try {
        this.#o.onSynced?.();
      } catch (err) {
        this.#o.log.error({ err: (err as Error)?.message }, 'onSynced threw');
      }
    }
  }

  /** Replaces the cache with a fresh LIST, emitting what changed while we were not watching. */
  #diff(fresh: Map<string, Entry<T>>): void {
    const old = this.#cache;
    this.#cache = fresh;
    for (const [key, e] of old) {
      if (!fresh.has(key)) {
        this.#count('RELIST_DELETED');
        this.#emit({ type: 'DELETED', prev: e.t, synthetic: true });
      }
    }
    for (const [key, e] of fresh) {
      const before = old.get(key);
      if (!before) {
        this.#count('RELIST_ADDED');
        this.#emit({ type: 'ADDED', next: e.t });
      } else if (before.rv !== e.rv || e.rv === undefined) {
        this.#count('RELIST_MODIFIED');
        this.#emit({ type: 'MODIFIED', prev: before.t, next: e.t });
      }
    }
  }

  // ---- WATCH ----

  async #stream(): Promise<StreamEnd> {
    const { min, max } = this.#timeout;
    const timeoutSeconds = Math.round(min + this.#random() * (max - min));
    const q = this.#query({ watch: 'true', allowWatchBookmarks: 'true', timeoutSeconds: String(timeoutSeconds), resourceVersion: this.#rv ?? '' });
    const res = await this.#open(`${this.#path}?${q}`);
    this.#accepted();
    return new Promise<StreamEnd>((resolve, reject) => {
      // Split on the newline byte and decode each complete line once: no stream-wide string decoding,
      // no re-concatenated string buffer, and a multi-byte character can never be cut in two (0x0A
      // never occurs inside one). Bytes of an unfinished line wait in `partial` until its newline comes.
      const partial: Buffer[] = [];
      let traffic = false;
      let done = false;
      const finish = (f: () => void) => {
        if (done) return;
        done = true;
        this.#disarm();
        f();
      };
      res.on('data', (chunk: Buffer) => {
        if (done) return;
        this.#lastActivity = this.#o.clock.now();
        let start = 0;
        for (let nl = chunk.indexOf(10); nl >= 0; nl = chunk.indexOf(10, start)) {
          let line: string;
          if (partial.length > 0) {
            partial.push(chunk.subarray(start, nl));
            line = Buffer.concat(partial).toString('utf8');
            partial.length = 0;
          } else {
            line = chunk.toString('utf8', start, nl);
          }
          start = nl + 1;
          try {
            const r = this.#line(line);
            if (r === 'expired') {
              finish(() => resolve({ kind: 'expired' }));
              this.#abort(new Error('watch expired'));
              return;
            }
            if (r === 'applied' && !traffic) {
              traffic = true;
              this.#healthy();
            }
          } catch (err) {
            finish(() => reject(err));
            this.#abort(err as Error);
            return;
          }
        }
        if (start < chunk.length) partial.push(start === 0 ? chunk : chunk.subarray(start));
      });
      res.on('end', () => {
        const rest = partial.length > 0 ? Buffer.concat(partial).toString('utf8') : '';
        if (rest.trim() !== '') {
          try {
            if (this.#line(rest) === 'expired') return finish(() => resolve({ kind: 'expired' }));
          } catch (err) {
            return finish(() => reject(err));
          }
        }
        finish(() => resolve({ kind: 'closed', traffic }));
      });
      const broken = (err?: Error) => finish(() => reject(this.#abortReason ?? err ?? new Error('watch connection closed mid-stream')));
      res.on('error', broken);
      res.on('aborted', () => broken());
      res.on('close', () => broken());
    });
  }

  /** Applies one JSON line of a watch stream: 'applied' for an event or bookmark, 'expired' on a 410 ERROR event. */
  #line(line: string): 'expired' | 'applied' | undefined {
    let ev: Obj | undefined;
    try {
      ev = obj(parseWithoutManagedFields(line));
    } catch {
      // Blank lines (keep-alives, a trailing CR) are not news; checked only here, off the hot path.
      if (line.trim() === '') return undefined;
      ev = undefined;
    }
    const type = ev?.type;
    if (!ev || typeof type !== 'string') {
      this.#count('MALFORMED');
      this.#o.log.warn({ resource: this.#o.resource, excerpt: excerpt(line) }, 'malformed watch line skipped');
      return undefined;
    }
    this.#count(type);
    this.#counts.lastEventAt = this.#o.clock.now();
    const raw = ev.object;
    if (type === 'ERROR') {
      const status = obj(raw);
      const code = typeof status?.code === 'number' ? status.code : 500;
      const message = typeof status?.message === 'string' ? status.message : 'watch ERROR event';
      if (code === 410) return 'expired';
      throw new KubeApiError(code, `WATCH ${this.#what}: ${message}`);
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
    const key = this.#o.keyOf(t);
    const before = this.#cache.get(key);
    if (type === 'DELETED') {
      this.#cache.delete(key);
      this.#emit(before ? { type, prev: before.t, next: t } : { type, next: t });
      return 'applied';
    }
    // The same version re-delivered (a resumed watch may repeat what a relist already showed).
    if (before && rv !== undefined && before.rv === rv) return 'applied';
    this.#cache.set(key, { t, rv });
    this.#emit(before ? { type, prev: before.t, next: t } : { type, next: t });
    return 'applied';
  }

  // ---- HTTP ----

  #query(params: Record<string, string>): string {
    const p = new URLSearchParams(params);
    if (this.#o.fieldSelector) p.set('fieldSelector', this.#o.fieldSelector);
    if (this.#o.labelSelector) p.set('labelSelector', this.#o.labelSelector);
    return p.toString();
  }

  async #json(pathAndQuery: string): Promise<unknown> {
    const res = await this.#open(pathAndQuery);
    const text = await readBody(res, {
      onData: () => (this.#lastActivity = this.#o.clock.now()),
      failure: (why, e) => this.#abortReason ?? (why === 'error' && e ? e : new Error(why === 'aborted' ? 'LIST response aborted' : 'LIST response closed before its end')),
    });
    this.#disarm();
    try {
      return parseWithoutManagedFields(text);
    } catch {
      throw new KubeApiError(500, `LIST ${this.#what}: response is not JSON: ${excerpt(text, 80)}`);
    }
  }

  /** Opens a GET with the kubeconfig's auth; rejects with KubeApiError on a non-2xx status. */
  async #open(pathAndQuery: string): Promise<IncomingMessage> {
    const { url, options, request } = await prepareKubeRequest(this.#o.kubeConfig, 'GET', pathAndQuery);
    if (this.#stopped) throw new Error('watch stopped');
    this.#abortReason = undefined;
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = request(url, options, resolve);
      this.#req = req;
      req.on('error', (e) => {
        // A request that fails outright must not leave the watchdog to fire during the backoff.
        this.#disarm();
        reject(this.#abortReason ?? e);
      });
      this.#arm();
      req.end();
    });
    this.#lastActivity = this.#o.clock.now();
    const status = res.statusCode ?? 0;
    if (status >= 200 && status < 300) return res;
    const body = await readBody(res, { maxChars: 4096 });
    this.#disarm();
    let message = excerpt(body.trim(), 200);
    try {
      const m = obj(JSON.parse(body))?.message;
      if (typeof m === 'string') message = m;
    } catch {
      // not a Status object: keep the excerpt
    }
    const ra = Number(res.headers['retry-after']);
    throw new KubeApiError(status, `GET ${url.pathname}: HTTP ${status}: ${message}`, Number.isFinite(ra) && ra >= 0 ? ra * 1000 : undefined);
  }

  #watchdogCancel: Cancel | undefined;

  /** Starts the silence watchdog for the current request: cheap, it only compares timestamps. */
  #arm(): void {
    this.#disarm();
    this.#lastActivity = this.#o.clock.now();
    const check = () => {
      const silent = this.#o.clock.now() - this.#lastActivity;
      if (silent >= this.#watchdogMs) {
        this.#watchdogCancel = undefined;
        this.#o.log.warn({ resource: this.#o.resource, namespace: this.#o.namespace, silentMs: silent }, `watch of ${this.#what} silent too long; reconnecting`);
        this.#abort(new WatchStalledError(silent));
      } else {
        this.#watchdogCancel = this.#o.clock.setTimer(this.#watchdogMs - silent, check);
      }
    };
    this.#watchdogCancel = this.#o.clock.setTimer(this.#watchdogMs, check);
  }

  #disarm(): void {
    this.#watchdogCancel?.();
    this.#watchdogCancel = undefined;
  }

  #abort(reason: Error): void {
    this.#disarm();
    const req = this.#req;
    if (!req) return;
    this.#abortReason ??= reason;
    this.#req = undefined;
    req.destroy(reason);
  }
}

/** Factory form of `new KubeWatch(options)`. */
export function createWatch<T>(options: KubeWatchOptions<T>): KubeWatch<T> {
  return new KubeWatch(options);
}
