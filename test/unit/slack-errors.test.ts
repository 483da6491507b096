import { Registry } from 'prom-client';
import { systemClock } from '../../src/clock.js';
import { SlackAuthError } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';
import { SlackSender } from '../../src/adapters/slack/sender.js';
import { MemoryThreadStore } from '../../src/adapters/store/memory.js';
import { edit, harness, parent, reply, T0, type Harness } from './slack-harness.js';
import type { Delivery } from '../../src/ports.js';

let h: Harness;
afterEach(async () => h?.close());

describe('SlackSender.start: auth.test', () => {
  test('resolves with a good token, after one auth.test carrying it as a Bearer header', async () => {
    h = await harness();
    await h.sender.start();
    const [req] = h.slack.requestsFor('auth.test');
    expect(req!.headers.authorization).toBe(`Bearer ${h.slack.token}`);
    expect(h.logs().some((l) => l.msg === 'connected to Slack')).toBe(true);
  });

  test.each([
    ['invalid_auth', /Bot User OAuth Token \(xoxb-…\)/],
    ['not_authed', /Bot User OAuth Token/],
    ['token_revoked', /Reinstall the app/],
    ['missing_scope', /chat:write/],
    ['account_inactive', /inactive/],
  ])('%s rejects with SlackAuthError saying what to do', async (code, advice) => {
    h = await harness();
    h.slack.failNext('auth.test', { error: code });
    const err = await h.sender.start().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SlackAuthError);
    expect((err as SlackAuthError).code).toBe(`slack_${code}`);
    expect((err as Error).message).toMatch(advice);
    expect((err as Error).message).toContain('SLACK_BOT_TOKEN');
  });

  test('a wrong token is refused by the fake itself (invalid_auth), through the real client', async () => {
    h = await harness();
    const other = new SlackSender({
      token: 'xoxb-wrong-token-1234', apiUrl: h.slack.url, defaultChannel: '#alerts', clock: systemClock,
      log: silentLogger(), registry: new Registry(), store: new MemoryThreadStore(),
    });
    await expect(other.start()).rejects.toMatchObject({ code: 'slack_invalid_auth' });
  });

  // Issue 13, defect 4: podbell used to exit after ~12 s of auth.test retries, watching nothing.
  test('Slack down at start: start resolves with a warning naming the failure, and messages land once Slack answers', async () => {
    h = await harness({ sender: { minBackoffMs: 10, maxBackoffMs: 20 } });
    h.slack.outage(60_000);
    await expect(h.sender.start()).resolves.toBeUndefined();
    expect(h.logs().find((l) => String(l.msg).includes('watching anyway'))).toMatchObject({ error: 'http_503' });
    h.sender.send(parent('t', '#shop', 'checkout failing'));
    await h.drain();
    expect(h.slack.threads('#shop')).toMatchObject([{ text: 'checkout failing' }]);
    expect(h.slack.requestsFor('chat.postMessage').at(-1)!.time).toBeGreaterThanOrEqual(T0 + 60_000);
  });
});

