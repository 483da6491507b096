/** The loopback fake itself: the wire protocol and model other tests (and the lead's e2e) rely on. */
import { LogLevel, WebClient } from '@slack/web-api';
import { VirtualClock } from '../../src/clock.js';
import { FakeSlack } from '../fakes/slack.js';

let slack: FakeSlack;
let client: WebClient;
const clock = new VirtualClock(1_700_000_000_000);
beforeEach(async () => {
  slack = await FakeSlack.start({ clock, channels: ['#alerts'] });
  client = new WebClient(slack.token, { slackApiUrl: slack.url, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true, logLevel: LogLevel.ERROR });
});
afterEach(async () => slack.close());

const raw = (method: string, body: string, headers: Record<string, string>) =>
  fetch(`${slack.url}${method}`, { method: 'POST', body, headers }).then(async (r) => ({ status: r.status, json: (await r.json()) as Record<string, unknown> }));

test('url ends with /api/; auth.test answers the bot identity', async () => {
  expect(slack.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/$/);
  await expect(client.auth.test()).resolves.toMatchObject({ ok: true, user_id: 'U0000BOT', bot_id: 'B0000BOT' });
});

test('posts resolve #names to IDs, thread replies, edits keep latest text; blocks arrive parsed', async () => {
  const p = await client.chat.postMessage({ channel: '#alerts', text: 'v0', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'v0' } }] });
  expect(p.channel).toBe(slack.channelId('#alerts'));
  expect(p.ts).toMatch(/^1700000000\.\d{6}$/);
  await client.chat.postMessage({ channel: p.channel!, thread_ts: p.ts!, text: 'r1' });
  await client.chat.update({ channel: p.channel!, ts: p.ts!, text: 'v1' });
  expect(slack.requests[0]!.params.blocks).toEqual([{ type: 'section', text: { type: 'mrkdwn', text: 'v0' } }]);
  expect(slack.threads('#alerts')).toMatchObject([{ text: 'v1', edits: 1, blocks: [{ type: 'section' }], replies: [{ text: 'r1', threadTs: p.ts }] }]);
});

test('JSON bodies are accepted too', async () => {
  const r = await raw('chat.postMessage', JSON.stringify({ channel: '#alerts', text: 'json' }), {
    'content-type': 'application/json; charset=utf-8',
    authorization: `Bearer ${slack.token}`,
  });
  expect(r.json).toMatchObject({ ok: true, channel: slack.channelId('#alerts') });
  expect(slack.threads('#alerts').map((m) => m.text)).toEqual(['json']);
});

test.each([
  ['no token', 'not_authed', {}],
  ['a wrong token', 'invalid_auth', { authorization: 'Bearer xoxb-nope' }],
])('%s answers %s', async (_n, error, headers) => {
  const r = await raw('auth.test', '', { 'content-type': 'application/x-www-form-urlencoded', ...headers });
  expect(r.json).toEqual({ ok: false, error });
});

test.each([
  ['chat.update by #name (Slack wants the ID)', 'channel_not_found', () => client.chat.update({ channel: '#alerts', ts: '1.0', text: 'x' })],
  ['chat.update of a missing message', 'message_not_found', () => client.chat.update({ channel: slack.channelId('#alerts')!, ts: '1.000001', text: 'x' })],
  ['a reply to a missing thread', 'thread_not_found', () => client.chat.postMessage({ channel: '#alerts', thread_ts: '1.000001', text: 'x' })],
  ['a post with neither text nor blocks', 'no_text', () => client.chat.postMessage({ channel: '#alerts', text: '' })],
  ['an unknown method', 'unknown_method', () => client.apiCall('chat.explode', {})],
])('%s -> %s', async (_n, error, call) => {
  await expect(call()).rejects.toMatchObject({ data: { ok: false, error } });
});

test('without autoCreateChannels an unknown channel is channel_not_found', async () => {
  const strict = await FakeSlack.start({ autoCreateChannels: false });
  const c = new WebClient(strict.token, { slackApiUrl: strict.url, retryConfig: { retries: 0 } });
  await expect(c.chat.postMessage({ channel: '#nowhere', text: 'x' })).rejects.toMatchObject({ data: { error: 'channel_not_found' } });
  await strict.close();
});

test('scripted failures: failNext per method and channel, rateLimit windows on the clock, outages', async () => {
  slack.failNext('chat.postMessage', { error: 'is_archived' }, { channel: '#alerts' });
  await expect(client.chat.postMessage({ channel: '#other', text: 'x' })).resolves.toMatchObject({ ok: true });
  await expect(client.chat.postMessage({ channel: '#alerts', text: 'x' })).rejects.toMatchObject({ data: { error: 'is_archived' } });

  slack.rateLimit('#alerts', 10);
  await expect(client.chat.postMessage({ channel: '#alerts', text: 'x' })).rejects.toMatchObject({ code: 'slack_webapi_rate_limited_error', retryAfter: 10 });
  clock.advance(4000);
  await expect(client.chat.postMessage({ channel: '#alerts', text: 'x' })).rejects.toMatchObject({ retryAfter: 6 });
  clock.advance(6000);
  await expect(client.chat.postMessage({ channel: '#alerts', text: 'x' })).resolves.toMatchObject({ ok: true });

  slack.outage(1000);
  await expect(client.auth.test()).rejects.toMatchObject({ code: 'slack_webapi_http_error', statusCode: 503 });
  clock.advance(1000);
  await expect(client.auth.test()).resolves.toMatchObject({ ok: true });
  expect(slack.requests.map((r) => r.outcome)).toEqual(['ok', 'is_archived', 'ratelimited', 'ratelimited', 'ok', 'http_503', 'ok']);
});

test('getPermalink points at the message', async () => {
  const p = await client.chat.postMessage({ channel: '#alerts', text: 'x' });
  const l = await client.chat.getPermalink({ channel: p.channel!, message_ts: p.ts! });
  expect(l.permalink).toBe(`https://podbell-test.slack.com/archives/${p.channel}/p${p.ts!.replace('.', '')}`);
});
