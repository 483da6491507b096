import { Registry } from 'prom-client';
import { acceptingSender } from '../support/accepting-sender.js';
import type { ThreadRef } from '../../src/ports.js';
import { incidentSettingsOf } from '../../src/app.js';
import { VirtualClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import type { IncidentBook } from '../../src/core/incidents.js';
import type { Outgoing } from '../../src/core/outgoing.js';
import { Pipeline } from '../../src/pipeline.js';
import { StatePersister } from '../../src/state/persister.js';
import { SNAPSHOT_VERSION, decodeSnapshot, encodeSnapshot, type LoadedState, type StateSnapshot } from '../../src/state/snapshot.js';
import { MemoryThreadStore } from '../../src/adapters/store/memory.js';
import type { SaveOutcome, StateStore } from '../../src/state/types.js';
import { PodFeed } from '../support/pods.js';
import { capturingLogger, metricValue } from './kube-helpers.js';

const T0 = Date.parse('2026-11-21T09:00:00Z');
const SETTINGS = incidentSettingsOf(loadConfig({ GROUP_WAIT: '0', GROUP_INTERVAL: '15s', RESOLVE_AFTER: '5m' }));

/** A pipeline on a virtual clock, recording what it would send. */
function rig(book?: IncidentBook) {
  // A restored book was written by an earlier life: the restart happens after it.
  const clock = new VirtualClock(book ? T0 + 60 * 60_000 : T0);
  const sent: Outgoing[] = [];
  const sender = acceptingSender(sent, () => (d) => pipeline.outcome(d));
  const { log, lines } = capturingLogger();
  const pipeline = new Pipeline({ settings: SETTINGS, defaultChannel: '#alerts', clock, log, sender, registry: new Registry() });
  if (book) pipeline.restore(book);
  const feed = new PodFeed((c) => pipeline.podChanged(c));
  return { clock, sent, pipeline, feed, lines };
}

/** A book with `open` crash-looping workloads and `resolved` ones that recovered, as the real pipeline builds it. */
function bookWith(open: number, resolved = 0): IncidentBook {
  const { clock, pipeline, feed } = rig();
  for (let i = 0; i < resolved; i++) feed.put({ deployment: `old-${i}`, reason: 'CrashLoopBackOff', restartCount: 1 });
  clock.advance(1000);
  for (let i = 0; i < resolved; i++) feed.put({ deployment: `old-${i}`, reason: undefined });
  clock.advance(6 * 60_000);
  for (let i = 0; i < open; i++) feed.put({ deployment: `live-${i}`, reason: 'CrashLoopBackOff', restartCount: 1 });
  clock.advance(1000);
  return JSON.parse(JSON.stringify(pipeline.book)) as IncidentBook;
}

const refsFor = (book: IncidentBook): Record<string, ThreadRef> =>
  Object.fromEntries(Object.values(book.incidents).map((inc, i) => [inc.id, { channel: 'C0ALERTS', ts: `1763715600.${String(i).padStart(6, '0')}`, replyTo: `1763715600.${String(i).padStart(6, '0')}` }]));

describe('state snapshot', () => {
  test('round trip: what is saved is what a restart gets back, in a versioned envelope', () => {
    const book = bookWith(2, 1);
    const threads = refsFor(book);
    const encoded = encodeSnapshot({ book, threads }, T0);
    if (!encoded.ok) throw new Error(encoded.why);
    expect(encoded.trimmed).toBeUndefined();
    const envelope = JSON.parse(encoded.json) as Record<string, unknown>;
    expect(envelope).toMatchObject({ version: SNAPSHOT_VERSION, savedAt: '2026-11-21T09:00:00.000Z' });
    const { state, problems } = decodeSnapshot(encoded.json);
    expect(problems).toEqual([]);
    const { wakeAt: _, ...withoutWake } = book;
    expect(state.book).toEqual(withoutWake);
    expect(state.threads).toEqual(threads);
    expect(Object.values(state.book!.incidents).map((i) => i.status).sort()).toEqual(['open', 'open', 'resolved']);
  });

  const sound = encodeSnapshot({ book: bookWith(1), threads: {} }, T0);
  const soundJson = sound.ok ? sound.json : '';
  const withEnvelope = (patch: (e: Record<string, unknown>) => void) => {
    const e = JSON.parse(soundJson) as Record<string, unknown>;
    patch(e);
    return JSON.stringify(e);
  };
  test.each([
    ['not JSON', '{"version":1,"book":', /not JSON/],
    ['empty', '', /not JSON/],
    ['a JSON array', '[1,2]', /not a JSON object/],
    ['a future version', withEnvelope((e) => (e.version = 2)), /version 2.*reads version 1.*starting empty/],
    ['no version', withEnvelope((e) => delete e.version), /version undefined/],
    ['no book', withEnvelope((e) => delete e.book), /no readable incident book/],
    ['a book without seq', withEnvelope((e) => delete (e.book as Record<string, unknown>).seq), /no readable incident book/],
  ])('%s: logged as a problem, starts empty, never throws', (_what, text, problem) => {
    const { state, problems } = decodeSnapshot(text);
    expect(state).toEqual({});
    expect(problems).toEqual([expect.stringMatching(problem)]);
  });

  test('a malformed incident or thread ref is dropped with a message; the rest is kept and the pod index stays consistent', () => {
    const book = bookWith(2);
    const [bad, good] = Object.values(book.incidents);
    (bad as unknown as Record<string, unknown>).counts = 'many';
    const text = JSON.stringify({ version: 1, savedAt: 'x', book, threads: { [good!.id]: { channel: 'C1', ts: '1.2', replyTo: '1.2' }, broken: { channel: 'C1' } } });
    const { state, problems } = decodeSnapshot(text);
    expect(problems).toEqual(['incident "#alerts/shop/Deployment/live-0" is malformed; dropped', '1 malformed thread ref(s) dropped']);
    expect(Object.keys(state.book!.incidents)).toEqual([good!.key]);
    expect(Object.values(state.book!.pods).flat()).toEqual([good!.key]);
    expect(Object.keys(state.threads!)).toEqual([good!.id]);
  });

  test('over the size bound: unused thread refs, then resolved incidents go first, oldest first; open incidents stay; the live book is untouched', () => {
    const book = bookWith(3, 40);
    const threads: Record<string, ThreadRef> = { ...refsFor(book) };
    for (let i = 0; i < 50; i++) threads[`gone-${i}`] = { channel: 'C0ALERTS', ts: `1.${i}`, replyTo: `1.${i}` };
    const before = JSON.stringify(book);
    const full = encodeSnapshot({ book, threads }, T0);
    if (!full.ok) throw new Error(full.why);
    const limit = Math.floor(full.bytes * 0.6);
    const trimmed = encodeSnapshot({ book, threads }, T0, limit);
    if (!trimmed.ok) throw new Error(trimmed.why);
    expect(trimmed.bytes).toBeLessThanOrEqual(limit);
    expect(trimmed.trimmed).toMatchObject({ threads: expect.any(Number), resolved: expect.any(Number) });
    expect(trimmed.trimmed!.resolved).toBeGreaterThan(0);
    expect(trimmed.trimmed!.resolved).toBeLessThan(40);
    const saved = decodeSnapshot(trimmed.json).state;
    const live = Object.values(book.incidents).filter((i) => i.status !== 'resolved');
    for (const inc of live) {
      expect(saved.book!.incidents[inc.key]).toBeDefined();
      expect(saved.threads![inc.id]).toEqual(threads[inc.id]);
    }
    expect(Object.keys(saved.threads!).some((id) => id.startsWith('gone-'))).toBe(false);
    expect(JSON.stringify(book)).toBe(before);
  });

  test('when even the open incidents do not fit, the save is refused (never silently losing them)', () => {
    const book = bookWith(5);
    const r = encodeSnapshot({ book, threads: refsFor(book) }, T0, 500);
    expect(r).toMatchObject({ ok: false, why: expect.stringMatching(/even after dropping resolved incidents \(limit 500\)/) });
  });
});

describe('MemoryThreadStore', () => {
  const ref = (ts: string): ThreadRef => ({ channel: 'C1', ts, replyTo: ts });
  test('the least recently used goes first; restore keeps saved order before newer refs', () => {
    const s = new MemoryThreadStore({ maxThreads: 3 });
    let changes = 0;
    s.onChange(() => changes++);
    s.set('new', ref('9'));
    s.restore({ a: ref('1'), b: ref('2'), c: ref('3') });
    expect(Object.keys(s.entries())).toEqual(['b', 'c', 'new']);
    expect(s.get('b')).toEqual(ref('2'));
    s.set('d', ref('4'));
    expect(Object.keys(s.entries())).toEqual(['new', 'b', 'd']);
    expect(changes).toBe(2);
  });

  test.each([0, -1, 1.5])('maxThreads %p is refused, naming the option', (n) => {
    expect(() => new MemoryThreadStore({ maxThreads: n })).toThrow(/maxThreads/);
  });
});

/** A StateStore in memory whose saves can be made to fail. */
class ScriptedStore implements StateStore {
  saves: StateSnapshot[] = [];
  failNext = 0;
  constructor(private readonly loaded: LoadedState | Error = {}) {}
  async load(): Promise<LoadedState> {
    if (this.loaded instanceof Error) throw this.loaded;
    return this.loaded;
  }
  async save(s: StateSnapshot): Promise<SaveOutcome> {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('HTTP 403: configmaps "podbell-threads" is forbidden');
    }
    this.saves.push(JSON.parse(JSON.stringify(s)) as StateSnapshot);
    return 'ok';
  }
}

