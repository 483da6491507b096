import { emptyBook, reduce, REPLY_BURST, type IncidentSettings } from '../../src/core/incidents.js';
import { checkout, DEFAULTS, failureOf, HOUR, MIN, SEC, Story, T0 } from './incidents-story.js';

const pods6 = ['checkout-7d9f8b6c5d-x2k4q', 'checkout-7d9f8b6c5d-b8m2p', 'checkout-7d9f8b6c5d-c3n5r', 'checkout-7d9f8b6c5d-d4p6s', 'checkout-7d9f8b6c5d-e5q7t', 'checkout-7d9f8b6c5d-f6r8u'];

/** A little deterministic randomness (LCG), so the crash-loop story is irregular but repeatable. */
function lcg(seed: number) {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x / 2 ** 32;
  };
}

describe('PENDING: GROUP_WAIT gathers siblings', () => {
  test.each([
    ['healthy again', (s: Story) => s.healthy('checkout-a')],
    ['deleted', (s: Story) => s.deleted('checkout-a')],
  ])('a pod %s before GROUP_WAIT posts nothing and leaves nothing behind', (_what, recover) => {
    const s = new Story().fail({ pod: 'checkout-a' }).advance(5 * SEC);
    recover(s);
    s.drain();
    expect(s.sent).toEqual([]);
    expect(s.book.incidents).toEqual({});
    expect(s.book.pods).toEqual({});
  });

  test('one parent after GROUP_WAIT for every pod of the workload that failed meanwhile, with a reply per pod', () => {
    const s = new Story().fail({ pod: 'checkout-a', exitCode: 1 }).advance(4 * SEC).fail({ pod: 'checkout-b', reason: 'OOMKilled', exitCode: 137 }).advance(5 * SEC);
    expect(s.sent).toEqual([]);
    s.advance(1 * SEC);
    expect(s.parents()).toHaveLength(1);
    const p = s.parents()[0]!;
    expect(p).toMatchObject({ channel: '#alerts', thread: 't1' });
    expect(p.linkTo).toBeUndefined();
    expect(p.message.text).toContain('checkout · Deployment · shop');
    expect(p.message.text).toContain('CrashLoopBackOff ×1 · OOMKilled ×1');
    expect(p.message.text).toContain('2 of 2 pods failing');
    expect(s.texts('reply', 't1')).toEqual([
      'checkout-a · app · CrashLoopBackOff (exit 1) · restart 1 · node-1',
      'checkout-b · app · OOMKilled (exit 137, out of memory: hit its limit) · restart 1 · node-1',
    ]);
  });

  test.each([
    ['OOMKilled', 'OOMKilled', 137, 'OOMKilled'],
    ['Evicted', 'Evicted', undefined, 'Evicted'],
    ['Error (restartPolicy Never)', 'Error', 2, 'Error \\(exit 2\\)'],
  ])('a one-shot %s is posted red even when the pod looks healthy again before GROUP_WAIT, then resolves', (_n, reason, exitCode, label) => {
    const s = new Story().fail({ pod: 'checkout-a', reason, ...(exitCode !== undefined && { exitCode }) }).healthy('checkout-a').advance(10 * SEC);
    expect(s.parents()).toHaveLength(1);
    // It failed: the first post says so (red), not "recovering".
    expect(s.parents()[0]!.message.text).toMatch(new RegExp(`^🔴 checkout · Deployment · shop\\n${label} ×1`));
    s.advance(5 * MIN);
    expect(s.texts('reply').at(-1)).toBe('✅ recovered at 09:00:00 UTC');
    expect(s.parentText('t1')).toMatch(/^✅ Resolved/);
  });

  test('a one-shot failure that starts failing again before GROUP_WAIT is posted firing', () => {
    const s = new Story().fail({ pod: 'checkout-a', reason: 'OOMKilled', exitCode: 137 }).healthy('checkout-a').advance(3 * SEC).failing('checkout-a').advance(7 * SEC);
    expect(s.parents()[0]!.message.text).toMatch(/^🔴 checkout/);
  });

  test('GROUP_WAIT=0 posts at once, inside the call that reported the failure', () => {
    const s = new Story({ ...DEFAULTS, groupWaitMs: 0 }).fail({ pod: 'checkout-a' });
    expect(s.parents()).toHaveLength(1);
  });

  test('incidents are per (cluster, namespace, workload), in the channel of their first failure; reasons are counted inside one', () => {
    const s = new Story()
      .fail({ pod: 'checkout-a', reason: 'OOMKilled', restartCount: 1 })
      .fail({ pod: 'checkout-a', reason: 'CrashLoopBackOff', restartCount: 1 })
      .fail({ pod: 'checkout-a' }, '#payments')
      .fail({ pod: 'checkout-a', namespace: 'staging' })
      .fail({ pod: 'cart-a', workload: { kind: 'Deployment', name: 'cart' } })
      .advance(10 * SEC);
    // A third parent in #alerts within a minute is held while the channel sees whether a storm follows.
    s.advance(20 * SEC);
    expect(s.parents().map((p) => [p.channel, p.message.text.split('\n')[0]])).toEqual([
      ['#alerts', '🔴 checkout · Deployment · shop'],
      ['#alerts', '🔴 checkout · Deployment · staging'],
      ['#alerts', '🔴 cart · Deployment · shop'],
    ]);
    // An OOMKill that turns into CrashLoopBackOff is ONE incident with both reasons counted.
    expect(s.parents()[0]!.message.text).toContain('CrashLoopBackOff ×1 · OOMKilled ×1');
    // Routed to #payments meanwhile (its channel annotation changed): the same incident, which says so.
    expect(s.parents()[0]!.message.text).toContain('new ones go to #payments');
  });
});

