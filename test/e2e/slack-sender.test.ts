/**
 * End to end in real time: config -> createSender -> SlackSender -> WebClient -> HTTP -> FakeSlack.
 * Short Retry-After values keep it around a second; assertions are about order and causality.
 */
import { Registry } from 'prom-client';
import { systemClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { ConsoleSender } from '../../src/adapters/slack/console.js';
import { createSender } from '../../src/adapters/slack/create.js';
import { SlackSender } from '../../src/adapters/slack/sender.js';
import { MemoryThreadStore } from '../../src/adapters/store/memory.js';
import { FakeSlack } from '../fakes/slack.js';

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

test('with a token: auth.test, then a 429 pauses only its channel for Retry-After on the real clock', async () => {
  const lines: string[] = [];
  const config = loadConfig({ SLACK_BOT_TOKEN: slack.token, SLACK_API_URL: slack.url, SLACK_CHANNEL: '#alerts' });
  const sender = createSender({ config, ...deps(lines), write: () => {} });
  expect(sender).toBeInstanceOf(SlackSender);
  await sender.start();

  sender.send({ kind: 'parent', thread: 'a', channel: '#a', message: { text: 'A' } });
  sender.send({ kind: 'parent', thread: 'b', channel: '#b', message: { text: 'B' } });
  await sender.flush(5000);
  slack.rateLimit('#a', 1);
  sender.send({ kind: 'reply', thread: 'a', message: { text: 'a1' } });
  sender.send({ kind: 'edit', thread: 'a', message: { text: 'A2' } });
  sender.send({ kind: 'reply', thread: 'b', message: { text: 'b1' } });
  await sender.flush(10_000);
  (sender as SlackSender).stop();

  const toA = slack.requestsFor('chat.postMessage', '#a').concat(slack.requestsFor('chat.update', '#a'));
  const limited = toA.find((r) => r.outcome === 'ratelimited')!;
  const pauseEnd = limited.time + limited.retryAfter! * 1000;
  expect(toA.filter((r) => r.time > limited.time).every((r) => r.time >= pauseEnd && r.outcome === 'ok')).toBe(true);
  const b1 = slack.requestsFor('chat.postMessage', '#b').find((r) => r.params.text === 'b1')!;
  expect(b1.time).toBeLessThan(pauseEnd);
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
