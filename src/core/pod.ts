import { resolveWorkload, type WorkloadRef } from './workload.js';

export type ContainerKind = 'container' | 'init' | 'ephemeral';

/** What happened the last time a container ended (status.containerStatuses[].lastState.terminated). */
export interface LastTermination {
  readonly reason?: string;
  readonly exitCode?: number;
  readonly message?: string;
}

/** The slim projection of one container's status: all detection needs, nothing more. */
export interface ContainerState {
  readonly name: string;
  readonly kind: ContainerKind;
  readonly image: string;
  readonly restartCount: number;
  readonly ready: boolean;
  readonly state: 'waiting' | 'running' | 'terminated' | 'unknown';
  /** waiting.reason or terminated.reason */
  readonly reason?: string;
  /** waiting.message or terminated.message */
  readonly message?: string;
  readonly exitCode?: number;
  readonly last?: LastTermination;
}

/** What podbell keeps in memory per pod uid instead of the whole V1Pod. */
export interface PodState {
  readonly uid: string;
  readonly namespace: string;
  readonly name: string;
  readonly node?: string;
  readonly phase?: string;
  readonly reason?: string;
  readonly message?: string;
  readonly restartPolicy?: string;
  readonly workload: WorkloadRef;
  /** Only the annotations podbell reads (podbell.io/*, kube-slack/*). */
  readonly annotations?: Readonly<Record<string, string>>;
  readonly containers: readonly ContainerState[];
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** Keeps the annotations podbell understands; the rest of a pod's metadata is dropped. */
export function ourAnnotations(v: unknown): Readonly<Record<string, string>> | undefined {
  const a = obj(v);
  if (!a) return undefined;
  let out: Record<string, string> | undefined;
  for (const [k, val] of Object.entries(a)) {
    if ((k.startsWith('podbell.io/') || k.startsWith('kube-slack/')) && typeof val === 'string') (out ??= {})[k] = val;
  }
  return out;
}

function projectContainer(raw: unknown, kind: ContainerKind, images: Map<string, string>): ContainerState | undefined {
  const c = obj(raw);
  const name = str(c?.name);
  if (!c || !name) return undefined;
  const st = obj(c.state);
  const waiting = obj(st?.waiting);
  const running = obj(st?.running);
  const terminated = obj(st?.terminated);
  const lastTerm = obj(obj(c.lastState)?.terminated);
  const now = terminated ?? waiting;
  return {
    name,
    kind,
    image: str(c.image) ?? images.get(name) ?? '',
    restartCount: num(c.restartCount) ?? 0,
    ready: c.ready === true,
    state: terminated ? 'terminated' : waiting ? 'waiting' : running ? 'running' : 'unknown',
    ...(str(now?.reason) !== undefined && { reason: str(now?.reason) }),
    ...(str(now?.message) !== undefined && { message: str(now?.message) }),
    ...(num(terminated?.exitCode) !== undefined && { exitCode: num(terminated?.exitCode) }),
    ...(lastTerm && {
      last: {
        ...(str(lastTerm.reason) !== undefined && { reason: str(lastTerm.reason) }),
        ...(num(lastTerm.exitCode) !== undefined && { exitCode: num(lastTerm.exitCode) }),
        ...(str(lastTerm.message) !== undefined && { message: str(lastTerm.message) }),
      },
    }),
  };
}

/**
 * Projects a V1Pod-shaped object (as parsed JSON) to a PodState. Never throws: an object without a
 * uid, name or namespace cannot be tracked and yields undefined; any other odd field is skipped.
 */
export function projectPod(raw: unknown): PodState | undefined {
  const pod = obj(raw);
  const meta = obj(pod?.metadata);
  const uid = str(meta?.uid);
  const name = str(meta?.name);
  const namespace = str(meta?.namespace) ?? 'default';
  if (!pod || !meta || !uid || !name) return undefined;
  const spec = obj(pod.spec);
  const status = obj(pod.status);
  const images = new Map<string, string>();
  for (const key of ['initContainers', 'containers', 'ephemeralContainers']) {
    for (const c of arr(spec?.[key])) {
      const o = obj(c);
      const n = str(o?.name);
      const image = str(o?.image);
      if (n && image) images.set(n, image);
    }
  }
  const containers: ContainerState[] = [];
  const take = (key: string, kind: ContainerKind) => {
    for (const c of arr(status?.[key])) {
      const p = projectContainer(c, kind, images);
      if (p) containers.push(p);
    }
  };
  take('initContainerStatuses', 'init');
  take('containerStatuses', 'container');
  take('ephemeralContainerStatuses', 'ephemeral');
  const annotations = ourAnnotations(meta.annotations);
  return {
    uid,
    namespace,
    name,
    ...(str(spec?.nodeName) !== undefined && { node: str(spec?.nodeName) }),
    ...(str(status?.phase) !== undefined && { phase: str(status?.phase) }),
    ...(str(status?.reason) !== undefined && { reason: str(status?.reason) }),
    ...(str(status?.message) !== undefined && { message: str(status?.message) }),
    ...(str(spec?.restartPolicy) !== undefined && { restartPolicy: str(spec?.restartPolicy) }),
    workload: resolveWorkload(meta, name),
    ...(annotations && { annotations }),
    containers,
  };
}
