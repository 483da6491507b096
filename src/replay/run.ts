import { Registry } from 'prom-client';
import type { Change } from '../adapters/kube/types.js';
import { RecordingSender, type RecordingProblem, type SlackCall } from '../adapters/slack/recording.js';
import { incidentSettingsOf } from '../app.js';
import { VirtualClock } from '../clock.js';
import type { Config } from '../config.js';
import type { NamespaceState } from '../core/mute.js';
import type { PodState } from '../core/pod.js';
import { silentLogger, type Logger } from '../log.js';
import { Pipeline } from '../pipeline.js';
import type { ReplayEvent } from './input.js';

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
  // Recorded is delivered: the book learns it at once (onOutcome), as it would from Slack's answer.
  const sender = new RecordingSender({ clock, onCall: options.onCall, ...(options.onProblem && { onProblem: options.onProblem }), onOutcome: (d) => pipeline.outcome(d) });
  const pipeline = new Pipeline({
    settings: incidentSettingsOf(config),
    defaultChannel: config.slackChannel,
    clock,
    log: options.log ?? silentLogger(),
    sender,
    registry: new Registry(),
  });
  const scope = config.watchNamespaces.length > 0 ? new Set(config.watchNamespaces) : undefined;
  const pods = new Map<string, PodState>();
  const namespaces = new Map<string, NamespaceState>();
  let outOfScope = 0;

  await sender.start();
  for (const ev of events) {
    clock.advanceTo(ev.at);
    if (ev.kind === 'Pod') {
      if (scope && !scope.has(ev.pod.namespace)) {
        outOfScope += 1;
        continue;
      }
      const prev = pods.get(ev.pod.uid);
      if (ev.type === 'DELETED') pods.delete(ev.pod.uid);
      else pods.set(ev.pod.uid, ev.pod);
      const change: Change<PodState> = ev.type === 'DELETED' ? { type: ev.type, prev: prev ?? ev.pod, next: ev.pod } : { type: ev.type, ...(prev && { prev }), next: ev.pod };
      pipeline.podChanged(change);
    } else {
      const name = ev.namespace.name;
      if (scope && !scope.has(name)) {
        outOfScope += 1;
        continue;
      }
      const prev = namespaces.get(name);
      if (ev.type === 'DELETED') namespaces.delete(name);
      else namespaces.set(name, ev.namespace);
      const change: Change<NamespaceState> =
        ev.type === 'DELETED' ? { type: ev.type, prev: prev ?? ev.namespace, next: ev.namespace } : { type: ev.type, ...(prev && { prev }), next: ev.namespace };
      pipeline.namespaceChanged(change);
    }
  }
  const limit = clock.now() + drainMs;
  clock.runUntilIdle(limit);
  const pendingTimers = clock.pendingCount;
  const nextTimerAt = clock.nextAt();
  // Cut short by --drain: the replay covered the whole drain window, so that is where it ended.
  if (pendingTimers > 0) clock.advanceTo(limit);
  const endedAt = clock.now();
  pipeline.stop();
  await sender.flush(0);
  return { events: events.length, outOfScope, endedAt, pendingTimers, ...(nextTimerAt !== undefined && { nextTimerAt }) };
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
