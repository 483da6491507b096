import http from 'node:http';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Cancel, Clock } from '../clock.js';
import type { Logger } from '../log.js';
import type { RecordEvent, RecordKind, RecordSource } from './record.js';

/**
 * TODO(lead): a stop-gap for `podbell record` until src/adapters/kube/watch.ts (the kube engineer's
 * list+watch loop, with pagination, watchdog and jittered backoff) can hand out raw objects: record
 * needs whole objects, while the pipeline's watch keeps only the slim PodState. Then wire record to
 * that adapter and delete this file.
 *
 * Kept small: LIST (paginated) then WATCH from its resourceVersion with bookmarks; a stream that
 * ends is resumed; 410 Gone relists and reports pods that vanished meanwhile as DELETED; errors
 * back off 1 s doubling to 30 s. Auth and TLS come from the KubeConfig (client-node's agent).
 */
export interface KubeRawWatchOptions {
  readonly kc: KubeConfig;
  /** WATCH_NAMESPACES; empty: the whole cluster. */
  readonly namespaces: readonly string[];
  readonly clock: Clock;
  readonly log: Logger;
}

class GoneError extends Error {}

interface Stream {
  readonly kind: RecordKind;
  /** Path and query without watch parameters, e.g. /api/v1/namespaces/shop/pods. */
  readonly path: string;
  readonly query: string;
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined);
const metaOf = (o: unknown) => obj(obj(o)?.metadata);

export class KubeRawWatch implements RecordSource {
  readonly #o: KubeRawWatchOptions;
  readonly #abort = new AbortController();
  readonly #sleeps = new Set<Cancel>();
  #runs: Promise<void>[] = [];

  constructor(options: KubeRawWatchOptions) {
    for (const k of ['kc', 'clock', 'log'] as const) if (!options?.[k]) throw new TypeError(`KubeRawWatch: option ${k} is required`);
    if (!Array.isArray(options.namespaces)) throw new TypeError('KubeRawWatch: option namespaces must be an array');
    this.#o = options;
  }

