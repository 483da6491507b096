import type { ValuePool } from './pool.js';
import { resolveWorkload, type WorkloadRef } from './workload.js';
import { type Obj, obj, nonEmptyString as str } from './json.js';

/**
 * Where a container is declared. A native sidecar is an init container with `restartPolicy: Always`:
 * it runs beside the app containers and restarts like them, so detection treats it as one.
 */
export type ContainerKind = 'container' | 'init' | 'sidecar' | 'ephemeral';

/** The previous run of a container (status.*ContainerStatuses[].lastState.terminated). */
export interface LastTermination {
  readonly reason?: string;
  readonly exitCode?: number;
  readonly message?: string;
  /** finishedAt in ms since the epoch; kept only for OOMKilled (startup recency), absent when unparseable. */
  readonly finishedAt?: number;
}

/** The slim projection of one container's status: what detection needs, nothing more. */
export interface ContainerState {
  readonly name: string;
  readonly kind: ContainerKind;
  /** status image, else the spec image, else ''. */
  readonly image: string;
  readonly restartCount: number;
  readonly state: 'waiting' | 'running' | 'terminated' | 'unknown';
  /** waiting.reason or terminated.reason */
  readonly reason?: string;
  /** waiting.message or terminated.message (capped, see ProjectOptions.maxMessage) */
  readonly message?: string;
  /** terminated.exitCode */
  readonly exitCode?: number;
  /** terminated.finishedAt in ms; kept only for a non-zero (or unknown) exit, absent when unparseable. */
  readonly finishedAt?: number;
  /** resources.limits.memory (e.g. `256Mi`), kept only for a container killed by the OOM killer (the cause line names it). */
  readonly memoryLimit?: string;
  /**
   * lastState.terminated. Kept only where detection reads it: while the container is not running
   * (exit code and message of a CrashLoopBackOff) or when it was an OOMKill.
   */
  readonly last?: LastTermination;
}

/** What podbell keeps in memory per pod uid instead of the whole V1Pod. */
export interface PodState {
  /** metadata.uid; `namespace/name` when the object has no uid (hand-written input to `podbell check`). */
  readonly uid: string;
  /** metadata.namespace, 'default' when absent (as kubectl assumes). */
  readonly namespace: string;
  readonly name: string;
  readonly node?: string;
  readonly phase?: string;
  readonly reason?: string;
  /** status.message, kept only for Failed pods (it explains Evicted and friends). */
  readonly message?: string;
  readonly restartPolicy?: string;
  /** metadata.deletionTimestamp is set: containers killed by the deletion are not failures. */
  readonly terminating?: boolean;
  /** The pod's conditions that tell a stuck pod from a starting one (see PodConditions). */
  readonly conditions?: PodConditions;
  readonly workload: WorkloadRef;
  /** Only the annotations podbell reads (podbell.io/*, kube-slack/*). */
  readonly annotations?: Readonly<Record<string, string>>;
  readonly containers: readonly ContainerState[];
}

/**
 * What detection reads from status.conditions. Times are lastTransitionTime in ms, absent when
 * unparseable (a stuck pod is then not judged: how long it has waited cannot be read).
 */
export interface PodConditions {
  /** PodScheduled is False with reason Unschedulable: since when, and the scheduler's words. */
  readonly unschedulableSince?: number;
  readonly unschedulableMessage?: string;
  /** PodScheduled is True: since when (a scheduled pod's containers should start soon after). */
  readonly scheduledSince?: number;
  /** Why the containers have not started: the first False condition's message (Initialized, ContainersReady). */
  readonly notStartedMessage?: string;
  /**
   * A DisruptionTarget condition is True for a planned disruption (preemption, drain, taint eviction),
   * not a failure. The kubelet's own (reason TerminationByKubelet: node pressure, shutdown) is not kept.
   */
  readonly disruption?: boolean;
  /** A Pending pod's PodScheduled condition has no readable lastTransitionTime: it cannot be judged stuck. */
  readonly unreadableSince?: boolean;
}

export interface ProjectOptions {
  /**
   * Longest message kept per container, in characters (default 1024); longer ones end in '…'.
   * Bounds memory when thousands of pods fail with 4 KiB termination messages.
   */
  readonly maxMessage?: number;
  /** Shares namespace, node, image and container names and workload refs with earlier pods (memory). */
  readonly pool?: ValuePool;
  /**
   * Project a pod without metadata.name too (name '', uid '' unless metadata.uid is set): what
   * `podbell check` does with objects people paste. The bot never sees such objects from the API.
   */
  readonly unnamed?: boolean;
}

