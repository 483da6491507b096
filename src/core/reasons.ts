/**
 * The failure reasons podbell reports, by where they show (docs/design.md §2). The names are a contract:
 * podbell.io/mute-reasons accepts exactly these, and docs/annotations.md lists them.
 */

/** state.waiting reasons that are failures. ContainerCreating and PodInitializing are not (until PENDING_AFTER). */
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
export const TERMINATED_FAILURES: ReadonlySet<string> = new Set([
  'OOMKilled',
  'CreateContainerConfigError',
  'CreateContainerError',
  'RunContainerError',
  'StartError',
  'ContainerCannotRun',
]);

/**
 * The container was lost, not ended by its process: the kubelet could not find it after a node
 * restart (exit 255 or 137). A failure of its own unless the pod-level reason (Evicted, NodeLost)
 * or a deletion tells the story.
 */
export const LOST_CONTAINER: ReadonlySet<string> = new Set(['Unknown', 'ContainerStatusUnknown']);

export const OOM = 'OOMKilled';
export const BACK_OFF = 'CrashLoopBackOff';

/**
 * The reasons that name a crash (a run of a container that ended badly). One crash is one
 * occurrence whichever of these names it: CrashLoopBackOff names it only when its cause is unknown.
 */
export const CRASH_REASONS: ReadonlySet<string> = new Set([OOM, 'Error', ...LOST_CONTAINER, ...TERMINATED_FAILURES, BACK_OFF]);

/** The stuck-pod reasons (CONTRACT names). */
export const STUCK_REASONS: ReadonlySet<string> = new Set(['Unschedulable', 'PendingTooLong']);

/**
 * Every container-level reason detect() reports (for mute-reasons validation and docs). Pod-level
 * failures report the pod's own status.reason (Evicted, DeadlineExceeded, Shutdown, …) or 'Failed'.
 */
export const CONTAINER_FAILURE_REASONS: ReadonlySet<string> = new Set([...WAITING_FAILURES, ...TERMINATED_FAILURES, ...LOST_CONTAINER, 'Error']);

/** The pod-level reasons kubelet and controllers write on Failed pods, podbell's own 'Failed', and stuck pods. */
export const POD_FAILURE_REASONS: ReadonlySet<string> = new Set(['Evicted', 'DeadlineExceeded', 'Shutdown', 'NodeLost', 'NodeAffinity', 'Terminated', 'UnexpectedAdmissionError', 'Failed', ...STUCK_REASONS]);
