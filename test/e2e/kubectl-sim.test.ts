import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SIM_TOKEN, SimCluster, pods, simKubeconfigText, startSimServer, type SimServer } from '../../src/sim/index.js';
import { Registry } from 'prom-client';
import { systemClock } from '../../src/clock.js';
import { detect } from '../../src/core/detect.js';
import { projectPod, type PodState } from '../../src/core/pod.js';
import { KubeWatch } from '../../src/adapters/kube/watch.js';
import { simKubeConfig } from '../../src/sim/index.js';
import { capturingLogger, waitFor } from '../unit/kube-helpers.js';

/**
 * Real kubectl 1.35 against the simulated API server, used as a user would: plain `kubectl apply`
 * (its validation reads the sim's OpenAPI v3 document), `kubectl create` of every kind the sim holds.
 */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const kubectlPath = join(root, '.tools/bin/kubectl');

let sim: SimCluster;
let server: SimServer;
let dir: string;
let kubectl: (...args: string[]) => Promise<{ status: number; stdout: string; stderr: string }>;
let kubectlArgs: (...args: string[]) => string[];

beforeEach(async () => {
  if (!existsSync(kubectlPath)) throw new Error(`real kubectl not found at ${kubectlPath}: run scripts/kube-tools.sh first`);
  sim = new SimCluster();
  // https with a required token, like a real API server: kubectl must send its credentials.
  server = await startSimServer({ cluster: sim, bookmarkMs: 200, tls: true, token: SIM_TOKEN, requireToken: true });
  dir = mkdtempSync(join(tmpdir(), 'podbell-kubectl-'));
  writeFileSync(join(dir, 'kubeconfig'), simKubeconfigText({ url: server.url }));
  // A fresh discovery cache per test: kubectl caches /api answers per server.
  kubectlArgs = (...args) => ['--kubeconfig', join(dir, 'kubeconfig'), '--cache-dir', join(dir, 'cache'), ...args];
  // Asynchronous on purpose: the sim serves from this very process, so a blocking spawn would deadlock.
  kubectl = (...args) =>
    new Promise((done) => {
      execFile(kubectlPath, kubectlArgs(...args), { encoding: 'utf8', timeout: 20_000 }, (err, stdout, stderr) => {
        done({ status: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
      });
    });
});

afterEach(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs kubectl and returns its stdout, failing with its stderr when it exits non-zero. */
const run = async (...args: string[]): Promise<string> => {
  const r = await kubectl(...args);
  if (r.status !== 0) throw new Error(`kubectl failed (${r.status}): ${r.stderr}`);
  return r.stdout;
};

const MANIFEST = `apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: shop
  labels:
    app: web
spec:
  containers:
  - name: app
    image: nginx:1.27
`;

test('apply, get -A, patch the status to CrashLoopBackOff (seen by get -w), and delete', async () => {
  sim.setNamespace('shop');
  sim.apply(pods.deploymentPod({ namespace: 'default', deployment: 'checkout', suffix: 'x2k4q' }));
  writeFileSync(join(dir, 'pod.yaml'), MANIFEST);
  expect((await run('apply', '-f', join(dir, 'pod.yaml')))).toContain('pod/web created');
  expect((await run('apply', '-f', join(dir, 'pod.yaml')))).toContain('pod/web unchanged');

  const all = (await run('get', 'pods', '-A')).trim().split('\n');
  expect(all[0]).toMatch(/^NAMESPACE\s+NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/);
  const rows = all.slice(1).map((l) => l.split(/\s+/).slice(0, 4).join(' ')).sort();
  expect(rows).toHaveLength(2);
  expect(rows[0]).toMatch(/^default checkout-\w+-x2k4q 0\/1 Pending$/);
  expect(rows[1]).toBe('shop web 0/1 Pending');

  // kubectl get -w on the one pod: it lists, then watches with fieldSelector metadata.name=web.
  const watcher = spawn(kubectlPath, kubectlArgs('get', 'pod', 'web', '-n', 'shop', '-w'), { stdio: ['ignore', 'pipe', 'pipe'] });
  let watched = '';
  watcher.stdout.on('data', (b: Buffer) => void (watched += b.toString()));
  try {
    await waitFor('kubectl get -w to print the pod', () => /web\s+0\/1\s+Pending/.test(watched), 15_000);
    const status = JSON.stringify({
      status: {
        phase: 'Running',
        containerStatuses: [{ name: 'app', image: 'nginx:1.27', ready: false, restartCount: 4, state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s restarting failed container' } }, lastState: { terminated: { exitCode: 1, reason: 'Error' } } }],
      },
    });
    expect((await run('patch', 'pod', 'web', '-n', 'shop', '--subresource=status', '-p', status))).toContain('pod/web patched');
    await waitFor('kubectl get -w to print CrashLoopBackOff', () => /web\s+0\/1\s+CrashLoopBackOff\s+4/.test(watched), 15_000);
  } finally {
    watcher.kill('SIGTERM');
  }
  // What the API holds is what a watch consumer would see.
  const pod = JSON.parse((await run('get', 'pod', 'web', '-n', 'shop', '-o', 'json'))) as { status: { containerStatuses: { state: unknown }[] }; spec: { containers: unknown[] } };
  expect(pod.status.containerStatuses[0]!.state).toEqual({ waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s restarting failed container' } });
  expect(pod.spec.containers).toEqual([{ name: 'app', image: 'nginx:1.27' }]);

  expect((await run('delete', 'pod', 'web', '-n', 'shop'))).toContain('"web" deleted');
  expect(sim.get('pods', 'shop', 'web')).toBeUndefined();
  expect((await kubectl('get', 'pod', 'web', '-n', 'shop')).stderr).toContain('pods "web" not found');
}, 60_000);

test('kubectl create makes every kind the sim holds: typed commands (protobuf bodies) and -f (JSON)', async () => {
  expect(await run('create', 'namespace', 'shop')).toContain('namespace/shop created');
  expect(await run('create', 'configmap', 'settings', '-n', 'shop', '--from-literal=mode=fast')).toContain('configmap/settings created');
  expect(await run('run', 'web', '-n', 'shop', '--image=nginx:1.27')).toContain('pod/web created');
  writeFileSync(join(dir, 'all.yaml'), ['apiVersion: v1\nkind: Namespace\nmetadata:\n  name: jobs\n  labels: {team: batch}', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c2\n  namespace: jobs\ndata:\n  a: b', MANIFEST.replace('namespace: shop', 'namespace: jobs')].join('\n---\n'));
  expect((await run('create', '-f', join(dir, 'all.yaml'))).trim().split('\n')).toEqual(['namespace/jobs created', 'configmap/c2 created', 'pod/web created']);
  expect(sim.get('configmaps', 'shop', 'settings')).toMatchObject({ data: { mode: 'fast' } });
  expect(sim.get('namespaces', undefined, 'jobs')).toMatchObject({ metadata: { labels: { team: 'batch' } } });
  expect((await run('get', 'pods', '-A', '-o', 'name')).trim().split('\n')).toEqual(['pod/web', 'pod/web']);
});

test('a pod or configmap in a namespace that does not exist is refused, as by a real API server', async () => {
  writeFileSync(join(dir, 'pod.yaml'), MANIFEST);
  for (const args of [['apply', '-f', join(dir, 'pod.yaml')], ['run', 'x', '-n', 'shop', '--image=nginx'], ['create', 'configmap', 'c', '-n', 'shop']]) {
    const r = await kubectl(...args);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('namespaces "shop" not found');
  }
  expect(sim.list('pods', 'shop')).toEqual([]);
  expect(sim.get('namespaces', undefined, 'shop')).toBeUndefined();
});

test('kubectl apply and create leave validation to the sim, which refuses unknown fields like a real server', async () => {
  sim.setNamespace('shop');
  writeFileSync(join(dir, 'typo.yaml'), MANIFEST.replace('    image: nginx:1.27', '    imagee: nginx:1.27\n    image: nginx:1.27'));
  for (const verb of ['apply', 'create']) {
    const r = await kubectl(verb, '-f', join(dir, 'typo.yaml'));
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.containers[0].imagee"');
  }
  expect(sim.list('pods', 'shop')).toEqual([]);
  // --validate=warn (fieldValidation=Warn): created, with the warning kubectl prints.
  const warn = await kubectl('create', '--validate=warn', '-f', join(dir, 'typo.yaml'));
  expect(warn.status).toBe(0);
  expect(warn.stderr).toContain('unknown field "spec.containers[0].imagee"');
  // A status patch with real fields passes the same check.
  expect(await run('patch', 'pod', 'web', '-n', 'shop', '--subresource=status', '-p', '{"status":{"phase":"Running","containerStatuses":[{"name":"app","restartCount":1,"state":{"waiting":{"reason":"CrashLoopBackOff"}}}]}}')).toContain('patched');
  expect(JSON.stringify(sim.get('pods', 'shop', 'web'))).not.toContain('imagee');
});

test('kubectl explain reads the OpenAPI v3 document generated from the client-node models', async () => {
  const pod = await run('explain', 'pod');
  expect(pod).toMatch(/^KIND:\s+Pod$/m);
  expect(pod).toContain('Pod is a collection of containers');
  expect(pod).toMatch(/spec\s+<PodSpec>/);
  const ports = await run('explain', 'pod.spec.containers.ports');
  expect(ports).toMatch(/containerPort\s+<integer>/);
  expect(await run('explain', 'configmap.data')).toMatch(/FIELD:\s+data <map\[string\]string>/);
});

test.each([
  ['strategic merge (default)', [], '{"metadata":{"labels":{"tier":"front"}}}'],
  ['merge', ['--type', 'merge'], '{"metadata":{"labels":{"tier":"front"}}}'],
  ['json', ['--type', 'json'], '[{"op":"add","path":"/metadata/labels/tier","value":"front"}]'],
])('kubectl patch --type %s, and selectors find the patched pod', async (_what, type, patch) => {
  sim.apply(pods.barePod('default', 'api'));
  sim.apply(pods.barePod('default', 'db'));
  (await run('patch', 'pod', 'api', ...type, '-p', patch));
  expect((await run('get', 'pods', '-l', 'tier=front', '-o', 'name')).trim()).toBe('pod/api');
  expect((await run('get', 'pods', '-l', 'tier notin (front)', '-o', 'name')).trim()).toBe('pod/db');
  expect((await run('get', 'pods', '--field-selector', 'metadata.name!=api', '-o', 'name')).trim()).toBe('pod/db');
});

test('server-side apply creates, then merges, containers by name', async () => {
  writeFileSync(join(dir, 'pod.yaml'), MANIFEST);
  sim.setNamespace('shop');
  expect((await run('apply', '--server-side', '-f', join(dir, 'pod.yaml')))).toContain('serverside-applied');
  writeFileSync(join(dir, 'pod.yaml'), MANIFEST.replace('nginx:1.27', 'nginx:1.28'));
  (await run('apply', '--server-side', '-f', join(dir, 'pod.yaml')));
  const pod = sim.get('pods', 'shop', 'web') as { spec: { containers: { name: string; image: string }[] } };
  expect(pod.spec.containers.map((c) => `${c.name}=${c.image}`)).toEqual(['app=nginx:1.28']);
});

test('kubectl with a wrong token is refused (the sim checks credentials over https)', async () => {
  const r = await kubectl('get', 'pods', '--token', 'not-the-token-at-all');
  expect(r.status).not.toBe(0);
  expect(r.stderr).toContain('You must be logged in to the server (Unauthorized)');
});

test('kubectl asking for a missing pod gets the real NotFound message', async () => {
  const r = await kubectl('get', 'pod', 'nope');
  expect(r.status).not.toBe(0);
  expect(r.stderr).toContain('Error from server (NotFound): pods "nope" not found');
});

test('kubectl annotate on a namespace reaches the store (how users mute a namespace)', async () => {
  sim.setNamespace('payments');
  (await run('annotate', 'namespace', 'payments', 'podbell.io/mute=true'));
  expect((sim.get('namespaces', undefined, 'payments') as { metadata: { annotations: Record<string, string> } }).metadata.annotations).toEqual({ 'podbell.io/mute': 'true' });
  expect((await run('get', 'ns', 'payments'))).toMatch(/payments\s+Active/);
});

test('what kubectl does to a pod reaches podbell: a status patched to CrashLoopBackOff is one detected failure', async () => {
  const failures: string[] = [];
  const watch = new KubeWatch<PodState>({
    kubeConfig: simKubeConfig({ url: server.url }),
    resource: 'pods',
    project: projectPod,
    keyOf: (p) => p.uid,
    clock: systemClock,
    log: capturingLogger().log,
    registry: new Registry(),
    onChange: (c) => {
      if (c.next && c.type !== 'DELETED') for (const f of detect(c.prev, c.next)) failures.push(`${f.namespace}/${f.pod} ${f.container} ${f.reason} ${f.restartCount}`);
    },
  });
  watch.start();
  try {
    writeFileSync(join(dir, 'pod.yaml'), MANIFEST.replace('namespace: shop', 'namespace: default'));
    await run('apply', '-f', join(dir, 'pod.yaml'));
    await waitFor('synced', () => watch.synced);
    const crash = (restarts: number) =>
      JSON.stringify({ status: { phase: 'Running', containerStatuses: [{ name: 'app', image: 'nginx:1.27', ready: false, restartCount: restarts, state: { waiting: { reason: 'CrashLoopBackOff' } } }] } });
    await run('patch', 'pod', 'web', '--subresource=status', '-p', crash(1));
    await run('patch', 'pod', 'web', '--subresource=status', '-p', crash(1)); // the same fact again: no new failure
    await run('patch', 'pod', 'web', '--subresource=status', '-p', crash(2));
    await run('label', 'pod', 'web', 'touched=yes'); // a metadata change: no new failure
    await waitFor('two failures', () => failures.length >= 2);
    await run('delete', 'pod', 'web');
    expect(failures).toEqual(['default/web app CrashLoopBackOff 1', 'default/web app CrashLoopBackOff 2']);
  } finally {
    await watch.stop();
  }
}, 60_000);
