// Nobody waits behind the backlog (issue 14), end to end: 50 workloads crash-looping under heavy pod
// churn, the pipeline sending through the real SlackSender over HTTP to the fake Slack at Slack's
// rate (1 post per second per channel), sender and fake Slack on one VirtualClock. What is asserted
// is what Slack accepted, at the virtual time it arrived: no assertion depends on wall-clock time.
import { Registry } from 'prom-client';
import { SlackSender } from '../../src/adapters/slack/sender.js';
import { MemoryThreadStore } from '../../src/adapters/store/memory.js';
import { incidentSettingsOf } from '../../src/app.js';
import { VirtualClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/log.js';
import { FakeSlack, type RecordedRequest } from '../fakes/slack.js';
import { CrashLoops, PipelineCluster } from '../support/pipeline-cluster.js';

const SEC = 1000;
const MIN = 60 * SEC;
const T0 = Date.parse('2026-11-21T09:00:00Z');
const WORKLOADS = 50;
const names = Array.from({ length: WORKLOADS }, (_, w) => `etl-${String(w).padStart(2, '0')}`);

interface Queued {
  readonly kind: string;
  readonly thread: string;
  /** How many requests the fake Slack had answered when the message was queued (none is in flight then). */
  readonly afterRequest: number;
}

interface Run {
  readonly slack: FakeSlack;
  readonly accepted: RecordedRequest[];
  readonly queued: Queued[];
  readonly firstCrashAt: ReadonlyMap<string, number>;
  /** Where each thread's parent landed (what the sender recorded). */
  readonly store: MemoryThreadStore;
}

let run: Run;
let fake: FakeSlack | undefined;
beforeAll(async () => {
  const clock = new VirtualClock(T0);
  const slack = (fake = await FakeSlack.start({ clock, channels: ['#alerts'] }));
  const queued: Queued[] = [];
  const store = new MemoryThreadStore();
  let sender!: SlackSender;
  const c = new PipelineCluster(T0, incidentSettingsOf(loadConfig({})), {
    clock,
    sender: (deliver) => {
      // Slack's rate: the sender's default budgets (1 chat.postMessage per second per channel, 50 chat.update a minute).
      sender = new SlackSender({ token: slack.token, apiUrl: slack.url, defaultChannel: '#alerts', clock, log: silentLogger(), registry: new Registry(), store, onOutcome: deliver });
      const send = sender.send.bind(sender);
      sender.send = (o) => {
        queued.push({ kind: o.kind, thread: o.thread, afterRequest: slack.requests.length });
        send(o);
      };
      return sender;
    },
  });
  /** Lets the sender talk to Slack, moving virtual time only while no request is in flight. */
  const runTo = async (at: number) => {
    for (;;) {
      await sender.idle();
      const next = clock.nextAt();
      if (next === undefined || next > at) return clock.advanceTo(at);
      clock.advanceTo(next);
    }
  };
  for (const n of names) for (let i = 0; i < 2; i++) c.pod(n, i, { state: 'running' });
  await runTo(T0 + MIN);
  // Within 40 s, 50 workloads start crash-looping, each replica on its own kubelet back-off, for 10
  // minutes; they exit with 8 different codes, so the storm thread has causes to explain (replies
  // queued while members keep joining).
  const start = clock.now();
  const end = start + 10 * MIN;
  const loops = new CrashLoops(names.flatMap((deployment, w) => [0, 1].map((i) => ({ deployment, i, firstAt: start + w * 750 + i * 3 * SEC, exitCode: 1 + (w % 8) }))), end);
  while (clock.now() < end + 6 * MIN) {
    loops.step(c);
    await runTo(clock.now() + SEC);
  }
  await runTo(clock.now() + 10 * MIN);
  await sender.idle();
  expect(sender.pending).toBe(0);
  sender.stop();
  const alerts = slack.channelId('#alerts');
  const accepted = slack.requests.filter((r) => r.outcome === 'ok' && r.channelId === alerts && (r.method === 'chat.postMessage' || r.method === 'chat.update'));
  run = { slack, accepted, queued, firstCrashAt: loops.firstCrashAt, store };
}, 120_000);
afterAll(async () => fake?.close());

const isReply = (r: RecordedRequest) => r.method === 'chat.postMessage' && r.params.thread_ts !== undefined;

test('all 50 workloads started failing within 40 s', () => {
  const first = [...run.firstCrashAt.values()];
  expect(first).toHaveLength(WORKLOADS);
  expect(Math.max(...first) - Math.min(...first)).toBeLessThan(40 * SEC);
});

test('every workload is named in a message Slack accepted within 30 s of its first failure', () => {
  const waited = names.map((n) => {
    const named = run.accepted.find((r) => String(r.params.text).includes(n));
    return { n, waited: named === undefined ? Infinity : named.time - run.firstCrashAt.get(n)! };
  });
  expect(waited.filter((w) => w.waited > 30 * SEC)).toEqual([]);
});

test('at most 3 top-level messages in the channel, one of them the storm parent listing all 50', () => {
  const top = run.slack.threads('#alerts');
  expect(top.length).toBeLessThanOrEqual(3);
  const storm = top.find((t) => t.text.startsWith('🚨'))!;
  expect(storm.text).toMatch(new RegExp(`^🚨 ${WORKLOADS} workloads started failing`));
  for (const n of names) expect(storm.text).toContain(`${n} · Deployment · shop`);
});

test('parents and storm edits are not queued behind replies: no reply lands between their queueing and their acceptance', () => {
  const requests = run.slack.requests;
  expect(run.accepted.some((r) => !isReply(r) && String(r.params.text).startsWith('🚨'))).toBe(true);
  const overtaken: string[] = [];
  expect(run.queued.filter((q) => q.kind !== 'reply').length).toBeGreaterThan(10);
  for (const q of run.queued) {
    if (q.kind === 'reply') continue;
    // The request that carried it: the first accepted parent or edit of its thread after it was queued.
    const done = requests.findIndex((r, i) => i >= q.afterRequest && r.outcome === 'ok' && !isReply(r) && carries(r, q.thread));
    if (done < 0) {
      overtaken.push(`${q.kind} ${q.thread}: never accepted`);
      continue;
    }
    const between = requests.slice(q.afterRequest, done).filter((r) => r.outcome === 'ok' && isReply(r));
    if (between.length) overtaken.push(`${q.kind} ${q.thread}: ${between.length} replies went first`);
  }
  expect(overtaken).toEqual([]);
});

/** Whether an accepted parent or edit request is the one of `thread` (the metadata of a post, the ts of an edit). */
function carries(r: RecordedRequest, thread: string): boolean {
  if (r.method === 'chat.postMessage') return (r.params.metadata as { event_payload?: { thread?: string } } | undefined)?.event_payload?.thread === thread;
  return r.params.ts === run.store.get(thread)?.ts;
}
