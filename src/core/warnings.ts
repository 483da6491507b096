/**
 * Recent Warning Events per pod, folded by reason. Warnings that explain a failure (probe failures,
 * pull errors, mount errors) arrive BEFORE the pod is seen failing, so they are kept for every pod,
 * but bounded: an age window, a few reasons per pod, a global cap on pods (oldest dropped first),
 * and a pod's entry goes when the pod is deleted. Time is passed in.
 */
import type { FoldedWarning } from './cause.js';
import { obj, nonEmptyString as text } from './json.js';

/** One Warning Event as the watch projects it. */
export interface WarningEvent {
  readonly namespace: string;
  readonly pod: string;
  /** involvedObject.uid, when the event names it */
  readonly uid?: string | undefined;
  readonly reason: string;
  readonly message: string;
  /** occurrences this delivery adds (Event.count grows on the same object: only the increase) */
  readonly count: number;
  /** lastTimestamp / eventTime / series.lastObservedTime, ms */
  readonly at: number;
}

/** A core/v1 Event as the Event watch keeps it (one per Event object, keyed by namespace/name). */
export interface ProjectedEvent {
  /** namespace/name of the Event object */
  readonly key: string;
  readonly namespace: string;
  readonly pod: string;
  readonly uid?: string;
  readonly reason: string;
  readonly message: string;
  /** Event.count (or series.count): how often it happened so far */
  readonly count: number;
  readonly at: number;
}

/** Server-side selector of the Event watch: only Warnings, only about pods. */
export const WARNING_EVENT_SELECTOR = 'type=Warning,involvedObject.kind=Pod';

const MAX_EVENT_MESSAGE = 512;
const time = (...vs: unknown[]): number | undefined => {
  for (const v of vs) {
    const t = typeof v === 'string' ? Date.parse(v) : NaN;
    if (Number.isFinite(t)) return t;
  }
  return undefined;
};

/**
 * Projects a Warning Event about a Pod; anything else (Normal events, events about other kinds,
 * malformed objects) is undefined. Total: never throws.
 */
export function projectWarningEvent(raw: unknown): ProjectedEvent | undefined {
  const e = obj(raw);
  const meta = obj(e?.metadata);
  const io = obj(e?.involvedObject);
  if (!e || !meta || !io || e.type !== 'Warning' || io.kind !== 'Pod') return undefined;
  const name = text(meta.name);
  const pod = text(io.name);
  const namespace = text(io.namespace) ?? text(meta.namespace) ?? 'default';
  const reason = text(e.reason);
  const at = time(e.lastTimestamp, obj(e.series)?.lastObservedTime, e.eventTime, e.firstTimestamp, meta.creationTimestamp);
  if (!name || !pod || !reason || at === undefined) return undefined;
  const message = text(e.message) ?? '';
  const countRaw = typeof e.count === 'number' ? e.count : obj(e.series)?.count;
  const count = typeof countRaw === 'number' && countRaw >= 1 ? Math.floor(countRaw) : 1;
  const uid = text(io.uid);
  return {
    key: `${text(meta.namespace) ?? namespace}/${name}`,
    namespace,
    pod,
    ...(uid !== undefined && { uid }),
    reason,
    message: message.length > MAX_EVENT_MESSAGE ? `${message.slice(0, MAX_EVENT_MESSAGE - 1)}…` : message,
    count,
    at,
  };
}

/** The buffer entry for a watch change: only the occurrences that are new since the previous version. */
export function warningOf(prev: ProjectedEvent | undefined, next: ProjectedEvent): WarningEvent | undefined {
  const added = prev ? next.count - prev.count : next.count;
  if (added <= 0 && prev) return undefined;
  return { namespace: next.namespace, pod: next.pod, uid: next.uid, reason: next.reason, message: next.message, count: Math.max(1, added), at: next.at };
}

export interface WarningLimits {
  /** Warnings older than this are forgotten (default 15 min). */
  readonly windowMs: number;
  /** Folded reasons kept per pod (default 5). */
  readonly reasonsPerPod: number;
  /** Pods with warnings kept in all (default 5000). */
  readonly maxPods: number;
  /** Longest message kept (default 512 characters). */
  readonly maxMessage: number;
}

const DEFAULT_WARNING_LIMITS: WarningLimits = { windowMs: 15 * 60_000, reasonsPerPod: 5, maxPods: 5000, maxMessage: 512 };

interface PodWarnings {
  uid: string | undefined;
  folded: FoldedWarning[];
}

const keyOf = (namespace: string, pod: string): string => `${namespace}/${pod}`;

export class WarningBuffer {
  readonly #limits: WarningLimits;
  /** namespace/pod -> its folded warnings; insertion order = least recently warned first. */
  readonly #pods = new Map<string, PodWarnings>();

  constructor(limits: Partial<WarningLimits> = {}) {
    this.#limits = { ...DEFAULT_WARNING_LIMITS, ...limits };
  }

  get size(): number {
    return this.#pods.size;
  }

  add(e: WarningEvent, now: number): void {
    if (now - e.at > this.#limits.windowMs) return;
    const key = keyOf(e.namespace, e.pod);
    let p = this.#pods.get(key);
    if (p && e.uid && p.uid && p.uid !== e.uid) p = undefined; // a new pod with an old pod's name
    this.#pods.delete(key);
    p ??= { uid: e.uid, folded: [] };
    if (e.uid) p.uid = e.uid;
    const message = e.message.length > this.#limits.maxMessage ? `${e.message.slice(0, this.#limits.maxMessage - 1)}…` : e.message;
    const i = p.folded.findIndex((f) => f.reason === e.reason);
    const before = i >= 0 ? p.folded[i]! : undefined;
    const fresh = before && now - before.lastAt <= this.#limits.windowMs ? before.count : 0;
    const next: FoldedWarning = { reason: e.reason, count: fresh + Math.max(1, e.count), message, lastAt: Math.max(e.at, before?.lastAt ?? 0) };
    if (i >= 0) p.folded.splice(i, 1);
    p.folded.push(next);
    if (p.folded.length > this.#limits.reasonsPerPod) p.folded.sort((a, b) => b.lastAt - a.lastAt).length = this.#limits.reasonsPerPod;
    this.#pods.set(key, p);
    if (this.#pods.size > this.#limits.maxPods) this.#pods.delete(this.#pods.keys().next().value as string);
  }

  /** The pod's warnings within the window, latest first; empty when none. */
  of(namespace: string, pod: string, uid: string | undefined, now: number): FoldedWarning[] {
    const p = this.#pods.get(keyOf(namespace, pod));
    if (!p || (uid && p.uid && p.uid !== uid)) return [];
    return p.folded.filter((f) => now - f.lastAt <= this.#limits.windowMs).sort((a, b) => b.lastAt - a.lastAt);
  }

  deletePod(namespace: string, pod: string): void {
    this.#pods.delete(keyOf(namespace, pod));
  }

  /** Drops what is older than the window (call now and then; reads filter anyway). */
  prune(now: number): void {
    for (const [key, p] of this.#pods) {
      p.folded = p.folded.filter((f) => now - f.lastAt <= this.#limits.windowMs);
      if (p.folded.length === 0) this.#pods.delete(key);
    }
  }
}
