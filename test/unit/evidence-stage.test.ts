import { Registry } from 'prom-client';
import type { LogQuery, LogResult } from '../../src/adapters/kube/logs.js';
import type { Sender } from '../../src/ports.js';
import { VirtualClock } from '../../src/clock.js';
import type { EvidenceRequest, Outgoing } from '../../src/core/outgoing.js';
import { WarningBuffer } from '../../src/core/warnings.js';
import { EvidenceStage } from '../../src/evidence/stage.js';
import { capturingLogger, metricValue } from './kube-helpers.js';

const T0 = Date.parse('2026-11-30T09:00:00Z');

/** A log fetcher whose answers the test releases by hand. */
function rig(opts: { fetches?: number; events?: boolean } = {}) {
  const clock = new VirtualClock(T0);
  const sent: Outgoing[] = [];
  const inner: Sender = { start: async () => {}, send: (m) => void sent.push(m), flush: async () => {}, stop: () => {} };
  const calls: { q: LogQuery; answer: (r: LogResult) => void }[] = [];
  const fetchLog = (q: LogQuery) => new Promise<LogResult>((answer) => calls.push({ q, answer }));
  const warnings = new WarningBuffer();
  const { log, lines } = capturingLogger();
  const registry = new Registry();
  const stage = new EvidenceStage({
    inner,
    fetchLog,
    ...(opts.events !== false && { warnings }),
    settings: { tailLines: 20, fetchesPerIncident: opts.fetches ?? 3, groupIntervalMs: 15_000, redact: [/cust-\d+/g] },
    clock,
    log,
    registry,
  });
  return { clock, sent, calls, stage, warnings, lines, registry };
}

const req = (pod: string, o: Partial<EvidenceRequest> = {}): EvidenceRequest => ({ namespace: 'shop', pod, uid: `uid-${pod}`, container: 'app', run: 1, previous: true, reason: 'CrashLoopBackOff', logs: true, ...o });
const reply = (thread: string, pod: string, o: Partial<EvidenceRequest> = {}): Outgoing => ({ kind: 'reply', thread, message: { text: `${pod} failed` }, evidence: req(pod, o) });
const blocksOf = (m: Outgoing | undefined) => JSON.stringify(m?.message.blocks ?? []);
const tick = () => new Promise((r) => setImmediate(r));

test('a reply waits for its log, then goes out with it (redacted); the parent is never held', async () => {
  const { sent, calls, stage, warnings, clock } = rig();
  warnings.add({ namespace: 'shop', pod: 'p1', uid: 'uid-p1', reason: 'BackOff', message: 'Back-off restarting failed container', count: 4, at: T0 }, T0);
  stage.send({ kind: 'parent', thread: 't1', channel: '#alerts', message: { text: 'parent' } });
  stage.send(reply('t1', 'p1'));
  stage.send({ kind: 'edit', thread: 't1', message: { text: 'edit' } });
  expect(sent.map((m) => m.kind)).toEqual(['parent', 'edit']);
  expect(calls[0]!.q).toEqual({ namespace: 'shop', pod: 'p1', container: 'app', previous: true, tailLines: 20, limitBytes: 16384 });
  calls[0]!.answer({ ok: true, text: 'boot\nuser cust-42 password=hunter2\nexit 1\n', cut: false });
  await tick();
  clock.advance(0);
  expect(sent).toHaveLength(3);
  const r = sent[2]!;
  expect(r.kind === 'reply' && r.evidence).toBe(undefined);
  expect(blocksOf(r)).toContain('last 3 log lines of the previous run of app');
  expect(blocksOf(r)).toContain('[REDACTED]');
  expect(blocksOf(r)).not.toMatch(/hunter2|cust-42/);
  expect(blocksOf(r)).toContain('BackOff ×4: Back-off restarting failed container');
});

test('no answer within 5 s: the reply goes out without the log, and later replies of the thread keep their order', async () => {
  const { sent, calls, stage, clock } = rig();
  stage.send(reply('t1', 'p1'));
  stage.send({ kind: 'reply', thread: 't1', message: { text: 'recovered' } });
  stage.send({ kind: 'reply', thread: 't2', message: { text: 'other thread' } });
  expect(sent.map((m) => m.message.text)).toEqual(['other thread']);
  clock.advance(5000);
  expect(sent.map((m) => m.message.text)).toEqual(['other thread', expect.stringContaining('p1 failed'), 'recovered']);
  expect(blocksOf(sent[1])).toContain('logs unavailable: no answer from the API server within 5 s');
  calls[0]!.answer({ ok: true, text: 'late', cut: false });
  await tick();
  expect(sent).toHaveLength(3);
});

