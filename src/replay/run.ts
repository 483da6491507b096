import { Registry } from 'prom-client';
import type { Change, ChangeType } from '../ports.js';
import { RecordingSender, type RecordingProblem, type SlackCall } from '../adapters/slack/recording.js';
import { incidentSettingsOf } from '../app.js';
import { VirtualClock } from '../clock.js';
import type { Config } from '../config.js';
import type { NamespaceState } from '../core/mute.js';
import type { PodState } from '../core/pod.js';
import { silentLogger, type Logger } from '../log.js';
import { Pipeline } from '../pipeline.js';
import type { ActionName } from '../core/action-types.js';
import type { ReplayAction, ReplayEvent } from './input.js';
import { logKey, replayEvidence, type ReplayEvidence } from './evidence.js';
import type { ProjectedEvent } from '../core/warnings.js';
import { warningListener } from '../evidence/wiring.js';

export interface ReplayOptions {
  readonly config: Config;
  /** How long virtual time may run on after the last event while timers are pending (ms); default 24h. */
  readonly drainMs?: number;
  /** Receives each Slack call when it is final, in order. */
  readonly onCall: (call: SlackCall) => void;
  readonly onProblem?: (problem: RecordingProblem) => void;
  readonly log?: Logger;
}

export interface ReplaySummary {
  readonly events: number;
  /** Events outside WATCH_NAMESPACES, which the live watch would never have seen. */
  readonly outOfScope: number;
  /** Virtual time when the replay stopped (ms since the epoch). */
  readonly endedAt: number;
  /** Timers still pending when --drain ran out (0: the bot had gone quiet). */
  readonly pendingTimers: number;
  /** When the earliest of those would have fired. */
  readonly nextTimerAt?: number;
}

export const DEFAULT_DRAIN_MS = 24 * 3_600_000;

/**
 * Runs events through the real Pipeline on a VirtualClock: time jumps from event to event, firing
 * every timer due in between; after the last event it runs on until no timer is pending or `drainMs`
 * has passed. Keeps its own uid -> PodState cache to hand the pipeline `prev`, as the watch does.
 * Pure in effect: same events and config, same calls.
 */
export async function runReplay(events: readonly ReplayEvent[], options: ReplayOptions): Promise<ReplaySummary> {
  const drainMs = options.drainMs ?? DEFAULT_DRAIN_MS;
  if (!(drainMs >= 0) || !Number.isFinite(drainMs)) throw new TypeError(`runReplay: option drainMs must be a finite number >= 0, got ${drainMs}`);
  if (typeof options.onCall !== 'function') throw new TypeError('runReplay: option onCall must be a function');
  const { config } = options;
  const clock = new VirtualClock(events[0]?.at ?? 0);
  const log = options.log ?? silentLogger();
  // Recorded is delivered: the book learns it at once (onOutcome), as it would from Slack's answer.
  const recording = new RecordingSender({ clock, onCall: options.onCall, ...(options.onProblem && { onProblem: options.onProblem }), onOutcome: (d) => pipeline.outcome(d) });
  const evidence = replayEvidence(events, { config, clock, log, inner: recording });
  const pipeline = new Pipeline({
    settings: incidentSettingsOf(config),
    defaultChannel: config.slackChannel,
    clock,
    log,
    sender: evidence.sender,
    registry: new Registry(),
    pendingAfterMs: config.pendingAfterMs,
    ...(evidence.warnings && { warnings: evidence.warnings }),
  });
  const scope = config.watchNamespaces.length > 0 ? new Set(config.watchNamespaces) : undefined;
  const feed = new ReplayFeed(pipeline, evidence, scope, clock, recording, log);

  await evidence.sender.start();
  for (const ev of events) {
    await evidence.advanceTo(ev.at);
    feed.apply(ev);
  }
  const limit = clock.now() + drainMs;
  await evidence.runUntilIdle(limit);
  const pendingTimers = clock.pendingCount;
  const nextTimerAt = clock.nextAt();
  // Cut short by --drain: the replay covered the whole drain window, so that is where it ended.
  if (pendingTimers > 0) clock.advanceTo(limit);
  const endedAt = clock.now();
  pipeline.stop();
  await evidence.sender.flush(0);
  return { events: events.length, outOfScope: feed.outOfScope, endedAt, pendingTimers, ...(nextTimerAt !== undefined && { nextTimerAt }) };
}

