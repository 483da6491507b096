import { loadConfig } from '../../src/config.js';
import { parseDuration } from '../../src/duration.js';
import { readReplayInput } from '../../src/replay/input.js';
import { namespaceObject, watchLine } from '../support/replay-pods.js';
import { runReplay } from '../../src/replay/run.js';
import type { SlackCall } from '../../src/adapters/slack/recording.js';
import { CALL_KEYS, crashLoop, iso, merge, min, podLine, replay, replies, sec, T0, topLevel, updates, valuesOf } from './replay-support.js';

/** Three pods of one deployment start crash-looping 30 s apart, restarting every 20 s, for 3 minutes. */
function checkoutStory(): string[] {
  return merge(
    crashLoop({ deployment: 'checkout', suffix: 'aaaaa', from: T0, every: sec(20), times: 9 }),
    crashLoop({ deployment: 'checkout', suffix: 'bbbbb', from: T0 + sec(30), every: sec(20), times: 8 }),
    crashLoop({ deployment: 'checkout', suffix: 'ccccc', from: T0 + sec(60), every: sec(20), times: 6 }),
  );
}

describe('podbell replay: output contract', () => {
  test('every line is a JSON object with exactly the contract keys, in order', async () => {
    const { code, stdout, calls } = await replay(checkoutStory());
    expect(code).toBe(0);
    expect(calls.length).toBeGreaterThan(0);
    for (const line of stdout.trimEnd().split('\n')) expect(Object.keys(JSON.parse(line) as object)).toEqual(CALL_KEYS);
    for (const c of calls) {
      expect(c.at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      expect(['chat.postMessage', 'chat.update']).toContain(c.method);
      expect(c.ts).toMatch(/^\d+\.\d{6}$/);
      expect(typeof c.text).toBe('string');
    }
  });

  test('the same input gives byte-identical output', async () => {
    const input = merge(checkoutStory(), crashLoop({ namespace: 'pay', deployment: 'ledger', from: T0 + sec(5), every: sec(45), times: 4, recoverAt: T0 + min(5) }));
    const a = await replay(input);
    const b = await replay(input);
    expect(a.stdout.length).toBeGreaterThan(0);
    expect(b.stdout).toBe(a.stdout);
    const text1 = await replay(input, ['--format', 'text']);
    const text2 = await replay(input, ['--format', 'text']);
    expect(text2.stdout).toBe(text1.stdout);
  });
});

describe('podbell replay: stories', () => {
  test('a crash-looping deployment is one parent; replies go into its thread and edits change it', async () => {
    const { calls } = await replay(checkoutStory(), ['--drain', '30m']);
    const parents = topLevel(calls);
    expect(parents).toHaveLength(1);
    const parent = parents[0]!;
    expect(parent.channel).toBe('#alerts');
    expect(parent.text).toContain('checkout');
    expect(calls[0]).toBe(parent);
    // Pods b and c started failing after the parent was posted: the thread hears of them.
    expect(replies(calls).length).toBeGreaterThanOrEqual(2);
    for (const r of replies(calls)) expect(r.thread_ts).toBe(parent.ts);
    expect(replies(calls).some((r) => r.text.includes('checkout-7d9f8b6c5d-bbbbb'))).toBe(true);
    expect(replies(calls).some((r) => r.text.includes('checkout-7d9f8b6c5d-ccccc'))).toBe(true);
    expect(updates(calls).length).toBeGreaterThan(0);
    for (const u of updates(calls)) {
      expect(u.ts).toBe(parent.ts);
      expect(u.thread_ts).toBeNull();
    }
    // Each message gets its own ts; edits reuse the parent's.
    const posted = calls.filter((c) => c.method === 'chat.postMessage').map((c) => c.ts);
    expect(new Set(posted).size).toBe(posted.length);
  });

  test('the parent is posted GROUP_WAIT after the first failure, by a timer between events', async () => {
    for (const wait of ['10s', '45s']) {
      const { calls } = await replay(checkoutStory(), ['--set', `GROUP_WAIT=${wait}`]);
      const first = T0 + sec(20); // the first restart of pod a
      expect(topLevel(calls)[0]!.at).toBe(iso(first + (wait === '10s' ? sec(10) : sec(45))));
    }
  });

  test.each([
    ['10s', 0],
    ['5s', 1],
  ])('a crash loop that recovers after 6 s with GROUP_WAIT=%s: %i thread(s) (docs/tuning.md example)', async (wait, threads) => {
    const input = crashLoop({ deployment: 'search', from: T0, every: sec(10), times: 1, recoverAt: T0 + sec(16) });
    const { calls } = await replay(input, ['--set', `GROUP_WAIT=${wait}`]);
    expect(topLevel(calls)).toHaveLength(threads);
  });

  test.each([
    ['5m', min(5)],
    ['2m', min(2)],
  ])('a recovery resolves the parent RESOLVE_AFTER=%s after the last pod is healthy', async (setting, ms) => {
    const recoverAt = T0 + min(3);
    const input = crashLoop({ deployment: 'checkout', from: T0, every: sec(20), times: 5, recoverAt });
    const { calls } = await replay(input, [], { RESOLVE_AFTER: setting });
    const parent = topLevel(calls)[0]!;
    const resolved = updates(calls).filter((u) => /resolved/i.test(u.text));
    expect(resolved.length).toBeGreaterThanOrEqual(1);
    expect(resolved[0]!.ts).toBe(parent.ts);
    expect(resolved[0]!.at).toBe(iso(recoverAt + ms));
    expect(updates(calls).filter((u) => Date.parse(u.at) > recoverAt && Date.parse(u.at) < recoverAt + ms).every((u) => !/resolved/i.test(u.text))).toBe(true);
  });

  test('a 6-replica Deployment with 4 replicas crash-looping says "4 of 6 pods failing" from the first post', async () => {
    const replicas = Array.from({ length: 6 }, (_, i) =>
      i < 4 ? crashLoop({ deployment: 'checkout', suffix: `r${i}`, from: T0, every: sec(20), times: 5, recoverAt: T0 + min(3) }) : [podLine('ADDED', { deployment: 'checkout', suffix: `r${i}`, condition: { state: 'running' } }, T0)],
    );
    const { calls } = await replay(merge(...replicas));
    expect(topLevel(calls)).toHaveLength(1);
    expect(topLevel(calls)[0]!.text).toContain('\n4 of 6 pods failing');
    const edits = updates(calls);
    expect(edits.at(-1)!.text).toMatch(/^✅ Resolved/);
    for (const u of edits.slice(0, -1)) expect(u.text).toMatch(/^🔴 [^]*\n\d of 6 pods failing/);
  });

  test('a 24-hour input replays on virtual time: timers fire at their own instants, edits at most once per GROUP_INTERVAL', async () => {
    // A restart every 10 minutes for 24 hours, then healthy.
    const recoverAt = T0 + min(10 * 145);
    const input = crashLoop({ deployment: 'worker', from: T0, every: min(10), times: 144, recoverAt });
    const config = loadConfig({});
    const events = await readReplayInput(valuesOf(input), () => undefined);
    const calls: SlackCall[] = [];
    const summary = await runReplay(events, { config, onCall: (c) => calls.push(c) });
    expect(events).toHaveLength(146);
    expect(summary.pendingTimers).toBe(0);
    expect(summary.endedAt).toBeLessThan(recoverAt + min(24 * 60));
    const parents = calls.filter((c) => c.method === 'chat.postMessage' && c.thread_ts === null);
    expect(parents).toHaveLength(1);
    expect(parents[0]!.at).toBe(iso(T0 + min(10) + config.incidents.groupWaitMs));
    const edits = calls.filter((c) => c.method === 'chat.update');
    // Counts moved 143 more times after the parent, in back-off all along: each step a reader needs
    // (×2, ×5, ×10, ×20, ×50, ×100) reached the parent, not each crash, and the end shows the exact 144.
    for (let i = 1; i < edits.length; i++) expect(Date.parse(edits[i]!.at) - Date.parse(edits[i - 1]!.at)).toBeGreaterThanOrEqual(config.incidents.groupIntervalMs);
    for (const step of [2, 5, 10, 20, 50, 100]) expect(edits.some((e) => new RegExp(`Error \\(exit 1\\) ×${step}\\b`).test(e.text))).toBe(true);
    expect(edits.length).toBeLessThanOrEqual(10);
    expect(edits.at(-1)!.text).toMatch(/resolved/i);
    expect(edits.at(-1)!.text).toContain('144');
    expect(edits.find((e) => /resolved/i.test(e.text))!.at).toBe(iso(recoverAt + config.incidents.resolveAfterMs));
    for (const c of calls) expect(Date.parse(c.at)).toBeLessThanOrEqual(summary.endedAt);
  });

  // A bound that holds for any engine following docs/design.md#incidents (one storm parent, perhaps a few incidents
  // that opened before the storm was recognised), not the exact count of today's engine.
  test('a storm (more workloads failing within a minute than STORM_THRESHOLD) makes few top-level posts', async () => {
    const stories = Array.from({ length: 12 }, (_, i) => crashLoop({ deployment: `worker-${String(i).padStart(2, '0')}`, from: T0 + sec(i * 2), every: sec(15), times: 4 }));
    const { calls } = await replay(merge(...stories), ['--set', 'STORM_THRESHOLD=3', '--drain', '30m']);
    expect(calls.length).toBeGreaterThan(0);
    expect(topLevel(calls).length).toBeLessThanOrEqual(3 + 2);
  });

  test('a storm story still produces a well-formed conversation: every reply lands in a thread posted before it', async () => {
    const stories = Array.from({ length: 12 }, (_, i) => crashLoop({ deployment: `worker-${String(i).padStart(2, '0')}`, from: T0 + sec(i * 2), every: sec(15), times: 4 }));
    const { calls } = await replay(merge(...stories), ['--set', 'STORM_THRESHOLD=3', '--drain', '30m']);
    const seen = new Set<string>();
    for (const c of calls) {
      if (c.method === 'chat.postMessage') {
        if (c.thread_ts !== null) expect(seen.has(c.thread_ts)).toBe(true);
        seen.add(c.ts);
      } else {
        expect(seen.has(c.ts)).toBe(true);
      }
    }
    const all = calls.map((c) => c.text).join('\n');
    for (let i = 0; i < 12; i++) expect(all).toContain(`worker-${String(i).padStart(2, '0')}`);
  });
});

describe('podbell replay: namespaces', () => {
  test('a namespace annotated podbell.io/mute: "true" stays silent while others alert', async () => {
    const input = [
      watchLine('ADDED', namespaceObject('shop', { 'podbell.io/mute': 'true' }), T0 - sec(1)),
      watchLine('ADDED', namespaceObject('pay'), T0 - sec(1)),
      ...merge(crashLoop({ namespace: 'shop', deployment: 'checkout', from: T0, every: sec(20), times: 5 }), crashLoop({ namespace: 'pay', deployment: 'ledger', from: T0, every: sec(20), times: 5 })),
    ];
    const { calls } = await replay(input, ['--drain', '30m']);
    expect(topLevel(calls)).toHaveLength(1);
    expect(topLevel(calls)[0]!.text).toContain('ledger');
    expect(calls.some((c) => c.text.includes('checkout'))).toBe(false);
  });

  test('lifting the mute reports what is still failing there, at the time the annotation changed', async () => {
    const unmuteAt = T0 + min(2);
    const input = [
      watchLine('ADDED', namespaceObject('shop', { 'podbell.io/mute': 'true' }), T0 - sec(1)),
      ...crashLoop({ namespace: 'shop', deployment: 'checkout', from: T0, every: sec(20), times: 5 }),
      watchLine('MODIFIED', namespaceObject('shop'), unmuteAt),
    ];
    const { calls } = await replay(input, ['--drain', '30m']);
    expect(topLevel(calls)).toHaveLength(1);
    expect(topLevel(calls)[0]!.text).toContain('checkout');
    expect(Date.parse(topLevel(calls)[0]!.at)).toBeGreaterThanOrEqual(unmuteAt);
  });

  test('podbell.io/mute-until silences the namespace until that time; a timer then reports what still fails', async () => {
    const until = T0 + min(3);
    const input = [watchLine('ADDED', namespaceObject('shop', { 'podbell.io/mute-until': iso(until) }), T0 - sec(1)), ...crashLoop({ namespace: 'shop', deployment: 'checkout', from: T0, every: sec(20), times: 5 })];
    const { calls } = await replay(input, ['--drain', '30m']);
    expect(topLevel(calls)).toHaveLength(1);
    expect(topLevel(calls)[0]!.text).toContain('checkout');
    // Nothing before the mute ends; the parent comes from the timer, after GROUP_WAIT at most.
    expect(Date.parse(calls[0]!.at)).toBeGreaterThanOrEqual(until);
    expect(Date.parse(calls[0]!.at)).toBeLessThanOrEqual(until + sec(10));
  });

  test('podbell.io/channel on the namespace routes its incidents to that channel', async () => {
    const input = [watchLine('ADDED', namespaceObject('pay', { 'podbell.io/channel': '#team-payments' }), T0 - sec(1)), ...crashLoop({ namespace: 'pay', deployment: 'ledger', from: T0, every: sec(20), times: 3 })];
    const { calls } = await replay(input);
    expect(calls.length).toBeGreaterThan(0);
    for (const c of calls) expect(c.channel).toBe('#team-payments');
  });

  test('events outside WATCH_NAMESPACES are ignored, as the live watch would never see them', async () => {
    const input = merge(crashLoop({ namespace: 'shop', deployment: 'checkout', from: T0, every: sec(20), times: 3 }), crashLoop({ namespace: 'pay', deployment: 'ledger', from: T0, every: sec(20), times: 3 }));
    const { calls, stderr } = await replay(input, ['--drain', '30m'], { WATCH_NAMESPACES: 'pay' });
    expect(topLevel(calls)).toHaveLength(1);
    expect(calls.some((c) => c.text.includes('checkout'))).toBe(false);
    expect(stderr).toContain('4 events outside WATCH_NAMESPACES');
  });

  test('objects without kind are told apart by shape (pods have a namespace; namespaces do not)', async () => {
    const strip = (line: string) => {
      const ev = JSON.parse(line) as { object: Record<string, unknown> };
      delete ev.object.kind;
      return JSON.stringify(ev);
    };
    const input = [strip(watchLine('ADDED', namespaceObject('shop', { 'podbell.io/mute': 'true' }), T0 - sec(1))), ...crashLoop({ namespace: 'shop', deployment: 'checkout', from: T0, every: sec(20), times: 3 }).map(strip)];
    const { calls, stderr } = await replay(input);
    expect(stderr).toBe('');
    expect(calls).toEqual([]);
  });
});

describe('podbell replay: draining', () => {
  const lastFailure = T0 + sec(20);
  const input = crashLoop({ deployment: 'checkout', from: T0, every: sec(20), times: 1 });

  test.each([
    ['5s', 0],
    ['10s', 1],
    ['30m', 1],
  ])('--drain %s after the last event (GROUP_WAIT 10s): %i parent(s), and no call later than the drain', async (drain, parents) => {
    const { calls, stderr } = await replay(input, ['--drain', drain]);
    expect(topLevel(calls)).toHaveLength(parents);
    for (const c of calls) expect(Date.parse(c.at)).toBeLessThanOrEqual(lastFailure + parseDuration(drain)!);
    // The container is still failing when the input ends: some timer (a reminder, at least) is always left.
    expect(stderr).toContain(`stopped at ${iso(lastFailure + parseDuration(drain)!)} (--drain) with `);
    expect(stderr).toMatch(/still pending, the next at \d{4}-/);
  });

  test('without --drain a recovered incident runs to its resolution and stops when no timer is pending', async () => {
    const recoverAt = T0 + min(1);
    const events = await readReplayInput(valuesOf(crashLoop({ deployment: 'checkout', from: T0, every: sec(20), times: 2, recoverAt })), () => undefined);
    const calls: SlackCall[] = [];
    const summary = await runReplay(events, { config: loadConfig({}), onCall: (c) => calls.push(c) });
    expect(summary.pendingTimers).toBe(0);
    expect(calls.some((c) => c.method === 'chat.update' && /resolved/i.test(c.text))).toBe(true);
    expect(summary.endedAt).toBeLessThan(recoverAt + 24 * 3_600_000);
  });

  test('--drain 0 stops at the last event', async () => {
    const { calls, stderr } = await replay(input, ['--drain', '0']);
    expect(calls).toEqual([]);
    expect(stderr).toContain(`stopped at ${iso(lastFailure)}`);
  });
});

describe('podbell replay: bad input and usage', () => {
  const good = crashLoop({ deployment: 'checkout', from: T0, every: sec(20), times: 3 });

  test.each([
    ['not JSON', '{"type":"ADDED",'],
    ['an array', '[1,2]'],
    ['an unknown type', JSON.stringify({ type: 'CHANGED', object: { kind: 'Pod' } })],
    ['no object', JSON.stringify({ type: 'ADDED' })],
    ['an "at" that is not RFC 3339', JSON.stringify({ type: 'ADDED', at: '21/11/2026 09:00', object: { kind: 'Pod' } })],
    ['an "at" on a day that does not exist', JSON.stringify({ type: 'ADDED', at: '2026-02-31T09:00:00Z', object: { kind: 'Pod' } })],
  ])('%s on line 3: exit 2 naming the line, nothing printed', async (_name, bad) => {
    const { code, stdout, stderr } = await replay([good[0]!, good[1]!, bad, good[2]!]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/<stdin>:3: /);
  });

  test('pretty-printed events and a byte-order mark read as check reads them, with the same calls', async () => {
    const plain = await replay(good);
    const pretty = good.map((l) => JSON.stringify(JSON.parse(l), null, 2));
    const r = await replay([`\ufeff${pretty[0]}`, ...pretty.slice(1)]);
    expect(r.code).toBe(0);
    expect(r.calls).toEqual(plain.calls);
    expect(plain.calls.length).toBeGreaterThan(0);
  });

  test('usable but odd lines are skipped with a warning naming the line; the rest is replayed', async () => {
    const odd = [JSON.stringify({ type: 'ADDED', object: { kind: 'Deployment', metadata: { name: 'x', namespace: 'shop' } } }), JSON.stringify({ type: 'ADDED', object: { kind: 'Pod', metadata: { namespace: 'shop', uid: 'u-1' } } }), JSON.stringify({ type: 'BOOKMARK', object: { kind: 'Pod', metadata: { resourceVersion: '12' } } }), ''];
    const { code, calls, stderr } = await replay([...odd, ...good], ['--drain', '30m']);
    expect(code).toBe(0);
    expect(topLevel(calls)).toHaveLength(1);
    expect(stderr).toContain('<stdin>:1: kind "Deployment" is neither Pod, Namespace nor Event; skipped');
    expect(stderr).toContain('<stdin>:2: pod without metadata.name; skipped');
    expect(stderr).not.toContain('<stdin>:3');
  });

  test('an event earlier than the previous one is replayed at the previous time, with a warning', async () => {
    const late = podLine('MODIFIED', { deployment: 'checkout', restartCount: 9, condition: { state: 'crashloop' } }, T0 - min(10));
    const { code, stderr } = await replay([...good, late]);
    expect(code).toBe(0);
    expect(stderr).toMatch(/<stdin>:5: "at" .* is before the previous event/);
  });

  test('events without "at" happen with the previous event; before any "at", at the Unix epoch', async () => {
    const strip = (line: string) => {
      const ev = JSON.parse(line) as Record<string, unknown>;
      delete ev.at;
      return JSON.stringify(ev);
    };
    const { calls } = await replay([strip(good[0]!), strip(good[1]!)]);
    expect(topLevel(calls)[0]!.at).toBe('1970-01-01T00:00:10.000Z');
  });

  test.each([
    [['--format', 'yaml'], '--format must be json or text'],
    [['--drain', 'soon'], '--drain must be a duration'],
    [['--set', 'group_wait'], '--set expects NAME=VALUE'],
    [['--set', 'GROUP_WAT=30s'], '--set GROUP_WAT: not a podbell setting'],
    [['--color=no'], '--color takes no value'],
    [['--bogus'], 'unknown option --bogus'],
    [['a.jsonl', 'b.jsonl'], 'one input file at most'],
  ])('usage error %j exits 2 naming the problem', async (argv, message) => {
    const { code, stderr } = await replay(good, argv);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
  });

  test('a bad setting exits 2 naming the variable', async () => {
    const { code, stderr } = await replay(good, ['--set', 'GROUP_WAIT=soon']);
    expect(code).toBe(2);
    expect(stderr).toContain('GROUP_WAIT="soon"');
  });

  test('a missing file exits 2 naming it', async () => {
    const { code, stderr } = await replay([], ['/nonexistent/night.jsonl']);
    expect(code).toBe(2);
    expect(stderr).toContain('/nonexistent/night.jsonl');
  });
});

describe('podbell replay --format text', () => {
  test('prints each thread as Slack shows it: the parent in its latest version, replies nested', async () => {
    const recoverAt = T0 + min(4);
    const input = merge(
      crashLoop({ deployment: 'checkout', suffix: 'aaaaa', from: T0, every: sec(20), times: 6, recoverAt, message: 'dial tcp <10.0.3.7:5432> & retry' }),
      crashLoop({ deployment: 'checkout', suffix: 'bbbbb', from: T0 + sec(40), every: sec(20), times: 4, recoverAt }),
    );
    const { code, stdout } = await replay(input, ['--format', 'text']);
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('#alerts');
    const parentLines = lines.filter((l) => /^\[\d\d:\d\d:\d\d\] /.test(l));
    expect(parentLines).toHaveLength(1);
    expect(parentLines[0]).toMatch(/resolved/i);
    expect(parentLines[0]).toMatch(/\(edited \d+×, last \d\d:\d\d:\d\d\)$/);
    expect(lines.some((l) => l.startsWith('   └ [') && l.includes('checkout-7d9f8b6c5d-bbbbb'))).toBe(true);
    expect(stdout).not.toMatch(/\u001b\[/);
    expect(stdout).not.toMatch(/&lt;|&gt;|&amp;/);
  });

  test('--color adds ANSI styling only when asked', async () => {
    const input = crashLoop({ deployment: 'checkout', from: T0, every: sec(20), times: 3 });
    const { stdout } = await replay(input, ['--format', 'text', '--color']);
    expect(stdout).toMatch(/\u001b\[/);
  });
});