describe('occurrence keys: the same fact counts once', () => {
  test.each([
    ['re-delivered 5 times', [1, 1, 1, 1, 1], 'CrashLoopBackOff ×1', '1 restart'],
    ['re-delivered out of order', [1, 2, 1, 3, 2, 3], 'CrashLoopBackOff ×3', '3 restarts'],
    ['rising restartCount', [4, 5, 6, 7], 'CrashLoopBackOff ×4', '7 restarts'],
  ])('%s', (_name, restarts, counts, total) => {
    const s = new Story();
    for (const r of restarts) s.fail({ pod: 'checkout-a', restartCount: r }).advance(1 * SEC);
    s.advance(30 * SEC);
    const text = s.parentText('t1');
    expect(text).toContain(counts);
    expect(text).toContain(total);
    expect(s.of('reply')).toHaveLength(1);
  });

  test('a relist that re-delivers a resolved failure neither reopens nor counts', () => {
    const s = new Story().fail({ pod: 'checkout-a', restartCount: 3 }).advance(20 * SEC).healthy('checkout-a').advance(6 * MIN);
    const before = s.sent.length;
    s.fail({ pod: 'checkout-a', restartCount: 3 }).advance(1 * MIN);
    expect(s.sent.length).toBe(before);
    expect(s.book.incidents[Object.keys(s.book.incidents)[0]!]!.status).toBe('resolved');
  });

  test('an OOMKill seen again after the restart (lastState, same run, higher restartCount) counts once and does not reopen', () => {
    // detect reports the kill of run 2 first as terminated (restartCount 2), then, with no previous
    // state (a restart of podbell, a namespace recheck), from lastState once the container runs again.
    const s = new Story().fail({ pod: 'worker-a', reason: 'OOMKilled', restartCount: 2, run: 2 }).advance(20 * SEC).healthy('worker-a').advance(6 * MIN);
    const before = s.sent.length;
    s.fail({ pod: 'worker-a', reason: 'OOMKilled', restartCount: 3, run: 2 }).advance(1 * MIN);
    expect(s.sent.length).toBe(before);
    const inc = s.book.incidents[Object.keys(s.book.incidents)[0]!]!;
    expect(inc.status).toBe('resolved');
    expect(inc.counts).toEqual({ OOMKilled: 1 });
  });
});

