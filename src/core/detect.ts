import type { ContainerKind, ContainerState, PodState } from './pod.js';
import type { WorkloadRef } from './workload.js';

/** One fact: a container (or the pod itself) failed in a way worth telling a person. */
export interface Failure {
  readonly namespace: string;
  readonly pod: string;
  readonly uid: string;
  /** The container's name; empty for pod-level failures such as Evicted. */
  readonly container: string;
  /** A classic init container (not a native sidecar). */
  readonly init?: boolean;
  /** A native sidecar: an init container with restartPolicy Always. */
  readonly sidecar?: boolean;
  /** An ephemeral (debug) container. */
  readonly ephemeral?: boolean;
  readonly reason: string;
  readonly exitCode?: number;
  readonly message?: string;
  /** The container's restartCount as kubectl shows it now; 0 for pod-level failures. */
  readonly restartCount: number;
  /**
   * Which run of the container the fact belongs to: restartCount for the current state; for an
   * OOMKill read from lastState, the run that was killed (restartCount while the container waits in
   * back-off, restartCount - 1 once it runs again). An OOMKill seen as `terminated`, then in
   * `lastState` during CrashLoopBackOff, then in `lastState` after the restart is one run, one occurrence.
   * Absent means restartCount (Failures built elsewhere, pod-level failures).
   */
  readonly run?: number;
  readonly image?: string;
  readonly node?: string;
  readonly workload: WorkloadRef;
  /** Set by the pipeline (core/explain.ts), not by detect: why it failed, in plain words. */
  readonly cause?: string;
  /**
   * Set by the pipeline (core/explain.ts): which run's log explains the failure, `previous` once the
   * container restarted, `current` while the failed run is still the current one; `none` when logs are
   * switched off for the pod (podbell.io/logs: "false").
   */
  readonly log?: 'previous' | 'current' | 'none';
}

export interface DetectOptions {
  /**
   * Now, in ms. Only used when there is no previous state (podbell just started or relisted a pod it
   * never saw): a termination that finished more than `startupWindowMs` before now is history, not
   * news, and is not reported. Without `now`, such terminations are reported once.
   */
  readonly now?: number;
  /** Default 10 minutes. */
  readonly startupWindowMs?: number;
}

const DEFAULT_STARTUP_WINDOW_MS = 10 * 60_000;

/** state.waiting reasons that are failures. ContainerCreating and PodInitializing are not. */
export const WAITING_FAILURES: ReadonlySet<string> = new Set([
  'CrashLoopBackOff',
  'ImagePullBackOff',
  'ErrImagePull',
  'InvalidImageName',
  'ErrImageNeverPull',
  'CreateContainerConfigError',
  'CreateContainerError',
  'RunContainerError',
  'StartError',
  // Older runtimes and dockershim report these too.
  'ContainerCannotRun',
  'PreCreateHookError',
  'PreStartHookError',
  'PostStartHookError',
]);

/** state.terminated reasons that are failures whatever the exit code and restart policy. */
const TERMINATED_FAILURES: ReadonlySet<string> = new Set([
  'OOMKilled',
  'CreateContainerConfigError',
  'CreateContainerError',
  'RunContainerError',
  'StartError',
  'ContainerCannotRun',
]);

/**
 * Terminated reasons that say the container was taken away, not that it failed: the node was lost or
 * the pod deleted while it ran. The pod-level reason (Evicted, NodeLost) tells the story instead.
 */
const NOT_A_CONTAINER_FAILURE: ReadonlySet<string> = new Set(['ContainerStatusUnknown', 'Completed']);

const OOM = 'OOMKilled';

/**
 * Every container-level reason detect() reports (for mute-reasons validation and docs). Pod-level
 * failures report the pod's own status.reason (Evicted, DeadlineExceeded, Shutdown, …) or 'Failed'.
 */
export const CONTAINER_FAILURE_REASONS: ReadonlySet<string> = new Set([...WAITING_FAILURES, ...TERMINATED_FAILURES, 'Error']);

/** The pod-level reasons kubelet and controllers write on Failed pods, plus podbell's own 'Failed'. */
export const POD_FAILURE_REASONS: ReadonlySet<string> = new Set(['Evicted', 'DeadlineExceeded', 'Shutdown', 'NodeLost', 'NodeAffinity', 'Terminated', 'UnexpectedAdmissionError', 'Failed']);

