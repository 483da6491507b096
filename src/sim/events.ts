import { k8sTime, type SimCluster } from './store.js';
import type { Obj } from '../core/json.js';

/** What a kubelet reports about one pod (core/v1 Event fields). */
export interface PodEventOptions {
  readonly namespace: string;
  readonly pod: string;
  readonly uid?: string;
  readonly type: 'Normal' | 'Warning';
  readonly reason: string;
  readonly message: string;
  /** e.g. `spec.containers{app}` */
  readonly fieldPath?: string;
  /** default kubelet */
  readonly component?: string;
  readonly at: number;
}

/** FNV-1a, hex: a stable name suffix for one (reason, message) of one pod. */
function hash(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}

/**
 * Records an Event the way the kubelet's event recorder does: the same (object, reason, message)
 * again bumps `count` and `lastTimestamp` of the existing Event instead of creating another.
 */
export function recordPodEvent(sim: SimCluster, o: PodEventOptions): Obj {
  const name = `${o.pod}.${hash(`${o.type}\u0000${o.reason}\u0000${o.message}\u0000${o.fieldPath ?? ''}`)}`;
  const existing = sim.get('events', o.namespace, name);
  const time = k8sTime(o.at);
  if (existing) {
    return sim.replace('events', o.namespace, name, { ...existing, count: (typeof existing.count === 'number' ? existing.count : 1) + 1, lastTimestamp: time, metadata: { ...(existing.metadata as Obj), resourceVersion: undefined } });
  }
  return sim.create('events', {
    metadata: { name, namespace: o.namespace },
    involvedObject: { kind: 'Pod', namespace: o.namespace, name: o.pod, apiVersion: 'v1', ...(o.uid && { uid: o.uid }), ...(o.fieldPath && { fieldPath: o.fieldPath }) },
    type: o.type,
    reason: o.reason,
    message: o.message,
    source: { component: o.component ?? 'kubelet', host: 'node-0' },
    firstTimestamp: time,
    lastTimestamp: time,
    count: 1,
    reportingComponent: o.component ?? 'kubelet',
    reportingInstance: 'node-0',
  });
}
