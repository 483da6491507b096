/**
 * Small builders of realistic Pod and Namespace objects (shaped like the API server's JSON) and of
 * replay input lines, for tests, docs and scripted stories. Deterministic: every field comes from
 * the arguments.
 */

/** What a container is doing right now. */
export type ContainerCondition =
  | { readonly state: 'running' }
  | { readonly state: 'creating' }
  /** Waiting in CrashLoopBackOff after exiting with exitCode (lastState.terminated). */
  | { readonly state: 'crashloop'; readonly exitCode?: number; readonly lastReason?: string; readonly message?: string }
  | { readonly state: 'oomkilled' }
  | { readonly state: 'imagepull'; readonly reason?: 'ImagePullBackOff' | 'ErrImagePull'; readonly message?: string };

export interface DeploymentPodOptions {
  readonly namespace: string;
  /** The Deployment's name; the pod belongs to ReplicaSet `<deployment>-<hash>`. */
  readonly deployment: string;
  /** pod-template-hash; default 7d9f8b6c5d. */
  readonly hash?: string;
  /** The pod name's random suffix; default x2k4q. */
  readonly suffix?: string;
  /** Default: `uid-<pod name>`. */
  readonly uid?: string;
  readonly node?: string;
  readonly container?: string;
  readonly image?: string;
  readonly restartCount?: number;
  readonly condition: ContainerCondition;
  readonly annotations?: Readonly<Record<string, string>>;
  /** Used for startedAt/finishedAt timestamps; default 2026-11-21T09:00:00Z. */
  readonly at?: number;
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

function containerStatus(o: DeploymentPodOptions, name: string, image: string, at: number): Record<string, unknown> {
  const restartCount = o.restartCount ?? 0;
  const base = { name, image, imageID: `docker.io/library/${image}@sha256:${'0'.repeat(64)}`, containerID: `containerd://${'a'.repeat(64)}`, restartCount, started: false, ready: false };
  const c = o.condition;
  switch (c.state) {
    case 'running':
      return { ...base, started: true, ready: true, state: { running: { startedAt: iso(at) } }, lastState: {} };
    case 'creating':
      return { ...base, containerID: undefined, state: { waiting: { reason: 'ContainerCreating' } }, lastState: {} };
    case 'crashloop':
      return {
        ...base,
        state: { waiting: { reason: 'CrashLoopBackOff', message: `back-off 40s restarting failed container=${name} pod=${o.deployment}` } },
        lastState: {
          terminated: {
            exitCode: c.exitCode ?? 1,
            reason: c.lastReason ?? 'Error',
            ...(c.message !== undefined && { message: c.message }),
            startedAt: iso(at - 5000),
            finishedAt: iso(at - 1000),
            containerID: base.containerID,
          },
        },
      };
    case 'oomkilled':
      return {
        ...base,
        state: { terminated: { exitCode: 137, reason: 'OOMKilled', startedAt: iso(at - 5000), finishedAt: iso(at), containerID: base.containerID } },
        lastState: {},
      };
    case 'imagepull':
      return {
        ...base,
        containerID: undefined,
        state: { waiting: { reason: c.reason ?? 'ImagePullBackOff', message: c.message ?? `Back-off pulling image "${image}"` } },
        lastState: {},
      };
  }
}

/** A pod of a Deployment (owned by its ReplicaSet, with the pod-template-hash label) in the given condition. */
export function deploymentPod(o: DeploymentPodOptions): Record<string, unknown> {
  const hash = o.hash ?? '7d9f8b6c5d';
  const name = `${o.deployment}-${hash}-${o.suffix ?? 'x2k4q'}`;
  const container = o.container ?? 'app';
  const image = o.image ?? `registry.example.com/${o.deployment}:1.4.2`;
  const at = o.at ?? Date.UTC(2026, 10, 21, 9, 0, 0);
  const running = o.condition.state === 'running';
  return {
    kind: 'Pod',
    apiVersion: 'v1',
    metadata: {
      name,
      generateName: `${o.deployment}-${hash}-`,
      namespace: o.namespace,
      uid: o.uid ?? `uid-${name}`,
      resourceVersion: '1',
      creationTimestamp: iso(at - 60_000),
      labels: { app: o.deployment, 'pod-template-hash': hash },
      ...(o.annotations && { annotations: { ...o.annotations } }),
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${o.deployment}-${hash}`, uid: `uid-rs-${o.deployment}-${hash}`, controller: true, blockOwnerDeletion: true }],
    },
    spec: {
      containers: [{ name: container, image, resources: { limits: { memory: '256Mi' } } }],
      restartPolicy: 'Always',
      nodeName: o.node ?? 'node-1',
    },
    status: {
      phase: running || o.condition.state === 'crashloop' || o.condition.state === 'oomkilled' ? 'Running' : 'Pending',
      conditions: [{ type: 'Ready', status: running ? 'True' : 'False' }],
      hostIP: '10.0.0.11',
      podIP: '10.244.1.23',
      startTime: iso(at - 60_000),
      containerStatuses: [containerStatus(o, container, image, at)],
    },
  };
}

/** A Namespace object with the given annotations. */
export function namespaceObject(name: string, annotations?: Readonly<Record<string, string>>): Record<string, unknown> {
  return {
    kind: 'Namespace',
    apiVersion: 'v1',
    metadata: { name, uid: `uid-ns-${name}`, ...(annotations && { annotations: { ...annotations } }) },
    spec: { finalizers: ['kubernetes'] },
    status: { phase: 'Active' },
  };
}

/** One replay input line. `at` in ms since the epoch; omitted: the event happens with the previous one. */
export function watchLine(type: 'ADDED' | 'MODIFIED' | 'DELETED', object: unknown, at?: number): string {
  return JSON.stringify(at === undefined ? { type, object } : { at: new Date(at).toISOString(), type, object });
}
