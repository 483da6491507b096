import { occurrenceKey, type Failure } from './detect.js';
import type { Outgoing } from './outgoing.js';
import type { PodState } from './pod.js';
import { renderParent, renderReply, type IncidentView } from './render.js';
import type { WorkloadRef } from './workload.js';

/** The windows of DESIGN.md §3, in milliseconds. */
export interface IncidentSettings {
  readonly cluster?: string;
  readonly groupWaitMs: number;
  readonly groupIntervalMs: number;
  readonly repeatIntervalMs: number;
  readonly resolveAfterMs: number;
  readonly reopenWindowMs: number;
  readonly threadMaxAgeMs: number;
  readonly stormThreshold: number;
}

export type IncidentStatus = 'pending' | 'open' | 'resolving' | 'resolved';

/** One incident: plain, serialisable data. */
export interface Incident {
  readonly id: string;
  readonly key: string;
  readonly channel: string;
  readonly namespace: string;
  readonly workload: WorkloadRef;
  status: IncidentStatus;
  firstSeen: number;
  lastSeen: number;
  quietSince?: number;
  resolvedAt?: number;
  counts: Record<string, number>;
  /** pod uid -> pod name and whether it is failing now */
  pods: Record<string, { name: string; failing: boolean }>;
  /** `${uid}/${container}` -> highest restartCount seen */
  restarts: Record<string, number>;
  latestMessage?: string;
  /** occurrence keys already counted */
  seen: Record<string, true>;
  /** `${uid}/${reason}` pairs that already got a thread reply */
  replied: Record<string, true>;
  posted: boolean;
  lastEditAt: number;
  /** The parent as last sent, to edit only when the rendering changed. */
  lastParentText?: string;
}

/** All incidents, keyed by incident key. */
export interface IncidentBook {
  readonly incidents: Record<string, Incident>;
  readonly seq: number;
}

export type IncidentInput =
  | { readonly type: 'failure'; readonly failure: Failure; readonly channel: string }
  | { readonly type: 'pod'; readonly pod: PodState; readonly failing: boolean }
  | { readonly type: 'podDeleted'; readonly uid: string }
  | { readonly type: 'tick' };

export interface Step {
  readonly book: IncidentBook;
  readonly out: Outgoing[];
  /** When reduce wants a 'tick' next; undefined when no timer is needed. */
  readonly wakeAt: number | undefined;
}

export function emptyBook(): IncidentBook {
  return { incidents: {}, seq: 0 };
}

export function incidentKey(cluster: string | undefined, channel: string, namespace: string, workload: WorkloadRef): string {
  return [cluster ?? '', channel, namespace, workload.kind, workload.name].join('\u0000');
}

function view(i: Incident, s: IncidentSettings, now: number): IncidentView {
  return {
    status: i.status,
    cluster: s.cluster,
    namespace: i.namespace,
    workload: i.workload,
    counts: i.counts,
    podsAffected: Object.keys(i.pods).length,
    restarts: Object.values(i.restarts).reduce((a, b) => a + b, 0),
    firstSeen: i.firstSeen,
    lastSeen: i.lastSeen,
    ...(i.resolvedAt !== undefined && { resolvedAt: i.resolvedAt }),
    ...(i.latestMessage !== undefined && { latestMessage: i.latestMessage }),
    now,
  };
}

/**
 * The incident state machine: pure, time passed in. Returns the next book (the input is not
 * mutated), what to send, and when to be woken next.
 */
