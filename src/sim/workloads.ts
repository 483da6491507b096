import { systemClock, type Clock } from '../clock.js';
import { crashLoop, creating, deploymentPod, nameSuffix, evictedStatus, imagePullBackOff, oomKilled, podStatus, running } from './pods.js';
import type { SimCluster } from './store.js';
import type { Obj } from '../core/json.js';

/**
 * Scripted workloads on a SimCluster for the demo, tests and benchmarks: Deployments whose pods go
 * through the statuses a kubelet really writes (crash loops with growing restartCount, OOM kills,
 * image pull back-off, recovery with lastState kept, eviction).
 */

export interface SimPodRef {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
}

interface PodRun {
  readonly ref: SimPodRef;
  readonly image: string;
  restarts: number;
  last?: { reason: string; exitCode: number };
}

export interface DeployOptions {
  readonly namespace: string;
  readonly name: string;
  readonly replicas?: number;
  readonly image?: string;
  /** Pod names are `<name>-<hash>-<suffix>`; suffixes derive from this seed so runs repeat (default the name). */
  readonly seed?: string;
}

export class SimDeployment {
  readonly namespace: string;
  readonly name: string;
  readonly #sim: SimCluster;
  readonly #clock: Clock;
  readonly #pods: PodRun[] = [];

  constructor(sim: SimCluster, o: DeployOptions, clock: Clock = systemClock) {
    const replicas = o.replicas ?? 1;
    if (!(Number.isInteger(replicas) && replicas >= 1)) throw new TypeError(`SimDeployment: options.replicas must be a whole number >= 1, got ${replicas}`);
    this.#sim = sim;
    this.#clock = clock;
    this.namespace = o.namespace;
    this.name = o.name;
    const image = o.image ?? `registry.example.com/${o.name}:1.0.0`;
    for (let i = 0; i < replicas; i++) {
      const suffix = nameSuffix(`${o.seed ?? o.name}-${i}`, 5);
      const created = sim.apply(deploymentPod({ namespace: o.namespace, deployment: o.name, suffix, containers: [{ name: 'app', image }] }));
      const meta = created.metadata as { name: string; uid: string };
      this.#pods.push({ ref: { namespace: o.namespace, name: meta.name, uid: meta.uid }, image, restarts: 0 });
    }
    for (const p of this.#pods) this.#set(p, podStatus([running(this.#c(p))], this.#clock.now()));
  }

  /** The pods, in creation order. */
  get pods(): readonly SimPodRef[] {
    return this.#pods.map((p) => p.ref);
  }

  /** Crash (exit code, default 1) and back off: CrashLoopBackOff with restartCount + 1. */
  crash(pods = this.#all(), exitCode = 1): void {
    for (const p of this.#pick(pods)) {
      p.restarts++;
      p.last = { reason: 'Error', exitCode };
      this.#set(p, podStatus([crashLoop(this.#c(p), p.last)], this.#clock.now()));
    }
  }

  /** Killed by the OOM killer: terminated OOMKilled (exit 137), restartCount + 1 once the kubelet restarts it. */
  oom(pods = this.#all()): void {
    for (const p of this.#pick(pods)) {
      this.#set(p, podStatus([oomKilled(this.#c(p))], this.#clock.now()));
      p.restarts++;
      p.last = { reason: 'OOMKilled', exitCode: 137 };
    }
  }

  /** A bad image: ImagePullBackOff. */
  imagePull(pods = this.#all()): void {
    for (const p of this.#pick(pods)) this.#set(p, podStatus([imagePullBackOff(this.#c(p))], this.#clock.now(), 'Pending'));
  }

  /** Running and ready again; lastState keeps the previous termination, as a kubelet reports it. */
  recover(pods = this.#all()): void {
    for (const p of this.#pick(pods)) this.#set(p, podStatus([running(this.#c(p), p.last)], this.#clock.now()));
  }

  /** Evicted under node pressure (pod phase Failed, reason Evicted). */
  evict(pods = this.#all()): void {
    for (const p of this.#pick(pods)) this.#sim.patchStatus(p.ref.namespace, p.ref.name, { ...evictedStatus(this.#clock.now()), containerStatuses: [] });
  }

  /** Starting containers (ContainerCreating): never a failure. */
  starting(pods = this.#all()): void {
    for (const p of this.#pick(pods)) this.#set(p, podStatus([creating(this.#c(p))], this.#clock.now(), 'Pending'));
  }

  #all(): number[] {
    return this.#pods.map((_, i) => i);
  }

  #pick(indexes: readonly number[]): PodRun[] {
    return indexes.map((i) => {
      const p = this.#pods[i];
      if (!p) throw new RangeError(`SimDeployment ${this.name}: no pod at index ${i} (it has ${this.#pods.length})`);
      return p;
    });
  }

  #c(p: PodRun) {
    return { name: 'app', image: p.image, restartCount: p.restarts, at: this.#clock.now() };
  }

  #set(p: PodRun, status: Obj): void {
    this.#sim.patchStatus(p.ref.namespace, p.ref.name, status);
  }
}
