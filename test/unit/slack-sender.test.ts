import { edit, harness, parent, reply, type Harness } from './slack-harness.js';

let h: Harness;
afterEach(async () => h?.close());

describe('SlackSender: threads', () => {
  test('a parent lands first; its replies go under thread_ts = parent ts (a string); edits use the channel ID', async () => {
    h = await harness();
    h.sender.send(parent('t1', '#shop', 'checkout failing'));
    h.sender.send(reply('t1', 'pod a OOMKilled'));
    h.sender.send(reply('t1', 'pod b CrashLoopBackOff'));
    await h.drain();
    h.sender.send(edit('t1', 'checkout failing ×3'));
    await h.drain();

    const [thread, ...others] = h.slack.threads('#shop');
    expect(others).toEqual([]);
    expect(thread).toMatchObject({ channelName: '#shop', text: 'checkout failing ×3', edits: 1 });
    expect(thread!.replies.map((r) => r.text)).toEqual(['pod a OOMKilled', 'pod b CrashLoopBackOff']);
    const [post, r1, r2] = h.slack.requestsFor('chat.postMessage');
    expect(post!.params.thread_ts).toBeUndefined();
    expect([r1!.params.thread_ts, r2!.params.thread_ts]).toEqual([thread!.ts, thread!.ts]);
    const [update] = h.slack.requestsFor('chat.update');
    expect(update!.params).toMatchObject({ channel: thread!.channel, ts: thread!.ts });
    expect(h.store.get('t1')).toEqual({ channel: thread!.channel, ts: thread!.ts, replyTo: thread!.ts });
  });

  test('edits queued behind a paused channel collapse into one update carrying the latest text', async () => {
    h = await harness();
    h.sender.send(parent('t1', '#shop', 'v0'));
    await h.drain();
    h.slack.rateLimit('#shop', 20);
    h.sender.send(reply('t1', 'r1')); // meets the 429 and pauses #shop
    await h.runUntil(h.clock.now() + 1000);
    for (let i = 1; i <= 6; i++) h.sender.send(edit('t1', `v${i}`));
    await h.drain();
    const updates = h.slack.requestsFor('chat.update').filter((r) => r.outcome === 'ok');
    expect(updates.map((u) => u.params.text)).toEqual(['v6']);
    expect(h.slack.threads('#shop')[0]).toMatchObject({ text: 'v6', edits: 1 });
  });

  test('edits of a parent not yet posted fold into the parent itself: one post, no update', async () => {
    h = await harness();
    h.sender.send(parent('t1', '#shop', 'v0'));
    h.sender.send(edit('t1', 'v1'));
    h.sender.send(edit('t1', 'v2'));
    await h.drain();
    expect(h.slack.requestsFor('chat.update')).toEqual([]);
    expect(h.slack.threads('#shop').map((m) => m.text)).toEqual(['v2']);
  });

  test('a thread saved by an older version, whose parent was a reply in a storm thread: its replies still go under the storm parent', async () => {
    h = await harness();
    h.sender.send(parent('storm', '#shop', '30 workloads failing'));
    await h.drain();
    const [storm] = h.slack.threads('#shop');
    h.store.set('w1', { channel: h.store.get('storm')!.channel, ts: '1.000001', replyTo: storm!.ts });
    h.sender.send(reply('w1', 'pod x'));
    await h.drain();
    expect(h.slack.threads('#shop')[0]!.replies.map((r) => r.text)).toEqual(['pod x']);
  });

  test('a parent to #name and later traffic by channel ID share one queue: never two requests for a channel at once', async () => {
    h = await harness({ fake: { latencyMs: 3 }, sender: { postsPerSecond: 1000, updatesPerMinute: 60_000 } });
    for (let i = 0; i < 5; i++) h.sender.send(parent(`t${i}`, '#shop', `p${i}`));
    await h.drain();
    for (let i = 0; i < 5; i++) {
      h.sender.send(reply(`t${i}`, `r${i}`));
      h.sender.send(edit(`t${i}`, `e${i}`));
      h.sender.send(parent(`n${i}`, '#shop', `n${i}`));
    }
    await h.drain();
    expect(h.slack.maxConcurrent('#shop')).toBe(1);
    expect(h.slack.threads('#shop')).toHaveLength(10);
  });

  test('the constructor starts no work; send never throws, even for a thread nobody opened', async () => {
    h = await harness();
    expect(h.slack.requests).toEqual([]);
    expect(h.clock.pendingCount).toBe(0);
    expect(() => h.sender.send(reply('ghost', 'r'))).not.toThrow();
    await h.drain();
    expect(h.slack.requests).toEqual([]);
    expect(await h.metric('podbell_slack_fallbacks_total', { kind: 'orphan_dropped' })).toBe(1);
    expect(h.lines.join('')).toContain('reply for a thread that has no parent');
  });

  test.each([
    ['an unknown kind', { kind: 'delete', thread: 't', message: { text: 'x' } }],
    ['no text', { kind: 'parent', thread: 't', channel: '#shop', message: {} }],
    ['no thread', { kind: 'reply', message: { text: 'x' } }],
    ['a parent without channel', { kind: 'parent', thread: 't', message: { text: 'x' } }],
    ['nothing at all', null],
  ])('a malformed message (%s) is logged and dropped, never thrown', async (_name, bad) => {
    h = await harness();
    expect(() => h.sender.send(bad as never)).not.toThrow();
    await h.drain();
    expect(h.slack.requests).toEqual([]);
    expect(h.logs().some((l) => l.level === 50 && String(l.msg).includes('dropped'))).toBe(true);
  });
});

