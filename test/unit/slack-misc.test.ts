import { Registry } from 'prom-client';
import { systemClock, VirtualClock } from '../../src/clock.js';
import type { Outgoing } from '../../src/core/outgoing.js';
import { silentLogger } from '../../src/log.js';
import { ConsoleSender } from '../../src/adapters/slack/console.js';
import { SlackSender, type SlackSenderOptions } from '../../src/adapters/slack/sender.js';
import { MemoryThreadStore } from '../../src/adapters/store/memory.js';
import { edit, harness, parent, reply, type Harness } from './slack-harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** A parent that links an earlier thread (the incident book adds `linkTo` when a thread is too old to reopen). */
const linked = (thread: string, channel: string, text: string, linkTo: string): Outgoing =>
  ({ ...parent(thread, channel, text), linkTo }) as unknown as Outgoing;

describe('SlackSender: linking the previous thread', () => {
  test('a parent with linkTo carries the permalink of the earlier thread (text and a context block)', async () => {
    h = await harness();
    h.sender.send(parent('old', '#shop', 'first incident'));
    await h.drain();
    h.sender.send(linked('new', '#shop', 'failing again', 'old'));
    await h.drain();
    const [link] = h.slack.requestsFor('chat.getPermalink');
    const old = h.store.get('old')!;
    expect(link!.params).toMatchObject({ channel: old.channel, message_ts: old.ts });
    const fresh = h.slack.message('#shop', h.store.get('new')!.ts)!;
    expect(fresh.text).toMatch(/^failing again\n<https:\/\/\S+\/archives\/C\w+\/p\d+\|Previous thread>$/);
    expect(JSON.stringify(fresh.blocks)).toContain('Previous thread');
  });

  test.each([
    ['getPermalink fails', 'old', (x: Harness) => x.slack.failNext('chat.getPermalink', { error: 'message_not_found' })],
    ['the earlier thread is unknown', 'never-posted', (_x: Harness) => {}],
  ])('%s: the parent goes out without the link', async (_name, linkTo, breakIt) => {
    h = await harness();
    breakIt(h);
    h.sender.send(parent('old', '#shop', 'first'));
    await h.drain();
    h.sender.send(linked('new', '#shop', 'again', linkTo));
    await h.drain();
    expect(h.slack.message('#shop', h.store.get('new')!.ts)!.text).toBe('again');
  });
});

describe('SlackSender.flush', () => {
  test('resolves once everything queued has landed', async () => {
    h = await harness();
    h.sender.send(parent('t', '#shop', 'v0'));
    h.sender.send(reply('t', 'r'));
    const flushed = h.sender.flush(10_000);
    await h.drain();
    await flushed;
    expect(h.slack.threads('#shop')[0]!.replies).toHaveLength(1);
  });

  test('resolves at the deadline when Slack keeps a channel paused, and says what was left unsent', async () => {
    h = await harness();
    h.slack.rateLimit('#shop', 120);
    h.sender.send(parent('t', '#shop', 'v0'));
    let done = false;
    const flushed = h.sender.flush(5000).then(() => (done = true));
    await h.runUntil(h.clock.now() + 4999);
    expect(done).toBe(false);
    await h.runUntil(h.clock.now() + 1);
    await flushed;
    expect(h.sender.pending).toBe(1);
    expect(h.logs().find((l) => String(l.msg).includes('flush deadline'))).toMatchObject({ unsent: 1 });
  });

  test('resolves at once when nothing is queued', async () => {
    h = await harness();
    await h.sender.flush(1000);
    expect(h.clock.pendingCount).toBe(0);
  });
});

describe('SlackSender: metrics', () => {
  test('requests by method, message kind and outcome, and queue depth per channel at scrape time', async () => {
    h = await harness();
    h.slack.failNext('chat.postMessage', { status: 500 });
    h.sender.send(parent('t', '#shop', 'v0'));
    h.sender.send(reply('t', 'r'));
    await h.sender.idle();
    expect(await h.metric('podbell_slack_queue_depth', { channel: '#shop' })).toBe(2);
    await h.drain();
    expect(await h.metric('podbell_slack_requests_total', { method: 'chat.postMessage', message: 'parent', outcome: 'http_5xx' })).toBe(1);
    expect(await h.metric('podbell_slack_requests_total', { method: 'chat.postMessage', message: 'parent', outcome: 'ok' })).toBe(1);
    expect(await h.metric('podbell_slack_requests_total', { method: 'chat.postMessage', message: 'reply', outcome: 'ok' })).toBe(1);
    expect(await h.metric('podbell_slack_queue_depth', { channel: h.slack.channelId('#shop')! })).toBe(0);
  });
});