export function reduce(book: IncidentBook, input: IncidentInput, now: number, s: IncidentSettings): Step {
  const incidents: Record<string, Incident> = structuredClone(book.incidents);
  let seq = book.seq;
  const out: Outgoing[] = [];

  if (input.type === 'failure') {
    const f = input.failure;
    const key = incidentKey(s.cluster, input.channel, f.namespace, f.workload);
    let inc = incidents[key];
    if (!inc || inc.status === 'resolved') {
      inc = {
        id: `t${++seq}`,
        key,
        channel: input.channel,
        namespace: f.namespace,
        workload: f.workload,
        status: 'pending',
        firstSeen: now,
        lastSeen: now,
        counts: {},
        pods: {},
        restarts: {},
        seen: {},
        replied: {},
        posted: false,
        lastEditAt: now,
      };
      incidents[key] = inc;
    }
    const occ = occurrenceKey(f);
    if (!inc.seen[occ]) {
      inc.seen[occ] = true;
      inc.counts[f.reason] = (inc.counts[f.reason] ?? 0) + 1;
      inc.lastSeen = now;
      if (f.message) inc.latestMessage = f.message;
    }
    inc.pods[f.uid] = { name: f.pod, failing: true };
    const rk = `${f.uid}/${f.container}`;
    inc.restarts[rk] = Math.max(inc.restarts[rk] ?? 0, f.restartCount);
    if (inc.status === 'resolving') {
      inc.status = 'open';
      delete inc.quietSince;
    }
    const pair = `${f.uid}/${f.reason}`;
    if (inc.posted && !inc.replied[pair]) {
      inc.replied[pair] = true;
      out.push({ kind: 'reply', thread: inc.id, message: renderReply(f) });
    }
  } else if (input.type === 'pod' || input.type === 'podDeleted') {
    const uid = input.type === 'pod' ? input.pod.uid : input.uid;
    for (const inc of Object.values(incidents)) {
      const p = inc.pods[uid];
      if (!p) continue;
      p.failing = input.type === 'pod' ? input.failing : false;
      const anyFailing = Object.values(inc.pods).some((q) => q.failing);
      if (!anyFailing && inc.status === 'open') {
        inc.status = 'resolving';
        inc.quietSince = now;
      } else if (!anyFailing && inc.status === 'pending') {
        // Recovered before GROUP_WAIT ended: nobody needs to hear about it.
        delete incidents[inc.key];
      } else if (anyFailing && inc.status === 'resolving') {
        inc.status = 'open';
        delete inc.quietSince;
      }
    }
  }

  // Timers: open pending incidents, resolve quiet ones, flush changed parents.
  for (const inc of Object.values(incidents)) {
    if (inc.status === 'pending' && now >= inc.firstSeen + s.groupWaitMs) {
      inc.status = 'open';
      inc.posted = true;
      inc.lastEditAt = now;
      const parent = renderParent(view(inc, s, now));
      inc.lastParentText = parent.text;
      out.push({ kind: 'parent', thread: inc.id, channel: inc.channel, message: parent });
      for (const [occ] of Object.entries(inc.seen)) {
        const [uid, , reason] = occ.split('\u0000');
        const pair = `${uid}/${reason}`;
        if (!inc.replied[pair]) inc.replied[pair] = true;
      }
    }
    if (inc.status === 'resolving' && inc.quietSince !== undefined && now >= inc.quietSince + s.resolveAfterMs) {
      inc.status = 'resolved';
      inc.resolvedAt = inc.quietSince;
      const parent = renderParent(view(inc, s, now));
      inc.lastParentText = parent.text;
      inc.lastEditAt = now;
      out.push({ kind: 'edit', thread: inc.id, message: parent });
    }
    if (inc.posted && (inc.status === 'open' || inc.status === 'resolving') && now >= inc.lastEditAt + s.groupIntervalMs) {
      const parent = renderParent(view(inc, s, now));
      if (parent.text !== inc.lastParentText) {
        inc.lastParentText = parent.text;
        inc.lastEditAt = now;
        out.push({ kind: 'edit', thread: inc.id, message: parent });
      }
    }
  }

  let wakeAt: number | undefined;
  const wake = (t: number) => {
    if (wakeAt === undefined || t < wakeAt) wakeAt = t;
  };
  for (const inc of Object.values(incidents)) {
    if (inc.status === 'pending') wake(inc.firstSeen + s.groupWaitMs);
    if (inc.status === 'resolving' && inc.quietSince !== undefined) wake(inc.quietSince + s.resolveAfterMs);
    if (inc.posted && inc.status !== 'resolved' && inc.lastSeen > inc.lastEditAt) wake(inc.lastEditAt + s.groupIntervalMs);
  }
  return { book: { incidents, seq }, out, wakeAt };
}
