import type { ChangeType } from '../ports.js';
import { projectNamespace, type NamespaceState } from '../core/mute.js';
import { parseRfc3339 } from '../core/rfc3339.js';
import { projectPod, type PodState } from '../core/pod.js';
import { InputError } from '../errors.js';
import { type Obj, obj } from '../core/json.js';
import { kindOf } from '../core/kind.js';
import { projectWarningEvent, type ProjectedEvent } from '../core/warnings.js';

/**
 * Replay input: JSON lines of watch events, `{"type":"ADDED|MODIFIED|DELETED","object":{…},"at":"…"}`,
 * projected at once so a long recording costs only the slim states in memory.
 */

/** Where virtual time starts when no event carries an "at": the Unix epoch, 1970-01-01T00:00:00Z. */
export const REPLAY_EPOCH = 0;

export type ReplayEvent =
  | { readonly line: number; readonly at: number; readonly type: ChangeType; readonly kind: 'Pod'; readonly pod: PodState }
  | { readonly line: number; readonly at: number; readonly type: ChangeType; readonly kind: 'Namespace'; readonly namespace: NamespaceState }
  | { readonly line: number; readonly at: number; readonly type: ChangeType; readonly kind: 'Event'; readonly event: ProjectedEvent }
  /** `{"type":"LOG","at"?,"namespace","pod","container","previous":true,"text":"…"}`: what `kubectl logs` would read from then on ("at" read as any line's). */
  | { readonly line: number; readonly at: number; readonly type: 'LOG'; readonly kind: 'Log'; readonly log: ReplayLog }
  | { readonly line: number; readonly at: number; readonly type: 'ACTION'; readonly kind: 'Action'; readonly action: ReplayAction };

/**
 * A Slack button press in replay input (docs/slack-actions.md):
 * `{"type":"ACTION","at":"…","user":"U123","action":"mute","incident":"t1","value":"1h"}`; instead of
 * "incident" (podbell's thread id), "ts" names the parent by the ts the replay output gave it.
 */
export interface ReplayAction {
  readonly user: string;
  readonly action: string;
  readonly incident?: string;
  readonly ts?: string;
  readonly value?: string;
}

export interface ReplayLog {
  readonly namespace: string;
  readonly pod: string;
  readonly container: string;
  readonly previous: boolean;
  readonly text: string;
}

/** A line that was read but could not be used; the run goes on (the caller prints these on stderr). */
export interface InputWarning {
  readonly line: number;
  readonly message: string;
}

const CHANGE_TYPES: readonly string[] = ['ADDED', 'MODIFIED', 'DELETED'];



export interface LineResult {
  readonly event?: ReplayEvent;
  readonly warning?: InputWarning;
}

/**
 * Reads one input value (starting on `line`). `prevAt` is the time of the previous event (an event without "at" happens
 * then). Throws InputError naming the line for input that is not a watch event at all; returns a
 * warning for a well-formed event podbell cannot use (another kind, a pod without uid, time going back).
 */
export function parseReplayValue(value: unknown, line: number, prevAt: number): LineResult {
  const ev = obj(value);
  if (!ev) throw new InputError(`${line}: expected a watch event object {"type","object"}`);
  const type = ev.type;
  if (type === 'BOOKMARK') return {};
  if (type === 'ACTION') return parseAction(ev, line, prevAt);
  if (type === 'LOG') return parseLogLine(ev, line, prevAt);
  if (typeof type !== 'string' || !CHANGE_TYPES.includes(type)) {
    throw new InputError(`${line}: "type" must be ADDED, MODIFIED, DELETED, ACTION or LOG, got ${JSON.stringify(type ?? null)}`);
  }
  const object = obj(ev.object);
  if (!object) throw new InputError(`${line}: "object" must be a Pod or Namespace object`);
  const { at, warning } = timeOf(ev, line, prevAt);
  const kind = kindOf(object);
  const changeType = type as ChangeType;
  if (kind === 'Pod') {
    const pod = projectPod(object);
    if (!pod) return { warning: { line, message: 'pod without metadata.name; skipped' } };
    return { event: { line, at, type: changeType, kind, pod }, ...(warning && { warning }) };
  }
  if (kind === 'Namespace') {
    const namespace = projectNamespace(object);
    if (!namespace) return { warning: { line, message: 'namespace without metadata.name; skipped' } };
    return { event: { line, at, type: changeType, kind, namespace }, ...(warning && { warning }) };
  }
  if (kind === 'Event') {
    const event = projectWarningEvent(object);
    if (!event) return { warning: { line, message: 'not a Warning Event about a Pod (or no reason, or no time); skipped' } };
    return { event: { line, at, type: changeType, kind, event }, ...(warning && { warning }) };
  }
  return { warning: { line, message: `kind ${JSON.stringify(kind)} is neither Pod, Namespace nor Event; skipped` } };
}

