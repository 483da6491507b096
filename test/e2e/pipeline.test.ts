import type { Registry } from 'prom-client';
import type { Bot } from '../../src/app.js';
import { SimCluster, pods, startSimServer, type SimServer } from '../../src/sim/index.js';
import { FakeSlack } from '../fakes/slack.js';
import { botHarness } from '../support/bot-harness.js';
import { waitFor } from '../support/wait.js';

// The whole bot over real HTTP: the simulated API server -> watch -> detect -> incidents -> SlackSender
// on the official WebClient -> a loopback fake of Slack's Web API. Asserted on what Slack received.
describe('podbell end to end', () => {
  let sim: SimCluster;
  let server: SimServer;
  let slack: FakeSlack;
  let bot: Bot;
  let registry: Registry;

  const makeBot = (env: Record<string, string> = {}) => {
    const harness = botHarness({ server, slack, env });
    ({ registry } = harness);
    return harness.bot;
  };

  beforeEach(async () => {
    sim = new SimCluster();
    server = await startSimServer({ cluster: sim });
    slack = await FakeSlack.start({ channels: ['#alerts'] });
    bot = makeBot();
  });

  afterEach(async () => {
    await bot.stop(1000);
    await server.close();
    await slack.close();
  });

  test('a pod turning CrashLoopBackOff becomes one parent, a threaded reply, and an edit whose count rises on restart', async () => {
    sim.setNamespace('shop');
    const pod = sim.apply(pods.deploymentPod({ namespace: 'shop', deployment: 'checkout', suffix: 'x2k4q' }));
    const name = (pod.metadata as { name: string }).name;
    const image = 'registry.example.com/checkout:1.0.0';
    await bot.start();
    await waitFor('the initial lists', () => bot.ready());

    sim.patchStatus('shop', name, pods.podStatus([pods.crashLoop({ name: 'app', image, restartCount: 1 })]));
    const parent = await waitFor('the parent post', () => slack.requestsFor('chat.postMessage').find((r) => r.params.thread_ts === undefined));
    expect(parent.headers.authorization).toBe(`Bearer ${slack.token}`);
    expect(String(parent.params.text)).toContain('checkout');
    expect(String(parent.params.text)).toContain('CrashLoopBackOff');

    sim.patchStatus('shop', name, pods.podStatus([pods.crashLoop({ name: 'app', image, restartCount: 2 })]));
    const edit = await waitFor('an edit showing the second restart', () =>
      slack.requestsFor('chat.update').find((r) => String(r.params.text).includes('Error (exit 1) ×2')),
    );

    const posts = slack.requestsFor('chat.postMessage');
    const parents = posts.filter((r) => r.params.thread_ts === undefined);
    const replies = posts.filter((r) => r.params.thread_ts !== undefined);
    expect(parents).toHaveLength(1);
    const parentTs = slack.threads()[0]!.ts;
    expect(replies.length).toBeGreaterThanOrEqual(1);
    for (const r of replies) expect(r.params.thread_ts).toBe(parentTs);
    expect(replies.map((r) => String(r.params.text)).join('\n')).toContain(name);
    expect(edit.params.ts).toBe(parentTs);
    expect(edit.params.channel).toBe(slack.channelId('#alerts'));
    // What a user sees: one thread whose parent now says ×2.
    expect(slack.threads()).toHaveLength(1);
    expect(slack.threads()[0]!.text).toContain('Error (exit 1) ×2');
    // /metrics counts what happened: watch events and Slack requests by method and outcome.
    const updated = /podbell_slack_requests_total\{[^}]*method="chat.update"[^}]*\} [1-9]/;
    const metrics = await waitFor('the edit to be counted', async () => {
      const text = await registry.metrics();
      return updated.test(text) && text;
    });
    expect(metrics).toMatch(/podbell_slack_requests_total\{method="chat.postMessage",message="parent",outcome="ok"\} 1\n/);
    expect(metrics).toMatch(/podbell_slack_requests_total\{method="chat.postMessage",message="reply",outcome="ok"\} [1-9]/);
    expect(metrics).toMatch(/podbell_watch_events_total\{[^}]*resource="pods"[^}]*\} [1-9]/);
    // The last event's time, in seconds: within the test's own lifetime.
    const last = Number(/podbell_watch_last_event_timestamp_seconds\{resource="pods"\} ([0-9.e+]+)/.exec(metrics)?.[1]);
    expect(Math.abs(last - Date.now() / 1000)).toBeLessThan(120);
  });

  test('failing pods already in a muted namespace at start-up stay quiet (mutes are known before pods are judged)', async () => {
    sim.setNamespace('quiet', { 'podbell.io/mute': 'true' });
    sim.setNamespace('team-7');
    // The namespace LIST is refused at first (as while RBAC propagates) and succeeds on retry; the
    // pod LIST succeeds at once. Pods must still wait for the namespaces' mutes.
    let refusals = 2;
    server.authorize = (a) => !(a.resource === 'namespaces' && a.verb === 'list' && refusals-- > 0);
    for (const suffix of ['aaaaa', 'bbbbb', 'ccccc']) {
      const p = sim.apply(pods.deploymentPod({ namespace: 'quiet', deployment: 'legacy', suffix }));
      sim.patchStatus('quiet', (p.metadata as { name: string }).name, pods.podStatus([pods.crashLoop({ name: 'app', image: 'x:1', restartCount: 4 })]));
    }
    const canary = sim.apply(pods.deploymentPod({ namespace: 'team-7', deployment: 'canary', suffix: 'zzzzz' }));
    sim.patchStatus('team-7', (canary.metadata as { name: string }).name, pods.podStatus([pods.crashLoop({ name: 'app', image: 'x:1', restartCount: 1 })]));
    await bot.start();
    await waitFor('the canary parent (the pipeline is live)', () => slack.threads().length > 0);
    await waitFor('the bot to be ready', () => bot.ready());
    await bot.stop(1000);
    expect(slack.threads().map((t) => t.text).join('\n')).toContain('canary');
    expect(slack.threads().map((t) => t.text).join('\n')).not.toContain('legacy');
  });

  test('WATCH_NAMESPACES works with namespaced RBAC only, and other namespaces are not watched', async () => {
    bot = makeBot({ WATCH_NAMESPACES: 'shop' });
    // RBAC of a Role in "shop" plus get/list/watch of that one Namespace object by name.
    const refused: string[] = [];
    server.authorize = (a) => {
      const ok = a.resource === 'namespaces' ? a.name === 'shop' || a.verb !== 'get' : a.namespace === 'shop';
      if (!ok) refused.push(`${a.verb} ${a.resource} ${a.namespace ?? ''}`);
      return ok;
    };
    sim.setNamespace('shop');
    sim.setNamespace('other');
    for (const ns of ['shop', 'other']) {
      const p = sim.apply(pods.deploymentPod({ namespace: ns, deployment: `app-${ns}`, suffix: 'qqqqq' }));
      sim.patchStatus(ns, (p.metadata as { name: string }).name, pods.podStatus([pods.crashLoop({ name: 'app', image: 'x:1', restartCount: 1 })]));
    }
    await bot.start();
    await waitFor('ready', () => bot.ready());
    await waitFor('the shop parent', () => slack.threads().some((t) => t.text.includes('app-shop')));
    await bot.stop(1000);
    expect(slack.threads().map((t) => t.text).join('\n')).not.toContain('app-other');
    expect(refused).toEqual([]);
  });

  test('a healthy rollout sends nothing', async () => {
    sim.setNamespace('shop');
    for (const suffix of ['aaaaa', 'bbbbb', 'ccccc']) {
      const p = sim.apply(pods.deploymentPod({ namespace: 'shop', deployment: 'web', suffix }));
      const name = (p.metadata as { name: string }).name;
      sim.patchStatus('shop', name, pods.podStatus([pods.running({ name: 'app', image: 'registry.example.com/web:1.0.0' })]));
    }
    await bot.start();
    await waitFor('the initial lists', () => bot.ready());
    // A failing canary in another namespace proves the pipeline is live while web stays quiet.
    sim.setNamespace('canary');
    const c = sim.apply(pods.deploymentPod({ namespace: 'canary', deployment: 'probe', suffix: 'zzzzz' }));
    sim.patchStatus('canary', (c.metadata as { name: string }).name, pods.podStatus([pods.crashLoop({ name: 'app', image: 'x:1', restartCount: 1 })]));
    await waitFor('the canary parent', () => slack.threads().length > 0);
    expect(slack.threads().map((t) => t.text).join('\n')).not.toContain('web');
  });

  // A pod that stays Pending sends no watch event when PENDING_AFTER runs out: the bot's own timer reports it.
  test('an unschedulable pod with no further events is posted as Unschedulable, with the scheduler\'s message', async () => {
    bot = makeBot({ PENDING_AFTER: '2s' });
    sim.setNamespace('shop');
    const pod = sim.apply(pods.deploymentPod({ namespace: 'shop', deployment: 'checkout', suffix: 'g8h9j' }));
    const name = (pod.metadata as { name: string }).name;
    const message = '0/3 nodes are available: 3 Insufficient memory.';
    sim.patchStatus('shop', name, { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message, lastTransitionTime: new Date().toISOString() }] });
    await bot.start();
    await waitFor('the initial lists', () => bot.ready());
    const parent = await waitFor('the Unschedulable parent', () => slack.requestsFor('chat.postMessage').find((r) => r.params.thread_ts === undefined));
    expect(String(parent.params.text)).toContain('checkout · Deployment · shop');
    expect(String(parent.params.text)).toContain('Unschedulable ×1');
    const reply = await waitFor('its reply', () => slack.requestsFor('chat.postMessage').find((r) => r.params.thread_ts !== undefined));
    expect(String(reply.params.text)).toContain(message);
  });
});