describe('StatePersister', () => {
  const flush = () => new Promise((r) => setImmediate(r));
  function persisterRig(store: ScriptedStore) {
    const clock = new VirtualClock(T0);
    const registry = new Registry();
    const { log, lines } = capturingLogger();
    const threads = new MemoryThreadStore();
    let book = bookWith(1);
    const p = new StatePersister({ store, threads, book: () => book, clock, log, registry, debounceMs: 5000 });
    return { clock, registry, lines, threads, p, setBook: (b: IncidentBook) => (book = b) };
  }

  test('changes within the debounce window make one save, 5 s after the first; none without a change', async () => {
    const store = new ScriptedStore();
    const { clock, threads, p, registry } = persisterRig(store);
    await p.load();
    clock.advance(60_000);
    expect(store.saves).toHaveLength(0);
    threads.set('t1', { channel: 'C1', ts: '1.1', replyTo: '1.1' });
    p.changed();
    clock.advance(4999);
    threads.set('t2', { channel: 'C1', ts: '1.2', replyTo: '1.2' });
    expect(store.saves).toHaveLength(0);
    clock.advance(1);
    await flush();
    expect(store.saves).toHaveLength(1);
    expect(Object.keys(store.saves[0]!.threads)).toEqual(['t1', 't2']);
    expect(await metricValue(registry, 'podbell_state_writes_total', { outcome: 'ok' })).toBe(1);
  });

  test('a failed save is logged and counted, never thrown; the next change saves again; stop saves a last time', async () => {
    const store = new ScriptedStore();
    const { clock, threads, p, registry, lines } = persisterRig(store);
    await p.load();
    store.failNext = 1;
    threads.set('t1', { channel: 'C1', ts: '1.1', replyTo: '1.1' });
    clock.advance(5000);
    await flush();
    expect(store.saves).toHaveLength(0);
    expect(await metricValue(registry, 'podbell_state_writes_total', { outcome: 'error' })).toBe(1);
    expect(lines().some((l) => l.msg.startsWith('cannot save state; keeping it in memory'))).toBe(true);
    threads.set('t2', { channel: 'C1', ts: '1.2', replyTo: '1.2' });
    clock.advance(5000);
    await flush();
    expect(store.saves).toHaveLength(1);
    threads.set('t3', { channel: 'C1', ts: '1.3', replyTo: '1.3' });
    await p.stop();
    expect(store.saves).toHaveLength(2);
    expect(Object.keys(store.saves[1]!.threads)).toEqual(['t1', 't2', 't3']);
    expect(clock.pendingCount).toBe(0);
  });

  test('load gives the book back and restores thread refs into the sender\'s store', async () => {
    const book = bookWith(1);
    const store = new ScriptedStore({ book, threads: { t1: { channel: 'C1', ts: '1.1', replyTo: '1.1' } } });
    const { p, threads } = persisterRig(store);
    expect(await p.load()).toBe(book);
    expect(threads.get('t1')).toEqual({ channel: 'C1', ts: '1.1', replyTo: '1.1' });
  });

  test('an unreachable store at start means starting empty, logged, not a crash; what this run posts is still saved', async () => {
    const store = new ScriptedStore(new Error('connect ECONNREFUSED'));
    const { p, lines, threads, clock } = persisterRig(store);
    expect(await p.load()).toBeUndefined();
    expect(lines().some((l) => l.msg.startsWith('cannot read saved state; starting with no open incidents'))).toBe(true);
    threads.set('t1', { channel: 'C1', ts: '1.1', replyTo: '1.1' });
    clock.advance(5000);
    await flush();
    expect(store.saves.map((s) => Object.keys(s.threads))).toEqual([['t1']]);
  });
});

