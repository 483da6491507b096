import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Registry } from 'prom-client';
import { ConfigMapStateStore, STATE_KEY } from '../../src/adapters/store/configmap.js';
import type { Bot } from '../../src/app.js';
import { systemClock } from '../../src/clock.js';
import { emptyBook } from '../../src/core/incidents.js';
import { silentLogger } from '../../src/log.js';
import { SimCluster, pods, simKubeConfig, simKubeconfigText, startSimServer, type SimServer } from '../../src/sim/index.js';
import { FakeSlack } from '../fakes/slack.js';
import { botHarness } from '../support/bot-harness.js';
import { waitFor } from '../support/wait.js';
import { capturingLogger } from '../unit/kube-helpers.js';

// The whole bot with persistence on, restarted: simulated API server (which also keeps the ConfigMap)
// -> watch -> pipeline -> SlackSender -> fake Slack; then a NEW Bot against the same cluster and Slack.
const NS = 'podbell';
const CM = 'podbell-threads';
const image = 'registry.example.com/checkout:1.0.0';
type Obj = Record<string, unknown>;

describe('podbell across a restart (THREAD_STORE_CONFIGMAP)', () => {
  let sim: SimCluster;
  let server: SimServer;
  let slack: FakeSlack;
  const bots: Bot[] = [];
  const registries: Registry[] = [];

  /** A bot that saves its state in ConfigMap podbell/podbell-threads. */
  const makeBot = (env: Record<string, string> = {}, log = silentLogger()) => {
    const harness = botHarness({ server, slack, env: { POD_NAMESPACE: NS, THREAD_STORE_CONFIGMAP: CM, ...env }, log });
    registries.push(harness.registry);
    bots.push(harness.bot);
    return harness.bot;
  };

  const savedState = (): Obj | undefined => {
    const cm = sim.get('configmaps', NS, CM);
    const text = (cm?.data as Obj | undefined)?.[STATE_KEY];
    return typeof text === 'string' ? (JSON.parse(text) as Obj) : undefined;
  };
  const parents = () => slack.requestsFor('chat.postMessage').filter((r) => r.params.thread_ts === undefined);

  beforeEach(async () => {
    sim = new SimCluster({ namespaces: ['default', NS, 'shop'] });
    server = await startSimServer({ cluster: sim });
    slack = await FakeSlack.start({ channels: ['#alerts'] });
  });

  afterEach(async () => {
    for (const b of bots.splice(0)) await b.stop(1000);
    registries.splice(0);
    await server.close();
    await slack.close();
  });

  /** Bot 1 sees checkout crash-loop twice, then stops; returns the pod name and the parent's ts. */
  async function firstLife(): Promise<{ name: string; parentTs: string }> {
    const pod = sim.apply(pods.deploymentPod({ namespace: 'shop', deployment: 'checkout', suffix: 'x2k4q' }));
    const name = (pod.metadata as { name: string }).name;
    const bot = makeBot();
    await bot.start();
    await waitFor('the initial lists', () => bot.ready());
    sim.patchStatus('shop', name, pods.podStatus([pods.crashLoop({ name: 'app', image, restartCount: 1 })]));
    await waitFor('the parent post', () => parents()[0]);
    sim.patchStatus('shop', name, pods.podStatus([pods.crashLoop({ name: 'app', image, restartCount: 2 })]));
    await waitFor('the edit to ×2', () => slack.requestsFor('chat.update').find((r) => String(r.params.text).includes('Error (exit 1) ×2')));
    await bot.stop(1000);
    bots.splice(bots.indexOf(bot), 1);
    return { name, parentTs: slack.threads()[0]!.ts };
  }

  test('a crash loop that goes on after a restart continues the same thread: the parent is edited, no second parent', async () => {
    const { name, parentTs } = await firstLife();

    // What was saved is plain versioned JSON in the ConfigMap, readable by anyone with kubectl.
    const saved = savedState()!;
    expect(saved.version).toBe(1);
    const incidents = Object.values((saved.book as { incidents: Record<string, Obj> }).incidents);
    expect(incidents).toHaveLength(1);
    expect(incidents[0]).toMatchObject({ namespace: 'shop', status: 'open', counts: { 'Error (exit 1)': 2 } });
    expect(Object.values(saved.threads as Record<string, Obj>)).toContainEqual(expect.objectContaining({ ts: parentTs, channel: slack.channelId('#alerts') }));

    const bot = makeBot();
    await bot.start();
    await waitFor('the initial lists after the restart', () => bot.ready());
    // Runs missed while down are counted from restartCount: ×2 -> ×5, a step a reader is told at once.
    sim.patchStatus('shop', name, pods.podStatus([pods.crashLoop({ name: 'app', image, restartCount: 5 })]));
    const edit = await waitFor('an edit of the old parent showing the fifth restart', () =>
      slack.requestsFor('chat.update').find((r) => String(r.params.text).includes('Error (exit 1) ×5')),
    );
    expect(edit.params.ts).toBe(parentTs);
    // A new pod of the same Deployment failing after the restart replies in the old thread.
    const sibling = sim.apply(pods.deploymentPod({ namespace: 'shop', deployment: 'checkout', suffix: 'b8m2p' }));
    const siblingName = (sibling.metadata as { name: string }).name;
    sim.patchStatus('shop', siblingName, pods.podStatus([pods.crashLoop({ name: 'app', image, restartCount: 1 })]));
    const reply = await waitFor('a reply naming the sibling pod', () =>
      slack.requestsFor('chat.postMessage').find((r) => r.params.thread_ts !== undefined && String(r.params.text).includes(siblingName)),
    );
    expect(reply.params.thread_ts).toBe(parentTs);
    expect(parents()).toHaveLength(1);
    expect(slack.threads()).toHaveLength(1);
  });

  test('an incident whose pod was deleted while podbell was down resolves in its own thread after the restart', async () => {
    const { name, parentTs } = await firstLife();
    sim.delete('shop', name);

    const bot = makeBot({ RESOLVE_AFTER: '200ms' });
    await bot.start();
    const resolved = await waitFor('the resolved reply', () =>
      slack.requestsFor('chat.postMessage').find((r) => r.params.thread_ts === parentTs && /recovered|resolved/i.test(String(r.params.text))),
    );
    expect(resolved.params.thread_ts).toBe(parentTs);
    await waitFor('the parent edited to resolved', () => slack.threads()[0]!.text.includes('Resolved') && true);
    expect(parents()).toHaveLength(1);
  });

  test('a save after someone else changed the ConfigMap gets 409, re-reads, saves once more and says so', async () => {
    const log = silentLogger();
    const store = new ConfigMapStateStore({ kubeConfig: simKubeConfig({ url: server.url }), namespace: NS, name: CM, clock: systemClock, log });
    expect(await store.load()).toEqual({});
    const book = emptyBook();
    book.seq = 7;
    expect(await store.save({ book, threads: {} })).toBe('ok');
    expect(savedState()).toMatchObject({ version: 1, book: { seq: 7 } });

    // Another writer replaces it behind our back (a second podbell, or a human with kubectl edit).
    const cm = sim.get('configmaps', NS, CM)!;
    sim.replace('configmaps', NS, CM, { ...cm, data: { [STATE_KEY]: '{"version":1,"written":"by someone else"}' } });

    book.seq = 8;
    expect(await store.save({ book, threads: { t1: { channel: 'C1', ts: '1.1', replyTo: '1.1' } } })).toBe('conflict');
    expect(savedState()).toMatchObject({ book: { seq: 8 }, threads: { t1: { ts: '1.1' } } });
    // Its resourceVersion is current again: the next save is a plain replace.
    book.seq = 9;
    expect(await store.save({ book, threads: {} })).toBe('ok');
    expect(savedState()).toMatchObject({ book: { seq: 9 } });
  });

  test('a replica that no longer holds the Lease writes nothing over the new leader\'s state', async () => {
    let leading = true;
    const store = new ConfigMapStateStore({ kubeConfig: simKubeConfig({ url: server.url }), namespace: NS, name: CM, clock: systemClock, log: silentLogger(), mayWrite: () => leading });
    await store.load();
    const book = emptyBook();
    book.seq = 7;
    expect(await store.save({ book, threads: {} })).toBe('ok');

    // The new leader writes; this replica has just been fenced.
    const cm = sim.get('configmaps', NS, CM)!;
    sim.replace('configmaps', NS, CM, { ...cm, data: { [STATE_KEY]: '{"version":1,"written":"by the new leader"}' } });
    leading = false;
    book.seq = 8;
    expect(await store.save({ book, threads: {} })).toBe('not_leader');
    expect(savedState()).toMatchObject({ written: 'by the new leader' });
  });

  test('a first save that finds the ConfigMap created meanwhile replaces it; one too large for the bound is refused, not written', async () => {
    const log = silentLogger();
    const kubeConfig = simKubeConfig({ url: server.url });
    const store = new ConfigMapStateStore({ kubeConfig, namespace: NS, name: CM, clock: systemClock, log });
    expect(await store.load()).toEqual({});
    sim.create('configmaps', { metadata: { name: CM, namespace: NS }, data: { other: 'x' } });
    expect(await store.save({ book: emptyBook(), threads: {} })).toBe('ok');
    expect(savedState()).toMatchObject({ version: 1 });

    const tiny = new ConfigMapStateStore({ kubeConfig, namespace: NS, name: 'tiny', clock: systemClock, log, maxBytes: 100 });
    await tiny.load();
    const book = emptyBook();
    book.seq = 1;
    book.incidents.k = { key: 'k', status: 'open' } as never;
    expect(await tiny.save({ book, threads: {} })).toBe('too_large');
    expect(sim.get('configmaps', NS, 'tiny')).toBeUndefined();
  });

  test('when the API server refuses the writes, the bot alerts anyway and counts the failed saves', async () => {
    server.authorize = (a) => a.resource !== 'configmaps' || a.verb === 'get';
    const pod = sim.apply(pods.deploymentPod({ namespace: 'shop', deployment: 'cart', suffix: 'q1w2e' }));
    const bot = makeBot();
    await bot.start();
    await waitFor('the initial lists', () => bot.ready());
    sim.patchStatus('shop', (pod.metadata as { name: string }).name, pods.podStatus([pods.crashLoop({ name: 'app', image, restartCount: 1 })]));
    await waitFor('the parent post', () => parents()[0]);
    const registry = registries.at(-1)!;
    await waitFor('a failed save counted', async () => /podbell_state_writes_total\{outcome="error"\} [1-9]/.test(await registry.metrics()));
    expect(sim.get('configmaps', NS, CM)).toBeUndefined();
  });

  test('a corrupt ConfigMap is logged and podbell starts empty instead of crashing', async () => {
    sim.create('configmaps', { metadata: { name: CM, namespace: NS }, data: { [STATE_KEY]: '{"version":1,"book":' } });
    const pod = sim.apply(pods.deploymentPod({ namespace: 'shop', deployment: 'cart', suffix: 'z9x8c' }));
    const { log, lines } = capturingLogger();
    const bot = makeBot({}, log);
    await bot.start();
    expect(lines().map((l) => l.msg)).toContainEqual(expect.stringMatching(/^saved state in ConfigMap podbell\/podbell-threads: state is not JSON \(.+\); starting empty$/));
    await waitFor('the initial lists', () => bot.ready());
    sim.patchStatus('shop', (pod.metadata as { name: string }).name, pods.podStatus([pods.crashLoop({ name: 'app', image, restartCount: 1 })]));
    await waitFor('the parent post', () => parents()[0]);
    // The next save replaces the corrupt content with a readable snapshot.
    await waitFor('a readable snapshot', () => {
      try {
        return savedState()?.version === 1 && Object.keys((savedState()!.threads as Obj) ?? {}).length > 0;
      } catch {
        return false;
      }
    });
  });

  test('the simulated API server speaks ConfigMaps like a real one: create, get, list, replace with resourceVersion (stale: 409), delete', async () => {
    const base = `${server.url}/api/v1/namespaces/${NS}/configmaps`;
    const call = async (method: string, path: string, body?: unknown) => {
      const r = await fetch(`${base}${path}`, { method, headers: { 'Content-Type': 'application/json' }, ...(body !== undefined && { body: JSON.stringify(body) }) });
      return { status: r.status, body: (await r.json()) as Obj };
    };
    expect(await call('GET', `/${CM}`)).toMatchObject({ status: 404, body: { kind: 'Status', reason: 'NotFound' } });
    const created = await call('POST', '', { metadata: { name: CM }, data: { k: 'v1' } });
    expect(created).toMatchObject({ status: 201, body: { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: CM, namespace: NS }, data: { k: 'v1' } } });
    const rv1 = String((created.body.metadata as Obj).resourceVersion);
    expect((await call('POST', '', { metadata: { name: CM } })).status).toBe(409);
    expect(await call('GET', '')).toMatchObject({ status: 200, body: { kind: 'ConfigMapList', items: [{ metadata: { name: CM } }] } });
    const replaced = await call('PUT', `/${CM}`, { metadata: { name: CM, resourceVersion: rv1 }, data: { k: 'v2' } });
    expect(replaced).toMatchObject({ status: 200, body: { data: { k: 'v2' } } });
    expect((replaced.body.metadata as Obj).resourceVersion).not.toBe(rv1);
    expect(await call('PUT', `/${CM}`, { metadata: { name: CM, resourceVersion: rv1 }, data: { k: 'stale' } })).toMatchObject({ status: 409, body: { reason: 'Conflict' } });
    expect(await call('GET', `/${CM}`)).toMatchObject({ body: { data: { k: 'v2' } } });
    expect((await call('DELETE', `/${CM}`)).status).toBe(200);
    expect((await call('GET', `/${CM}`)).status).toBe(404);
    const discovery = (await (await fetch(`${server.url}/api/v1`)).json()) as { resources: Obj[] };
    expect(discovery.resources).toContainEqual(expect.objectContaining({ name: 'configmaps', namespaced: true, kind: 'ConfigMap' }));
  });

  test('kubectl sees the ConfigMap podbell keeps', async () => {
    const kubectlPath = join(resolve(dirname(fileURLToPath(import.meta.url)), '../..'), '.tools/bin/kubectl');
    if (!existsSync(kubectlPath)) throw new Error(`real kubectl not found at ${kubectlPath}: run scripts/kube-tools.sh first`);
    const store = new ConfigMapStateStore({ kubeConfig: simKubeConfig({ url: server.url }), namespace: NS, name: CM, clock: systemClock, log: silentLogger() });
    await store.load();
    await store.save({ book: emptyBook(), threads: {} });
    const dir = mkdtempSync(join(tmpdir(), 'podbell-state-kubectl-'));
    try {
      writeFileSync(join(dir, 'kubeconfig'), simKubeconfigText({ url: server.url }));
      const kubectl = (...args: string[]) =>
        new Promise<string>((done, fail) => {
          execFile(kubectlPath, ['--kubeconfig', join(dir, 'kubeconfig'), '--cache-dir', join(dir, 'cache'), ...args], { encoding: 'utf8', timeout: 20_000 }, (err, stdout, stderr) =>
            err ? fail(new Error(`kubectl ${args.join(' ')}: ${stderr}`)) : done(stdout),
          );
        });
      expect(await kubectl('get', 'configmap', '-n', NS)).toMatch(new RegExp(`^${CM}\\s+1\\s+`, 'm'));
      const json = JSON.parse(await kubectl('get', 'cm', CM, '-n', NS, '-o', 'json')) as Obj;
      expect(JSON.parse(String((json.data as Obj)[STATE_KEY]))).toMatchObject({ version: 1, book: { incidents: {} } });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
