import { k8sTime } from './store.js';
import type { Obj } from '../core/json.js';

/**
 * Builders for realistic pod objects and the container statuses a kubelet writes. The shapes follow
 * what a real cluster returns, so the detection code sees in tests what it will see in production.
 */

export interface DeploymentPodOptions {
  readonly namespace: string;
  readonly deployment: string;
  /** pod-template-hash (10 chars in real clusters); derived from the deployment name when absent. */
  readonly hash?: string;
  /** Pod name suffix (5 chars in real clusters); random when absent. */
  readonly suffix?: string;
  readonly containers?: readonly { readonly name: string; readonly image: string }[];
  readonly node?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** The characters Kubernetes uses for generated name suffixes, picked from a stable hash. */
export function nameSuffix(seed: string, length: number): string {
  // FNV-1a over the WHOLE seed first: seeds that differ only past `length` characters must differ.
  let h = 2166136261;
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 16777619) >>> 0;
  let out = '';
  for (let i = 0; out.length < length; i++) {
    h = Math.imul(h ^ (i + 1), 16777619) >>> 0;
    h = (h ^ (h >>> 13)) >>> 0;
    out += ALPHABET[h % ALPHABET.length];
  }
  return out;
}

/** A pod as a Deployment's ReplicaSet creates it: ownerReference, pod-template-hash label, Pending. */
export function deploymentPod(o: DeploymentPodOptions): Obj {
  const hash = o.hash ?? nameSuffix(`${o.namespace}/${o.deployment}`, 10);
  const rs = `${o.deployment}-${hash}`;
  const name = `${rs}-${o.suffix ?? nameSuffix(`${rs}-${Math.random()}`, 5)}`;
  const containers = o.containers ?? [{ name: 'app', image: `registry.example.com/${o.deployment}:1.0.0` }];
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: o.namespace,
      generateName: `${rs}-`,
      labels: { app: o.deployment, 'pod-template-hash': hash, ...o.labels },
      ...(o.annotations && { annotations: { ...o.annotations } }),
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs, uid: `rs-${nameSuffix(rs, 12)}`, controller: true, blockOwnerDeletion: true }],
    },
    spec: {
      containers: containers.map((c) => ({ name: c.name, image: c.image, imagePullPolicy: 'IfNotPresent', resources: { limits: { memory: '256Mi' } } })),
      restartPolicy: 'Always',
      nodeName: o.node ?? 'node-0',
      serviceAccountName: 'default',
    },
    status: { phase: 'Pending', qosClass: 'Burstable' },
  };
}

/** A bare pod (no controller), e.g. `kubectl run`. */
export function barePod(namespace: string, name: string, image = 'busybox:1.36'): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels: { run: name } },
    spec: { containers: [{ name, image }], restartPolicy: 'Always', nodeName: 'node-0' },
    status: { phase: 'Pending' },
  };
}

// ---- container statuses, as a kubelet writes them ----

export interface ContainerStatusOptions {
  readonly name: string;
  readonly image: string;
  readonly restartCount?: number;
  /** Time the status describes (ms since epoch); default now. */
  readonly at?: number;
}

const imageID = (image: string) => `${image.split(':')[0]}@sha256:${nameSuffix(image, 64).replace(/[^0-9a-f]/g, 'a')}`;
const containerID = (name: string, n: number) => `containerd://${nameSuffix(`${name}-${n}`, 64).replace(/[^0-9a-f]/g, 'b')}`;

function base(o: ContainerStatusOptions): Obj {
  return { name: o.name, image: o.image, imageID: imageID(o.image), restartCount: o.restartCount ?? 0, started: false, ready: false };
}

const terminated = (reason: string, exitCode: number, o: ContainerStatusOptions, message?: string): Obj => {
  const at = o.at ?? Date.now();
  return {
    terminated: {
      exitCode,
      reason,
      ...(message && { message }),
      startedAt: k8sTime(at - 5000),
      finishedAt: k8sTime(at),
      containerID: containerID(o.name, o.restartCount ?? 0),
    },
  };
};

