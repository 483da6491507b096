import type { ContainerKind, ContainerState, PodState } from './pod.js';
import type { WorkloadRef } from './workload.js';

/** One fact: a container (or the pod itself) failed in a way worth telling a person. */
export interface Failure {
  readonly namespace: string;
  readonly pod: string;
  readonly uid: string;
  /** The container's name; empty for pod-level failures such as Evicted. */
  readonly container: string;
  readonly init?: boolean;
  readonly reason: string;
  readonly exitCode?: number;
  readonly message?: string;
  readonly restartCount: number;
  readonly image?: string;
  readonly node?: string;
  readonly workload: WorkloadRef;
}

const WAITING_FAILURES = new Set([
  'CrashLoopBackOff',
  'ImagePullBackOff',
  'ErrImagePull',
  'InvalidImageName',
  'ErrImageNeverPull',
  'CreateContainerConfigError',
  'CreateContainerError',
  'RunContainerError',
  'StartError',
]);

function failureOf(pod: PodState, c: ContainerState, reason: string, extra: Partial<Failure> = {}): Failure {
  return {
    namespace: pod.namespace,
    pod: pod.name,
    uid: pod.uid,
    container: c.name,
    ...(c.kind === 'init' && { init: true }),
    reason,
    restartCount: c.restartCount,
    ...(c.image && { image: c.image }),
    ...(pod.node && { node: pod.node }),
    workload: pod.workload,
    ...extra,
  };
}

/** The failures a container shows right now, ignoring history. */
function currentFailures(pod: PodState, c: ContainerState): Failure[] {
  if (c.state === 'waiting' && c.reason && WAITING_FAILURES.has(c.reason)) {
    return [failureOf(pod, c, c.reason, { ...(c.message && { message: c.message }), ...(c.last?.exitCode !== undefined && { exitCode: c.last.exitCode }) })];
  }
  return [];
}

/** Occurrence identity: the same fact re-delivered has the same key and must count once. */
export function occurrenceKey(f: Failure): string {
  return `${f.uid}\u0000${f.container}\u0000${f.reason}\u0000${f.restartCount}`;
}

/**
 * The failures that are new in `next` compared with `prev` (undefined when the pod is new to us).
 * Pure and total: odd pod shapes yield what can be read, never an exception.
 */
export function detect(prev: PodState | undefined, next: PodState): Failure[] {
  const seen = new Set<string>();
  if (prev) for (const c of prev.containers) for (const f of currentFailures(prev, c)) seen.add(occurrenceKey(f));
  const out: Failure[] = [];
  for (const c of next.containers) for (const f of currentFailures(next, c)) if (!seen.has(occurrenceKey(f))) out.push(f);
  return out;
}

/** True while any container of the pod (or the pod itself) is in a failure state. */
export function isFailing(pod: PodState): boolean {
  return pod.containers.some((c) => currentFailures(pod, c).length > 0);
}

export type { ContainerKind };