describe('OPEN: replies, digest, parent edits', () => {
  test(`more than ${REPLY_BURST} new pods in one GROUP_INTERVAL fold into one digest reply`, () => {
    const s = new Story().fail({ pod: 'checkout-0' }).advance(10 * SEC);
    expect(s.of('reply')).toHaveLength(1);
    // 9 more pods (8 crash-looping, 1 OOMKilled) within the next few seconds
    for (let i = 1; i <= 9; i++) s.fail({ pod: `checkout-${i}`, reason: i === 9 ? 'OOMKilled' : 'CrashLoopBackOff' }).advance(500);
    expect(s.of('reply')).toHaveLength(REPLY_BURST);
    s.advance(15 * SEC);
    const replies = s.texts('reply');
    expect(replies).toHaveLength(REPLY_BURST + 1);
    expect(replies.at(-1)).toMatch(/^\+7 more in the last \d+s across 7 pods \(7 crashes: CrashLoopBackOff ×6, OOMKilled ×1\)$/);
  });

  test('pods that failed while PENDING: burst of replies with the parent, the rest digested at once', () => {
    const s = new Story();
    for (let i = 0; i < 8; i++) s.fail({ pod: `checkout-${i}` });
    s.advance(10 * SEC);
    const replies = s.texts('reply');
    expect(replies).toHaveLength(REPLY_BURST + 1);
    expect(replies.at(-1)).toMatch(/^\+5 more in the last 10s across 5 pods \(CrashLoopBackOff ×5\)$/);
    // The next interval has its own budget.
    s.advance(1 * MIN).fail({ pod: 'checkout-new' });
    expect(s.texts('reply').at(-1)).toContain('checkout-new');
  });

  test('repeats of a known (pod, reason) only raise counters; the parent is edited at most once per GROUP_INTERVAL', () => {
    const s = new Story().fail({ pod: 'checkout-a', restartCount: 1 }).advance(10 * SEC);
    for (let r = 2; r <= 40; r++) s.fail({ pod: 'checkout-a', restartCount: r }).advance(2 * SEC);
    s.advance(1 * MIN);
    expect(s.of('reply')).toHaveLength(1);
    const edits = s.of('edit', 't1');
    expect(edits.length).toBeGreaterThan(1);
    for (let i = 1; i < edits.length; i++) expect(edits[i]!.at - edits[i - 1]!.at).toBeGreaterThanOrEqual(15 * SEC);
    expect(s.parentText('t1')).toContain('CrashLoopBackOff ×40');
    expect(s.parentText('t1')).toContain('40 restarts');
  });

  test('pod churn (a new failing pod every 2 s for 10 min): every pod told exactly once, never more than REPLY_BURST + 1 replies per GROUP_INTERVAL', () => {
    const s = new Story();
    for (let i = 0; i < 300; i++) {
      s.fail({ pod: `checkout-${i}` });
      if (i > 0) s.deleted(`checkout-${i - 1}`);
      s.advance(2 * SEC);
    }
    s.advance(1 * MIN);
    const replies = s.of('reply', 't1');
    const own = replies.filter((r) => r.msg.message.text.startsWith('checkout-')).length;
    const folded = replies.map((r) => /^\+(\d+) more/.exec(r.msg.message.text)?.[1]).filter((n) => n !== undefined).map(Number);
    expect(own + folded.reduce((a, b) => a + b, 0)).toBe(300);
    for (const r of replies) expect(replies.filter((u) => u.at >= r.at && u.at < r.at + 15 * SEC).length).toBeLessThanOrEqual(REPLY_BURST + 1);
    expect(replies.length).toBeLessThanOrEqual(4 * (10 * 60 / 15 + 1));
    expect(folded.length).toBeGreaterThan(10); // the digest did the folding
    expect(s.parents()).toHaveLength(1);
    expect(s.parentText('t1')).toContain('1 of 300 pods failing');
  });

  test('no edit when nothing a user would see changed', () => {
    const s = new Story().fail({ pod: 'checkout-a', restartCount: 2 }).advance(10 * SEC);
    s.fail({ pod: 'checkout-a', restartCount: 2 }).failing('checkout-a').advance(2 * HOUR);
    expect(s.of('edit')).toEqual([]);
  });

  test('a 6-replica deployment crash-looping for 30 min: one parent, at most 5 replies, true final counts', () => {
    const s = new Story();
    const rand = lcg(42);
    const end = T0 + 30 * MIN;
    const next = pods6.map(() => T0 + Math.floor(rand() * 60 * SEC));
    const restarts = pods6.map(() => 0);
    let events = 0;
    for (;;) {
      const i = next.indexOf(Math.min(...next));
      if (next[i]! > end) break;
      s.advance(next[i]! - s.now);
      restarts[i]!++;
      // CrashLoopBackOff is reported several times per restart (watch updates, relists): must count once.
      for (let k = 0; k < 3; k++) s.fail({ pod: pods6[i]!, restartCount: restarts[i]!, exitCode: 1, message: `panic: db down (attempt ${restarts[i]})` });
      s.failing(pods6[i]!);
      events++;
      next[i]! += MIN + Math.floor(rand() * 4 * MIN); // back-off 1-5 min
    }
    s.advance(30 * SEC);
    for (const p of pods6) s.healthy(p);
    s.drain();

    expect(s.parents()).toHaveLength(1);
    // Bound: each (pod, reason) is told once, in its own reply or counted in a digest, so pod replies +
    // digests <= 6 distinct pairs; never more than REPLY_BURST + 1 replies in one GROUP_INTERVAL; then one
    // "recovered" reply. Here: <= 7 replies for 30 minutes and more than 40 restarts.
    const replies = s.texts('reply', 't1');
    expect(replies.length).toBeLessThanOrEqual(pods6.length + 1);
    const own = replies.filter((r) => r.startsWith('checkout-'));
    const folded = replies.map((r) => /^\+(\d+) more/.exec(r)?.[1]).filter((n) => n !== undefined).map(Number);
    expect(own.length + folded.reduce((a, b) => a + b, 0)).toBe(pods6.length);
    expect(new Set(own.map((r) => r.split(' · ')[0])).size).toBe(own.length);
    const at = s.of('reply', 't1').map((r) => r.at);
    for (const t of at) expect(at.filter((u) => u >= t && u < t + 15 * SEC).length).toBeLessThanOrEqual(REPLY_BURST + 1);
    expect(replies.at(-1)).toMatch(/^✅ recovered at 09:30:\d\d UTC after \d+ min$/);
    const final = s.parentText('t1');
    expect(final).toMatch(/^✅ Resolved · checkout · Deployment · shop · failed for \d+ min/);
    expect(final).toContain(`CrashLoopBackOff ×${events}`);
    expect(final).toContain('6 pods');
    expect(final).toContain(`${restarts.reduce((a, b) => a + b, 0)} restarts`);
    expect(events).toBeGreaterThan(40);
    expect(s.book.incidents[Object.keys(s.book.incidents)[0]!]).toBeUndefined(); // drained past REOPEN_WINDOW: expired
  });
});

