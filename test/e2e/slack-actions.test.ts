import type { Registry } from 'prom-client';
import type { Bot } from '../../src/app.js';
import { systemClock, type Clock } from '../../src/clock.js';
import { SimCluster, pods, startSimServer, type SimServer } from '../../src/sim/index.js';
import { FakeSlack, type MessageView } from '../fakes/slack.js';
import { FakeSocketMode } from '../fakes/socket-mode.js';
import { botHarness } from '../support/bot-harness.js';
import { waitFor } from '../support/wait.js';

// Buttons end to end: simulated API server -> bot -> SlackSender -> fake Slack (Web API), and back:
// fake Slack's Socket Mode server -> the real @slack/socket-mode client -> SlackActions -> pipeline.
const HOUR = 3_600_000;
const image = 'registry.example.com/checkout:1.0.0';
type Element = { action_id: string; value?: string; options?: { value: string }[] };

describe('Slack actions through Socket Mode', () => {
  let sim: SimCluster;
  let server: SimServer;
  let slack: FakeSlack;
  let socket: FakeSocketMode;
  let registry: Registry;
  const bots: Bot[] = [];
  /** Wall clock plus a skip, so an hour-long mute can run out within a test (timers stay real). */
  let skipped = 0;
  const clock: Clock = { now: () => Date.now() + skipped, setTimer: (ms, fn) => systemClock.setTimer(ms, fn) };

  /** A bot with Slack actions on the skippable clock; THREAD_STORE_CONFIGMAP in `env` turns its saved state on. */
  const makeBot = (env: Record<string, string> = {}) => {
    const harness = botHarness({ server, slack, env, socketMode: true, clock });
    ({ registry } = harness);
    bots.push(harness.bot);
    return harness.bot;
  };

  beforeEach(async () => {
    skipped = 0;
    sim = new SimCluster({ namespaces: ['default', 'podbell', 'shop'] });
    server = await startSimServer({ cluster: sim });
    socket = await FakeSocketMode.start();
    slack = await FakeSlack.start({ channels: ['#alerts'], socketMode: socket, userGroups: { S0ONCALL: ['U0ONCALL'] } });
  });

  afterEach(async () => {
    for (const b of bots.splice(0)) await b.stop(1000);
    await server.close();
    await socket.close();
    await slack.close();
  });

  /** A checkout pod crash-looping (restart 1) and its parent in #alerts. */
  async function crashLoop(bot: Bot): Promise<{ name: string; parent: () => MessageView }> {
    const pod = sim.apply(pods.deploymentPod({ namespace: 'shop', deployment: 'checkout', suffix: 'x2k4q' }));
    const name = (pod.metadata as { name: string }).name;
    await bot.start();
    await waitFor('the initial lists', () => bot.ready());
    sim.patchStatus('shop', name, pods.podStatus([pods.crashLoop({ name: 'app', image, restartCount: 1 })]));
    await waitFor('the parent', () => slack.threads('#alerts')[0]);
    return { name, parent: () => slack.threads('#alerts')[0]! };
  }

  const countsOf = (bot: Bot): Record<string, number> => Object.values(bot.pipeline.book.incidents).find((i) => i.workload.name === 'checkout')?.counts ?? {};
  const restart = (name: string, n: number) => sim.patchStatus('shop', name, pods.podStatus([pods.crashLoop({ name: 'app', image, restartCount: n })]));
  const buttons = (m: MessageView): Element[] => ((m.blocks ?? []).find((b) => (b as { type: string }).type === 'actions') as { elements: Element[] } | undefined)?.elements ?? [];
  const replies = (m: MessageView) => m.replies.map((r) => r.text);
  const click = (m: MessageView, user: string, actionId: string, choice?: string) => {
    const el = buttons(m).find((e) => e.action_id === actionId)!;
    const value = choice === undefined ? el.value! : el.options!.find((o) => o.value.endsWith(`|${choice}`))!.value;
    return socket.clickButton({ user, actionId, value, select: choice !== undefined, channel: m.channel, messageTs: m.ts });
  };

  test('a parent carries the buttons; a mute takes at once, holds back posts while counting, and its expiry reports what still fails', async () => {
    const bot = makeBot();
    const { name, parent } = await crashLoop(bot);
    await waitFor('the socket', () => socket.connected);
    expect(buttons(parent()).map((e) => e.action_id)).toEqual(['podbell:mute', 'podbell:mute-namespace', 'podbell:ack']);

    const env = click(parent(), 'U0123ABC', 'podbell:mute', '1h');
    await waitFor('the ack', () => socket.acked(env));
    await waitFor('the parent saying who muted', () => parent().text.includes('🔕 muted by <@U0123ABC> until'));
    await waitFor('the mute reply', () => replies(parent()).some((t) => t.startsWith('🔕 <@U0123ABC> muted this workload')));
    expect(buttons(parent()).map((e) => e.action_id)).toContain('podbell:unmute');

    const threadPosts = () => slack.requestsFor('chat.postMessage').filter((r) => r.params.thread_ts === parent().ts).length;
    const parentEdits = () => slack.requestsFor('chat.update').filter((r) => r.params.ts === parent().ts).length;
    const before = [threadPosts(), parentEdits()];
    restart(name, 2);
    restart(name, 3);
    await waitFor('the restarts counted while muted', () => countsOf(bot)['Error (exit 1)'] === 3);
    // A sibling in another workload proves the pipeline is live meanwhile.
    const other = sim.apply(pods.deploymentPod({ namespace: 'shop', deployment: 'cart', suffix: 'zzzzz' }));
    sim.patchStatus('shop', (other.metadata as { name: string }).name, pods.podStatus([pods.crashLoop({ name: 'app', image, restartCount: 1 })]));
    await waitFor('the cart parent', () => slack.threads('#alerts').some((t) => t.text.includes('cart')));
    await new Promise((r) => setTimeout(r, 700)); // two GROUP_INTERVALs: an unmuted parent would have been edited
    expect([threadPosts(), parentEdits()]).toEqual(before);
    expect(parent().text).toContain('Error (exit 1) ×1');

    skipped += HOUR + 1000;
    restart(name, 4);
    // The mute ended before the fourth restart came in: the reply tells the state at its end, then the
    // fourth restart is counted as usual.
    await waitFor('the reply that the mute ended', () => replies(parent()).find((t) => t.startsWith('🔔 the mute by <@U0123ABC> ended: still failing: 1 of 1 pod · Error (exit 1) ×3')));
    await waitFor('the parent with the true totals, unmuted', () => parent().text.includes('Error (exit 1) ×4') && !parent().text.includes('muted by'));
    expect(await registry.metrics()).toMatch(/podbell_slack_actions_total\{action="mute",result="applied"\} 1\n/);
    expect(await registry.metrics()).toMatch(/podbell_slack_socket_connected 1\n/);
  });

  test('someone not allowed gets an ephemeral "not allowed" and nothing changes; a member of an allowed group may act', async () => {
    const bot = makeBot({ SLACK_ALLOWED_USERS: 'U0LEAD', SLACK_ALLOWED_GROUPS: 'S0ONCALL' });
    const { parent } = await crashLoop(bot);
    await waitFor('the socket', () => socket.connected);
    click(parent(), 'U0INTERN', 'podbell:ack');
    const ephemeral = await waitFor('the ephemeral', () => slack.requestsFor('chat.postEphemeral')[0]);
    expect(ephemeral.params).toMatchObject({ user: 'U0INTERN', channel: parent().channel });
    expect(String(ephemeral.params.text)).toContain('not allowed');
    expect(parent().text).not.toContain('acknowledged');

    click(parent(), 'U0ONCALL', 'podbell:ack');
    await waitFor('the acknowledgement', () => parent().text.includes('👀 acknowledged by <@U0ONCALL>'));
    expect(slack.requestsFor('usergroups.users.list')[0]!.params.usergroup).toBe('S0ONCALL');
    expect(replies(parent()).filter((t) => t.includes('acknowledged'))).toEqual(['👀 <@U0ONCALL> acknowledged this incident: no more reminders.']);
    expect(slack.requestsFor('chat.postEphemeral')).toHaveLength(1);
  });

  test('a user group podbell cannot read (no usergroups:read) lets nobody in through it: the member gets "not allowed"', async () => {
    slack.failNext('usergroups.users.list', { error: 'missing_scope', extra: { needed: 'usergroups:read' } });
    const bot = makeBot({ SLACK_ALLOWED_GROUPS: 'S0ONCALL' });
    const { parent } = await crashLoop(bot);
    await waitFor('the socket', () => socket.connected);
    click(parent(), 'U0ONCALL', 'podbell:ack');
    const ephemeral = await waitFor('the ephemeral', () => slack.requestsFor('chat.postEphemeral')[0]);
    expect(ephemeral.params.user).toBe('U0ONCALL');
    expect(parent().text).not.toContain('acknowledged');
  });

  test('a dropped or refreshed socket reconnects; a duplicated envelope acts once; another app\'s payload changes nothing', async () => {
    const bot = makeBot();
    const { parent } = await crashLoop(bot);
    await waitFor('the socket', () => socket.connected);
    socket.drop();
    await waitFor('a new connection after the drop', () => socket.connections === 2 && socket.connected, 30_000);
    socket.refresh();
    await waitFor('a new connection after the refresh', () => socket.connections === 3 && socket.connected, 30_000);

    const env = click(parent(), 'U0123ABC', 'podbell:ack');
    await waitFor('the ack', () => socket.acked(env));
    socket.redeliver(env);
    socket.deliver({ type: 'block_actions', user: { id: 'U0123ABC' }, actions: [{ action_id: 'other-app:approve', value: 't1', action_ts: '1.0' }] });
    await waitFor('three acks', () => socket.acks.length >= 3);
    await waitFor('the acknowledgement', () => parent().text.includes('👀 acknowledged by <@U0123ABC>'));
    const metrics = await waitFor('the duplicate to be counted', async () => {
      const text = await registry.metrics();
      return /podbell_slack_actions_total\{action="ack",result="duplicate"\} 1\n/.test(text) && text;
    });
    expect(metrics).toMatch(/podbell_slack_actions_total\{action="other",result="foreign"\} 1\n/);
    expect(metrics).toMatch(/podbell_slack_socket_reconnects_total 2\n/);
    expect(replies(parent()).filter((t) => t.includes('acknowledged'))).toHaveLength(1);
  });

  test('Slack refusing the app token on a reconnect costs the buttons, not the alerts, and podbell gets them back', async () => {
    const bot = makeBot();
    const { name, parent } = await crashLoop(bot);
    await waitFor('the socket', () => socket.connected);
    slack.failNext('apps.connections.open', { error: 'invalid_auth' }, { times: 2 });
    socket.drop();
    await waitFor('two refused reconnections', () => slack.requestsFor('apps.connections.open').filter((r) => r.outcome === 'invalid_auth').length === 2);
    restart(name, 2);
    await waitFor('the edit: alerting goes on', () => parent().text.includes('Error (exit 1) ×2'));
    await waitFor('connected again', () => socket.connections === 2 && socket.connected, 30_000);
    const env = click(parent(), 'U0123ABC', 'podbell:ack');
    await waitFor('the ack', () => socket.acked(env));
    await waitFor('the acknowledgement', () => parent().text.includes('👀 acknowledged by <@U0123ABC>'));
  });

  test('an app token Slack refuses at start stops podbell with a message naming SLACK_APP_TOKEN, and no watch starts', async () => {
    slack.failNext('apps.connections.open', { error: 'invalid_auth' });
    const bot = makeBot();
    await expect(bot.start()).rejects.toThrow(/Slack refused SLACK_APP_TOKEN \(invalid_auth\)/);
    expect(bot.ready()).toBe(false);
    expect(server.stats.watches).toBe(0);
  });

  test('a mute survives a restart through the state ConfigMap, and the new bot takes the unmute', async () => {
    const env = { POD_NAMESPACE: 'podbell', THREAD_STORE_CONFIGMAP: 'podbell-state' };
    const first = makeBot(env);
    const { name, parent } = await crashLoop(first);
    await waitFor('the socket', () => socket.connected);
    click(parent(), 'U0123ABC', 'podbell:mute', '4h');
    await waitFor('the parent saying who muted', () => parent().text.includes('🔕 muted by <@U0123ABC>'));
    await waitFor('the mute saved', () => JSON.stringify(sim.get('configmaps', 'podbell', 'podbell-state') ?? {}).includes('U0123ABC'));
    await first.stop(1000);
    bots.splice(bots.indexOf(first), 1);

    const second = makeBot(env);
    await second.start();
    await waitFor('the second bot connected', () => socket.connections === 2 && socket.connected, 30_000);
    restart(name, 2);
    await waitFor('the restart counted while muted', () => countsOf(second)['Error (exit 1)'] === 2);
    await new Promise((r) => setTimeout(r, 700));
    expect(parent().text).toContain('Error (exit 1) ×1');
    click(parent(), 'U0OTHER', 'podbell:unmute');
    await waitFor('the unmute reply with what still fails', () => replies(parent()).find((t) => t.startsWith('🔔 <@U0OTHER> unmuted this incident: still failing: 1 of 1 pod · Error (exit 1) ×2')));
    await waitFor('the parent unmuted with the true totals', () => parent().text.includes('Error (exit 1) ×2') && !parent().text.includes('muted by'));
    expect(slack.threads('#alerts')).toHaveLength(1);
  });
});
