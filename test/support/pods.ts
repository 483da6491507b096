import type { Change } from '../../src/ports.js';
import { projectPod, type PodState } from '../../src/core/pod.js';
import type { NamespaceState } from '../../src/core/mute.js';

export interface PodSpec {
  readonly namespace?: string;
  readonly name?: string;
  readonly deployment?: string;
  readonly reason?: string;
  readonly restartCount?: number;
  readonly annotations?: Record<string, string>;
}

/** A Deployment's pod shaped like the API server sends it, in CrashLoopBackOff (or running when reason is undefined). */
export function deploymentPod(spec: PodSpec = {}): Record<string, unknown> {
  const namespace = spec.namespace ?? 'shop';
  const deployment = spec.deployment ?? 'checkout';
  const name = spec.name ?? `${deployment}-7d9f8b6c5d-x2k4q`;
  const restartCount = spec.restartCount ?? 1;
  const state = spec.reason
    ? { waiting: { reason: spec.reason, message: `back-off restarting failed container app in pod ${name}` } }
    : { running: { startedAt: '2026-11-21T09:00:00Z' } };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace,
      uid: `uid-${namespace}-${name}`,
      labels: { app: deployment, 'pod-template-hash': '7d9f8b6c5d' },
      ...(spec.annotations && { annotations: spec.annotations }),
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${deployment}-7d9f8b6c5d`, uid: 'rs-uid', controller: true }],
    },
    spec: { nodeName: 'node-1', restartPolicy: 'Always', containers: [{ name: 'app', image: `registry.example/${deployment}:1.0` }] },
    status: {
      phase: 'Running',
      containerStatuses: [
        {
          name: 'app',
          image: `registry.example/${deployment}:1.0`,
          ready: !spec.reason,
          restartCount,
          state,
          ...(spec.reason && { lastState: { terminated: { reason: 'Error', exitCode: 1, finishedAt: '2026-11-21T09:00:00Z' } } }),
        },
      ],
    },
  };
}

export function podState(spec: PodSpec = {}): PodState {
  const p = projectPod(deploymentPod(spec));
  if (!p) throw new Error('test pod did not project');
  return p;
}

/** Feeds pods the way the watch does: remembers the previous state per uid. */
export class PodFeed {
  readonly #last = new Map<string, PodState>();
  constructor(private readonly sink: (c: Change<PodState>) => void) {}

  put(spec: PodSpec): PodState {
    const next = podState(spec);
    const prev = this.#last.get(next.uid);
    this.#last.set(next.uid, next);
    this.sink({ type: prev ? 'MODIFIED' : 'ADDED', ...(prev && { prev }), next });
    return next;
  }

  remove(spec: PodSpec): void {
    const uid = podState(spec).uid;
    const prev = this.#last.get(uid);
    this.#last.delete(uid);
    if (prev) this.sink({ type: 'DELETED', prev });
  }
}

export function namespaceChange(name: string, annotations: Record<string, string> = {}, type: 'ADDED' | 'MODIFIED' = 'MODIFIED'): Change<NamespaceState> {
  return { type, next: { name, annotations } };
}
