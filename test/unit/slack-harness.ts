/** Shared set-up for the Slack sender tests: FakeSlack and SlackSender on one VirtualClock. */
import { Registry } from 'prom-client';
import { VirtualClock } from '../../src/clock.js';
import { seededRandom } from '../../src/sim/random.js';
import type { Outgoing } from '../../src/core/outgoing.js';
import { createLogger } from '../../src/log.js';
import { SlackSender, type SlackSenderOptions } from '../../src/adapters/slack/sender.js';
import { MemoryThreadStore } from '../../src/adapters/store/memory.js';
import { FakeSlack, type FakeSlackOptions } from '../fakes/slack.js';

export const T0 = 1_700_000_000_000;

/** Deterministic [0,1) numbers: the sim's seeded PRNG, so every seeded test shares one generator. */
export const seeded = seededRandom;

export interface Harness {
  readonly clock: VirtualClock;
  readonly slack: FakeSlack;
  readonly sender: SlackSender;
  readonly store: MemoryThreadStore;
  readonly registry: Registry;
  /** Every JSON log line written. */
  readonly lines: string[];
  /** Parsed log lines. */
  logs(): Array<Record<string, unknown>>;
  /** Sends everything: waits for in-flight requests, then moves the clock to the next timer, until nothing is pending. */
  drain(limitMs?: number): Promise<void>;
  /** Like drain but stops once the clock reaches `at`. */
  runUntil(at: number): Promise<void>;
  metric(name: string, labels?: Record<string, string>): Promise<number>;
  close(): Promise<void>;
}

export async function harness(
  options: { fake?: FakeSlackOptions; sender?: Partial<SlackSenderOptions>; secrets?: boolean } = {},
): Promise<Harness> {
  const clock = new VirtualClock(T0);
  const slack = await FakeSlack.start({ clock, channels: ['#alerts'], ...options.fake });
  const lines: string[] = [];
  const log = createLogger({
    level: 'trace',
    destination: { write: (s: string) => void lines.push(s) },
    ...(options.secrets ? { secrets: [slack.token] } : {}),
  });
  const store = new MemoryThreadStore();
  const registry = new Registry();
  const sender = new SlackSender({
    token: slack.token,
    apiUrl: slack.url,
    defaultChannel: '#alerts',
    clock,
    log,
    registry,
    store,
    random: seeded(42),
    ...options.sender,
  });
  const runUntil = async (at: number) => {
    for (let i = 0; i < 100_000; i++) {
      await sender.idle();
      const next = clock.nextAt();
      if (sender.pending === 0 && next === undefined) return;
      if (next === undefined) throw new Error(`stuck: ${sender.pending} pending and no timer`);
      if (next > at) return clock.advanceTo(at);
      clock.advanceTo(next);
    }
    throw new Error('runUntil: too many steps');
  };
  return {
    clock,
    slack,
    sender,
    store,
    registry,
    lines,
    logs: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>),
    async drain(limitMs = 24 * 3_600_000) {
      const end = clock.now() + limitMs;
      for (let i = 0; i < 100_000; i++) {
        await sender.idle();
        if (sender.pending === 0) return;
        const next = clock.nextAt();
        if (next === undefined) throw new Error(`stuck: ${sender.pending} pending and no timer`);
        if (next > end) throw new Error(`not drained within ${limitMs} ms`);
        clock.advanceTo(next);
      }
      throw new Error('drain: too many steps');
    },
    runUntil,
    async metric(name, labels = {}) {
      const m = (await registry.getMetricsAsJSON()).find((x) => x.name === name);
      const v = m?.values.find((x) => Object.entries(labels).every(([k, val]) => x.labels[k] === val));
      return Number(v?.value ?? 0);
    },
    async close() {
      sender.stop();
      await slack.close();
    },
  };
}

export const text = (t: string) => ({ text: t });
export const parent = (thread: string, channel: string, t: string, extra: Partial<Extract<Outgoing, { kind: 'parent' }>> = {}): Outgoing => ({
  kind: 'parent',
  thread,
  channel,
  message: { text: t, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: t } }] },
  ...extra,
});
export const reply = (thread: string, t: string): Outgoing => ({ kind: 'reply', thread, message: { text: t } });
export const edit = (thread: string, t: string): Outgoing => ({
  kind: 'edit',
  thread,
  message: { text: t, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: t } }] },
});
