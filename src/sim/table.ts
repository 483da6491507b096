import { type Obj, objOrEmpty as obj, arr } from '../core/json.js';
import type { SimResource } from './store.js';
/** kubectl's default columns, computed server-side into a meta.k8s.io/v1 Table like the real API server. */

/** kubectl's HumanDuration: 45s, 3m20s, 12m, 5h3m, 30h, 3d4h, 200d, 3y. */
export function humanAge(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 ? `${m}m${s % 60}s` : `${m}m`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 8) return m % 60 ? `${h}h${m % 60}m` : `${h}h`;
  if (h < 48) return `${h}h`;
  const d = Math.floor(h / 24);
  if (h < 24 * 8) return h % 24 ? `${d}d${h % 24}h` : `${d}d`;
  if (d < 365 * 2) return `${d}d`;
  return `${Math.floor(d / 365)}y`;
}

const age = (o: Obj, now: number): string => {
  const t = Date.parse(String(obj(o.metadata).creationTimestamp ?? ''));
  return Number.isFinite(t) ? humanAge(now - t) : '<unknown>';
};

/** STATUS as kubectl computes it: the first container's waiting or terminated reason wins over the phase. */
export function podStatusText(pod: Obj): string {
  const status = obj(pod.status);
  let reason = String(status.reason ?? status.phase ?? 'Unknown');
  let hasRunning = false;
  const statuses = arr(status.containerStatuses).map(obj);
  for (let i = statuses.length - 1; i >= 0; i--) {
    const st = obj(statuses[i]!.state);
    const waiting = obj(st.waiting);
    const terminated = obj(st.terminated);
    if (typeof waiting.reason === 'string' && waiting.reason) reason = waiting.reason;
    else if (typeof terminated.reason === 'string' && terminated.reason) reason = terminated.reason;
    else if (st.terminated) reason = terminated.signal ? `Signal:${String(terminated.signal)}` : `ExitCode:${String(terminated.exitCode)}`;
    else if (statuses[i]!.ready === true && st.running) hasRunning = true;
  }
  if (reason === 'Completed' && hasRunning) reason = 'Running';
  if (obj(pod.metadata).deletionTimestamp) reason = status.reason === 'NodeLost' ? 'Unknown' : 'Terminating';
  return reason;
}

function podRow(pod: Obj, now: number): unknown[] {
  const statuses = arr(obj(pod.status).containerStatuses).map(obj);
  const total = arr(obj(pod.spec).containers).length || statuses.length;
  const ready = statuses.filter((c) => c.ready === true).length;
  const restarts = statuses.reduce((n, c) => n + (typeof c.restartCount === 'number' ? c.restartCount : 0), 0);
  let lastRestart = 0;
  for (const c of statuses) {
    const t = Date.parse(String(obj(obj(c.lastState).terminated).finishedAt ?? ''));
    if (Number.isFinite(t) && t > lastRestart) lastRestart = t;
  }
  const restartsText = restarts > 0 && lastRestart > 0 ? `${restarts} (${humanAge(now - lastRestart)} ago)` : String(restarts);
  return [String(obj(pod.metadata).name), `${ready}/${total}`, podStatusText(pod), restartsText, age(pod, now), String(obj(pod.status).podIP ?? '<none>'), String(obj(pod.spec).nodeName ?? '<none>')];
}

const col = (name: string, type: string, description: string, priority = 0, format = '') => ({ name, type, format, description, priority });

/** kubectl get events: LAST SEEN TYPE REASON OBJECT MESSAGE (COUNT and NAME with -o wide). */
const EVENT_COLUMNS = [
  col('Last Seen', 'string', 'Time when last this event was observed.'),
  col('Type', 'string', 'Type of this event (Normal, Warning), new types could be added in the future.'),
  col('Reason', 'string', 'This should be a short, machine understandable string that gives the reason for the transition into the object\'s current status.'),
  col('Object', 'string', 'The object that this event is about.'),
  col('Message', 'string', 'A human-readable description of the status of this operation.'),
  col('Count', 'string', 'The number of times this event has occurred.', 1),
  col('Name', 'string', 'Name must be unique within a namespace.', 1, 'name'),
];