describe('REPEAT_INTERVAL: reminders while still failing', () => {
  test('one reminder reply per REPEAT_INTERVAL of failing, none while resolving', () => {
    const s = new Story().fail({ pod: 'checkout-a', restartCount: 1 }).advance(10 * SEC);
    for (let r = 2; r <= 9; r++) s.advance(29 * MIN).fail({ pod: 'checkout-a', restartCount: r });
    expect(s.now - T0).toBeLessThan(4 * HOUR);
    expect(s.texts('reply').filter((t) => t.startsWith('⏰'))).toHaveLength(0);
    s.advance(4 * HOUR + 10 * SEC - (s.now - T0));
    const reminders = s.texts('reply').filter((t) => t.startsWith('⏰'));
    expect(reminders).toEqual(['⏰ still failing after 4 h: CrashLoopBackOff ×9 · 1 pod failing · 9 restarts']);
    s.advance(4 * HOUR - 1 * MIN);
    expect(s.texts('reply').filter((t) => t.startsWith('⏰'))).toHaveLength(1);
    s.advance(2 * MIN);
    expect(s.texts('reply').filter((t) => t.startsWith('⏰'))).toHaveLength(2);
  });
});

describe('RESOLVING and RESOLVED', () => {
  test.each([
    ['every pod healthy', (s: Story) => s.healthy('checkout-a').healthy('checkout-b')],
    ['every pod deleted', (s: Story) => s.deleted('checkout-a').deleted('checkout-b')],
    ['one healthy, one deleted', (s: Story) => s.healthy('checkout-a').deleted('checkout-b')],
  ])('%s: resolved after RESOLVE_AFTER of quiet, parent edited once to resolved, ONE reply', (_n, recover) => {
    // Pods that never restarted (an image that would not pull): healthy means recovering at once.
    const s = new Story().fail({ pod: 'checkout-a', reason: 'ImagePullBackOff', restartCount: 0 }).fail({ pod: 'checkout-b', reason: 'ImagePullBackOff', restartCount: 0 });
    s.advance(10 * SEC).advance(12 * MIN);
    recover(s);
    s.advance(5 * MIN - 1);
    expect(s.texts('reply').filter((t) => t.startsWith('✅'))).toEqual([]);
    expect(s.parentText('t1')).toMatch(/^🟡 checkout · Deployment · shop · recovering/);
    s.advance(1);
    expect(s.texts('reply').filter((t) => t.startsWith('✅'))).toEqual(['✅ recovered at 09:12:10 UTC after 12 min']);
    expect(s.parentText('t1')).toMatch(/^✅ Resolved · checkout · Deployment · shop · failed for 12 min\nImagePullBackOff ×2\n2 pods\n/);
    s.advance(50 * MIN);
    expect(s.texts('reply').filter((t) => t.startsWith('✅'))).toHaveLength(1);
  });

  test('one pod still failing keeps it open', () => {
    const s = new Story().fail({ pod: 'checkout-a' }).fail({ pod: 'checkout-b' }).advance(10 * SEC).healthy('checkout-a').advance(1 * HOUR);
    expect(s.texts('reply').filter((t) => t.startsWith('✅'))).toEqual([]);
    expect(s.parentText('t1')).toContain('1 of 2 pods failing');
  });

  test('failing again while RESOLVING goes back to open without any reply', () => {
    const s = new Story().fail({ pod: 'checkout-a', restartCount: 1 }).advance(10 * SEC).healthy('checkout-a').advance(4 * MIN);
    s.fail({ pod: 'checkout-a', restartCount: 2 }).advance(10 * MIN);
    expect(s.of('reply')).toHaveLength(1);
    expect(s.parentText('t1')).toMatch(/^🔴/);
    expect(s.parentText('t1')).toContain('CrashLoopBackOff ×2');
  });

  test('resolved incidents expire after REOPEN_WINDOW: the book is empty, bounded and still JSON', () => {
    const s = new Story().fail({ pod: 'checkout-a' }).advance(10 * SEC).healthy('checkout-a').advance(5 * MIN);
    expect(Object.values(s.book.incidents).map((i) => i.status)).toEqual(['resolved']);
    s.advance(1 * HOUR - 1);
    expect(Object.keys(s.book.incidents)).toHaveLength(1);
    s.advance(1);
    expect(s.book.incidents).toEqual({});
    expect(s.book.pods).toEqual({});
    expect(s.wakeAt).toBeUndefined();
    expect(Object.keys(s.book.previous)).toHaveLength(1); // a small tombstone, to link a later thread
    expect(JSON.parse(JSON.stringify(s.book))).toEqual(s.book);
  });
});

