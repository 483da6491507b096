import { type Obj, obj } from '../core/json.js';
/**
 * `podbell record`: the cluster's pod and namespace events as replay input lines. The format is
 * replay's own: {"at","type","object"}, one JSON object per line; the raw objects are kept (replay
 * projects them with the current code, so a recording stays useful after podbell changes), minus
 * managedFields, which are large and which podbell never reads.
 */

export type RecordKind = 'Pod' | 'Namespace' | 'Event';

/** One watch event as the API server sent it. */
export interface RecordEvent {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  /** Which resource was watched, for LIST items that carry no `kind`. */
  readonly kind: RecordKind;
  readonly object: unknown;
}

/** Where record's events come from: the fallback raw watch here, or the kube watch adapter once it exposes raw objects. */
export interface RecordSource {
  /** Begins listing and watching; events (the initial LIST as ADDED) go to onEvent. Returns at once. */
  start(onEvent: (event: RecordEvent) => void): void;
  /** Stops every stream and timer; resolves when closed. */
  stop(): Promise<void>;
  /** True once the initial lists arrived; a source without it is taken as always reachable. */
  readonly synced?: boolean;
}


/** The object as recorded: managedFields dropped, `kind`/`apiVersion` filled in when the API left them out. */
export function recordedObject(object: unknown, kind?: RecordKind): unknown {
  const o = obj(object);
  if (!o) return object;
  const meta = obj(o.metadata);
  const out: Obj = { ...(kind && o.kind === undefined && { kind, apiVersion: 'v1' }), ...o };
  if (meta && 'managedFields' in meta) {
    const { managedFields: _dropped, ...rest } = meta;
    out.metadata = rest;
  }
  return out;
}

/** One replay input line for a watch event seen at `at` (ms since the epoch). */
export function formatRecordLine(type: RecordEvent['type'], object: unknown, at: number, kind?: RecordKind): string {
  if (!Number.isFinite(at)) throw new TypeError(`formatRecordLine: at must be a finite time in ms, got ${at}`);
  return JSON.stringify({ at: new Date(at).toISOString(), type, object: recordedObject(object, kind) });
}
