import type { ContainerKind, ContainerState, PodState } from './pod.js';
import type { WorkloadRef } from './workload.js';
import { BACK_OFF, CRASH_REASONS, LOST_CONTAINER, OOM, TERMINATED_FAILURES, WAITING_FAILURES } from './reasons.js';

export { CONTAINER_FAILURE_REASONS, CRASH_REASONS, POD_FAILURE_REASONS, STUCK_REASONS, WAITING_FAILURES } from './reasons.js';

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
  /**
   * The container now waits in CrashLoopBackOff after this crash (kubectl shows CrashLoopBackOff).
   * The reason still names the crash's cause (OOMKilled, Error, …): one crash, one occurrence.
   */
  readonly backOff?: boolean;
  /**
   * The kubelet runs this container again by itself (restartPolicy Always, or a native sidecar): a
   * non-zero exit is a crash that may pass, not a Job's final failure.
   */
  readonly willRestart?: boolean;
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
  /**
   * The instant stuck pods are judged at (PENDING_AFTER is measured up to it, see stuckFailure).
   * Without it no pod is judged stuck: detection stays a function of the two pod states.
   */
  readonly judgedAt?: number;
  /** PENDING_AFTER in ms; default 10 minutes. */
  readonly pendingAfterMs?: number;
}

const DEFAULT_STARTUP_WINDOW_MS = 10 * 60_000;
export const DEFAULT_PENDING_AFTER_MS = 10 * 60_000;

/**
 * Two names of one fact of the same run: kubelet alternates ErrImagePull and ImagePullBackOff, and a
 * crash is one crash whether seen terminated, in back-off, or named CrashLoopBackOff before its cause
 * could be read.
 */
function sameFact(a: string, b: string): boolean {
  if (a === b) return true;
  if ((a === 'ErrImagePull' || a === 'ImagePullBackOff') && (b === 'ErrImagePull' || b === 'ImagePullBackOff')) return true;
  return CRASH_REASONS.has(a) && CRASH_REASONS.has(b);
}

/** The pod-level failure: phase Failed with its reason (Evicted, DeadlineExceeded, Shutdown, …). */
function podReason(pod: PodState): string | undefined {
  return pod.phase === 'Failed' ? pod.reason : undefined;
}

/** What a container shows right now, when it is a failure: one crash or one stuck wait. */
interface Fact {
  readonly reason: string;
  readonly run: number;
  readonly exitCode?: number | undefined;
  readonly message?: string | undefined;
  /** Waiting in CrashLoopBackOff after this crash. */
  readonly backOff?: boolean;
  /** Read from lastState: a crash seen in back-off. */
  readonly fromLast?: boolean;
  readonly finishedAt?: number | undefined;
}

/**
 * The cause of a crash from its terminated record: a named failure, a lost container, or 'Error'
 * for a non-zero exit; undefined when it exited 0 or says nothing (the back-off then names it).
 */
function crashCause(reason: string | undefined, exitCode: number | undefined): string | undefined {
  if (reason !== undefined && (TERMINATED_FAILURES.has(reason) || LOST_CONTAINER.has(reason))) return reason;
  const nonZero = exitCode !== undefined ? exitCode !== 0 : reason === 'Error';
  return nonZero && reason !== 'Completed' ? 'Error' : undefined;
}

/**
 * Why a terminated container failed, or undefined. A non-zero exit is a failure under every restart
 * policy (kubectl shows Error until the next run), but not for ephemeral debug containers (a shell's
 * exit status), pods being deleted or disrupted (SIGTERM/SIGKILL exits), pods failed for a pod-level
 * reason (that reason tells the story), nor native sidecars killed when their pod finished.
 */
function terminatedCause(pod: PodState, c: ContainerState): string | undefined {
  const reason = c.reason;
  if (reason !== undefined && TERMINATED_FAILURES.has(reason)) return reason;
  if (c.kind === 'ephemeral' || pod.terminating || podReason(pod) !== undefined) return undefined;
  if (c.kind === 'sidecar' && (pod.phase === 'Succeeded' || pod.phase === 'Failed')) return undefined;
  return crashCause(reason, c.exitCode);
}

/**
 * The failure a container shows right now, or undefined. A container waiting in CrashLoopBackOff
 * shows the crash of its last run (lastState, run restartCount), named by its cause; the wait's own
 * message is the kubelet's back-off notice, so the crash's termination message is kept instead.
 */