const DEFAULT_MAX_MESSAGE = 1024;

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const time = (v: unknown): number | undefined => {
  if (typeof v !== 'string') return undefined;
  const t = Date.parse(v);
  return Number.isFinite(t) ? t : undefined;
};
/** Keeps the END of a long message: stack traces and logs end with the error that matters. */
const cap = (s: string | undefined, max: number): string | undefined => (s === undefined || s.length <= max ? s : `…${s.slice(s.length - Math.max(0, max - 1))}`);

/** Keeps the annotations podbell understands; the rest of a pod's metadata is dropped. */
export function ourAnnotations(v: unknown): Readonly<Record<string, string>> | undefined {
  const a = obj(v);
  if (!a) return undefined;
  let out: Record<string, string> | undefined;
  for (const k in a) {
    const val = a[k];
    if (typeof val === 'string' && (k.startsWith('podbell.io/') || k.startsWith('kube-slack/'))) (out ??= {})[k] = val;
  }
  return out;
}

/** spec.<key>[] entry named `name`, or undefined; linear because pods have a handful of containers. */
function specOf(spec: Obj | undefined, key: string, name: string): Obj | undefined {
  const list = spec?.[key];
  if (!Array.isArray(list)) return undefined;
  for (const c of list) {
    const o = obj(c);
    if (o && o.name === name) return o;
  }
  return undefined;
}

function projectLast(raw: unknown, running: boolean, max: number): LastTermination | undefined {
  const t = obj(obj(raw)?.terminated);
  if (!t) return undefined;
  const reason = str(t.reason);
  const oom = reason === 'OOMKilled';
  if (running && !oom) return undefined;
  const exitCode = num(t.exitCode);
  const message = cap(str(t.message), max);
  const finishedAt = oom ? time(t.finishedAt) : undefined;
  if (reason === undefined && exitCode === undefined && message === undefined) return undefined;
  const last: { reason?: string; exitCode?: number; message?: string; finishedAt?: number } = {};
  if (reason !== undefined) last.reason = reason;
  if (exitCode !== undefined) last.exitCode = exitCode;
  if (message !== undefined) last.message = message;
  if (finishedAt !== undefined) last.finishedAt = finishedAt;
  return last;
}

type MutableContainer = { -readonly [K in keyof ContainerState]: ContainerState[K] };

function projectContainer(raw: unknown, statusKey: string, spec: Obj | undefined, max: number, pool: ValuePool | undefined): ContainerState | undefined {
  const c = obj(raw);
  const name = str(c?.name);
  if (!c || !name) return undefined;
  let kind: ContainerKind = 'container';
  let specC: Obj | undefined;
  if (statusKey === 'initContainerStatuses') {
    specC = specOf(spec, 'initContainers', name);
    kind = specC?.restartPolicy === 'Always' ? 'sidecar' : 'init';
  } else if (statusKey === 'ephemeralContainerStatuses') {
    kind = 'ephemeral';
  }
  const st = obj(c.state);
  const waiting = obj(st?.waiting);
  const terminated = obj(st?.terminated);
  const running = !terminated && !waiting && obj(st?.running) !== undefined;
  let image = str(c.image);
  if (image === undefined) {
    specC ??= specOf(spec, kind === 'ephemeral' ? 'ephemeralContainers' : kind === 'container' ? 'containers' : 'initContainers', name);
    image = str(specC?.image) ?? '';
  }
  const out: MutableContainer = {
    name: pool ? pool.string(name) : name,
    kind,
    image: pool ? pool.string(image) : image,
    restartCount: num(c.restartCount) ?? 0,
    state: terminated ? 'terminated' : waiting ? 'waiting' : running ? 'running' : 'unknown',
  };
  // A running container has no current reason; terminated wins over waiting if both are (wrongly) set.
  const now = terminated ?? waiting;
  if (now) {
    const reason = str(now.reason);
    if (reason !== undefined) out.reason = reason;
    const message = cap(str(now.message), max);
    if (message !== undefined) out.message = message;
  }
  if (terminated) {
    const exitCode = num(terminated.exitCode);
    if (exitCode !== undefined) out.exitCode = exitCode;
    // Only a failed run's end time is ever read (startup recency): completed ones skip the Date.parse.
    if (exitCode !== 0) {
      const finishedAt = time(terminated.finishedAt);
      if (finishedAt !== undefined) out.finishedAt = finishedAt;
    }
  }
  const last = projectLast(c.lastState, running, max);
  if (last) out.last = last;
  if (out.reason === 'OOMKilled' || last?.reason === 'OOMKilled') {
    specC ??= specOf(spec, kind === 'ephemeral' ? 'ephemeralContainers' : kind === 'container' ? 'containers' : 'initContainers', name);
    const limit = str(obj(obj(specC?.resources)?.limits)?.memory);
    if (limit !== undefined) out.memoryLimit = pool ? pool.string(limit) : limit;
  }
  return out;
}