describe('SlackSender: Slack refusing a message', () => {
  const channelCases: Array<[string, (h: Harness) => void]> = [
    ['channel_not_found', (x) => x.slack.failNext('chat.postMessage', { error: 'channel_not_found' }, { channel: '#shop' })],
    ['not_in_channel', (x) => x.slack.leaveChannel('#shop')],
    ['is_archived', (x) => x.slack.archiveChannel('#shop')],
  ];
  test.each(channelCases)('%s: the parent and its thread go to the default channel, once; logged and counted', async (code, breakIt) => {
    h = await harness({ fake: { channels: ['#alerts', '#shop'] } });
    breakIt(h);
    h.sender.send(parent('t', '#shop', 'checkout failing'));
    h.sender.send(reply('t', 'pod a'));
    h.sender.send(edit('t', 'checkout failing ×2'));
    await h.drain();
    expect(h.slack.threads('#shop')).toEqual([]);
    const [moved] = h.slack.threads('#alerts');
    expect(moved).toMatchObject({ text: 'checkout failing ×2' });
    expect(moved!.replies.map((r) => r.text)).toEqual(['pod a']);
    expect(await h.metric('podbell_slack_fallbacks_total', { kind: 'default_channel' })).toBe(1);
    const line = h.logs().find((l) => l.error === code && l.fallback === '#alerts');
    expect(String(line?.msg)).toMatch(/invite the bot/);
  });

  test('when the default channel refuses too, the parent is given up (logged), nothing loops', async () => {
    h = await harness({ fake: { channels: ['#alerts', '#shop'] } });
    h.slack.archiveChannel('#shop');
    h.slack.archiveChannel('#alerts');
    h.sender.send(parent('t', '#shop', 'x'));
    h.sender.send(reply('t', 'r'));
    await h.drain();
    expect(h.slack.requestsFor('chat.postMessage')).toHaveLength(2);
    expect(h.sender.pending).toBe(0);
    expect(await h.metric('podbell_slack_fallbacks_total', { kind: 'given_up' })).toBe(1);
    expect(await h.metric('podbell_slack_fallbacks_total', { kind: 'orphan_dropped' })).toBe(1);
  });

  test.each(['invalid_blocks', 'msg_blocks_too_long', 'invalid_attachments'])(
    '%s: resent once as plain text (text only, no blocks)',
    async (code) => {
      h = await harness();
      h.slack.failNext('chat.postMessage', { error: code });
      h.sender.send(parent('t', '#shop', 'checkout failing'));
      await h.drain();
      const [first, second] = h.slack.requestsFor('chat.postMessage');
      expect(first!.params.blocks).toBeDefined();
      expect(second!.params.blocks).toBeUndefined();
      expect(second!.params.text).toBe('checkout failing');
      expect(h.slack.threads('#shop')).toMatchObject([{ text: 'checkout failing' }]);
      expect(await h.metric('podbell_slack_fallbacks_total', { kind: 'plain_text' })).toBe(1);
    },
  );

  test('an edit refused for its blocks is resent as text and clears the stale blocks', async () => {
    h = await harness();
    h.sender.send(parent('t', '#shop', 'v0'));
    await h.drain();
    h.slack.failNext('chat.update', { error: 'invalid_blocks' });
    h.sender.send(edit('t', 'v1'));
    await h.drain();
    const shown = h.slack.threads('#shop')[0]!;
    expect(shown.text).toBe('v1');
    expect(shown.blocks).toBeUndefined();
  });

  test.each([
    ['message_not_found', (x: Harness) => x.slack.deleteMessage('#shop', x.store.get('t')!.ts)],
    ['cant_update_message', (x: Harness) => x.slack.failNext('chat.update', { error: 'cant_update_message' })],
  ])('%s on an edit: a new parent carries the state; later replies go under it', async (_code, breakIt) => {
    // The book's part (src/core): told the parent is gone, it posts it again as it is now.
    const outcomes: Delivery[] = [];
    h = await harness({
      sender: {
        onOutcome: (d) => {
          outcomes.push(d);
          if (d.type === 'failed' && d.cause === 'message_gone') h.sender.send(parent('t', '#shop', 'v1'));
        },
      },
    });
    h.sender.send(parent('t', '#shop', 'v0'));
    await h.drain();
    const oldTs = h.store.get('t')!.ts;
    breakIt(h);
    h.sender.send(edit('t', 'v1'));
    h.sender.send(reply('t', 'after'));
    await h.drain();
    const ref = h.store.get('t')!;
    expect(ref.ts).not.toBe(oldTs);
    const fresh = h.slack.message('#shop', ref.ts)!;
    expect(fresh.text).toBe('v1');
    expect(fresh.replies.map((r) => r.text)).toEqual(['after']);
    expect(await h.metric('podbell_slack_fallbacks_total', { kind: 'new_parent' })).toBe(1);
    expect(outcomes.map((o) => `${o.type} ${o.kind}${o.type === 'failed' ? ` ${o.cause}` : ''}`)).toEqual(['delivered parent', 'failed edit message_gone', 'delivered parent', 'delivered reply']);
  });

  test('an edit refused because its channel was archived meanwhile: the state re-opens in the default channel', async () => {
    h = await harness({ fake: { channels: ['#alerts', '#shop'] } });
    h.sender.send(parent('t', '#shop', 'v0'));
    await h.drain();
    h.slack.archiveChannel('#shop');
    h.sender.send(edit('t', 'v1'));
    h.sender.send(reply('t', 'r1'));
    await h.drain();
    expect(h.slack.threads('#alerts')).toMatchObject([{ text: 'v1', replies: [{ text: 'r1' }] }]);
    expect(h.store.get('t')!.channel).toBe(h.slack.channelId('#alerts'));
  });

  test('a reply refused by its channel is dropped and counted; the queue moves on', async () => {
    h = await harness();
    h.sender.send(parent('t', '#shop', 'v0'));
    await h.drain();
    h.slack.failNext('chat.postMessage', { error: 'is_archived' }, { channel: '#shop' });
    h.sender.send(reply('t', 'lost'));
    h.sender.send(reply('t', 'kept'));
    await h.drain();
    expect(h.slack.threads('#shop')[0]!.replies.map((r) => r.text)).toEqual(['kept']);
    expect(await h.metric('podbell_slack_fallbacks_total', { kind: 'reply_dropped' })).toBe(1);
  });

  test('a token revoked while running: each message given up, the advice logged once', async () => {
    h = await harness();
    h.slack.revokeToken();
    h.sender.send(parent('a', '#shop', 'a'));
    h.sender.send(parent('b', '#shop', 'b'));
    await h.drain();
    expect(h.sender.pending).toBe(0);
    expect(h.logs().filter((l) => String(l.msg).includes('Reinstall the app'))).toHaveLength(1);
  });
});