/** Hands each replayed event to the pipeline (with `prev`, as the watch does) or to the evidence buffers. */
class ReplayFeed {
  outOfScope = 0;
  readonly #pods = new Map<string, PodState>();
  readonly #namespaces = new Map<string, NamespaceState>();
  readonly #events = new Map<string, ProjectedEvent>();
  readonly #warningChanged: ((c: Change<ProjectedEvent>) => void) | undefined;

  constructor(
    readonly pipeline: Pipeline,
    readonly evidence: ReplayEvidence,
    readonly scope: ReadonlySet<string> | undefined,
    readonly clock: VirtualClock,
    readonly recording: RecordingSender,
    readonly log: Logger,
  ) {
    // As the live Warning Event watch: into the buffer, then the pipeline refreshes the cause line.
    if (evidence.warnings) this.#warningChanged = warningListener(evidence.warnings, clock, (w) => pipeline.warningArrived(w));
  }

  apply(ev: ReplayEvent): void {
    if (ev.kind === 'Action') {
      replayAction(this.pipeline, this.recording, ev.action, ev.line, this.log);
      return;
    }
    if (ev.kind === 'Log') {
      this.evidence.logs?.set(logKey(ev.log), ev.log.text);
      return;
    }
    const ns = ev.kind === 'Pod' ? ev.pod.namespace : ev.kind === 'Event' ? ev.event.namespace : ev.namespace.name;
    if (this.scope && !this.scope.has(ns)) {
      this.outOfScope += 1;
      return;
    }
    if (ev.kind === 'Pod') this.pipeline.podChanged(changeOf(this.#pods, ev.pod.uid, ev.type, ev.pod));
    else if (ev.kind === 'Namespace') this.pipeline.namespaceChanged(changeOf(this.#namespaces, ev.namespace.name, ev.type, ev.namespace));
    else {
      const c = changeOf(this.#events, ev.event.key, ev.type, ev.event);
      this.#warningChanged?.(c);
    }
  }
}

/** A button press from the input: the incident named by its thread id, or by its parent's ts in this replay's output. */
function replayAction(pipeline: Pipeline, sender: RecordingSender, a: ReplayAction, line: number, log: Logger): void {
  let thread = a.incident;
  if (thread === undefined) {
    // By the parent's ts, as this replay's output printed it.
    thread = Object.values(pipeline.book.incidents).find((i) => sender.thread(i.id)?.ts === a.ts)?.id ?? `ts:${a.ts}`;
  }
  const { result } = pipeline.action({ type: 'action', envelope: `replay:${line}`, user: a.user, action: a.action as ActionName, thread, ...(a.value !== undefined && { value: a.value }) });
  if (result !== 'applied') log.warn({ line, action: a.action, result }, `replay: ACTION on line ${line} changed nothing (${result})`);
}

/** The watch's Change for `next` given what `cache` held under `key`; updates the cache. */
function changeOf<T>(cache: Map<string, T>, key: string, type: ChangeType, next: T): Change<T> {
  const prev = cache.get(key);
  if (type === 'DELETED') cache.delete(key);
  else cache.set(key, next);
  return type === 'DELETED' ? { type, prev: prev ?? next, next } : { type, ...(prev && { prev }), next };
}

/** One output line of `podbell replay` (docs/design.md#commands, CONTRACT): the keys in this order, always all of them. */
export function formatCallLine(call: SlackCall): string {
  return JSON.stringify({
    at: call.at,
    method: call.method,
    channel: call.channel,
    ts: call.ts,
    thread_ts: call.thread_ts,
    text: call.text,
    blocks: call.blocks,
  });
}
