/**
 * The delivery loop end to end: the real CLI (`podbell run`, as the chart runs it with
 * THREAD_STORE_CONFIGMAP) against the simulated API server and the fake Slack, killed and restarted.
 * Assertions are about what Slack shows and in which order, never about how long anything took.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { SimCluster, pods, simKubeconfigText, startSimServer, type SimServer } from '../../src/sim/index.js';
import { FakeSlack } from '../fakes/slack.js';
import { podbell } from '../support/cli.js';
import { waitFor } from '../support/wait.js';



const IMAGE = 'registry.example.com/checkout:1.0.0';
/** A bound for a broken build, not a timing assertion: each test kills and restarts the real CLI. */
const BOUND_MS = 90_000;

describe('podbell run: what Slack shows survives kills, outages and restarts', () => {
  let sim: SimCluster;
  let server: SimServer;
  let slack: FakeSlack;
  let kubeconfig: string;
  const running: ReturnType<typeof podbell>[] = [];

  beforeEach(async () => {
    sim = new SimCluster({ namespaces: ['default', 'podbell', 'shop'] });
    server = await startSimServer({ cluster: sim });
    slack = await FakeSlack.start({ channels: ['#alerts', '#team-r'] });
    kubeconfig = join(mkdtempSync(join(tmpdir(), 'podbell-delivery-')), 'kubeconfig');
    writeFileSync(kubeconfig, simKubeconfigText({ url: server.url }));
  });

  afterEach(async () => {
    for (const r of running.splice(0)) r.child.kill('SIGKILL');
    await slack.close();
    await server.close();
    rmSync(dirname(kubeconfig), { recursive: true, force: true });
  });

  const start = () => {
    const run = podbell(['run'], {
      KUBECONFIG: kubeconfig,
      HTTP_PORT: '0',
      LOG_LEVEL: 'info',
      GROUP_WAIT: '0',
      GROUP_INTERVAL: '1s',
      POD_NAMESPACE: 'podbell',
      THREAD_STORE_CONFIGMAP: 'podbell-threads',
      SLACK_BOT_TOKEN: slack.token,
      SLACK_API_URL: slack.url,
      SLACK_CHANNEL: '#alerts',
    });
    running.push(run);
    return run;
  };
  // POD_NAMESPACE turns on leader election: the bot acts once it holds the Lease and has loaded the
  // saved state. A crash before that reaches it only as the cache's latest state at takeover (one
  // occurrence, as for any pod first seen crash-looping), which is not what these tests are about.
  const synced = (run: ReturnType<typeof podbell>) => waitFor('the watches to sync and the bot to act', () => run.stderr().includes('synced pods') && run.stderr().includes('"msg":"acting: '), 30_000);
  const crash = (name: string, restartCount: number) => sim.patchStatus('shop', name, pods.podStatus([pods.crashLoop({ name: 'app', image: IMAGE, restartCount })]));
  const checkout = () => {
    const pod = sim.apply(pods.deploymentPod({ namespace: 'shop', deployment: 'checkout', suffix: 'x2k4q' }));
    return (pod.metadata as { name: string }).name;
  };
  const parents = (channel: string) => slack.threads(channel).filter((t) => t.text.includes('checkout · Deployment · shop'));
  const count = (text: string) => Number(/Error \(exit 1\) ×(\d+)/.exec(text)?.[1] ?? 0);
  /** Slack is down when podbell starts; the checkout pod crashes and its parent's first post is refused. */
  const crashDuringOutage = async () => {
    slack.outage(10 * 60_000, { reset: true });
    const run = start();
    await synced(run);
    const name = checkout();
    crash(name, 1);
    await waitFor('a refused post', () => slack.requestsFor('chat.postMessage').length > 0);
    return { run, name };
  };

  test('defect 4: Slack unreachable at start: podbell starts, watches, and delivers once Slack answers', async () => {
    const { run } = await crashDuringOutage();
    expect(parents('#alerts')).toEqual([]);
    slack.recover();
    await waitFor('the parent once Slack answers', () => parents('#alerts').length === 1, 60_000);
    expect(run.child.exitCode).toBeNull();
  }, BOUND_MS);

  test('defect 3: a parent queued during an outage survives SIGTERM and lands in its own channel after the restart', async () => {
    sim.setNamespace('shop', { 'podbell.io/channel': '#team-r' });
    const { run: first, name } = await crashDuringOutage();
    first.child.kill('SIGTERM');
    expect(await first.exit).toBe(0);
    slack.recover();
    const second = start();
    await waitFor('the parent in #team-r', () => parents('#team-r').length === 1, 60_000);
    crash(name, 2);
    await waitFor('the parent edited to ×2', () => count(parents('#team-r')[0]!.text) === 2, 60_000);
    expect(parents('#alerts')).toEqual([]);
    expect(parents('#team-r')).toHaveLength(1);
    second.child.kill('SIGTERM');
    expect(await second.exit).toBe(0);
  }, BOUND_MS);

  test('defect 2: SIGKILL just after a parent landed: no second parent, and the count never goes down', async () => {
    const first = start();
    await synced(first);
    const name = checkout();
    // ×5 and ×10 are count steps a reader is told at once (docs/design.md#incidents, What a reader needs).
    for (let r = 1; r <= 5; r++) crash(name, r);
    await waitFor('the parent', () => parents('#alerts').length === 1, 30_000);
    await waitFor('the parent at ×5', () => count(parents('#alerts')[0]!.text) === 5, 30_000);
    first.child.kill('SIGKILL');
    await first.exit;
    const shown = count(parents('#alerts')[0]!.text);
    // While podbell is down the container keeps crashing.
    crash(name, 9);
    const second = start();
    await synced(second);
    crash(name, 10);
    await waitFor('the parent edited to ×10', () => count(parents('#alerts')[0]!.text) >= 10, 60_000);
    expect(parents('#alerts')).toHaveLength(1);
    expect(count(parents('#alerts')[0]!.text)).toBeGreaterThanOrEqual(shown);
    second.child.kill('SIGTERM');
    expect(await second.exit).toBe(0);
  }, BOUND_MS);
});
