import type { KubeConfig } from '@kubernetes/client-node';
import type { Clock } from '../../clock.js';
import type { Logger } from '../../log.js';
import { MAX_SNAPSHOT_BYTES, decodeSnapshot, encodeSnapshot, type LoadedState, type StateSnapshot } from '../../state/snapshot.js';
import type { SaveOutcome, StateStore } from '../../state/types.js';
import { type Obj, objOrEmpty as obj, nonEmptyString as stringOr } from '../../core/json.js';
import { KubeApiError, statusMessage } from '../kube/errors.js';
import { kubeJsonRequest, type KubeReply } from '../kube/request.js';

/** The key of the ConfigMap's data that holds the snapshot JSON. */
export const STATE_KEY = 'state.json';

export interface ConfigMapStateStoreOptions {
  /** Credentials and server, as for the watches (in-cluster service account in production). */
  readonly kubeConfig: KubeConfig;
  /** POD_NAMESPACE */
  readonly namespace: string;
  /** THREAD_STORE_CONFIGMAP */
  readonly name: string;
  readonly clock: Clock;
  readonly log: Logger;
  /** A request taking longer is abandoned (default 10000 ms). */
  readonly timeoutMs?: number;
  /** Snapshot size bound (default MAX_SNAPSHOT_BYTES). */
  readonly maxBytes?: number;
  /**
   * Asked before every write (leader election: "do I still hold the Lease?"). False: nothing is
   * written, outcome 'not_leader'. A conflict is then overwritten only while this still says true.
   */
  readonly mayWrite?: () => boolean;
}


/**
 * The state in one ConfigMap, over real HTTP with the kubeconfig's auth. Optimistic concurrency: a
 * save replaces the version it last read; on 409 Conflict it re-reads and saves once more (the
 * newest state of this process wins), logging that another writer exists.
 */
export class ConfigMapStateStore implements StateStore {
  readonly #o: ConfigMapStateStoreOptions;
  readonly #path: string;
  /** resourceVersion of the ConfigMap as last read or written; undefined: it does not exist (yet). */
  #rv: string | undefined;

  constructor(options: ConfigMapStateStoreOptions) {
    for (const k of ['kubeConfig', 'clock', 'log'] as const) if (!options[k]) throw new TypeError(`ConfigMapStateStore: option ${k} is required`);
    for (const k of ['namespace', 'name'] as const) {
      if (typeof options[k] !== 'string' || options[k] === '') throw new TypeError(`ConfigMapStateStore: option ${k} must be a non-empty string`);
    }
    this.#o = options;
    this.#path = `/api/v1/namespaces/${encodeURIComponent(options.namespace)}/configmaps`;
  }

  /** Where the state lives, for logs: namespace/name. */
  get where(): string {
    return `${this.#o.namespace}/${this.#o.name}`;
  }

  async load(): Promise<LoadedState> {
    const cm = await this.#read();
    if (!cm) {
      this.#o.log.info({ configmap: this.where }, 'no saved state yet; it is created on the first save');
      return {};
    }
    const text = obj(cm.data)[STATE_KEY];
    if (typeof text !== 'string') {
      this.#o.log.warn({ configmap: this.where, key: STATE_KEY }, `ConfigMap ${this.where} has no ${STATE_KEY}; starting empty`);
      return {};
    }
    const { state, problems } = decodeSnapshot(text);
    for (const p of problems) this.#o.log.warn({ configmap: this.where }, `saved state in ConfigMap ${this.where}: ${p}`);
    return state;
  }

  async save(snapshot: StateSnapshot): Promise<SaveOutcome> {
    const encoded = encodeSnapshot(snapshot, this.#o.clock.now(), this.#o.maxBytes ?? MAX_SNAPSHOT_BYTES);
    if (!encoded.ok) {
      this.#o.log.error({ configmap: this.where, bytes: encoded.bytes }, `state not saved: ${encoded.why}`);
      return 'too_large';
    }
    if (this.#o.mayWrite && !this.#o.mayWrite()) return 'not_leader';
    if (encoded.trimmed) this.#o.log.warn({ configmap: this.where, bytes: encoded.bytes, dropped: encoded.trimmed }, 'state too large for a ConfigMap; dropped the oldest resolved incidents and thread refs from the saved copy');
    if (this.#rv === undefined) {
      const created = await this.#request('POST', this.#path, this.#body(encoded.json, undefined));
      if (created.status !== 409) return this.#done(created, 'ok');
      await this.#read(); // created meanwhile by someone else: replace that version
    }
    const first = await this.#replace(encoded.json);
    if (first.status !== 409) return this.#done(first, 'ok');
    this.#o.log.warn({ configmap: this.where }, `ConfigMap ${this.where} was changed by another writer since podbell read it (is a second podbell running?); re-reading and saving again`);
    await this.#read();
    if (this.#o.mayWrite && !this.#o.mayWrite()) return 'not_leader';
    return this.#done(await this.#replace(encoded.json), 'conflict');
  }

  #replace(json: string): Promise<KubeReply> {
    if (this.#rv === undefined) return this.#request('POST', this.#path, this.#body(json, undefined));
    return this.#request('PUT', `${this.#path}/${encodeURIComponent(this.#o.name)}`, this.#body(json, this.#rv));
  }

  #done(r: KubeReply, outcome: SaveOutcome): SaveOutcome {
    if (r.status < 200 || r.status >= 300) {
      // Gone since we read it: the next save creates it again.
      if (r.status === 404) this.#rv = undefined;
      throw this.#error('save', r);
    }
    this.#rv = stringOr(obj(obj(r.body).metadata).resourceVersion);
    return outcome;
  }

  /** GETs the ConfigMap and remembers its resourceVersion; undefined on 404. */
  async #read(): Promise<Obj | undefined> {
    const r = await this.#request('GET', `${this.#path}/${encodeURIComponent(this.#o.name)}`);
    if (r.status === 404) {
      this.#rv = undefined;
      return undefined;
    }
    if (r.status < 200 || r.status >= 300) throw this.#error('read', r);
    const cm = obj(r.body);
    this.#rv = stringOr(obj(cm.metadata).resourceVersion);
    return cm;
  }

  #body(json: string, resourceVersion: string | undefined): Obj {
    return {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: this.#o.name,
        namespace: this.#o.namespace,
        labels: { 'app.kubernetes.io/name': 'podbell', 'app.kubernetes.io/component': 'state' },
        ...(resourceVersion !== undefined && { resourceVersion }),
      },
      data: { [STATE_KEY]: json },
    };
  }

  #error(what: string, r: KubeReply): KubeApiError {
    return new KubeApiError(r.status, `cannot ${what} ConfigMap ${this.where}: ${statusMessage(r.status, r.text)}`);
  }

  #request(method: string, path: string, body?: Obj): Promise<KubeReply> {
    return kubeJsonRequest({ kubeConfig: this.#o.kubeConfig, clock: this.#o.clock, timeoutMs: this.#o.timeoutMs ?? 10_000 }, method, path, body);
  }
}