  start(onEvent: (event: RecordEvent) => void): void {
    const streams: Stream[] = [];
    if (this.#o.namespaces.length === 0) {
      streams.push({ kind: 'Namespace', path: '/api/v1/namespaces', query: '' }, { kind: 'Pod', path: '/api/v1/pods', query: '' });
    } else {
      for (const ns of this.#o.namespaces) {
        streams.push({ kind: 'Namespace', path: '/api/v1/namespaces', query: `fieldSelector=${encodeURIComponent(`metadata.name=${ns}`)}` });
        streams.push({ kind: 'Pod', path: `/api/v1/namespaces/${encodeURIComponent(ns)}/pods`, query: '' });
      }
    }
    this.#runs = streams.map((s) => this.#run(s, onEvent));
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    for (const cancel of this.#sleeps) cancel();
    this.#sleeps.clear();
    await Promise.allSettled(this.#runs);
  }

  async #run(stream: Stream, onEvent: (event: RecordEvent) => void): Promise<void> {
    const known = new Map<string, unknown>();
    let rv: string | undefined;
    let backoff = 1000;
    while (!this.#abort.signal.aborted) {
      try {
        if (rv === undefined) rv = await this.#list(stream, known, onEvent);
        const ended = await this.#watch(stream, rv, known, onEvent);
        rv = ended.rv;
        if (ended.lines > 0) {
          backoff = 1000;
        } else {
          // A stream closed without a single line (a proxy cutting watches short): do not hammer it.
          await this.#sleep(backoff);
          backoff = Math.min(backoff * 2, 30_000);
        }
      } catch (err) {
        if (this.#abort.signal.aborted) return;
        if (err instanceof GoneError) {
          rv = undefined;
          continue;
        }
        this.#o.log.warn({ err, path: stream.path }, `record: ${stream.kind} watch failed; retrying in ${backoff / 1000}s`);
        await this.#sleep(backoff);
        backoff = Math.min(backoff * 2, 30_000);
      }
    }
  }

  async #list(stream: Stream, known: Map<string, unknown>, onEvent: (e: RecordEvent) => void): Promise<string> {
    const seen = new Set<string>();
    let cont: string | undefined;
    let rv = '';
    do {
      const q = [stream.query, 'limit=500', cont && `continue=${encodeURIComponent(cont)}`].filter(Boolean).join('&');
      const list = obj(JSON.parse(await this.#get(`${stream.path}?${q}`)));
      const meta = obj(list?.metadata);
      rv = typeof meta?.resourceVersion === 'string' ? meta.resourceVersion : rv;
      cont = typeof meta?.continue === 'string' && meta.continue !== '' ? meta.continue : undefined;
      for (const item of Array.isArray(list?.items) ? list.items : []) {
        const uid = metaOf(item)?.uid;
        if (typeof uid === 'string') {
          seen.add(uid);
          known.set(uid, item);
        }
        onEvent({ type: 'ADDED', kind: stream.kind, object: item });
      }
    } while (cont !== undefined);
    // Objects that vanished while we were not watching (a relist after 410): tell replay they are gone.
    for (const [uid, last] of [...known]) {
      if (seen.has(uid)) continue;
      known.delete(uid);
      onEvent({ type: 'DELETED', kind: stream.kind, object: last });
    }
    return rv;
  }

  async #watch(stream: Stream, rv: string, known: Map<string, unknown>, onEvent: (e: RecordEvent) => void): Promise<{ rv: string; lines: number }> {
    const q = [stream.query, 'watch=1', 'allowWatchBookmarks=true', 'timeoutSeconds=300', `resourceVersion=${encodeURIComponent(rv)}`].filter(Boolean).join('&');
    let last = rv;
    let lines = 0;
    const res = await this.#request(`${stream.path}?${q}`);
    let buf = '';
    res.setEncoding('utf8');
    for await (const chunk of res as AsyncIterable<string>) {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (line === '') continue;
        lines += 1;
        const ev = obj(JSON.parse(line));
        const type = ev?.type;
        const object = ev?.object;
        if (type === 'ERROR') {
          if (obj(object)?.code === 410) throw new GoneError('resourceVersion too old');
          throw new Error(`watch error: ${JSON.stringify(object)}`);
        }
        const objRv = metaOf(object)?.resourceVersion;
        if (typeof objRv === 'string') last = objRv;
        if (type !== 'ADDED' && type !== 'MODIFIED' && type !== 'DELETED') continue;
        const uid = metaOf(object)?.uid;
        if (typeof uid === 'string') {
          if (type === 'DELETED') known.delete(uid);
          else known.set(uid, object);
        }
        onEvent({ type, kind: stream.kind, object });
      }
    }
    return { rv: last, lines };
  }

  async #get(pathAndQuery: string): Promise<string> {
    const res = await this.#request(pathAndQuery);
    res.setEncoding('utf8');
    let body = '';
    for await (const chunk of res as AsyncIterable<string>) body += chunk;
    return body;
  }

  async #request(pathAndQuery: string): Promise<http.IncomingMessage> {
    const cluster = this.#o.kc.getCurrentCluster();
    if (!cluster) throw new Error('no current cluster in the kubeconfig');
    const url = new URL(cluster.server.replace(/\/$/, '') + pathAndQuery);
    const opts: https.RequestOptions = { headers: { Accept: 'application/json' } };
    await this.#o.kc.applyToHTTPSOptions(opts);
    const lib = url.protocol === 'http:' ? http : https;
    return new Promise((resolve, reject) => {
      const req = lib.request(url, { ...opts, method: 'GET', signal: this.#abort.signal }, (res) => {
        const status = res.statusCode ?? 0;
        if (status === 410) {
          res.resume();
          reject(new GoneError('410 Gone'));
        } else if (status < 200 || status >= 300) {
          res.resume();
          reject(new Error(`GET ${url.pathname}: HTTP ${status}`));
        } else {
          resolve(res);
        }
      });
      req.on('error', reject);
      req.end();
    });
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const cancelTimer = this.#o.clock.setTimer(ms, () => {
        this.#sleeps.delete(wake);
        resolve();
      });
      const wake: Cancel = () => {
        cancelTimer();
        resolve();
      };
      this.#sleeps.add(wake);
    });
  }
}
