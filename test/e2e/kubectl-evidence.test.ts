import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SimCluster, SimDeployment, simKubeconfigText, startSimServer, type SimServer } from '../../src/sim/index.js';
import { waitFor } from '../support/wait.js';

/**
 * Real kubectl 1.35 reading what podbell's evidence reads from the sim: `kubectl logs [--previous]
 * [--tail N] [-c C]` and Events (get with field selectors, get -w, create -f). Plain http without a
 * token, so the test can also call the sim's log-setting endpoint (CONTRACT) with fetch.
 */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const kubectlPath = join(root, '.tools/bin/kubectl');

let sim: SimCluster;
let server: SimServer;
let dir: string;
let args: (...a: string[]) => string[];
const kubectl = (...a: string[]): Promise<{ status: number; stdout: string; stderr: string }> =>
  new Promise((done) => {
    execFile(kubectlPath, args(...a), { encoding: 'utf8', timeout: 20_000 }, (err, stdout, stderr) => done({ status: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }));
  });
const run = async (...a: string[]): Promise<string> => {
  const r = await kubectl(...a);
  if (r.status !== 0) throw new Error(`kubectl ${a.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
};

beforeEach(async () => {
  if (!existsSync(kubectlPath)) throw new Error(`real kubectl not found at ${kubectlPath}: run scripts/kube-tools.sh first`);
  sim = new SimCluster();
  server = await startSimServer({ cluster: sim, bookmarkMs: 200 });
  dir = mkdtempSync(join(tmpdir(), 'podbell-kubectl-ev-'));
  writeFileSync(join(dir, 'kubeconfig'), simKubeconfigText({ url: server.url }));
  args = (...a) => ['--kubeconfig', join(dir, 'kubeconfig'), '--cache-dir', join(dir, 'cache'), ...a];
});

afterEach(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

test('kubectl logs reads the crashed run (--previous, --tail) and the real errors', async () => {
  const d = new SimDeployment(sim, { namespace: 'shop', name: 'checkout' });
  const pod = d.pods[0]!.name;
  // Never restarted: no previous run, in the API server's words.
  const none = await kubectl('logs', pod, '-n', 'shop', '--previous');
  expect(none.status).not.toBe(0);
  expect(none.stderr).toContain(`previous terminated container "app" in pod "${pod}" not found`);

  d.crash([0], 1);
  expect(await run('logs', pod, '-n', 'shop', '--previous', '--tail', '2')).toBe('Error: connect ECONNREFUSED 10.0.3.7:5432\n    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1555:16)\nexiting with code 1\n'.split('\n').slice(1).join('\n'));

  // The CONTRACT endpoint replaces that run's log.
  const text = Array.from({ length: 20 }, (_, i) => `line ${i + 1}`).join('\n') + '\n';
  const put = await fetch(`${server.url}/sim/v1/namespaces/shop/pods/${pod}/log?container=app&previous=true`, { method: 'PUT', headers: { 'content-type': 'text/plain' }, body: text });
  expect(put.status).toBe(204);
  expect(await run('logs', pod, '-n', 'shop', '-c', 'app', '--previous', '--tail', '3')).toBe('line 18\nline 19\nline 20\n');
  expect(await run('logs', pod, '-n', 'shop', '--previous')).toBe(text);

  const wrong = await kubectl('logs', pod, '-n', 'shop', '-c', 'nope');
  expect(wrong.stderr).toContain(`container nope is not valid for pod ${pod}`);
  const missing = await kubectl('logs', 'ghost', '-n', 'shop');
  expect(missing.stderr).toContain('pods "ghost" not found');
  // The sim counts log reads (tests of podbell's fetch bounds rely on it): the four that reached pods/log.
  expect(server.stats.logs).toBeGreaterThanOrEqual(4);
}, 60_000);

test('a pod that never started has no log: the waiting reason is said', async () => {
  const d = new SimDeployment(sim, { namespace: 'shop', name: 'web', image: 'nginx:nope' });
  d.imagePull();
  const r = await kubectl('logs', d.pods[0]!.name, '-n', 'shop');
  expect(r.stderr).toContain(`container "app" in pod "${d.pods[0]!.name}" is waiting to start: trying and failing to pull image`);
}, 30_000);

test('Warning Events: field selectors, get -w, and kubectl create -f', async () => {
  const d = new SimDeployment(sim, { namespace: 'shop', name: 'web', image: 'nginx:nope' });
  d.imagePull();
  d.imagePull(); // the kubelet bumps the count of the same Event
  const pod = d.pods[0]!.name;
  const listed = await run('get', 'events', '-n', 'shop', '--field-selector', `type=Warning,involvedObject.kind=Pod,involvedObject.name=${pod}`);
  expect(listed).toMatch(/LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE/);
  expect(listed).toMatch(new RegExp(`\\(x2 over .*\\)\\s+Warning\\s+Failed\\s+pod/${pod}\\s+Failed to pull image "nginx:nope"`));
  expect(await run('get', 'events', '-A', '--field-selector', 'type=Normal', '-o', 'name')).toBe('');

  const watcher = spawn(kubectlPath, args('get', 'events', '-n', 'shop', '--field-selector', 'type=Warning', '-w'), { stdio: ['ignore', 'pipe', 'pipe'] });
  let watched = '';
  watcher.stdout.on('data', (b: Buffer) => void (watched += b.toString()));
  try {
    await waitFor('kubectl get events -w to list', () => watched.includes('Back-off pulling image'));
    writeFileSync(
      join(dir, 'event.yaml'),
      `apiVersion: v1
kind: Event
metadata:
  name: ${pod}.probe
  namespace: shop
involvedObject:
  kind: Pod
  name: ${pod}
  namespace: shop
type: Warning
reason: Unhealthy
message: "Liveness probe failed: HTTP probe failed with statuscode: 500"
count: 12
firstTimestamp: "2026-11-30T09:00:00Z"
lastTimestamp: "2026-11-30T09:05:00Z"
`,
    );
    // --validate=false: the sim serves no OpenAPI document for client-side validation.
    expect(await run('create', '--validate=false', '-f', join(dir, 'event.yaml'))).toContain(`event/${pod}.probe created`);
    await waitFor('the created Event on the watch', () => watched.includes('Liveness probe failed'));
  } finally {
    watcher.kill('SIGTERM');
  }
  expect(await run('get', 'events', '-n', 'shop', '--field-selector', 'reason=Unhealthy', '-o', 'name')).toBe(`event/${pod}.probe\n`);
}, 60_000);