function currentFact(pod: PodState, c: ContainerState): Fact | undefined {
  const reason = c.reason;
  if (c.state === 'waiting') {
    if (reason === BACK_OFF) {
      const cause = crashCause(c.last?.reason, c.last?.exitCode);
      return { reason: cause ?? BACK_OFF, run: c.restartCount, exitCode: c.last?.exitCode, message: c.last?.message, backOff: true, fromLast: cause !== undefined };
    }
    return reason !== undefined && WAITING_FAILURES.has(reason) ? { reason, run: c.restartCount, message: c.message } : undefined;
  }
  if (c.state !== 'terminated') return undefined;
  const cause = terminatedCause(pod, c);
  return cause === undefined ? undefined : { reason: cause, run: c.restartCount, exitCode: c.exitCode, message: c.message, finishedAt: c.finishedAt };
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
  const f = currentFact(prevPod, p);
  if (f !== undefined && f.run === run && sameFact(f.reason, reason)) return true;
  return reason === OOM && lastOom(p) && lastRun(p) === run;
}

function findContainer(pod: PodState, name: string): ContainerState | undefined {
  for (const c of pod.containers) if (c.name === name) return c;
  return undefined;
}

function failureOf(pod: PodState, c: ContainerState, fact: Fact): Failure {
  const f: { -readonly [K in keyof Failure]: Failure[K] } = {
    namespace: pod.namespace,
    pod: pod.name,
    uid: pod.uid,
    container: c.name,
    reason: fact.reason,
    restartCount: c.restartCount,
    run: fact.run,
    workload: pod.workload,
  };
  if (c.kind === 'init') f.init = true;
  else if (c.kind === 'sidecar') f.sidecar = true;
  else if (c.kind === 'ephemeral') f.ephemeral = true;
  if (fact.exitCode !== undefined) f.exitCode = fact.exitCode;
  if (fact.message !== undefined) f.message = fact.message;
  if (fact.backOff) f.backOff = true;
  if (c.kind === 'sidecar' || (c.kind !== 'ephemeral' && (pod.restartPolicy === undefined || pod.restartPolicy === 'Always'))) f.willRestart = true;
  if (c.image) f.image = c.image;
  if (pod.node !== undefined) f.node = pod.node;
  return f;
}

function podFailure(pod: PodState, reason: string, message = pod.message, run?: number): Failure {
  const f: { -readonly [K in keyof Failure]: Failure[K] } = {
    namespace: pod.namespace,
    pod: pod.name,
    uid: pod.uid,
    container: '',
    reason,
    restartCount: 0,
    workload: pod.workload,
  };
  if (run !== undefined) f.run = run;
  if (message !== undefined) f.message = message;
  if (pod.node !== undefined) f.node = pod.node;
  return f;
}

/** With no prev and a clock (`now` defined): did this termination end long enough ago to be history? */
function stale(now: number | undefined, window: number, finishedAt: number | undefined): boolean {
  return now !== undefined && finishedAt !== undefined && now - finishedAt > window;
}

/** A pod that may become stuck: why, and since when its PENDING_AFTER runs. */
export interface StuckCandidate {
  readonly reason: 'Unschedulable' | 'PendingTooLong';
  /** lastTransitionTime of the PodScheduled condition, in ms */
  readonly since: number;
  readonly message?: string | undefined;
}

/** A scheduled pod none of whose app containers has started, and none of whose containers fails. */
function notStarted(pod: PodState): boolean {
  for (const c of pod.containers) {
    if (currentFact(pod, c) !== undefined) return false;
    if (c.kind === 'container' && (c.state === 'running' || c.state === 'terminated')) return false;
  }
  return true;
}

/**
 * A Pending pod that is unschedulable, or scheduled with containers not started (ContainerCreating,
 * PodInitializing), whatever the time: it is stuck once PENDING_AFTER has passed since `since`.
 * Undefined for every other pod, and when the condition's time cannot be read.
 */
