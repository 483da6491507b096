import { systemClock, type Clock } from '../clock.js';
import { crashLoop, creating, deploymentPod, nameSuffix, evictedStatus, imagePullBackOff, oomKilled, podStatus, running } from './pods.js';
import type { SimCluster } from './store.js';
import { recordPodEvent } from './events.js';
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

  /**
   * Crash (exit code, default 1) and back off: CrashLoopBackOff with restartCount + 1. The crashed run's
   * log (`log`, else a few lines ending in the error) becomes the previous run's, and the kubelet's
   * BackOff Warning is recorded.
   */
  crash(pods = this.#all(), exitCode = 1, log?: readonly string[]): void {
    for (const p of this.#pick(pods)) {
      p.restarts++;
      p.last = { reason: 'Error', exitCode };
      this.#sim.logs.set(p.ref.namespace, p.ref.name, 'app', true, lines(log ?? crashLog(this.name, exitCode)));
      this.#sim.logs.set(p.ref.namespace, p.ref.name, 'app', false, '');
      this.#set(p, podStatus([crashLoop(this.#c(p), p.last)], this.#clock.now()));
      this.#warn(p, 'BackOff', `Back-off restarting failed container app in pod ${p.ref.name}_${p.ref.namespace}(${p.ref.uid})`);
    }
  }

  /** Liveness probe failures (Unhealthy Warnings, `failures` of them), then the kubelet kills it: exit 137 and back-off. */
  livenessFail(pods = this.#all(), failures = 3): void {
    for (const p of this.#pick(pods)) {
      for (let i = 0; i < failures; i++) this.#warn(p, 'Unhealthy', 'Liveness probe failed: HTTP probe failed with statuscode: 500');
    }
    this.crash(pods, 137, ['GET /healthz 500 (database unavailable)', 'GET /healthz 500 (database unavailable)', 'received SIGKILL']);
  }

  /** Killed by the OOM killer: terminated OOMKilled (exit 137), restartCount + 1 once the kubelet restarts it. */
  oom(pods = this.#all()): void {
    for (const p of this.#pick(pods)) {
      this.#sim.logs.set(p.ref.namespace, p.ref.name, 'app', false, lines([`${this.name} started`, 'loading catalogue into memory', 'cache size 245Mi and growing']));
      this.#set(p, podStatus([oomKilled(this.#c(p))], this.#clock.now()));
      p.restarts++;
      p.last = { reason: 'OOMKilled', exitCode: 137 };
    }
  }

  /** A bad image: ImagePullBackOff, with the kubelet's Failed and BackOff Warnings. */
  imagePull(pods = this.#all()): void {
    for (const p of this.#pick(pods)) {
      // As the kubelet: the pull fails (Failed Event), then the status says so, then it backs off.
      this.#warn(p, 'Failed', `Failed to pull image "${p.image}": rpc error: code = NotFound desc = failed to pull and unpack image "${p.image}": failed to resolve reference "${p.image}": ${p.image}: not found`);
      this.#set(p, podStatus([imagePullBackOff(this.#c(p))], this.#clock.now(), 'Pending'));
      this.#warn(p, 'BackOff', `Back-off pulling image "${p.image}"`);
    }
  }

  /** Running and ready again; lastState keeps the previous termination, as a kubelet reports it. */
  recover(pods = this.#all()): void {
    for (const p of this.#pick(pods)) {
      // A run that ended without a crash() (an OOM kill) is now the previous one.
      if (p.last?.reason === 'OOMKilled') this.#sim.logs.rotate(p.ref.namespace, p.ref.name, 'app');
      this.#sim.logs.set(p.ref.namespace, p.ref.name, 'app', false, lines([`${this.name} started`]));
      this.#set(p, podStatus([running(this.#c(p), p.last)], this.#clock.now()));
    }
  }

  /** Evicted under node pressure (pod phase Failed, reason Evicted), with the kubelet's Evicted Warning. */
  evict(pods = this.#all()): void {
    for (const p of this.#pick(pods)) {
      const status = evictedStatus(this.#clock.now());
      this.#sim.patchStatus(p.ref.namespace, p.ref.name, { ...status, containerStatuses: [] });
      this.#warn(p, 'Evicted', String(status.message));
    }
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

  #warn(p: PodRun, reason: string, message: string): void {
    recordPodEvent(this.#sim, { namespace: p.ref.namespace, pod: p.ref.name, uid: p.ref.uid, type: 'Warning', reason, message, fieldPath: 'spec.containers{app}', at: this.#clock.now() });
  }

  #set(p: PodRun, status: Obj): void {
    this.#sim.patchStatus(p.ref.namespace, p.ref.name, status);
  }
}

const lines = (l: readonly string[]): string => (l.length ? `${l.join('\n')}\n` : '');

/** What a crashing service typically prints before it exits. */
const crashLog = (name: string, exitCode: number): string[] => [
  `${name} starting (pid 1)`,
  'loading configuration from /etc/app/config.yaml',
  'connecting to database postgres:5432',
  'Error: connect ECONNREFUSED 10.0.3.7:5432',
  `    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1555:16)`,
  `exiting with code ${exitCode}`,
];
