import { SimCluster, SIM_TOKEN, pods, startSimServer, type SimServer } from '../../src/sim/index.js';

/** The simulated API server's wire behaviour, checked with plain fetch like any client would. */
let sim: SimCluster;
let server: SimServer;

beforeEach(async () => {
  sim = new SimCluster({ historySize: 10 });
  server = await startSimServer({ cluster: sim, token: SIM_TOKEN, bookmarkMs: 20 });
});
afterEach(async () => {
  await server.close();
});

const get = (path: string, headers: Record<string, string> = {}) => fetch(server.url + path, { headers });

/** Reads JSON lines from a watch until `enough` says stop (or the stream ends). */
async function watchLines(path: string, enough: (lines: { type: string; object: Record<string, any> }[]) => boolean, during?: () => void) {
  const ac = new AbortController();
  const res = await fetch(server.url + path, { signal: ac.signal });
  expect(res.status).toBe(200);
  const reader = res.body!.getReader();
  const dec = new TextDecoder();
  const lines: { type: string; object: Record<string, any> }[] = [];
  let buf = '';
  during?.();
  try {
    while (!enough(lines)) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += dec.decode(value, { stream: true });
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        lines.push(JSON.parse(buf.slice(0, nl)));
        buf = buf.slice(nl + 1);
      }
    }
  } finally {
    ac.abort();
  }
  return lines;
}

test('a watch from a resourceVersion older than the history gets an ERROR 410 Expired event', async () => {
  const old = sim.resourceVersion;
  for (let i = 0; i < 30; i++) sim.apply(pods.barePod('default', `p${i}`));
  const lines = await watchLines(`/api/v1/pods?watch=true&resourceVersion=${old}`, (l) => l.length >= 1);
  expect(lines[0]).toMatchObject({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired' } });
});

test('a watch without resourceVersion starts with the current objects as ADDED, then live changes and bookmarks', async () => {
  sim.apply(pods.barePod('default', 'a'));
  const lines = await watchLines(
    '/api/v1/namespaces/default/pods?watch=1&allowWatchBookmarks=true',
    (l) => l.some((e) => e.type === 'BOOKMARK') && l.some((e) => e.type === 'MODIFIED'),
    () => setTimeout(() => sim.patchStatus('default', 'a', { phase: 'Running' }), 5),
  );
  expect(lines[0]).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'a' } } });
  expect(lines.find((e) => e.type === 'MODIFIED')?.object.status.phase).toBe('Running');
  expect(lines.find((e) => e.type === 'BOOKMARK')?.object.metadata.resourceVersion).toMatch(/^\d+$/);
});

test('with a fieldSelector, an object entering the selection is ADDED and one leaving it is DELETED', async () => {
  sim.apply(pods.barePod('default', 'a'));
  const rv = sim.resourceVersion;
  const lines = await watchLines(`/api/v1/pods?watch=true&resourceVersion=${rv}&fieldSelector=status.phase%3DRunning`, (l) => l.length >= 2, () => {
    sim.patchStatus('default', 'a', { phase: 'Running' });
    sim.patchStatus('default', 'a', { phase: 'Failed' });
  });
  expect(lines.map((e) => `${e.type} ${e.object.status.phase}`)).toEqual(['ADDED Running', 'DELETED Failed']);
});

test('LIST pages come from one snapshot, so a write between pages neither adds nor skips items', async () => {
  for (let i = 0; i < 5; i++) sim.apply(pods.barePod('default', `p${i}`));
  const page1 = (await (await get('/api/v1/pods?limit=2')).json()) as { metadata: { continue: string; resourceVersion: string }; items: unknown[] };
  sim.apply(pods.barePod('default', 'p00-new'));
  sim.delete('default', 'p4');
  const names: string[] = [];
  let page: any = page1;
  for (;;) {
    names.push(...page.items.map((p: any) => p.metadata.name));
    expect(page.metadata.resourceVersion).toBe(page1.metadata.resourceVersion);
    if (!page.metadata.continue) break;
    page = await (await get(`/api/v1/pods?limit=2&continue=${encodeURIComponent(page.metadata.continue)}`)).json();
  }
  expect(names).toEqual(['p0', 'p1', 'p2', 'p3', 'p4']);
});

test('an unknown continue token is 410 Expired, like an expired one on a real server', async () => {
  const res = await get('/api/v1/pods?limit=2&continue=nope:2');
  expect(res.status).toBe(410);
  expect(await res.json()).toMatchObject({ kind: 'Status', reason: 'Expired', code: 410 });
});

