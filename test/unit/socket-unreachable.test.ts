// Slack unreachable when podbell starts with SLACK_APP_TOKEN: starting the buttons must not hold up
// alerting (docs/design.md: podbell starts and watches even when Slack is unreachable). The Bot
// awaits SlackActions.start() before its watches, so a start that retries inside the client forever
// would leave the cluster unwatched.
import { createServer } from 'node:net';
import { Registry } from 'prom-client';
import { VirtualClock } from '../../src/clock.js';
import { SlackActions } from '../../src/adapters/slack/socket.js';
import { createLogger } from '../../src/log.js';

/** A port nothing listens on: connections are refused at once. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

test('Slack unreachable: start() settles at once, says so, and keeps trying in the background', async () => {
  const lines: string[] = [];
  const clock = new VirtualClock(Date.parse('2026-11-21T09:00:00Z'));
  const actions = new SlackActions({
    appToken: 'xapp-1-A1-1-abc',
    botToken: 'xoxb-1-abc',
    apiUrl: `http://127.0.0.1:${await closedPort()}/api/`,
    allowedUsers: [],
    allowedGroups: [],
    clock,
    log: createLogger({ level: 'info', destination: { write: (s: string) => void lines.push(s) } }),
    registry: new Registry(),
  });
  let settled = false;
  const started = actions.start({ action: () => ({ result: 'applied' }) }).then(() => (settled = true));
  // The client's own retries would back off for minutes; a bounded real wait tells them apart.
  await Promise.race([started, new Promise((r) => setTimeout(r, 10_000))]);
  expect(settled).toBe(true);
  expect(lines.join('')).toContain('Slack Socket Mode could not connect; alerting goes on without buttons and podbell keeps trying');
  expect(clock.pendingCount).toBeGreaterThan(0); // the reconnect, on podbell's clock
  await actions.stop();
}, 20_000);

test('a bad pingTimeoutMs or groupCacheMs is refused when SlackActions is built, naming the option', () => {
  const base = { appToken: 'xapp-1-A1-1-abc', botToken: 'xoxb-1-abc', apiUrl: 'http://127.0.0.1:1/api/', allowedUsers: [], allowedGroups: [], clock: new VirtualClock(0), log: createLogger({ level: 'silent' }), registry: new Registry() };
  expect(() => new SlackActions({ ...base, pingTimeoutMs: 0 })).toThrow('SlackActions: option pingTimeoutMs must be a positive number, got 0');
  expect(() => new SlackActions({ ...base, groupCacheMs: Number.NaN })).toThrow('SlackActions: option groupCacheMs must be a positive number, got NaN');
  expect(new SlackActions(base)).toMatchObject({ pingTimeoutMs: 5000, groupCacheMs: 300_000 });
});
