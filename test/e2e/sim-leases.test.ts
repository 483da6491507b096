import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SIM_TOKEN, SimCluster, simKubeconfigText, startSimServer, type SimServer } from '../../src/sim/index.js';

/** coordination.k8s.io/v1 Leases in the sim: what podbell's leader election and real kubectl rely on. */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const kubectlPath = join(root, '.tools/bin/kubectl');
const LEASES = '/apis/coordination.k8s.io/v1/namespaces/podbell/leases';

const lease = (holder: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'coordination.k8s.io/v1',
  kind: 'Lease',
  metadata: { name: 'podbell', namespace: 'podbell', ...extra },
  spec: { holderIdentity: holder, leaseDurationSeconds: 15, acquireTime: '2026-01-01T00:00:00.000000Z', renewTime: '2026-01-01T00:00:00.000000Z', leaseTransitions: 0 },
});

describe('Leases over plain HTTP, one token per client', () => {
  let sim: SimCluster;
  let server: SimServer;
  beforeEach(async () => {
    sim = new SimCluster({ namespaces: ['default', 'podbell'] });
    server = await startSimServer({ cluster: sim, token: 'token-of-a', tokens: ['token-of-b'] });
  });
  afterEach(() => server.close());

  const call = async (method: string, path: string, body?: unknown, token = 'token-of-a') => {
    const r = await fetch(server.url + path, {
      method,
      headers: { Authorization: `Bearer ${token}`, ...(body !== undefined && { 'Content-Type': 'application/json' }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    return { status: r.status, body: (await r.json()) as Record<string, any> };
  };

  test('create, get, update with the read resourceVersion, and a stale one is 409 Conflict as the real server says it', async () => {
    const created = await call('POST', LEASES, lease('bot-a'));
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', spec: { holderIdentity: 'bot-a' } });
    const rv = created.body.metadata.resourceVersion as string;
    expect((await call('POST', LEASES, lease('bot-b'), 'token-of-b')).body).toMatchObject({ code: 409, reason: 'AlreadyExists', message: 'leases.coordination.k8s.io "podbell" already exists' });

    const renewed = await call('PUT', `${LEASES}/podbell`, lease('bot-a', { resourceVersion: rv }));
    expect(renewed.status).toBe(200);
    expect(renewed.body.metadata.resourceVersion).not.toBe(rv);
    // bot-b read the Lease before bot-a's renew: its takeover must lose.
    const stale = await call('PUT', `${LEASES}/podbell`, lease('bot-b', { resourceVersion: rv }), 'token-of-b');
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({
      kind: 'Status',
      reason: 'Conflict',
      details: { name: 'podbell', group: 'coordination.k8s.io', kind: 'leases' },
      message: 'Operation cannot be fulfilled on leases.coordination.k8s.io "podbell": the object has been modified; please apply your changes to the latest version and try again',
    });
    expect((await call('GET', `${LEASES}/podbell`)).body.spec.holderIdentity).toBe('bot-a');
    expect((await call('GET', `${LEASES}`)).body).toMatchObject({ kind: 'LeaseList', apiVersion: 'coordination.k8s.io/v1', items: [{ metadata: { name: 'podbell' } }] });
    expect((await call('GET', `${LEASES}/nope`)).body).toMatchObject({ code: 404, message: 'leases.coordination.k8s.io "nope" not found' });
    expect((await call('DELETE', `${LEASES}/podbell`)).status).toBe(200);
    expect((await call('GET', `${LEASES}/podbell`)).status).toBe(404);
  });

  test('a watch on leases sees the holder change', async () => {
    await call('POST', LEASES, lease('bot-a'));
    const ac = new AbortController();
    const r = await fetch(`${server.url}${LEASES}?watch=true&resourceVersion=0`, { headers: { Authorization: 'Bearer token-of-a' }, signal: ac.signal });
    const reader = r.body!.getReader();
    let text = '';
    const next = async (pattern: RegExp) => {
      while (!pattern.test(text)) text += new TextDecoder().decode((await reader.read()).value);
    };
    await next(/"ADDED"/);
    const cur = (await call('GET', `${LEASES}/podbell`)).body;
    await call('PUT', `${LEASES}/podbell`, { ...cur, spec: { ...cur.spec, holderIdentity: 'bot-b' } }, 'token-of-b');
    await next(/"MODIFIED".*"holderIdentity":"bot-b"/);
    ac.abort();
  });

  test('a partitioned client gets no answer until healed; the other client is served meanwhile', async () => {
    await call('POST', LEASES, lease('bot-a'));
    server.partitions.isolate('token-of-a');
    let answered = false;
    const held = call('GET', `${LEASES}/podbell`).then(
      () => (answered = true),
      () => 'cut',
    );
    // The other client is served, and after it the held request is still unanswered.
    expect((await call('GET', `${LEASES}/podbell`, undefined, 'token-of-b')).status).toBe(200);
    expect((await call('GET', `${LEASES}/podbell`, undefined, 'token-of-b')).status).toBe(200);
    expect(answered).toBe(false);
    server.partitions.heal('token-of-a');
    expect(await held).toBe('cut');
    expect((await call('GET', `${LEASES}/podbell`)).status).toBe(200);
  });

  test('a token the server does not know is refused', async () => {
    expect((await call('GET', `${LEASES}/podbell`, undefined, 'token-of-c')).status).toBe(401);
  });
});

describe('real kubectl and Leases', () => {
  let server: SimServer;
  let dir: string;
  beforeEach(async () => {
    if (!existsSync(kubectlPath)) throw new Error(`real kubectl not found at ${kubectlPath}: run scripts/kube-tools.sh first`);
    server = await startSimServer({ cluster: new SimCluster({ namespaces: ['default', 'podbell'] }), tls: true, token: SIM_TOKEN, requireToken: true });
    dir = mkdtempSync(join(tmpdir(), 'podbell-kubectl-leases-'));
    writeFileSync(join(dir, 'kubeconfig'), simKubeconfigText({ url: server.url }));
  });
  afterEach(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const kubectl = (...args: string[]) =>
    new Promise<{ status: number; stdout: string; stderr: string }>((done) => {
      execFile(kubectlPath, ['--kubeconfig', join(dir, 'kubeconfig'), '--cache-dir', join(dir, 'cache'), ...args], { encoding: 'utf8', timeout: 20_000 }, (err, stdout, stderr) => {
        done({ status: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
      });
    });

  test('kubectl create -f lease.yaml, get leases (NAME HOLDER AGE), get -o yaml, delete', async () => {
    writeFileSync(join(dir, 'lease.json'), JSON.stringify(lease('podbell-7d9f-x2k4q')));
    const created = await kubectl('create', '--validate=false', '-f', join(dir, 'lease.json'));
    expect(created.stderr).toBe('');
    expect(created.stdout).toContain('lease.coordination.k8s.io/podbell created');
    const table = (await kubectl('get', 'leases', '-n', 'podbell')).stdout.trim().split('\n');
    expect(table[0]).toMatch(/^NAME\s+HOLDER\s+AGE$/);
    expect(table[1]).toMatch(/^podbell\s+podbell-7d9f-x2k4q\s+\d+s$/);
    expect((await kubectl('get', 'lease', 'podbell', '-n', 'podbell', '-o', 'jsonpath={.spec.leaseDurationSeconds}')).stdout).toBe('15');
    expect((await kubectl('delete', 'lease', 'podbell', '-n', 'podbell')).stdout).toContain('lease.coordination.k8s.io "podbell" deleted');
    expect((await kubectl('get', 'leases', '-n', 'podbell')).stderr).toContain('No resources found in podbell namespace.');
  });
});
