import type { KubeConfig } from '@kubernetes/client-node';
import type { Clock } from '../../clock.js';
import type { LeaseRecord } from '../../core/election.js';
import { type Obj, objOrEmpty as obj } from '../../core/json.js';
import { KubeApiError, statusMessage } from './errors.js';
import { kubeJsonRequest, type KubeReply } from './request.js';

export interface LeaseClientOptions {
  readonly kubeConfig: KubeConfig;
  readonly clock: Clock;
  /** POD_NAMESPACE */
  readonly namespace: string;
  /** LEASE_NAME */
  readonly name: string;
  /** A request taking longer is abandoned: a renew must not outlive the renew deadline. */
  readonly timeoutMs: number;
}

/** A Lease as read: its spec and the resourceVersion a write must carry. */
export interface ReadLease {
  readonly record: LeaseRecord;
  readonly resourceVersion: string;
}

/**
 * One coordination.k8s.io/v1 Lease over the raw request path (no generated client models), with
 * optimistic concurrency: `write` replaces exactly the version read, and says 'conflict' when someone
 * else wrote in between (HTTP 409), as client-go's LeaseLock does.
 */
export class LeaseClient {
  readonly #o: LeaseClientOptions;
  readonly #path: string;

  constructor(options: LeaseClientOptions) {
    for (const k of ['namespace', 'name'] as const) {
      if (typeof options[k] !== 'string' || options[k] === '') throw new TypeError(`LeaseClient: option ${k} must be a non-empty string`);
    }
    this.#o = options;
    this.#path = `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(options.namespace)}/leases`;
  }

  /** namespace/name, for logs. */
  get where(): string {
    return `${this.#o.namespace}/${this.#o.name}`;
  }

  /** The Lease, or undefined when it does not exist. */
  async read(): Promise<ReadLease | undefined> {
    const r = await this.#request('GET', `${this.#path}/${encodeURIComponent(this.#o.name)}`);
    if (r.status === 404) return undefined;
    return this.#lease('read', r);
  }

  /** Creates the Lease; 'conflict' when another replica created it first. */
  async create(record: LeaseRecord): Promise<ReadLease | 'conflict'> {
    const r = await this.#request('POST', this.#path, this.#body(record, undefined));
    return r.status === 409 ? 'conflict' : this.#lease('create', r);
  }

  /** Replaces the version read; 'conflict' when it changed since (or was deleted). */
  async write(record: LeaseRecord, resourceVersion: string): Promise<ReadLease | 'conflict'> {
    const r = await this.#request('PUT', `${this.#path}/${encodeURIComponent(this.#o.name)}`, this.#body(record, resourceVersion));
    return r.status === 409 || r.status === 404 ? 'conflict' : this.#lease('update', r);
  }

  #request(method: string, path: string, body?: Obj): Promise<KubeReply> {
    return kubeJsonRequest({ kubeConfig: this.#o.kubeConfig, clock: this.#o.clock, timeoutMs: this.#o.timeoutMs }, method, path, body);
  }

  #body(record: LeaseRecord, resourceVersion: string | undefined): Obj {
    return {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        name: this.#o.name,
        namespace: this.#o.namespace,
        labels: { 'app.kubernetes.io/name': 'podbell', 'app.kubernetes.io/component': 'leader-election' },
        ...(resourceVersion !== undefined && { resourceVersion }),
      },
      spec: { ...record },
    };
  }

  #lease(what: string, r: KubeReply): ReadLease {
    const body = obj(r.body);
    if (r.status < 200 || r.status >= 300) {
      throw new KubeApiError(r.status, `cannot ${what} Lease ${this.where}: ${statusMessage(r.status, r.text)}`);
    }
    const spec = obj(body.spec);
    const rv = obj(body.metadata).resourceVersion;
    if (typeof rv !== 'string' || rv === '') throw new KubeApiError(r.status, `Lease ${this.where}: the answer has no resourceVersion`);
    const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
    const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
    const record: LeaseRecord = {
      ...(text(spec.holderIdentity) !== undefined && { holderIdentity: text(spec.holderIdentity)! }),
      ...(num(spec.leaseDurationSeconds) !== undefined && { leaseDurationSeconds: num(spec.leaseDurationSeconds)! }),
      ...(text(spec.acquireTime) !== undefined && { acquireTime: text(spec.acquireTime)! }),
      ...(text(spec.renewTime) !== undefined && { renewTime: text(spec.renewTime)! }),
      ...(num(spec.leaseTransitions) !== undefined && { leaseTransitions: num(spec.leaseTransitions)! }),
    };
    return { record, resourceVersion: rv };
  }
}