describe('SlackSender: budgets and rate limits', () => {
  test('posts to one channel are spaced by its budget; another channel is not held back by it', async () => {
    h = await harness({ sender: { postsPerSecond: 1 } });
    for (let i = 0; i < 4; i++) h.sender.send(parent(`a${i}`, '#a', `a${i}`));
    h.sender.send(parent('b0', '#b', 'b0'));
    await h.drain();
    const times = h.slack.requestsFor('chat.postMessage', '#a').map((r) => r.time);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(1000);
    expect(h.slack.requestsFor('chat.postMessage', '#b')[0]!.time).toBeLessThan(times[1]!);
  });

  test('chat.update keeps to its workspace-wide budget (Tier 3), across channels', async () => {
    h = await harness({ sender: { postsPerSecond: 100, updatesPerMinute: 2 } });
    for (const [t, ch] of [['a', '#a'], ['b', '#b'], ['c', '#c']]) h.sender.send(parent(t!, ch!, 'v0'));
    await h.drain();
    for (const t of ['a', 'b', 'c']) h.sender.send(edit(t, 'v1'));
    await h.drain();
    const times = h.slack.requestsFor('chat.update').map((r) => r.time).sort((x, y) => x - y);
    expect(times).toHaveLength(3);
    expect(times[2]! - times[0]!).toBeGreaterThanOrEqual(60_000);
    expect(h.slack.threads().map((m) => m.text)).toEqual(['v1', 'v1', 'v1']);
  });

  test('a 429 pauses exactly its channel until Retry-After ends; other channels keep flowing', async () => {
    h = await harness({ sender: { postsPerSecond: 10 } });
    h.sender.send(parent('a', '#a', 'A'));
    h.sender.send(parent('b', '#b', 'B'));
    await h.drain();
    h.slack.rateLimit('#a', 30);
    const pauseEnd = h.clock.now() + 30_000;
    for (let i = 0; i < 5; i++) {
      h.sender.send(reply('a', `a${i}`));
      h.sender.send(reply('b', `b${i}`));
    }
    await h.drain();

    const toA = h.slack.requestsFor('chat.postMessage', '#a').slice(1);
    expect(toA.filter((r) => r.outcome === 'ratelimited')).toHaveLength(1);
    expect(toA.filter((r) => r.outcome === 'ok').every((r) => r.time >= pauseEnd)).toBe(true);
    const toB = h.slack.requestsFor('chat.postMessage', '#b').slice(1);
    expect(toB.every((r) => r.outcome === 'ok' && r.time < pauseEnd)).toBe(true);
    expect(h.slack.threads('#a')[0]!.replies.map((r) => r.text)).toEqual(['a0', 'a1', 'a2', 'a3', 'a4']);
    expect(await h.metric('podbell_slack_rate_limited_total', { channel: h.slack.channelId('#a')! })).toBe(1);
  });

  test('a storm of 429s with growing Retry-After: no request to the channel while any pause lasts', async () => {
    h = await harness({ sender: { postsPerSecond: 5 } });
    h.sender.send(parent('a', '#a', 'A'));
    await h.drain();
    for (const s of [1, 3, 7, 2]) h.slack.failNext('chat.postMessage', { retryAfter: s }, { channel: '#a' });
    for (let i = 0; i < 3; i++) h.sender.send(reply('a', `r${i}`));
    await h.drain();
    const reqs = h.slack.requestsFor('chat.postMessage', '#a').slice(1);
    let pausedUntil = 0;
    for (const r of reqs) {
      expect(r.time).toBeGreaterThanOrEqual(pausedUntil);
      if (r.outcome === 'ratelimited') pausedUntil = r.time + r.retryAfter! * 1000;
    }
    expect(reqs.filter((r) => r.outcome === 'ratelimited').map((r) => r.retryAfter)).toEqual([1, 3, 7, 2]);
    expect(h.slack.threads('#a')[0]!.replies.map((r) => r.text)).toEqual(['r0', 'r1', 'r2']);
  });

  test('a 429 without Retry-After still pauses the channel and retries later', async () => {
    h = await harness();
    h.sender.send(parent('a', '#a', 'A'));
    h.slack.failNext('chat.postMessage', { retryAfter: undefined });
    await h.drain();
    const [first, second] = h.slack.requestsFor('chat.postMessage');
    expect([first!.outcome, second!.outcome]).toEqual(['ratelimited', 'ok']);
    expect(second!.time).toBeGreaterThan(first!.time);
  });
});

