/**
 * What the pipeline adds to a detected Failure so its thread can say WHY: the cause line (core/cause.ts,
 * from the container's state, memory limit and the pod's Warning Events) and which run's log explains
 * it; and what the incident book asks the evidence stage to fetch for a new (pod, reason) reply.
 */
import { causeOf, type FoldedWarning } from './cause.js';
import type { Failure } from './detect.js';
import type { EvidenceRequest, Outgoing } from './outgoing.js';
import type { PodState } from './pod.js';
import { renderReply, type ReplyOptions } from './render.js';

/** Failures of containers that never ran: there is no log to read, the Events tell the story. */
function neverRan(reason: string): boolean {
  return reason.startsWith('ImagePull') || reason.startsWith('ErrImage') || reason === 'InvalidImageName' || reason.startsWith('CreateContainer') || reason === 'Evicted';
}

/** The cause line of `f` (core/cause.ts), from its container in `pod` and the pod's folded Warning Events. */
export function causeFor(pod: PodState, f: Failure, warnings: readonly FoldedWarning[]): string {
  const c = f.container ? pod.containers.find((x) => x.name === f.container) : undefined;
  return causeOf({ reason: f.reason, exitCode: f.exitCode, message: f.message, lastReason: c?.last?.reason, memoryLimit: c?.memoryLimit, warnings });
}

/** `f` with its cause line and log hint; `logsAllowed` is the pod's podbell.io/logs policy. */
export function explainFailure(pod: PodState, f: Failure, warnings: readonly FoldedWarning[], logsAllowed: boolean): Failure {
  const c = f.container ? pod.containers.find((x) => x.name === f.container) : undefined;
  const cause = causeFor(pod, f, warnings);
  // The failed run is still the current one while the container stays terminated in that run.
  const run = f.run ?? f.restartCount;
  const current = !c || (c.state === 'terminated' && run === c.restartCount) || c.restartCount === 0;
  const log: Failure['log'] = !logsAllowed ? 'none' : current ? 'current' : 'previous';
  return { ...f, cause, log };
}

/** What the evidence stage fetches for the reply about `f`. */
export function evidenceOf(f: Failure): EvidenceRequest {
  return {
    namespace: f.namespace,
    pod: f.pod,
    uid: f.uid,
    container: f.container,
    run: f.run ?? f.restartCount,
    previous: f.log === 'previous' || (f.log === undefined && f.restartCount > 0),
    reason: f.reason,
    logs: f.log !== 'none' && f.container !== '' && !neverRan(f.reason),
  };
}

/** The reply for a new (pod, reason), carrying its evidence request. */
export function podReply(thread: string, f: Failure, options?: ReplyOptions): Outgoing {
  return { kind: 'reply', thread, message: renderReply(f, options), evidence: evidenceOf(f) };
}