describe('reopen or a new, linked parent', () => {
  const resolvedAt = (s: Story) => s.fail({ pod: 'checkout-a', restartCount: 1 }).advance(10 * SEC).healthy('checkout-a').advance(5 * MIN);

  test('failing again within REOPEN_WINDOW: same thread, a reply saying so, parent back to firing', () => {
    const s = resolvedAt(new Story()).advance(30 * MIN);
    s.fail({ pod: 'checkout-a', restartCount: 2, exitCode: 1 }).advance(20 * SEC);
    expect(s.parents()).toHaveLength(1);
    expect(s.texts('reply', 't1').at(-1)).toBe('🔁 failing again at 09:35:10 UTC, 35 min after recovering: checkout-a CrashLoopBackOff (exit 1)');
    expect(s.parentText('t1')).toMatch(/^🔴 checkout · Deployment · shop\n/);
    expect(s.parentText('t1')).toContain('failed again 1×');
    // and it resolves again in the same thread, once more
    s.healthy('checkout-a').advance(6 * MIN);
    expect(s.texts('reply', 't1').filter((t) => t.startsWith('✅'))).toHaveLength(2);
  });

  test('failing again later than REOPEN_WINDOW: a new parent that links the previous thread', () => {
    const s = resolvedAt(new Story()).advance(2 * HOUR);
    s.fail({ pod: 'checkout-a', restartCount: 2 }).advance(10 * SEC);
    expect(s.parents().map((p) => [p.thread, p.linkTo])).toEqual([
      ['t1', undefined],
      ['t2', 't1'],
    ]);
    expect(s.parents()[1]!.message.text).toContain('follows an earlier incident resolved 2026-11-21 09:00:10 UTC');
  });

  test('a thread older than THREAD_MAX_AGE is not reopened, even within REOPEN_WINDOW', () => {
    const s = new Story().fail({ pod: 'checkout-a', restartCount: 1 }).advance(10 * SEC);
    for (let r = 2; r <= 26; r++) s.advance(1 * HOUR).fail({ pod: 'checkout-a', restartCount: r });
    s.healthy('checkout-a').advance(6 * MIN).fail({ pod: 'checkout-a', restartCount: 27 }).advance(10 * SEC);
    const [first, second] = s.parents();
    expect(second).toMatchObject({ thread: 't2', linkTo: first!.thread });
    expect(s.texts('reply', 't1').filter((t) => t.startsWith('🔁'))).toEqual([]);
  });

  test('still failing in a thread older than THREAD_MAX_AGE: the old parent points on, a new parent continues with the same counts', () => {
    const s = new Story().fail({ pod: 'checkout-a', restartCount: 1 }).advance(10 * SEC);
    for (let r = 2; r <= 25; r++) s.advance(1 * HOUR).fail({ pod: 'checkout-a', restartCount: r });
    s.advance(1 * HOUR);
    const [first, second] = s.parents();
    expect(second).toMatchObject({ thread: 't2', linkTo: 't1', channel: '#alerts' });
    expect(second!.message.text).toContain('CrashLoopBackOff ×24'); // the 24 h tick came first, the 25th failure at the same instant went to t2
    expect(second!.message.text).toContain('continues an earlier thread');
    expect(s.parentText(first!.thread)).toMatch(/^⤵️ checkout · Deployment · shop · continued in a new thread/);
    // 5 reminders at 4 h .. 20 h in the old thread, none in the new one yet; the 24 h one became the new parent
    expect(s.texts('reply', 't1').filter((t) => t.startsWith('⏰'))).toHaveLength(5);
    s.fail({ pod: 'checkout-a', restartCount: 26 }).advance(20 * SEC);
    expect(s.parentText('t2')).toContain('CrashLoopBackOff ×26');
    s.healthy('checkout-a').advance(6 * MIN);
    expect(s.texts('reply', 't2').at(-1)).toMatch(/^✅ recovered/);
    expect(s.texts('reply', 't1').filter((t) => t.startsWith('✅'))).toEqual([]);
  });

  test('a new incident that recovers within GROUP_WAIT still posts nothing', () => {
    const s = resolvedAt(new Story()).advance(2 * HOUR);
    const before = s.sent.length;
    s.fail({ pod: 'checkout-a', restartCount: 2 }).advance(3 * SEC).healthy('checkout-a').drain();
    expect(s.sent.length).toBe(before);
  });
});