describe('SlackSender: transient failures', () => {
  test.each([
    ['HTTP 500', { status: 500 }],
    ['HTTP 503', { status: 503, body: 'upstream' }],
    ['connection reset', { reset: true as const }],
    ['ok:false internal_error', { error: 'internal_error' }],
  ])('%s is retried with growing backoff until it lands, once', async (_name, failure) => {
    h = await harness({ sender: { minBackoffMs: 1000, maxBackoffMs: 8000 } });
    h.slack.failNext('chat.postMessage', failure, { times: 4 });
    h.sender.send(parent('t', '#shop', 'hello'));
    await h.drain();
    const reqs = h.slack.requestsFor('chat.postMessage');
    expect(reqs.map((r) => r.outcome === 'ok')).toEqual([false, false, false, false, true]);
    const gaps = reqs.slice(1).map((r, i) => r.time - reqs[i]!.time);
    // Exponential with jitter in [0.5, 1) of 1s, 2s, 4s, 8s.
    gaps.forEach((g, i) => expect(g).toBeGreaterThanOrEqual(500 * 2 ** i));
    expect(gaps[3]).toBeLessThanOrEqual(8000);
    expect(h.slack.threads('#shop')).toHaveLength(1);
  });

  test('an outage of minutes: everything queued lands after it, in order, nothing twice', async () => {
    h = await harness({ sender: { postsPerSecond: 10 } });
    h.sender.send(parent('t', '#shop', 'v0'));
    await h.drain();
    h.slack.outage(5 * 60_000);
    const end = h.clock.now() + 5 * 60_000;
    const before = h.slack.requests.length;
    for (let i = 0; i < 5; i++) {
      h.sender.send(reply('t', `r${i}`));
      h.sender.send(edit('t', `v${i + 1}`));
    }
    await h.drain();
    const thread = h.slack.threads('#shop')[0]!;
    expect(thread.text).toBe('v5');
    expect(thread.replies.map((r) => r.text)).toEqual(['r0', 'r1', 'r2', 'r3', 'r4']);
    const during = h.slack.requests.slice(before).filter((r) => r.time < end);
    expect(during.length).toBeGreaterThan(0);
    expect(during.every((r) => r.outcome === 'http_503')).toBe(true);
    expect(h.slack.requestsFor('chat.postMessage').filter((r) => r.outcome === 'ok')).toHaveLength(6);
  });
});
