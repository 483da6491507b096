import { randomUUID } from 'node:crypto';
import { systemClock, type Clock } from '../clock.js';
import { SimApiError, badRequest, notFound } from './errors.js';
import { type Obj, objOrEmpty as obj } from '../core/json.js';
import { SimLogs } from './logs.js';

export type SimResource = 'pods' | 'namespaces' | 'configmaps' | 'leases' | 'events';

/** The kind of each resource, as objects and lists carry it. */
export const SIM_KINDS: Readonly<Record<SimResource, string>> = { pods: 'Pod', namespaces: 'Namespace', configmaps: 'ConfigMap', leases: 'Lease', events: 'Event' };
/** The apiVersion of each resource (group/version; the core group is plain v1). */
export const SIM_API_VERSIONS: Readonly<Record<SimResource, string>> = { pods: 'v1', namespaces: 'v1', configmaps: 'v1', leases: 'coordination.k8s.io/v1', events: 'v1' };
/** `leases.coordination.k8s.io`, `pods`: how the real server names a resource in its messages. */
export const qualifiedResource = (r: SimResource): string => (SIM_API_VERSIONS[r].includes('/') ? `${r}.${SIM_API_VERSIONS[r].split('/')[0]!}` : r);
/** The `group` of a Status's details (absent for the core group). */
const groupOf = (r: SimResource): { group?: string } => (SIM_API_VERSIONS[r].includes('/') ? { group: SIM_API_VERSIONS[r].split('/')[0]! } : {});
/** Resources that live in a namespace. */
const NAMESPACED: ReadonlySet<SimResource> = new Set(['pods', 'configmaps', 'leases', 'events']);
/** Resources without a status: what a PUT carries is the whole object. */
const NO_STATUS: ReadonlySet<SimResource> = new Set(['configmaps', 'leases', 'events']);
export type SimEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** One change in the store, as a watch delivers it; `prev` lets a watch with a selector turn MODIFIED into ADDED/DELETED. */
export interface SimEvent {
  readonly rv: number;
  readonly type: SimEventType;
  readonly resource: SimResource;
  readonly object: Obj;
  readonly prev?: Obj;
}

export interface SimClusterOptions {
  /** Time for creationTimestamp (default the system clock). */
  readonly clock?: Clock;
  /** How many events are kept for resuming watches; older resourceVersions get 410 Gone (default 5000). */
  readonly historySize?: number;
  /** Namespaces that exist from the start (default default, kube-system). */
  readonly namespaces?: readonly string[];
}

const NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/** Kubernetes timestamps are RFC 3339 at second precision. */
export const k8sTime = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

/**
 * The in-memory object store of the simulated API server: pods and namespaces, a global
 * monotonically increasing resourceVersion, and a bounded event history for resuming watches.
 * Everything going in and out is deep-copied, so callers can never alias stored objects.
 */
export class SimCluster {
  readonly #clock: Clock;
  readonly #historySize: number;
  #rv = 100;
  /** resourceVersion of the newest event no longer in history: watches from before it get 410. */
  #compactedRv = 100;
  readonly #objects: Record<SimResource, Map<string, Obj>> = { pods: new Map(), namespaces: new Map(), configmaps: new Map(), leases: new Map(), events: new Map() };
  #history: SimEvent[] = [];
  #historyStart = 0;
  readonly #listeners = new Set<(e: SimEvent) => void>();
  /** Container logs (what `kubectl logs` reads); a pod's go when it is deleted. */
  readonly logs = new SimLogs();

  constructor(options: SimClusterOptions = {}) {
    this.#clock = options.clock ?? systemClock;
    const h = options.historySize ?? 5000;
    if (!(Number.isInteger(h) && h >= 1)) throw new TypeError(`SimCluster: options.historySize must be a whole number >= 1, got ${h}`);
    this.#historySize = h;
    for (const ns of options.namespaces ?? ['default', 'kube-system']) this.setNamespace(ns);
  }