describe('Pipeline.restore and reconcile', () => {
  test('a restored open incident continues: a new restart edits its thread, no new parent', () => {
    const { clock, sent, pipeline, feed } = rig(bookWith(1));
    const inc = Object.values(pipeline.book.incidents)[0]!;
    feed.put({ deployment: 'live-0', reason: 'CrashLoopBackOff', restartCount: 1 }); // the initial list: already counted
    pipeline.reconcile();
    feed.put({ deployment: 'live-0', reason: 'CrashLoopBackOff', restartCount: 2 });
    clock.advance(15_000);
    expect(sent.filter((o) => o.kind === 'parent')).toEqual([]);
    expect(sent).toContainEqual(expect.objectContaining({ kind: 'edit', thread: inc.id }));
    expect(pipeline.book.incidents[inc.key]!.counts).toEqual({ 'Error (exit 1)': 2 });
  });

  test.each([
    ['deleted while podbell was down (absent from the initial list)', false],
    ['healthy again in the initial list', true],
  ])('an incident whose pod was %s resolves in its own thread after RESOLVE_AFTER', (_what, listed) => {
    const { clock, sent, pipeline, feed } = rig(bookWith(1));
    const inc = Object.values(pipeline.book.incidents)[0]!;
    if (listed) feed.put({ deployment: 'live-0', reason: undefined });
    pipeline.reconcile();
    // Running again after its crashes it still counts as failing until RESOLVE_AFTER without a restart.
    expect(pipeline.book.incidents[inc.key]!.status).toBe(listed ? 'open' : 'resolving');
    clock.advance(5 * 60_000);
    expect(pipeline.book.incidents[inc.key]!.status).toBe('resolved');
    expect(sent.filter((o) => o.kind === 'parent')).toEqual([]);
    expect(sent).toContainEqual(expect.objectContaining({ kind: 'reply', thread: inc.id }));
  });

  test('restore after the pipeline has handled changes is refused', () => {
    const { pipeline, feed } = rig();
    feed.put({ reason: 'CrashLoopBackOff' });
    expect(() => pipeline.restore(bookWith(1))).toThrow(/already handled changes/);
  });
});