/** A LOG line: the text one run of a container logged, for replayed evidence. */
function parseLogLine(ev: Obj, line: number, prevAt: number): LineResult {
  const str = (k: string): string => {
    const v = ev[k];
    if (typeof v !== 'string' || v === '') throw new InputError(`${line}: a LOG line needs "${k}" (a non-empty string)`);
    return v;
  };
  if (typeof ev.text !== 'string') throw new InputError(`${line}: a LOG line needs "text" (a string)`);
  if (ev.previous !== undefined && typeof ev.previous !== 'boolean') throw new InputError(`${line}: "previous" must be true or false`);
  const { at, warning } = timeOf(ev, line, prevAt);
  const log: ReplayLog = { namespace: str('namespace'), pod: str('pod'), container: str('container'), previous: ev.previous === true, text: ev.text };
  return { event: { line, at, type: 'LOG', kind: 'Log', log }, ...(warning && { warning }) };
}

/** The event's "at" (or the previous event's time), never before the previous event. */
function timeOf(ev: Obj, line: number, prevAt: number): { at: number; warning?: InputWarning } {
  let at = prevAt;
  if (ev.at !== undefined && ev.at !== null) {
    const ms = typeof ev.at === 'string' ? parseRfc3339(ev.at) : undefined;
    if (ms === undefined) throw new InputError(`${line}: "at" must be an RFC 3339 time like 2026-11-21T09:00:30Z, got ${JSON.stringify(ev.at)}`);
    at = ms;
  }
  if (at < prevAt) return { at: prevAt, warning: { line, message: `"at" ${String(ev.at)} is before the previous event; replayed at the previous event's time (time never runs backwards)` } };
  return { at };
}

function parseAction(ev: Obj, line: number, prevAt: number): LineResult {
  const str = (k: string) => (typeof ev[k] === 'string' && ev[k] !== '' ? (ev[k] as string) : undefined);
  const user = str('user');
  const action = str('action');
  if (user === undefined || action === undefined) throw new InputError(`${line}: an ACTION needs "user" (a Slack user id) and "action" (mute, mute-namespace, ack or unmute)`);
  const incident = str('incident');
  const ts = str('ts');
  if ((incident === undefined) === (ts === undefined)) throw new InputError(`${line}: an ACTION names its incident by "incident" (thread id, e.g. "t1") or by "ts" (its parent's ts), exactly one of them`);
  const value = str('value');
  const { at, warning } = timeOf(ev, line, prevAt);
  const act: ReplayAction = { user, action, ...(incident !== undefined && { incident }), ...(ts !== undefined && { ts }), ...(value !== undefined && { value }) };
  return { event: { line, at, type: 'ACTION', kind: 'Action', action: act }, ...(warning && { warning }) };
}

/**
 * Reads every line (so a malformed one stops the replay before anything is printed) and returns the
 * events in input order. Throws InputError naming the first bad line.
 */
export async function readReplayInput(
  values: AsyncIterable<{ readonly value: unknown; readonly line: number }> | Iterable<{ readonly value: unknown; readonly line: number }>,
  onWarning: (w: InputWarning) => void,
  epoch = REPLAY_EPOCH,
): Promise<ReplayEvent[]> {
  const events: ReplayEvent[] = [];
  let prevAt = epoch;
  for await (const { value, line } of values) {
    const r = parseReplayValue(value, line, prevAt);
    if (r.warning) onWarning(r.warning);
    if (r.event) {
      events.push(r.event);
      prevAt = r.event.at;
    }
  }
  return events;
}
