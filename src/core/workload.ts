import type { Obj } from './json.js';
/**
 * The thing an incident is about: a Deployment, StatefulSet, DaemonSet, CronJob, Job, Rollout,
 * StaticPod, any other controller kind, or a bare Pod.
 */
export interface WorkloadRef {
  readonly kind: string;
  readonly name: string;
}


/** The characters Kubernetes uses for pod-template-hash (rand.SafeEncodeString: no vowels, no 0/1/3). */
const HASH_CHARS = new Set('bcdfghjklmnpqrstvwxz2456789');

/** `<base>-<suffix>` split at the last '-', or undefined. */
function splitLast(name: string): [string, string] | undefined {
  const i = name.lastIndexOf('-');
  return i > 0 && i < name.length - 1 ? [name.slice(0, i), name.slice(i + 1)] : undefined;
}

function looksLikeTemplateHash(s: string): boolean {
  if (s.length < 5 || s.length > 10) return false;
  for (let i = 0; i < s.length; i++) if (!HASH_CHARS.has(s[i]!)) return false;
  return true;
}

function allDigits(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return s.length > 0;
}

/** The ReplicaSet's owner, from the hash label its controller stamps on pods, else from the name's shape. */
const HASH_LABELS = [
  ['pod-template-hash', 'Deployment'],
  ['rollouts-pod-template-hash', 'Rollout'],
] as const;

function ownerOfReplicaSet(rs: string, labels: Obj | undefined): WorkloadRef {
  for (const [label, kind] of HASH_LABELS) {
    const hash = labels?.[label];
    if (typeof hash === 'string' && hash !== '' && rs.length > hash.length + 1 && rs.endsWith(hash) && rs[rs.length - hash.length - 1] === '-') {
      return { kind, name: rs.slice(0, -hash.length - 1) };
    }
  }
  // Labels stripped (hand-written input): a Deployment's ReplicaSet is `<deployment>-<hash>`.
  const parts = splitLast(rs);
  if (parts && looksLikeTemplateHash(parts[1])) return { kind: 'Deployment', name: parts[0] };
  return { kind: 'ReplicaSet', name: rs };
}

/**
 * Resolves a pod's workload from its metadata alone (no API lookups), total on odd input:
 * - ReplicaSet `<deployment>-<pod-template-hash>` -> that Deployment (Argo Rollouts likewise);
 * - Job `<cronjob>-<scheduled minute>` (8+ digits, the CronJob controller's naming) -> that CronJob;
 * - owned by a Node (static/mirror pod `<name>-<node>`) -> StaticPod `<name>`, one incident across nodes;
 * - StatefulSet, DaemonSet, other Jobs and unknown controllers -> themselves;
 * - no usable owner -> the Pod itself.
 * The controller owner reference wins; without one, the first well-formed reference is used.
 */
export function resolveWorkload(meta: Obj, podName: string): WorkloadRef {
  const refs = meta.ownerReferences;
  let owner: Obj | undefined;
  if (Array.isArray(refs)) {
    for (const r of refs) {
      if (r === null || typeof r !== 'object' || typeof (r as Obj).kind !== 'string' || typeof (r as Obj).name !== 'string') continue;
      if ((r as Obj).controller === true) {
        owner = r as Obj;
        break;
      }
      owner ??= r as Obj;
    }
  }
  const kind = owner?.kind as string | undefined;
  const name = owner?.name as string | undefined;
  if (!kind || !name) return { kind: 'Pod', name: podName };
  const labels = meta.labels !== null && typeof meta.labels === 'object' ? (meta.labels as Obj) : undefined;
  switch (kind) {
    case 'ReplicaSet':
      return ownerOfReplicaSet(name, labels);
    case 'Job': {
      const parts = splitLast(name);
      if (parts && parts[1].length >= 8 && allDigits(parts[1])) return { kind: 'CronJob', name: parts[0] };
      return { kind, name };
    }
    case 'Node': {
      const suffix = `-${name}`;
      if (podName.length > suffix.length && podName.endsWith(suffix)) return { kind: 'StaticPod', name: podName.slice(0, -suffix.length) };
      return { kind: 'StaticPod', name: podName };
    }
    default:
      return { kind, name };
  }
}