describe('storms', () => {
  test.each([
    [30, 10, 3],
    [30, 3, 3],
    // Just over the threshold, one every 4 s: a storm trickling in, called when the first hold ends.
    [12, 10, 3],
    [200, 10, 3],
  ])('%i workloads failing within a minute (threshold %i): at most %i top-level posts, every workload named', (n, threshold, maxTop) => {
    const s = new Story({ ...DEFAULTS, stormThreshold: threshold });
    for (let i = 0; i < n; i++) {
      s.fail({ pod: `worker-${String(i).padStart(3, '0')}-x`, workload: { kind: 'Deployment', name: `worker-${String(i).padStart(3, '0')}` } });
      s.advance(Math.floor(50_000 / n));
    }
    s.advance(2 * MIN);
    const top = s.topLevel();
    expect(top.length).toBeLessThanOrEqual(maxTop);
    const all = JSON.stringify(s.sent);
    for (let i = 0; i < n; i++) expect(all).toContain(`worker-${String(i).padStart(3, '0')}`);
    const storm = top.find((p) => p.thread.startsWith('s'))!;
    expect(storm.message.text).toMatch(/^🚨 \d+ workloads started failing within \d+s \(cluster prod-eu\)/);
    // Every incident that did not go top level is a storm member: no parent of its own, a line on the storm parent.
    expect(s.parents()).toHaveLength(top.length);
    expect(Object.values(s.book.incidents).filter((inc) => inc.storm === storm.thread)).toHaveLength(n - (top.length - 1));
    // The storm parent ends up listing the whole burst.
    const last = s.parentText(storm.thread);
    expect(last).toContain(`🚨 ${n} workloads`);
  });

  test('below the threshold nothing changes, and a second burst later is a new storm', () => {
    const s = new Story({ ...DEFAULTS, stormThreshold: 3 });
    const burst = (tag: string) => {
      for (let i = 0; i < 5; i++) s.fail({ pod: `${tag}${i}-x`, workload: { kind: 'Deployment', name: `${tag}${i}` } });
      s.advance(10 * SEC);
    };
    burst('a');
    s.advance(10 * MIN);
    burst('b');
    const storms = s.topLevel().filter((p) => p.thread.startsWith('s'));
    expect(storms).toHaveLength(2);
    expect(s.topLevel()).toHaveLength(2 * (2 + 1));
  });
});

