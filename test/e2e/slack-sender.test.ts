/**
 * End to end in real time: config -> createSender -> SlackSender -> WebClient -> HTTP -> FakeSlack.
 * Short Retry-After values keep it around a second; assertions are about order and causality.
 */
import { Registry } from 'prom-client';
import { systemClock, VirtualClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { ConsoleSender } from '../../src/adapters/slack/console.js';
import { createSender } from '../../src/adapters/slack/create.js';
import { SlackSender } from '../../src/adapters/slack/sender.js';
import { MemoryThreadStore } from '../../src/adapters/store/memory.js';
import { FakeSlack } from '../fakes/slack.js';
import { waitFor } from '../support/wait.js';

let slack: FakeSlack;
beforeEach(async () => {
  slack = await FakeSlack.start({ channels: ['#alerts'] });
});
afterEach(async () => slack.close());

const deps = (lines: string[]) => ({
  clock: systemClock,
  log: createLogger({ level: 'info', destination: { write: (s: string) => void lines.push(s) } }),
  registry: new Registry(),
  store: new MemoryThreadStore(),
});

// Order and outcome only: the pause is driven by a VirtualClock shared by the sender and the fake,
// so no assertion depends on how fast this machine is (it once failed by 11 ms on a busy one).
test('with a token: auth.test, then a 429 pauses only its channel until its Retry-After has passed', async () => {
  await slack.close();
  const clock = new VirtualClock(Date.parse('2026-11-21T09:00:00Z'));
  slack = await FakeSlack.start({ channels: ['#alerts'], clock });
  const lines: string[] = [];
  const config = loadConfig({ SLACK_BOT_TOKEN: slack.token, SLACK_API_URL: slack.url, SLACK_CHANNEL: '#alerts' });
  const sender = createSender({ config, ...deps(lines), clock, write: () => {} });
  expect(sender).toBeInstanceOf(SlackSender);
  await sender.start();

  sender.send({ kind: 'parent', thread: 'a', channel: '#a', message: { text: 'A' } });
  sender.send({ kind: 'parent', thread: 'b', channel: '#b', message: { text: 'B' } });
  await waitFor('both parents', () => slack.threads().filter((t) => t.text === 'A' || t.text === 'B').length === 2);
  slack.rateLimit('#a', 30);
  sender.send({ kind: 'reply', thread: 'a', message: { text: 'a1' } });
  sender.send({ kind: 'edit', thread: 'a', message: { text: 'A2' } });
  sender.send({ kind: 'reply', thread: 'b', message: { text: 'b1' } });
  clock.advance(1000); // each channel's chat.postMessage budget: one per second
  // #b is not held up by #a's pause: b1 lands while virtual time stands still...
  await waitFor('b1 in #b', () => slack.threads('#b')[0]?.replies.some((r) => r.text === 'b1'));
  const toA = () => slack.requestsFor('chat.postMessage', '#a').concat(slack.requestsFor('chat.update', '#a'));
  const limited = await waitFor('the 429 on #a', () => toA().find((r) => r.outcome === 'ratelimited'));
  // ...and #a sends nothing more until its Retry-After has passed.
  expect(toA().filter((r) => r.outcome !== 'ok' || r.time > limited.time).map((r) => r.outcome)).toEqual(['ratelimited']);
  // The fake answered 429; time moves on only once the sender has read that answer and paused #a (a
  // pause taken after the advance would count its Retry-After from the later time: a busy machine
  // once got there first, and #a waited for time that never came).
  await waitFor('the sender pausing #a', () => lines.join('').includes('Slack rate limit: pausing this channel'));
  clock.advance(limited.retryAfter! * 1000);
  await waitFor('a1 and A2 in #a', () => slack.threads('#a')[0]?.text === 'A2' && slack.threads('#a')[0]!.replies.length === 1);
  (sender as SlackSender).stop();

  expect(toA().filter((r) => r.time > limited.time).every((r) => r.time >= limited.time + limited.retryAfter! * 1000 && r.outcome === 'ok')).toBe(true);
  expect(slack.threads('#a')).toMatchObject([{ text: 'A2', replies: [{ text: 'a1' }] }]);
  expect(lines.join('')).not.toContain(slack.token);
});

test('without a token: the terminal, no network', async () => {
  const lines: string[] = [];
  const out: string[] = [];
  const config = loadConfig({ SLACK_API_URL: slack.url });
  const sender = createSender({ config, ...deps(lines), write: (s) => out.push(s) });
  expect(sender).toBeInstanceOf(ConsoleSender);
  await sender.start();
  sender.send({ kind: 'parent', thread: 't', channel: '#alerts', message: { text: 'hello' } });
  await sender.flush(100);
  expect(out.join('')).toMatch(/^\[\d\d-\d\d \d\d:\d\d:\d\d\]  #alerts  \[t\]  hello\n$/);
  expect(slack.requests).toEqual([]);
  expect(lines.join('')).toContain('SLACK_BOT_TOKEN is not set');
});
