import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SimCluster, pods, simKubeconfigText, startSimServer, type SimServer } from '../../src/sim/index.js';
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
});
