import { Registry } from 'prom-client';
import type { LogFetcher } from '../adapters/kube/logs.js';
import type { Sender } from '../ports.js';
import type { VirtualClock } from '../clock.js';
import type { Config } from '../config.js';
import { WarningBuffer } from '../core/warnings.js';
import { evidenceStage } from '../evidence/wiring.js';
import type { Logger } from '../log.js';
import type { ReplayEvent, ReplayLog } from './input.js';

/**
 * Evidence for `podbell replay`: when the input carries Warning Events or LOG lines, replies get them
 * as `podbell run` would (the evidence stage around the recording sender, logs read from the LOG
 * lines). Input without either replays exactly as before: no stage, no extra output.
 */
export interface ReplayEvidence {
  readonly sender: Sender;
  readonly warnings?: WarningBuffer;
  /** `namespace/pod/container/previous|current` -> the text that run logged */
  readonly logs?: Map<string, string>;
  /** Moves virtual time to `at`, firing timers on the way, letting fetched logs arrive between them. */
  advanceTo(at: number): Promise<void>;
  /** Fires timers until none is pending or `limit`, as VirtualClock.runUntilIdle. */
  runUntilIdle(limit: number): Promise<void>;
}

export const logKey = (l: Pick<ReplayLog, 'namespace' | 'pod' | 'container' | 'previous'>): string => `${l.namespace}/${l.pod}/${l.container}/${l.previous ? 'previous' : 'current'}`;

/** Lets the promise callbacks of answered log reads run (they settle within one turn). */
const settle = () => new Promise<void>((r) => setImmediate(r));

export function replayEvidence(events: readonly ReplayEvent[], o: { readonly config: Config; readonly clock: VirtualClock; readonly log: Logger; readonly inner: Sender }): ReplayEvidence {
  const { clock } = o;
  const hasEvents = o.config.evidence.events && events.some((e) => e.kind === 'Event');
  const hasLogs = o.config.evidence.logs && events.some((e) => e.kind === 'Log');
  if (!hasEvents && !hasLogs) {
    return {
      sender: o.inner,
      advanceTo: async (at) => clock.advanceTo(at),
      runUntilIdle: async (limit) => {
        clock.runUntilIdle(limit);
      },
    };
  }
  const warnings = hasEvents ? new WarningBuffer() : undefined;
  const logs = hasLogs ? new Map<string, string>() : undefined;
  const fetchLog: LogFetcher | undefined =
    logs &&
    (async (q) => {
      const text = logs.get(logKey(q));
      return text === undefined ? { ok: false, status: 404, message: `no LOG line for ${q.namespace}/${q.pod} ${q.container} (${q.previous ? 'previous' : 'current'} run) in the replay input` } : { ok: true, text, cut: false };
    });
  const sender = evidenceStage(o.config, {
    inner: o.inner,
    ...(fetchLog && { fetchLog }),
    ...(warnings && { warnings }),
    clock,
    log: o.log,
    registry: new Registry(),
  });
  // One timer at a time, settling before each, so a log read started by the last step answers
  // before its 5 s timeout fires (as it would in a live cluster).
  const step = async (limit: number) => {
    await settle();
    for (let next = clock.nextAt(); next !== undefined && next <= limit; next = clock.nextAt()) {
      clock.advanceTo(next);
      await settle();
    }
  };
  return {
    sender,
    ...(warnings && { warnings }),
    ...(logs && { logs }),
    advanceTo: async (at) => {
      await step(at);
      clock.advanceTo(at);
    },
    runUntilIdle: step,
  };
}
