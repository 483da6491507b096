import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SimCluster, pods, simKubeconfigText, startSimServer, type SimServer } from '../../src/sim/index.js';
import { FakeSlack } from '../fakes/slack.js';
import { FakeSocketMode } from '../fakes/socket-mode.js';
import { healthPort, podbell } from '../support/cli.js';
import { waitFor } from '../support/wait.js';

describe('podbell run (the real CLI)', () => {
  let sim: SimCluster;
  let server: SimServer;
  let kubeconfig: string;

  beforeEach(async () => {
    sim = new SimCluster();
    server = await startSimServer({ cluster: sim });
    kubeconfig = join(mkdtempSync(join(tmpdir(), 'podbell-run-')), 'kubeconfig');
    writeFileSync(kubeconfig, simKubeconfigText({ url: server.url }));
  });

  afterEach(async () => {
    await server.close();
  });

  test('invalid configuration: exit 2, every bad variable and value named', async () => {
    const run = podbell(['run'], { KUBECONFIG: kubeconfig, GROUP_WAIT: 'soon', HTTP_PORT: 'eighty', SLACK_CHANNEL: 'Not A Channel' });
    expect(await run.exit).toBe(2);
    for (const s of ['GROUP_WAIT="soon"', 'HTTP_PORT="eighty"', 'SLACK_CHANNEL="Not A Channel"']) expect(run.stderr()).toContain(s);
  });

  test('without a token it prints the thread to stdout, serves health and metrics, and exits 0 on SIGTERM', async () => {
    sim.setNamespace('shop');
    const pod = sim.apply(pods.deploymentPod({ namespace: 'shop', deployment: 'checkout', suffix: 'x2k4q' }));
    const name = (pod.metadata as { name: string }).name;
    const run = podbell(['run'], { KUBECONFIG: kubeconfig, HTTP_PORT: '0', GROUP_WAIT: '0', LOG_LEVEL: 'info' });
    try {
      const port = await healthPort(run);
      const base = `http://127.0.0.1:${port}`;
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      await waitFor('/readyz to turn ready after the initial lists', async () => (await fetch(`${base}/readyz`)).status === 200);

      sim.patchStatus('shop', name, pods.podStatus([pods.crashLoop({ name: 'app', image: 'registry.example.com/checkout:1.0.0', restartCount: 1 })]));
      await waitFor('the parent on stdout', () => run.stdout().includes('checkout · Deployment · shop'));

      const metrics = await (await fetch(`${base}/metrics`)).text();
      expect(metrics).toMatch(/podbell_watch_events_total\{[^}]*resource="pods"[^}]*\} [1-9]/);
      expect(metrics).toMatch(/podbell_failures_detected_total\{reason="Error"\} 1/);
      expect(metrics).toContain('process_resident_memory_bytes');

      run.child.kill('SIGTERM');
      expect(await run.exit).toBe(0);
      expect(run.stdout()).toContain('"msg":"stopped"');
    } finally {
      run.child.kill('SIGKILL');
    }
  });

  test('with SLACK_APP_TOKEN the parent carries buttons and a press over Socket Mode acknowledges it; the app token never reaches the logs', async () => {
    const socket = await FakeSocketMode.start();
    const slack = await FakeSlack.start({ channels: ['#alerts'], socketMode: socket });
    sim.setNamespace('shop');
    const pod = sim.apply(pods.deploymentPod({ namespace: 'shop', deployment: 'checkout', suffix: 'x2k4q' }));
    const run = podbell(['run'], { KUBECONFIG: kubeconfig, HTTP_PORT: '0', GROUP_WAIT: '0', GROUP_INTERVAL: '300ms', LOG_LEVEL: 'debug', SLACK_BOT_TOKEN: slack.token, SLACK_APP_TOKEN: slack.appToken, SLACK_API_URL: slack.url });
    try {
      await waitFor('the Socket Mode connection', () => socket.connected);
      sim.patchStatus('shop', (pod.metadata as { name: string }).name, pods.podStatus([pods.crashLoop({ name: 'app', image: 'registry.example.com/checkout:1.0.0', restartCount: 1 })]));
      const parent = await waitFor('the parent with buttons', () => slack.threads('#alerts').find((t) => JSON.stringify(t.blocks ?? []).includes('podbell:ack')));
      const env = socket.clickButton({ user: 'U0123ABC', actionId: 'podbell:ack', value: 't1', channel: parent.channel, messageTs: parent.ts });
      await waitFor('the ack', () => socket.acked(env));
      await waitFor('the parent acknowledged', () => slack.threads('#alerts')[0]!.text.includes('👀 acknowledged by <@U0123ABC>'));
      run.child.kill('SIGTERM');
      expect(await run.exit).toBe(0);
      expect(run.stdout() + run.stderr()).not.toContain(slack.appToken);
    } finally {
      run.child.kill('SIGKILL');
      await socket.close();
      await slack.close();
    }
  });
});