describe('untrusted cluster text end to end', () => {
  test('every message of a whole story (parent, replies, digest, edits, storm) is escaped and within limits', () => {
    const evil = '<!channel> <!here> <@U123> <https://evil.example|click> & ``` done ```' + 'x'.repeat(20_000);
    const s = new Story({ ...DEFAULTS, stormThreshold: 2 });
    for (let i = 0; i < 6; i++) {
      s.fail({ pod: `p${i}-<!here>`, reason: `${evil}${i}`, message: evil, node: '<@U9>', workload: { kind: 'Deployment', name: `w${i % 4}` } });
    }
    s.advance(10 * SEC);
    for (let i = 0; i < 6; i++) s.healthy(`p${i}-<!here>`);
    s.drain();
    expect(s.sent.length).toBeGreaterThan(10);
    for (const { msg } of s.sent) {
      // A reply's `evidence` is raw data for the evidence stage (which escapes what it renders), never sent as is.
      const json = JSON.stringify({ ...msg, evidence: undefined });
      expect(json).not.toMatch(/<!|<@|<#|<http/);
      expect(msg.message.text.length).toBeLessThanOrEqual(4000);
      expect((msg.message.blocks ?? []).length).toBeLessThanOrEqual(50);
      for (const b of (msg.message.blocks ?? []) as { text?: { text: string } }[]) expect(b.text?.text.length ?? 0).toBeLessThanOrEqual(3000);
    }
  });
});

describe('the book: performance contract and state', () => {
  test('a pod in no incident is one lookup: same book, same cached step, nothing out', () => {
    const book = emptyBook();
    const healthy = { uid: 'u-1', namespace: 'shop', name: 'p', workload: checkout, containers: [] };
    const a = reduce(book, { type: 'pod', pod: healthy, failing: false }, T0, DEFAULTS);
    const b = reduce(a.book, { type: 'pod', pod: healthy, failing: false }, T0 + 1, DEFAULTS);
    const c = reduce(b.book, { type: 'podDeleted', uid: 'u-2' }, T0 + 2, DEFAULTS);
    expect(a.book).toBe(book);
    expect(b).toBe(a);
    expect(c).toBe(a);
    expect(a.out).toEqual([]);
    expect(Object.isFrozen(a.out)).toBe(true);
    expect(JSON.stringify(book)).toBe(JSON.stringify(emptyBook()));
  });

  test('the book survives a JSON round-trip mid-incident and carries on exactly the same', () => {
    const script = (s: Story) => s.fail({ pod: 'checkout-a', restartCount: 1 }).fail({ pod: 'checkout-b' }).advance(12 * SEC).fail({ pod: 'checkout-a', restartCount: 2 });
    const rest = (s: Story) => s.advance(20 * SEC).healthy('checkout-a').healthy('checkout-b').drain();
    const straight = rest(script(new Story()));
    const restored = script(new Story());
    restored.book = JSON.parse(JSON.stringify(restored.book));
    rest(restored);
    expect(restored.sent).toEqual(straight.sent);
  });

  test('state stays bounded however long an incident lasts', () => {
    const s = new Story().fail({ pod: 'checkout-a', restartCount: 1 }).advance(10 * SEC);
    for (let r = 2; r <= 2000; r++) s.fail({ pod: 'checkout-a', restartCount: r }).advance(10 * SEC);
    for (let p = 0; p < 1000; p++) s.fail({ pod: `churn-${p}` }).deleted(`churn-${p}`);
    s.advance(20 * SEC);
    expect(JSON.stringify(s.book).length).toBeLessThan(100_000);
    expect(s.parentText('t1')).toMatch(/1001 pods/);
  });

  test.each([
    ['groupWaitMs', -1],
    ['groupIntervalMs', Number.NaN],
    ['repeatIntervalMs', 0],
    ['stormThreshold', 0],
    ['stormThreshold', 1.5],
  ] as const)('a bad setting (%s = %p) fails at once with a TypeError naming it', (name, value) => {
    const bad = { ...DEFAULTS, [name]: value } as IncidentSettings;
    expect(() => reduce(emptyBook(), { type: 'failure', failure: failureOf({ pod: 'a' }), channel: '#alerts' }, T0, bad)).toThrow(new RegExp(name));
    expect(() => reduce(emptyBook(), { type: 'tick' }, T0, bad)).toThrow(TypeError);
  });
});