/** kubelet alternates ErrImagePull and ImagePullBackOff for the same run: one occurrence, not a flood. */
function sameFact(a: string, b: string): boolean {
  return a === b || ((a === 'ErrImagePull' || a === 'ImagePullBackOff') && (b === 'ErrImagePull' || b === 'ImagePullBackOff'));
}

/** The pod-level failure: phase Failed with its reason (Evicted, DeadlineExceeded, Shutdown, …). */
function podReason(pod: PodState): string | undefined {
  return pod.phase === 'Failed' ? pod.reason : undefined;
}

/**
 * The failure a container shows right now, or undefined.
 * A non-zero exit ('Error') counts only where Kubernetes will not simply restart the container:
 * restartPolicy Never or OnFailure (a restartPolicy Always pod shows CrashLoopBackOff instead), and
 * not for native sidecars (killed at pod shutdown), ephemeral debug containers (a shell's exit
 * status), pods being deleted (SIGTERM/SIGKILL exits) or pods failed for a pod-level reason.
 */
function currentReason(pod: PodState, c: ContainerState): string | undefined {
  const reason = c.reason;
  if (c.state === 'waiting') return reason !== undefined && WAITING_FAILURES.has(reason) ? reason : undefined;
  if (c.state !== 'terminated') return undefined;
  if (reason !== undefined && TERMINATED_FAILURES.has(reason)) return reason;
  const nonZero = c.exitCode !== undefined ? c.exitCode !== 0 : reason === 'Error';
  if (!nonZero || (reason !== undefined && NOT_A_CONTAINER_FAILURE.has(reason))) return undefined;
  if (c.kind === 'sidecar' || c.kind === 'ephemeral' || pod.terminating) return undefined;
  if (pod.restartPolicy !== 'Never' && pod.restartPolicy !== 'OnFailure') return undefined;
  if (podReason(pod) !== undefined) return undefined;
  return 'Error';
}

/** lastState shows an OOMKill. */
function lastOom(c: ContainerState): boolean {
  return c.last?.reason === OOM;
}

/**
 * The run lastState belongs to. The kubelet reports the latest container instance's restartCount:
 * while a dead container waits out its back-off (CrashLoopBackOff) no new instance exists, so
 * lastState is that instance, run restartCount; once a new instance runs (or has ended), lastState is
 * the one before it, run restartCount - 1. So kubectl shows Error 2 -> CrashLoopBackOff 2 -> Running 3.
 */
const lastRun = (c: ContainerState) => (c.state === 'waiting' ? c.restartCount : c.restartCount > 0 ? c.restartCount - 1 : 0);

/** Whether container p (previous state) already showed the fact (reason, run). */
function prevHad(prevPod: PodState, p: ContainerState, reason: string, run: number): boolean {
  if (p.restartCount === run) {
    const r = currentReason(prevPod, p);
    if (r !== undefined && sameFact(r, reason)) return true;
  }
  return reason === OOM && lastOom(p) && lastRun(p) === run;
}

function findContainer(pod: PodState, name: string): ContainerState | undefined {
  for (const c of pod.containers) if (c.name === name) return c;
  return undefined;
}

function failureOf(pod: PodState, c: ContainerState, kind: ContainerKind, reason: string, run: number, exitCode: number | undefined, message: string | undefined): Failure {
  const f: { -readonly [K in keyof Failure]: Failure[K] } = {
    namespace: pod.namespace,
    pod: pod.name,
    uid: pod.uid,
    container: c.name,
    reason,
    restartCount: c.restartCount,
    run,
    workload: pod.workload,
  };
  if (kind === 'init') f.init = true;
  else if (kind === 'sidecar') f.sidecar = true;
  else if (kind === 'ephemeral') f.ephemeral = true;
  if (exitCode !== undefined) f.exitCode = exitCode;
  if (message !== undefined) f.message = message;
  if (c.image) f.image = c.image;
  if (pod.node !== undefined) f.node = pod.node;
  return f;
}

function podFailure(pod: PodState, reason: string): Failure {
  const f: { -readonly [K in keyof Failure]: Failure[K] } = {
    namespace: pod.namespace,
    pod: pod.name,
    uid: pod.uid,
    container: '',
    reason,
    restartCount: 0,
    workload: pod.workload,
  };
  if (pod.message !== undefined) f.message = pod.message;
  if (pod.node !== undefined) f.node = pod.node;
  return f;
}