test('no log fetch for a container that never ran: the Events go out at once', () => {
  const { sent, calls, stage, warnings } = rig();
  warnings.add({ namespace: 'shop', pod: 'p1', reason: 'Failed', message: 'Failed to pull image "nginx:nope": not found', count: 2, at: T0 }, T0);
  stage.send(reply('t1', 'p1', { reason: 'ImagePullBackOff', logs: false }));
  expect(calls).toHaveLength(0);
  expect(blocksOf(sent[0])).toContain('Failed ×2: Failed to pull image');
});

test('bounds: one fetch per run, LOG_FETCHES_PER_INCIDENT per interval, 4 in flight, 10 started per second', async () => {
  const { calls, stage, clock, registry } = rig({ fetches: 2 });
  stage.send(reply('t1', 'a'));
  stage.send(reply('t1', 'a')); // the same run again
  stage.send(reply('t1', 'b'));
  stage.send(reply('t1', 'c')); // over the incident's budget
  expect(calls.map((c) => c.q.pod)).toEqual(['a', 'b']);
  expect(await metricValue(registry, 'podbell_log_fetches_total', { outcome: 'skipped_duplicate' })).toBe(1);
  expect(await metricValue(registry, 'podbell_log_fetches_total', { outcome: 'skipped_budget' })).toBe(1);
  for (let i = 0; i < 20; i++) stage.send(reply(`s${i}`, `w${i}`));
  expect(calls).toHaveLength(4); // 2 + 2 more: 4 in flight
  for (const c of calls.splice(0)) c.answer({ ok: true, text: 'x', cut: false });
  await tick();
  // 4 answered: 4 more start, then the per-second bound (10 starts in this second) holds the rest.
  expect(calls.length).toBe(4);
  for (const c of calls.splice(0)) c.answer({ ok: true, text: 'x', cut: false });
  await tick();
  expect(calls.length).toBe(2);
  for (const c of calls.splice(0)) c.answer({ ok: true, text: 'x', cut: false });
  await tick();
  expect(calls.length).toBe(0);
  clock.advance(1000);
  expect(calls.length).toBe(4);
});

test('RBAC denial: said once per thread, logged once, never retried in that namespace', async () => {
  const { sent, calls, stage, clock, lines, registry } = rig();
  stage.send(reply('t1', 'a'));
  calls[0]!.answer({ ok: false, status: 403, message: 'pods "a" is forbidden: User "system:serviceaccount:podbell:podbell" cannot get resource "pods/log"' });
  await tick();
  stage.send(reply('t1', 'b'));
  stage.send(reply('t2', 'c'));
  clock.advance(0);
  expect(calls).toHaveLength(1);
  const texts = sent.map(blocksOf);
  expect(texts[0]).toContain('logs unavailable: podbell may not read pods/log in namespace shop');
  expect(texts[1]).not.toContain('logs unavailable');
  expect(texts[2]).toContain('logs unavailable');
  expect(lines().filter((l) => l.level === 40 && l.msg.includes('pods/log'))).toHaveLength(1);
  expect(await metricValue(registry, 'podbell_log_fetches_total', { outcome: 'forbidden' })).toBe(1);
  expect(await metricValue(registry, 'podbell_log_fetches_total', { outcome: 'skipped_forbidden' })).toBe(2);
});

test('flush sends waiting replies at once', async () => {
  const { sent, stage } = rig();
  stage.send(reply('t1', 'a'));
  await stage.flush(1000);
  expect(sent).toHaveLength(1);
});

test('Warning Events that arrive while the reply waits for its log are in it', async () => {
  const { sent, calls, stage, warnings, clock } = rig();
  stage.send(reply('t1', 'p1'));
  warnings.add({ namespace: 'shop', pod: 'p1', uid: 'uid-p1', reason: 'BackOff', message: 'Back-off restarting failed container', count: 1, at: T0 }, T0);
  calls[0]!.answer({ ok: true, text: 'exit 1\n', cut: false });
  await tick();
  clock.advance(0);
  expect(blocksOf(sent[0])).toContain('BackOff ×1');
});

test('a bad bound is refused when the stage is built, naming the setting', () => {
  const clock = new VirtualClock(T0);
  const inner: Sender = { start: async () => {}, send: () => {}, flush: async () => {}, stop: () => {} };
  const build = (bounds: { waitMs?: number; maxInFlight?: number; limitBytes?: number }) =>
    new EvidenceStage({ inner, settings: { tailLines: 20, fetchesPerIncident: 3, groupIntervalMs: 15_000, redact: [], ...bounds }, clock, log: capturingLogger().log, registry: new Registry() });
  expect(() => build({ waitMs: 0 })).toThrow('EvidenceStage: settings.waitMs must be a positive number, got 0');
  expect(() => build({ maxInFlight: Number.NaN })).toThrow('settings.maxInFlight');
  expect(() => build({ limitBytes: -1 })).toThrow('settings.limitBytes');
  expect(() => build({})).not.toThrow();
});
