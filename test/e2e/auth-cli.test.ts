import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SIM_TOKEN, SimCluster, simKubeconfigObject, startSimServer, type SimServer } from '../../src/sim/index.js';
import { healthPort, podbell } from '../support/cli.js';
import { waitFor } from '../support/wait.js';

/**
 * Kubeconfig authentication through the real CLI (dist/ after npm ci: client-node bundled without
 * its API models), as EKS, GKE and AKS kubeconfigs do it: an exec credential plugin over TLS with
 * the cluster's CA. The sim demands the token on every request.
 */
describe('podbell run: kubeconfig exec plugin over https', () => {
  let server: SimServer;
  let dir: string;

  beforeEach(async () => {
    const sim = new SimCluster();
    sim.setNamespace('shop');
    server = await startSimServer({ cluster: sim, tls: true, token: SIM_TOKEN, requireToken: true });
    dir = mkdtempSync(join(tmpdir(), 'podbell-auth-'));
  });

  afterEach(async () => {
    await server.close();
  });

  /** A kubeconfig whose user runs a node script printing an ExecCredential with `token`. */
  function execKubeconfig(token: string): string {
    const plugin = join(dir, 'credential.mjs');
    const credential = { apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status: { token } };
    writeFileSync(plugin, `process.stdout.write(${JSON.stringify(JSON.stringify(credential))});\n`);
    const config = simKubeconfigObject({ url: server.url }) as { users: { name: string; user: unknown }[] };
    config.users[0]!.user = { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: process.execPath, args: [plugin], interactiveMode: 'Never' } };
    const file = join(dir, 'kubeconfig');
    writeFileSync(file, JSON.stringify(config));
    return file;
  }

  test('the token the plugin prints gets podbell through the initial lists: ready', async () => {
    const run = podbell(['run'], { KUBECONFIG: execKubeconfig(SIM_TOKEN), HTTP_PORT: '0', LOG_LEVEL: 'info' });
    try {
      const port = await healthPort(run);
      await waitFor('/readyz to turn ready', async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200);
      expect(run.stderr()).not.toContain('unauthorized');
    } finally {
      run.child.kill('SIGKILL');
    }
  });

  test('a token the cluster refuses: one log line pointing at the credentials, and never ready', async () => {
    const run = podbell(['run'], { KUBECONFIG: execKubeconfig('expired-token'), HTTP_PORT: '0', LOG_LEVEL: 'info' });
    try {
      const port = await healthPort(run);
      await waitFor('the unauthorized log line', () => run.stderr().includes('check the credentials in the kubeconfig or service account'));
      expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(503);
    } finally {
      run.child.kill('SIGKILL');
    }
  });
});