/** With no prev and a clock (`now` defined): did this termination end long enough ago to be history? */
function stale(now: number | undefined, window: number, finishedAt: number | undefined): boolean {
  return now !== undefined && finishedAt !== undefined && now - finishedAt > window;
}

/** Occurrence identity: the same fact re-delivered has the same key and must count once. */
export function occurrenceKey(f: Failure): string {
  return `${f.uid}\u0000${f.container}\u0000${f.reason}\u0000${f.run ?? f.restartCount}`;
}

/**
 * The failures that are new in `next` compared with `prev` (undefined when the pod is new to us).
 * A fact is (container, reason, run); it fires when `next` shows it and `prev` did not, so resyncs,
 * relists and duplicate MODIFIED events fire nothing, while each new restartCount fires again.
 * An OOMKill seen only in lastState fires once per run: when restartCount rose past it, or, with
 * no `prev`, once (subject to DetectOptions.now) since it may have happened just before we started.
 * Pure and total: odd pod shapes yield what can be read, never an exception.
 */
export function detect(prev: PodState | undefined, next: PodState, options?: DetectOptions): Failure[] {
  const { failures } = detectChange(prev, next, options);
  return failures === NONE ? [] : (failures as Failure[]);
}

/** What one pod event means: the new failures, and whether the pod is failing now (isFailing). */
export interface PodVerdict {
  readonly failures: readonly Failure[];
  readonly failing: boolean;
}

const NONE: readonly Failure[] = Object.freeze([]);
const HEALTHY: PodVerdict = Object.freeze({ failures: NONE, failing: false });

/**
 * detect() and isFailing() in one pass over the containers, for the per-event hot path: a healthy pod
 * (nearly every event) allocates nothing.
 */
export function detectChange(prev: PodState | undefined, next: PodState, options?: DetectOptions): PodVerdict {
  let out: Failure[] | undefined;
  const now = prev === undefined ? options?.now : undefined;
  const window = options?.startupWindowMs ?? DEFAULT_STARTUP_WINDOW_MS;

  let containerFailed = false;
  for (const c of next.containers) {
    const p = prev ? findContainer(prev, c.name) : undefined;
    const reason = currentReason(next, c);
    if (reason !== undefined) {
      containerFailed = true;
      const run = c.restartCount;
      if (!(p && prev && prevHad(prev, p, reason, run)) && !(c.state === 'terminated' && stale(now, window, c.finishedAt))) {
        const fromLast = reason === 'CrashLoopBackOff' && c.last !== undefined;
        const exitCode = c.state === 'terminated' ? c.exitCode : fromLast ? c.last?.exitCode : undefined;
        const message = fromLast ? (c.last?.message ?? c.message) : c.message;
        (out ??= []).push(failureOf(next, c, c.kind, reason, run, exitCode, message));
      }
    }
    // While the container shows an OOMKill right now, that is the news: an OOMKill of the run before
    // was either reported already or (missed between two events) would read as a duplicate line.
    if (lastOom(c) && reason !== OOM) {
      const run = lastRun(c);
      if (!(p && prev && prevHad(prev, p, OOM, run)) && !(p === undefined && stale(now, window, c.last?.finishedAt))) {
        (out ??= []).push(failureOf(next, c, c.kind, OOM, run, c.last?.exitCode, c.last?.message));
      }
    }
  }

  // A Failed pod with no reason and no failed container still says so (nothing lost), unless it is being
  // deleted: deletion hides its containers' exits, and the pod already said why it failed.
  const podFact = podReason(next) ?? (next.phase === 'Failed' && !containerFailed && !next.terminating ? 'Failed' : undefined);
  if (podFact !== undefined) {
    const had = prev !== undefined && (podReason(prev) ?? (prev.phase === 'Failed' ? 'Failed' : undefined)) === podFact;
    if (!had) (out ??= []).push(podFailure(next, podFact));
  }
  const failing = containerFailed || next.phase === 'Failed';
  return out === undefined && !failing ? HEALTHY : { failures: out ?? NONE, failing };
}

/**
 * True while any container of the pod (or the pod itself) is in a failure state now. An OOMKill
 * in lastState of a container that runs again is history: the pod is not failing for it.
 */
export function isFailing(pod: PodState): boolean {
  if (pod.phase === 'Failed') return true;
  for (const c of pod.containers) if (currentReason(pod, c) !== undefined) return true;
  return false;
}

export type { ContainerKind };