describe('SlackSender: options', () => {
  const good = (): SlackSenderOptions => ({
    token: 'xoxb-1-abc',
    apiUrl: 'http://127.0.0.1:9/api/',
    defaultChannel: '#alerts',
    clock: new VirtualClock(),
    log: silentLogger(),
    registry: new Registry(),
    store: new MemoryThreadStore(),
  });
  test.each([
    ['token', { token: '' }],
    ['apiUrl', { apiUrl: 'slack.com/api' }],
    ['defaultChannel', { defaultChannel: '' }],
    ['clock', { clock: {} }],
    ['log', { log: undefined }],
    ['registry', { registry: {} }],
    ['store', { store: { get: () => undefined } }],
    ['random', { random: 0.5 }],
    ['postsPerSecond', { postsPerSecond: 0 }],
    ['updatesPerMinute', { updatesPerMinute: -1 }],
    ['maxQueuedReplies', { maxQueuedReplies: Number.NaN }],
  ])('a bad %s fails at once with a TypeError naming it', (name, patch) => {
    expect(() => new SlackSender({ ...good(), ...(patch as object) } as SlackSenderOptions)).toThrow(
      expect.objectContaining({ name: 'TypeError', message: expect.stringContaining(name) }),
    );
  });

  test('the constructor registers its metrics and starts nothing', () => {
    const o = good();
    new SlackSender(o);
    expect((o.clock as VirtualClock).pendingCount).toBe(0);
    expect(o.registry.getSingleMetric('podbell_slack_requests_total')).toBeDefined();
  });
});

describe('ConsoleSender', () => {
  test('prints parents, └ replies and ✎ edits with thread id and channel; multi-line text stays aligned', async () => {
    const out: string[] = [];
    const c = new ConsoleSender({ write: (s) => out.push(s) });
    await c.start();
    c.send(parent('t1', '#shop', '🔴 checkout\nCrashLoopBackOff ×2'));
    c.send(reply('t1', 'pod a OOMKilled'));
    c.send(edit('t1', '✅ Resolved'));
    await c.flush(0);
    expect(out.join('')).toBe(
      [
        '#shop  [t1]  🔴 checkout',
        '             CrashLoopBackOff ×2',
        '#shop  [t1]  └ pod a OOMKilled',
        '#shop  [t1]  ✎ ✅ Resolved',
        '',
      ].join('\n'),
    );
  });

  test('cluster text reaches the terminal as a person reads it: no escape sequences, entities decoded', async () => {
    const out: string[] = [];
    const c = new ConsoleSender({ write: (s) => out.push(s) });
    // What renderReply makes of a hostile termination message: escaped for Slack, raw control bytes inside.
    c.send(parent('t1', '#shop', 'checkout · app\n&lt;!channel&gt; a &amp; b \u001b[2J\u001b[31mRED\u0007'));
    await c.flush(0);
    const text = out.join('');
    expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
    expect(text).toContain('<!channel> a & b');
    expect(text).toContain('RED');
  });

  test('needs a write function', () => {
    expect(() => new ConsoleSender({} as never)).toThrow(/write/);
  });
});

test('systemClock works too: a real-time round trip through the client', async () => {
  h = await harness();
  const s = new SlackSender({
    token: h.slack.token, apiUrl: h.slack.url, defaultChannel: '#alerts', clock: systemClock,
    log: silentLogger(), registry: new Registry(), store: new MemoryThreadStore(),
  });
  s.send(parent('t', '#shop', 'real time'));
  await s.flush(5000);
  s.stop();
  expect(h.slack.threads('#shop').map((m) => m.text)).toEqual(['real time']);
});