test.each([
  ['a wrong token', { authorization: 'Bearer nope-nope-nope' }, undefined, 401, 'Unauthorized'],
  ['an RBAC refusal', {}, () => false, 403, 'pods is forbidden: User "system:serviceaccount:podbell:podbell" cannot list resource "pods" in API group "" at the cluster scope'],
])('%s is answered with a Status the client can show', async (_what, headers, authorize, status, message) => {
  server.authorize = authorize;
  const res = await get('/api/v1/pods', headers);
  expect(res.status).toBe(status);
  expect(((await res.json()) as { message: string }).message).toBe(message);
});

test('injected 429s carry Retry-After, injected 500s a Status; discovery is never faulted', async () => {
  server.setFaults({ throttleRate: 1, retryAfterSeconds: 7 });
  const throttled = await get('/api/v1/pods');
  expect([throttled.status, throttled.headers.get('retry-after')]).toEqual([429, '7']);
  expect((await get('/version')).status).toBe(200);
  server.setFaults({ errorRate: 1 });
  expect((await get('/api/v1/pods')).status).toBe(500);
  server.setFaults(undefined);
  expect((await get('/api/v1/pods')).status).toBe(200);
});

test('kubectl-style requests: aggregated discovery and Table output', async () => {
  const disco = await get('/api', { accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json' });
  expect(disco.headers.get('content-type')).toBe('application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
  const plain = (await (await get('/api')).json()) as { kind: string; versions: string[] };
  expect(plain).toMatchObject({ kind: 'APIVersions', versions: ['v1'] });
  sim.apply(pods.deploymentPod({ namespace: 'shop', deployment: 'checkout', suffix: 'aaaaa' }));
  const name = (sim.list('pods', 'shop')[0]!.metadata as { name: string }).name;
  sim.patchStatus('shop', name, pods.podStatus([pods.crashLoop({ name: 'app', image: 'i', restartCount: 2 })]));
  const table = (await (await get('/api/v1/pods', { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' })).json()) as any;
  expect(table.kind).toBe('Table');
  expect(table.columnDefinitions.filter((c: any) => c.priority === 0).map((c: any) => c.name)).toEqual(['Name', 'Ready', 'Status', 'Restarts', 'Age']);
  expect(table.rows[0].cells.slice(0, 3)).toEqual([name, '0/1', 'CrashLoopBackOff']);
  expect(table.rows[0].cells[3]).toMatch(/^2 \(\d+s ago\)$/);
  expect(table.rows[0].object.metadata.namespace).toBe('shop');
});

describe('server-side apply (application/apply-patch+yaml), as `kubectl apply --server-side` sends it', () => {
  const apply = (name: string, body: string) =>
    fetch(`${server.url}/api/v1/namespaces/default/pods/${name}?fieldManager=kubectl`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/apply-patch+yaml' },
      body,
    });

  test('a YAML body creates the pod, then updates it; values stay the strings they were written as', async () => {
    const yaml = [
      'apiVersion: v1',
      'kind: Pod',
      'metadata:',
      '  name: web',
      '  annotations:',
      '    podbell.io/mute-until: "2026-11-22T10:00:00Z"',
      '    example.com/started: 2026-11-22T09:00:00Z',
      'spec:',
      '  containers:',
      '    - name: app',
      '      image: nginx:1.27',
    ].join('\n');
    const created = await apply('web', yaml);
    expect(created.status).toBe(201);
    const pod = (await created.json()) as { metadata: { annotations: Record<string, unknown> } };
    // A typed YAML loader would turn the unquoted time into a Date and write it back with milliseconds.
    expect(pod.metadata.annotations).toEqual({ 'podbell.io/mute-until': '2026-11-22T10:00:00Z', 'example.com/started': '2026-11-22T09:00:00Z' });
    const updated = await apply('web', yaml.replace('nginx:1.27', 'nginx:1.28'));
    expect(updated.status).toBe(200);
    expect(((sim.get('pods', 'default', 'web') as { spec: { containers: { image: string }[] } }).spec.containers[0]!.image)).toBe('nginx:1.28');
  });

  test('a body that is not YAML is a 400 that says so', async () => {
    const res = await apply('web', 'metadata: {name: [');
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toMatch(/^the apply patch is not YAML: /);
  });
});