export function stuckCandidate(pod: PodState): StuckCandidate | undefined {
  const cond = pod.conditions;
  if (pod.phase !== 'Pending' || pod.terminating || cond === undefined || cond.disruption) return undefined;
  if (cond.unschedulableSince !== undefined) return { reason: 'Unschedulable', since: cond.unschedulableSince, message: cond.unschedulableMessage };
  if (cond.scheduledSince === undefined || !notStarted(pod)) return undefined;
  let message: string | undefined;
  for (const c of pod.containers) if (c.state === 'waiting' && c.message !== undefined) message ??= c.message;
  return { reason: 'PendingTooLong', since: cond.scheduledSince, message: message ?? cond.notStartedMessage };
}

/**
 * The stuck-pod failure at `judgedAt`: Unschedulable or PendingTooLong once longer than
 * `pendingAfterMs` (CONTRACT names). Its occurrence is the stuck spell (run = since), so a pod
 * stuck again after being scheduled or restarted is a new occurrence, a re-delivery is not.
 */
export function stuckFailure(pod: PodState, judgedAt: number, pendingAfterMs = DEFAULT_PENDING_AFTER_MS): Failure | undefined {
  const s = stuckCandidate(pod);
  if (s === undefined || judgedAt - s.since < pendingAfterMs) return undefined;
  return podFailure(pod, s.reason, s.message, s.since);
}

/**
 * The reason names a mute can cover a failure by: its own, and CrashLoopBackOff for a crash the
 * container waits out in back-off (`podbell.io/mute-reasons: CrashLoopBackOff` keeps muting crash loops).
 */
export function muteNamesOf(f: Failure): readonly string[] {
  return f.backOff && f.reason !== BACK_OFF ? [f.reason, BACK_OFF] : [f.reason];
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
  // Planned disruption (preemption, drain, taint eviction): the containers' exits are not failures.
  if (next.conditions?.disruption) return HEALTHY;
  let out: Failure[] | undefined;
  const now = prev === undefined ? options?.now : undefined;
  const window = options?.startupWindowMs ?? DEFAULT_STARTUP_WINDOW_MS;

  let containerFailed = false;
  for (const c of next.containers) {
    const p = prev ? findContainer(prev, c.name) : undefined;
    const fact = currentFact(next, c);
    if (fact !== undefined) {
      containerFailed = true;
      if (!(p && prev && prevHad(prev, p, fact.reason, fact.run)) && !(c.state === 'terminated' && stale(now, window, fact.finishedAt))) {
        (out ??= []).push(failureOf(next, c, fact));
      }
    }
    // An OOMKill in lastState of a container that runs again (or fails otherwise) is news once per run.
    // While the container shows an OOMKill right now (terminated, or the crash its back-off follows),
    // that is the news: an OOMKill of the run before was reported already or would read as a duplicate.
    if (lastOom(c) && fact?.reason !== OOM) {
      const run = lastRun(c);
      if (!(p && prev && prevHad(prev, p, OOM, run)) && !(p === undefined && stale(now, window, c.last?.finishedAt))) {
        (out ??= []).push(failureOf(next, c, { reason: OOM, run, exitCode: c.last?.exitCode, message: c.last?.message }));
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
  const stuck = options?.judgedAt !== undefined ? stuckFailure(next, options.judgedAt, options.pendingAfterMs) : undefined;
  if (stuck !== undefined) {
    const before = prev !== undefined ? stuckCandidate(prev) : undefined;
    if (before?.reason !== stuck.reason || before.since !== stuck.run) (out ??= []).push(stuck);
  }
  const failing = containerFailed || next.phase === 'Failed' || stuck !== undefined;
  return out === undefined && !failing ? HEALTHY : { failures: out ?? NONE, failing };
}

/** A container of the pod waits in CrashLoopBackOff now. */
export function inBackOff(pod: PodState): boolean {
  for (const c of pod.containers) if (c.state === 'waiting' && c.reason === BACK_OFF) return true;
  return false;
}

/**
 * True while any container of the pod (or the pod itself) is in a failure state now. An OOMKill
 * in lastState of a container that runs again is history: the pod is not failing for it.
 */
export function isFailing(pod: PodState, options?: DetectOptions): boolean {
  if (pod.conditions?.disruption) return false;
  if (pod.phase === 'Failed') return true;
  for (const c of pod.containers) if (currentFact(pod, c) !== undefined) return true;
  return options?.judgedAt !== undefined && stuckFailure(pod, options.judgedAt, options.pendingAfterMs) !== undefined;
}

export type { ContainerKind };