describe('SlackSender: the token never reaches a log line', () => {
  test.each([false, true])('even when Slack echoes it in errors (logger secrets configured: %s)', async (secrets) => {
    h = await harness({ secrets, sender: { minBackoffMs: 10 } });
    const token = h.slack.token;
    h.slack.failNext('chat.postMessage', { status: 500, body: `proxy saw Authorization: Bearer ${token}` });
    h.slack.failNext('chat.postMessage', { error: `weird_error_${token}` });
    h.slack.failNext('auth.test', { status: 502, body: `bad gateway for ${token}` });
    h.sender.send(parent('t', '#shop', 'x'));
    h.sender.send(parent('u', '#shop', 'y'));
    const started = h.sender.start();
    await h.drain();
    for (let i = 0; i < 5 && h.slack.requestsFor('auth.test').length < 2; i++) {
      await new Promise((r) => setTimeout(r, 5));
      h.clock.advance(1000);
    }
    await started;
    const all = h.lines.join('');
    expect(all).toContain('http_500');
    expect(all).toContain('giving up');
    expect(all).not.toContain(token);
    expect(all).toContain('[redacted]');
  });
});

describe('SlackSender: bounded memory', () => {
  test('beyond maxQueuedReplies the oldest queued replies are dropped, counted and logged; the rest land in order', async () => {
    h = await harness({ sender: { maxQueuedReplies: 3 } });
    h.sender.send(parent('t', '#shop', 'v0'));
    await h.drain();
    h.slack.rateLimit('#shop', 60);
    h.sender.send(reply('t', 'r0')); // meets the 429
    await h.runUntil(h.clock.now() + 1000);
    for (let i = 1; i <= 10; i++) h.sender.send(reply('t', `r${i}`));
    await h.drain();
    expect(h.slack.threads('#shop')[0]!.replies.map((r) => r.text)).toEqual(['r8', 'r9', 'r10']);
    expect(await h.metric('podbell_slack_fallbacks_total', { kind: 'reply_dropped' })).toBe(8);
    const msgs = h.logs().map((l) => String(l.msg));
    expect(msgs.filter((m) => m.includes('dropping the oldest replies'))).toHaveLength(1);
    expect(h.logs().find((l) => String(l.msg).includes('replies were dropped'))).toMatchObject({ dropped: 8 });
  });
});
