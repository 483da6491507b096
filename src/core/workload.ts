/** The thing an incident is about: a Deployment, StatefulSet, DaemonSet, CronJob, Job or a bare Pod. */
export interface WorkloadRef {
  readonly kind: string;
  readonly name: string;
}

type Obj = Record<string, unknown>;

/**
 * Resolves a pod's workload from its metadata alone (no API lookups): a ReplicaSet named
 * `<deployment>-<pod-template-hash>` belongs to that Deployment; a Job named `<cronjob>-<schedule
 * number>` to its CronJob; other controllers are their own workload; a pod without a controller is one.
 */
export function resolveWorkload(meta: Obj, podName: string): WorkloadRef {
  const refs = Array.isArray(meta.ownerReferences) ? (meta.ownerReferences as unknown[]) : [];
  const owners = refs.filter((r): r is Obj => r !== null && typeof r === 'object');
  const owner = owners.find((r) => r.controller === true) ?? owners[0];
  const kind = typeof owner?.kind === 'string' ? owner.kind : undefined;
  const name = typeof owner?.name === 'string' ? owner.name : undefined;
  if (!kind || !name) return { kind: 'Pod', name: podName };
  const labels = (meta.labels !== null && typeof meta.labels === 'object' ? meta.labels : {}) as Obj;
  if (kind === 'ReplicaSet') {
    const hash = labels['pod-template-hash'];
    if (typeof hash === 'string' && name.endsWith(`-${hash}`)) return { kind: 'Deployment', name: name.slice(0, -hash.length - 1) };
    return { kind, name };
  }
  if (kind === 'Job') {
    // CronJob-created Jobs are named <cronjob>-<minutes since epoch> (8+ digits).
    const m = /^(.+)-\d{8,}$/.exec(name);
    if (m) return { kind: 'CronJob', name: m[1]! };
  }
  return { kind, name };
}
