import { Registry } from 'prom-client';
import { SlackSender } from '../../src/adapters/slack/sender.js';
import { MemoryThreadStore } from '../../src/adapters/store/memory.js';
import { Bot } from '../../src/app.js';
import { systemClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/log.js';
import { SimCluster, pods, simKubeConfig, startSimServer, type SimServer } from '../../src/sim/index.js';
import { FakeSlack } from '../fakes/slack.js';
import { waitFor } from '../support/wait.js';

// A pod that stays Pending sends no watch event when PENDING_AFTER runs out: the whole bot, over the
// simulated API server and the fake Slack, must still report it (its own timer on the real clock).
describe('stuck pods, end to end', () => {
  let sim: SimCluster;
  let server: SimServer;
  let slack: FakeSlack;
  let bot: Bot;

  beforeEach(async () => {
    sim = new SimCluster();
    server = await startSimServer({ cluster: sim });
    slack = await FakeSlack.start({ channels: ['#alerts'] });
    const config = loadConfig({ SLACK_BOT_TOKEN: slack.token, SLACK_API_URL: slack.url, GROUP_WAIT: '0', GROUP_INTERVAL: '300ms', PENDING_AFTER: '2s' });
    const log = silentLogger();
    const registry = new Registry();
    const sender = new SlackSender({ token: slack.token, apiUrl: slack.url, defaultChannel: config.slackChannel, clock: systemClock, log, registry, store: new MemoryThreadStore(), postsPerSecond: 20 });
    bot = new Bot({ config, kubeConfig: simKubeConfig({ url: server.url }), sender, clock: systemClock, log, registry });
  });

  afterEach(async () => {
    await bot.stop(1000);
    await server.close();
    await slack.close();
  });

  test('an unschedulable pod with no further events is posted as Unschedulable, with the scheduler\'s message', async () => {
    sim.setNamespace('shop');
    const pod = sim.apply(pods.deploymentPod({ namespace: 'shop', deployment: 'checkout', suffix: 'g8h9j' }));
    const name = (pod.metadata as { name: string }).name;
    const message = '0/3 nodes are available: 3 Insufficient memory.';
    sim.patchStatus('shop', name, { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message, lastTransitionTime: new Date().toISOString() }] });
    await bot.start();
    await waitFor('the initial lists', () => bot.ready());
    // Nothing is posted while the pod waits less than PENDING_AFTER; then the bot's timer reports it.
    const parent = await waitFor('the Unschedulable parent', () => slack.requestsFor('chat.postMessage').find((r) => r.params.thread_ts === undefined), 15_000);
    expect(String(parent.params.text)).toContain('checkout · Deployment · shop');
    expect(String(parent.params.text)).toContain('Unschedulable ×1');
    const reply = await waitFor('its reply', () => slack.requestsFor('chat.postMessage').find((r) => r.params.thread_ts !== undefined));
    expect(String(reply.params.text)).toContain(message);
  });
});