/** Running and ready; `lastState` keeps the previous termination when it restarted before. */
export function running(o: ContainerStatusOptions, last?: { reason: string; exitCode: number }): Obj {
  const at = o.at ?? Date.now();
  return {
    ...base(o),
    ready: true,
    started: true,
    state: { running: { startedAt: k8sTime(at) } },
    lastState: last ? terminated(last.reason, last.exitCode, { ...o, at: at - 1000, restartCount: Math.max(0, (o.restartCount ?? 1) - 1) }) : {},
    containerID: containerID(o.name, o.restartCount ?? 0),
  };
}

/** Back-off after a crash: waiting CrashLoopBackOff, lastState terminated with the exit code (default Error/1). */
export function crashLoop(o: ContainerStatusOptions, last: { reason?: string; exitCode?: number } = {}): Obj {
  const restarts = o.restartCount ?? 1;
  const backoff = Math.min(300, 10 * 2 ** Math.max(0, restarts - 1));
  return {
    ...base({ ...o, restartCount: restarts }),
    state: { waiting: { reason: 'CrashLoopBackOff', message: `back-off ${backoff >= 60 ? `${Math.floor(backoff / 60)}m${backoff % 60}s` : `${backoff}s`} restarting failed container=${o.name} pod=…` } },
    lastState: terminated(last.reason ?? 'Error', last.exitCode ?? 1, o),
    containerID: containerID(o.name, restarts),
  };
}

/** Killed by the kernel OOM killer: terminated OOMKilled, exit 137 (the kubelet restarts it next). */
export function oomKilled(o: ContainerStatusOptions): Obj {
  return { ...base(o), state: terminated('OOMKilled', 137, o), lastState: {} };
}

/** The image cannot be pulled: waiting ImagePullBackOff (or ErrImagePull on the first try). */
export function imagePullBackOff(o: ContainerStatusOptions, reason: 'ImagePullBackOff' | 'ErrImagePull' = 'ImagePullBackOff'): Obj {
  return {
    ...base(o),
    image: o.image,
    imageID: '',
    state: {
      waiting: {
        reason,
        message:
          reason === 'ImagePullBackOff'
            ? `Back-off pulling image "${o.image}"`
            : `rpc error: code = NotFound desc = failed to pull and unpack image "${o.image}": not found`,
      },
    },
    lastState: {},
  };
}

/** Starting: waiting ContainerCreating (never a failure). */
export function creating(o: ContainerStatusOptions): Obj {
  return { ...base(o), imageID: '', state: { waiting: { reason: 'ContainerCreating' } }, lastState: {} };
}

/** A whole pod status around container statuses: phase, conditions, IPs, as the kubelet reports it. */
export function podStatus(containerStatuses: readonly Obj[], at = Date.now(), phase = 'Running'): Obj {
  const ready = containerStatuses.every((c) => c.ready === true);
  const t = k8sTime(at);
  return {
    phase,
    conditions: [
      { type: 'PodReadyToStartContainers', status: 'True', lastTransitionTime: t },
      { type: 'Initialized', status: 'True', lastTransitionTime: t },
      { type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: t, ...(!ready && { reason: 'ContainersNotReady' }) },
      { type: 'ContainersReady', status: ready ? 'True' : 'False', lastTransitionTime: t, ...(!ready && { reason: 'ContainersNotReady' }) },
      { type: 'PodScheduled', status: 'True', lastTransitionTime: t },
    ],
    hostIP: '10.0.0.10',
    podIP: '10.244.0.17',
    podIPs: [{ ip: '10.244.0.17' }],
    startTime: t,
    qosClass: 'Burstable',
    containerStatuses: containerStatuses.map((c) => ({ ...c })),
  };
}

/** Evicted by the kubelet under node pressure: phase Failed, reason Evicted. */
export function evictedStatus(at = Date.now(), message = 'The node was low on resource: memory.'): Obj {
  return { phase: 'Failed', reason: 'Evicted', message, startTime: k8sTime(at) };
}