function eventRow(e: Obj, now: number): unknown[] {
  const io = obj(e.involvedObject);
  const last = Date.parse(String(e.lastTimestamp ?? obj(e.series).lastObservedTime ?? e.eventTime ?? obj(e.metadata).creationTimestamp ?? ''));
  const count = typeof e.count === 'number' ? e.count : 1;
  const seen = Number.isFinite(last) ? humanAge(now - last) : '<unknown>';
  const first = Date.parse(String(e.firstTimestamp ?? ''));
  const over = Number.isFinite(first) && Number.isFinite(last) ? humanAge(last - first) : seen;
  return [count > 1 ? `${seen} (x${count} over ${over})` : seen, String(e.type ?? ''), String(e.reason ?? ''), `${String(io.kind ?? '').toLowerCase()}/${String(io.name ?? '')}`, String(e.message ?? ''), String(count), String(obj(e.metadata).name)];
}

const COLUMNS = {
  pods: [
    col('Name', 'string', 'Name must be unique within a namespace.', 0, 'name'),
    col('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'),
    col('Status', 'string', 'The aggregate status of the containers in this pod.'),
    col('Restarts', 'string', 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.'),
    col('Age', 'string', 'CreationTimestamp is a timestamp representing the server time when this object was created.'),
    col('IP', 'string', 'podIP is an IP address allocated to the pod.', 1),
    col('Node', 'string', 'nodeName indicates in which node this pod is scheduled.', 1),
  ],
  namespaces: [
    col('Name', 'string', 'Name must be unique within a namespace.', 0, 'name'),
    col('Status', 'string', 'The status of the namespace'),
    col('Age', 'string', 'CreationTimestamp is a timestamp representing the server time when this object was created.'),
  ],
  configmaps: [
    col('Name', 'string', 'Name must be unique within a namespace.', 0, 'name'),
    col('Data', 'string', 'Data contains the configuration data.'),
    col('Age', 'string', 'CreationTimestamp is a timestamp representing the server time when this object was created.'),
  ],
  leases: [
    col('Name', 'string', 'Name must be unique within a namespace.', 0, 'name'),
    col('Holder', 'string', 'holderIdentity contains the identity of the holder of a current lease.'),
    col('Age', 'string', 'CreationTimestamp is a timestamp representing the server time when this object was created.'),
  ],
  events: EVENT_COLUMNS,
};

function cells(resource: SimResource, o: Obj, now: number): unknown[] {
  if (resource === 'pods') return podRow(o, now);
  if (resource === 'leases') return [String(obj(o.metadata).name), String(obj(o.spec).holderIdentity ?? ''), age(o, now)];
  if (resource === 'events') return eventRow(o, now);
  if (resource === 'configmaps') return [String(obj(o.metadata).name), String(Object.keys(obj(o.data)).length + Object.keys(obj(o.binaryData)).length), age(o, now)];
  return [String(obj(o.metadata).name), String(obj(o.status).phase ?? 'Active'), age(o, now)];
}

export type IncludeObject = 'None' | 'Object' | 'Metadata';

/** Renders objects as a Table; rows carry PartialObjectMetadata (kubectl reads the namespace from it for -A). */
export function toTable(resource: SimResource, items: readonly Obj[], now: number, opts: { resourceVersion?: string; continue?: string; include?: IncludeObject; columns?: boolean } = {}): Obj {
  const include = opts.include ?? 'Metadata';
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { ...(opts.resourceVersion && { resourceVersion: opts.resourceVersion }), ...(opts.continue && { continue: opts.continue }) },
    ...(opts.columns !== false && { columnDefinitions: COLUMNS[resource] }),
    rows: items.map((o) => ({
      cells: cells(resource, o, now),
      ...(include === 'Object' && { object: o }),
      ...(include === 'Metadata' && { object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata } }),
    })),
  };
}
