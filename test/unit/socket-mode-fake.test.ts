import { LogLevel, SocketModeClient } from '@slack/socket-mode';
import { FakeSlack } from '../fakes/slack.js';
import { FakeSocketMode } from '../fakes/socket-mode.js';
import { waitFor } from '../support/wait.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {}, setLevel() {}, getLevel: () => LogLevel.ERROR, setName() {} };

// The fake speaks Socket Mode well enough for the official client: these tests use that client.
describe('FakeSocketMode with the real @slack/socket-mode client', () => {
  let socket: FakeSocketMode;
  let slack: FakeSlack;
  let client: SocketModeClient;
  const bodies: { envelope: string; body: unknown }[] = [];

  beforeEach(async () => {
    socket = await FakeSocketMode.start();
    slack = await FakeSlack.start({ socketMode: socket });
    bodies.length = 0;
    client = new SocketModeClient({ appToken: slack.appToken, logger: quiet, clientPingTimeout: 2000, clientOptions: { slackApiUrl: slack.url } });
    client.on('interactive', ({ ack, envelope_id, body }: { ack: () => Promise<void>; envelope_id: string; body: unknown }) => {
      bodies.push({ envelope: envelope_id, body });
      void ack();
    });
  });

  afterEach(async () => {
    await client.disconnect();
    await socket.close();
    await slack.close();
  });

  test('connects with the xapp- token, receives a block_actions envelope and acknowledges it by envelope id', async () => {
    await client.start();
    const open = slack.requestsFor('apps.connections.open');
    expect(open).toHaveLength(1);
    expect(open[0]!.headers.authorization).toBe(`Bearer ${slack.appToken}`);
    expect(socket.connections).toBe(1);
    const id = socket.clickButton({ user: 'U123', actionId: 'podbell:ack', value: 't1' });
    await waitFor('the ack', () => socket.acked(id));
    expect(bodies[0]!.envelope).toBe(id);
    expect(bodies[0]!.body).toMatchObject({ type: 'block_actions', user: { id: 'U123' }, actions: [{ action_id: 'podbell:ack', value: 't1' }] });
  });

  test('the bot token cannot open a connection (not_allowed_token_type)', async () => {
    const bad = new SocketModeClient({ appToken: slack.token, logger: quiet, autoReconnectEnabled: false, clientOptions: { slackApiUrl: slack.url, retryConfig: { retries: 0 } } });
    await expect(bad.start()).rejects.toMatchObject({ data: { error: 'not_allowed_token_type' } });
    expect(socket.connections).toBe(0);
  });

  test('a refresh_requested disconnect and an abrupt drop both end in a new connection that still receives', async () => {
    await client.start();
    socket.refresh();
    await waitFor('the reconnection after refresh', () => socket.connections === 2 && socket.connected, 30_000);
    socket.drop();
    await waitFor('the reconnection after a drop', () => socket.connections === 3 && socket.connected, 30_000);
    expect(slack.requestsFor('apps.connections.open')).toHaveLength(3);
    const id = socket.clickButton({ user: 'U1', actionId: 'podbell:ack', value: 't9' });
    await waitFor('the ack on the third connection', () => socket.acked(id));
  });

  test('an envelope sent while the client is away is redelivered with retry_attempt and acked once received', async () => {
    await client.start();
    socket.drop();
    const id = socket.clickButton({ user: 'U1', actionId: 'podbell:ack', value: 't2' });
    expect(socket.acked(id)).toBe(false);
    await waitFor('the reconnection', () => socket.connected, 30_000);
    expect(socket.redeliverUnacked()).toEqual([id]);
    await waitFor('the ack of the redelivery', () => socket.acked(id));
    expect(bodies.map((b) => b.envelope)).toEqual([id]);
  });
});