const STATUS_KEYS = ['initContainerStatuses', 'containerStatuses', 'ephemeralContainerStatuses'] as const;

type MutablePod = { -readonly [K in keyof PodState]: PodState[K] };

/**
 * Projects a V1Pod-shaped object (as parsed JSON) to a PodState. Total: never throws. An object
 * without metadata.name cannot be told apart from others and yields undefined; a missing uid falls
 * back to `namespace/name`; any other odd or missing field is skipped.
 */
export function projectPod(raw: unknown, options?: ProjectOptions): PodState | undefined {
  try {
    return project(raw, options?.maxMessage ?? DEFAULT_MAX_MESSAGE, options?.pool, options?.unnamed === true);
  } catch {
    // Unreachable for parsed JSON; guards against exotic objects (getters that throw, proxies).
    return undefined;
  }
}

function project(raw: unknown, max: number, pool: ValuePool | undefined, unnamed: boolean): PodState | undefined {
  const pod = obj(raw);
  const meta = obj(pod?.metadata) ?? (unnamed ? {} : undefined);
  const name = str(meta?.name) ?? (unnamed ? '' : undefined);
  if (!pod || !meta || name === undefined) return undefined;
  const namespace = str(meta.namespace) ?? 'default';
  const spec = obj(pod.spec);
  const status = obj(pod.status);
  const containers: ContainerState[] = [];
  if (status) {
    for (const key of STATUS_KEYS) {
      const list = status[key];
      if (!Array.isArray(list)) continue;
      for (const c of list) {
        const p = projectContainer(c, key, spec, max, pool);
        if (p) containers.push(p);
      }
    }
  }
  const workload = resolveWorkload(meta, name);
  const out: MutablePod = {
    uid: str(meta.uid) ?? (name ? `${namespace}/${name}` : ''),
    namespace: pool ? pool.string(namespace) : namespace,
    name,
    workload: pool ? pool.workload(workload) : workload,
    containers,
  };
  const node = str(spec?.nodeName);
  if (node !== undefined) out.node = pool ? pool.string(node) : node;
  const phase = str(status?.phase);
  if (phase !== undefined) out.phase = phase;
  const reason = str(status?.reason);
  if (reason !== undefined) out.reason = reason;
  if (phase === 'Failed') {
    const message = cap(str(status?.message), max);
    if (message !== undefined) out.message = message;
  }
  const restartPolicy = str(spec?.restartPolicy);
  if (restartPolicy !== undefined) out.restartPolicy = restartPolicy;
  if (meta.deletionTimestamp !== undefined && meta.deletionTimestamp !== null) out.terminating = true;
  const annotations = ourAnnotations(meta.annotations);
  if (annotations) out.annotations = annotations;
  const conditions = projectConditions(status?.conditions, max, phase === 'Pending' || phase === undefined);
  if (conditions) out.conditions = conditions;
  return out;
}

type MutableConditions = { -readonly [K in keyof PodConditions]: PodConditions[K] };

/**
 * The few conditions detection reads; undefined when none applies. Only a pod that has not started
 * (Pending) keeps its scheduling times, so the thousands of running pods cost nothing here.
 */
function projectConditions(raw: unknown, max: number, pending: boolean): PodConditions | undefined {
  if (!Array.isArray(raw)) return undefined;
  const out: MutableConditions = {};
  let any = false;
  for (const item of raw) {
    const c = obj(item);
    if (!c) continue;
    const type = c.type;
    // TerminationByKubelet (node-pressure eviction, node shutdown) was not planned by anyone: still news.
    if (type === 'DisruptionTarget' && c.status === 'True' && c.reason !== 'TerminationByKubelet') {
      out.disruption = any = true;
    } else if (!pending) {
      continue;
    } else if (type === 'PodScheduled' && c.status === 'False' && c.reason === 'Unschedulable') {
      any = true;
      const since = time(c.lastTransitionTime);
      const message = cap(str(c.message), max);
      if (since !== undefined) out.unschedulableSince = since;
      else out.unreadableSince = true;
      if (message !== undefined) out.unschedulableMessage = message;
    } else if (type === 'PodScheduled' && c.status === 'True') {
      const since = time(c.lastTransitionTime);
      if (since !== undefined) out.scheduledSince = since;
      else out.unreadableSince = true;
      any = true;
    } else if ((type === 'Initialized' || type === 'ContainersReady') && c.status === 'False' && out.notStartedMessage === undefined) {
      const message = cap(str(c.message), max);
      if (message !== undefined) out.notStartedMessage = message;
      any ||= message !== undefined;
    }
  }
  return any ? out : undefined;
}