  /** The current (newest) resourceVersion, as the opaque string clients see. */
  get resourceVersion(): string {
    return String(this.#rv);
  }

  // ---- driving API for tests, demo and bench ----

  /**
   * Creates or replaces a pod; a missing namespace is created first (this driving API stands in for a
   * cluster admin; over HTTP a pod in a missing namespace is refused). Returns the stored pod.
   */
  apply(pod: Obj): Obj {
    const meta = obj(pod.metadata);
    const ns = typeof meta.namespace === 'string' ? meta.namespace : 'default';
    const name = String(meta.name ?? '');
    const existing = this.#objects.pods.get(`${ns}/${name}`);
    if (!existing && !this.#objects.namespaces.has(ns)) this.setNamespace(ns);
    if (!existing) return this.create('pods', { ...pod, metadata: { ...meta, namespace: ns } });
    return this.replace('pods', ns, name, { ...pod, metadata: { ...meta, namespace: ns, resourceVersion: undefined } }, { withStatus: true });
  }

  /** Sets a pod's status the way a kubelet does: top-level fields given replace those fields (lists wholesale). */
  patchStatus(ns: string, name: string, status: Obj): Obj {
    const cur = this.#must('pods', ns, name);
    return this.#write('pods', cur, { ...cur, status: { ...obj(cur.status), ...structuredClone(status) } });
  }

  /** Deletes a pod; returns its last state, or undefined when there was none. */
  delete(ns: string, name: string): Obj | undefined {
    return this.remove('pods', ns, name);
  }

  /** Creates a namespace or replaces its annotations (and labels, when given). */
  setNamespace(name: string, annotations?: Readonly<Record<string, string>>, labels?: Readonly<Record<string, string>>): Obj {
    const cur = this.#objects.namespaces.get(name);
    if (!cur) {
      return this.create('namespaces', {
        metadata: { name, ...(annotations && { annotations: { ...annotations } }), ...(labels && { labels: { ...labels } }) },
      });
    }
    const meta = obj(cur.metadata);
    const next: Obj = { ...cur, metadata: { ...meta, annotations: { ...(annotations ?? {}) }, ...(labels && { labels: { ...labels, 'kubernetes.io/metadata.name': name } }) } };
    return this.#write('namespaces', cur, next);
  }

  /** Forgets the event history: every watch resuming from an older resourceVersion will get 410 Gone. */
  compact(): void {
    this.#compactedRv = this.#rv;
    this.#history = [];
    this.#historyStart = 0;
  }

  // ---- generic API used by the HTTP server ----

  get(resource: SimResource, ns: string | undefined, name: string): Obj | undefined {
    const o = this.#objects[resource].get(this.#key(resource, ns, name));
    return o && structuredClone(o);
  }

  /** Every object of a resource (in one namespace when given), sorted by namespace then name. */
  list(resource: SimResource, ns?: string): Obj[] {
    const out: Obj[] = [];
    for (const [key, o] of this.#objects[resource]) if (!ns || resource === 'namespaces' || key.startsWith(`${ns}/`)) out.push(structuredClone(o));
    return out.sort((a, b) => (this.#sortKey(a) < this.#sortKey(b) ? -1 : 1));
  }

  create(resource: SimResource, input: Obj): Obj {
    const meta = { ...obj(input.metadata) };
    if (!meta.name && typeof meta.generateName === 'string') meta.name = `${meta.generateName}${randomUUID().replace(/-/g, '').slice(0, 5)}`;
    const name = meta.name;
    if (typeof name !== 'string' || !NAME.test(name)) throw new SimApiError(422, 'Invalid', `${resource.slice(0, -1)} name ${JSON.stringify(name ?? '')} is invalid: must be a lowercase RFC 1123 name`);
    let ns: string | undefined;
    if (NAMESPACED.has(resource)) {
      ns = typeof meta.namespace === 'string' ? meta.namespace : 'default';
      // Like the real API server's NamespaceLifecycle admission: no objects in a namespace that is not there.
      if (!this.#objects.namespaces.has(ns)) throw notFound('namespaces', ns);
    } else delete meta.namespace;
    const key = this.#key(resource, ns, name);
    if (this.#objects[resource].has(key)) {
      throw new SimApiError(409, 'AlreadyExists', `${qualifiedResource(resource)} "${name}" already exists`, { name, ...groupOf(resource), kind: resource });
    }
    const o: Obj = structuredClone({ ...input });
    o.apiVersion = SIM_API_VERSIONS[resource];
    o.kind = SIM_KINDS[resource];
    delete meta.resourceVersion;
    o.metadata = {
      ...meta,
      ...(ns !== undefined && { namespace: ns }),
      uid: randomUUID(),
      creationTimestamp: k8sTime(this.#clock.now()),
      ...(resource === 'pods' && { generation: 1 }),
      ...(resource === 'namespaces' && { labels: { ...obj(meta.labels), 'kubernetes.io/metadata.name': name } }),
    };
    if (resource === 'pods') {
      o.spec = { restartPolicy: 'Always', ...obj(o.spec) };
      o.status = { phase: 'Pending', ...obj(o.status) };
    } else if (resource === 'namespaces') {
      o.spec = { finalizers: ['kubernetes'], ...obj(o.spec) };
      o.status = { phase: 'Active', ...obj(o.status) };
    }
    return this.#commit('ADDED', resource, key, o, undefined);
  }

  /**
   * PUT semantics: the main resource changes everything but status; the status subresource only
   * status (`withStatus` lets the driving API change both). A resourceVersion in the body must match.
   */
  replace(resource: SimResource, ns: string | undefined, name: string, input: Obj, opts: { subresource?: 'status'; withStatus?: boolean } = {}): Obj {
    const cur = this.#must(resource, ns, name);
    const inMeta = obj(input.metadata);
    const curMeta = obj(cur.metadata);
    if (inMeta.name !== undefined && inMeta.name !== name) throw badRequest(`the name of the object (${String(inMeta.name)}) does not match the name in the URL (${name})`);
    if (typeof inMeta.resourceVersion === 'string' && inMeta.resourceVersion !== '' && inMeta.resourceVersion !== curMeta.resourceVersion) {
      throw new SimApiError(409, 'Conflict', `Operation cannot be fulfilled on ${qualifiedResource(resource)} "${name}": the object has been modified; please apply your changes to the latest version and try again`, { name, ...groupOf(resource), kind: resource });
    }
    let next: Obj;
    if (opts.subresource === 'status') next = { ...cur, status: structuredClone(input.status ?? {}) };
    else {
      next = { ...structuredClone(input), status: opts.withStatus && input.status !== undefined ? structuredClone(input.status) : cur.status };
      // A ConfigMap, Lease or Event has no status: what the PUT carries is the whole object.
      if (NO_STATUS.has(resource)) delete next.status;
      next.metadata = { ...obj(next.metadata), name, ...(ns !== undefined && NAMESPACED.has(resource) && { namespace: ns }) };
    }
    return this.#write(resource, cur, next);
  }

  remove(resource: SimResource, ns: string | undefined, name: string): Obj | undefined {
    const key = this.#key(resource, ns, name);
    const cur = this.#objects[resource].get(key);
    if (!cur) return undefined;
    if (resource === 'namespaces') {
      for (const r of NAMESPACED) for (const p of this.list(r, name)) this.remove(r, name, String(obj(p.metadata).name));
    }
    this.#rv++;
    const last = structuredClone(cur);
    (last.metadata as Obj).resourceVersion = String(this.#rv);
    this.#objects[resource].delete(key);
    if (resource === 'pods') this.logs.forget(String(obj(cur.metadata).namespace), name);
    this.#record({ rv: this.#rv, type: 'DELETED', resource, object: last, prev: cur });
    return structuredClone(last);
  }

  /** Events after `rv` (exclusive), or 'expired' when history no longer reaches back that far. */
  since(rv: number): SimEvent[] | 'expired' {
    if (rv < this.#compactedRv) return 'expired';
    const out: SimEvent[] = [];
    for (let i = this.#historyStart; i < this.#history.length; i++) if (this.#history[i]!.rv > rv) out.push(this.#history[i]!);
    return out;
  }

  /** Live events, delivered synchronously in resourceVersion order. */
  subscribe(fn: (e: SimEvent) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  // ---- internals ----

  #key(resource: SimResource, ns: string | undefined, name: string): string {
    return NAMESPACED.has(resource) ? `${ns ?? 'default'}/${name}` : name;
  }

  #sortKey(o: Obj): string {
    const m = obj(o.metadata);
    return `${String(m.namespace ?? '')}\u0000${String(m.name ?? '')}`;
  }

  #must(resource: SimResource, ns: string | undefined, name: string): Obj {
    const cur = this.#objects[resource].get(this.#key(resource, ns, name));
    if (!cur) throw notFound(qualifiedResource(resource), name);
    return cur;
  }

  /** Stores a new version of an existing object, keeping the fields only the server may set. */
  #write(resource: SimResource, cur: Obj, next: Obj): Obj {
    const curMeta = obj(cur.metadata);
    const o: Obj = structuredClone(next);
    o.apiVersion = SIM_API_VERSIONS[resource];
    o.kind = SIM_KINDS[resource];
    const meta = obj(o.metadata);
    const specChanged = JSON.stringify(cur.spec) !== JSON.stringify(o.spec);
    o.metadata = {
      ...meta,
      name: curMeta.name,
      ...(curMeta.namespace !== undefined && { namespace: curMeta.namespace }),
      uid: curMeta.uid,
      creationTimestamp: curMeta.creationTimestamp,
      ...(curMeta.generation !== undefined && { generation: (curMeta.generation as number) + (specChanged ? 1 : 0) }),
    };
    const key = this.#key(resource, curMeta.namespace as string | undefined, String(curMeta.name));
    // Like the real server, a write that changes nothing keeps the resourceVersion and sends no event.
    (o.metadata as Obj).resourceVersion = curMeta.resourceVersion;
    if (JSON.stringify(o) === JSON.stringify(cur)) return structuredClone(cur);
    return this.#commit('MODIFIED', resource, key, o, cur);
  }

  #commit(type: SimEventType, resource: SimResource, key: string, o: Obj, prev: Obj | undefined): Obj {
    this.#rv++;
    (o.metadata as Obj).resourceVersion = String(this.#rv);
    this.#objects[resource].set(key, o);
    this.#record({ rv: this.#rv, type, resource, object: o, ...(prev && { prev }) });
    return structuredClone(o);
  }

  #record(e: SimEvent): void {
    this.#history.push(e);
    if (this.#history.length - this.#historyStart > this.#historySize) {
      this.#compactedRv = this.#history[this.#historyStart]!.rv;
      this.#historyStart++;
      // Drop the dead prefix now and then instead of shifting on every event.
      if (this.#historyStart > 1024 && this.#historyStart * 2 > this.#history.length) {
        this.#history = this.#history.slice(this.#historyStart);
        this.#historyStart = 0;
      }
    }
    for (const fn of this.#listeners) fn(e);
  }
}
