import http from 'node:http';
import { Registry } from 'prom-client';
import { systemClock, type Cancel, type Clock } from '../../src/clock.js';
import { projectPod, type PodState } from '../../src/core/pod.js';
import type { Change } from '../../src/ports.js';
import { KubeWatch } from '../../src/adapters/kube/watch.js';
import { SimCluster, pods, simKubeConfig } from '../../src/sim/index.js';
import { capturingLogger, metricValue, podWatchRig, waitFor, waitForMetric } from './kube-helpers.js';

const names = (cs: readonly Change<PodState>[]) => cs.map((c) => `${c.type} ${(c.next ?? c.prev)!.name}${c.synthetic ? ' (synthetic)' : ''}`).sort();

function podIn(ns: string, name: string) {
  return pods.barePod(ns, name);
}

// A failing test must not leave a server listening: jest would then never exit.
const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((r) => r.close().catch(() => undefined)));
});
const track = async <R extends { close(): Promise<void> }>(p: Promise<R>): Promise<R> => {
  const r = await p;
  open.push(r);
  return r;
};

describe('KubeWatch against the simulated API server', () => {
  test('the initial LIST is paginated and delivers every pod exactly once before onSynced', async () => {
    const sim = new SimCluster();
    for (let i = 0; i < 1203; i++) sim.apply(podIn(`ns-${i % 7}`, `pod-${i}`));
    let addedAtSync = -1;
    const rig = await track(podWatchRig({ sim, watch: { pageSize: 500, onSynced: () => void (addedAtSync = rig.changes.length) } }));
    rig.watch.start();
    await waitFor('synced', () => rig.watch.synced);
    expect(addedAtSync).toBe(1203);
    expect(rig.changes.every((c) => c.type === 'ADDED' && c.prev === undefined)).toBe(true);
    expect(new Set(rig.changes.map((c) => c.next!.uid)).size).toBe(1203);
    // 1203 pods at 500 per page is three LIST requests (then the WATCH).
    expect(rig.server.stats.requests).toBeGreaterThanOrEqual(3);
    await rig.close();
  });

  test('status changes and deletes arrive with prev from the cache', async () => {
    const rig = await track(podWatchRig());
    const created = rig.sim.apply(pods.deploymentPod({ namespace: 'shop', deployment: 'checkout', suffix: 'x2k4q' }));
    const name = (created.metadata as { name: string }).name;
    rig.watch.start();
    await waitFor('synced', () => rig.watch.synced);
    rig.sim.patchStatus('shop', name, pods.podStatus([pods.crashLoop({ name: 'app', image: 'img:1', restartCount: 3 })]));
    await waitFor('MODIFIED', () => rig.changes.some((c) => c.type === 'MODIFIED'));
    const mod = rig.changes.find((c) => c.type === 'MODIFIED')!;
    expect(mod.prev?.containers).toEqual([]);
    expect(mod.next?.containers[0]).toMatchObject({ name: 'app', reason: 'CrashLoopBackOff', restartCount: 3 });
    expect(mod.next?.workload).toEqual({ kind: 'Deployment', name: 'checkout' });
    rig.sim.delete('shop', name);
    await waitFor('DELETED', () => rig.changes.some((c) => c.type === 'DELETED'));
    const del = rig.changes.find((c) => c.type === 'DELETED')!;
    expect(del.synthetic).toBeUndefined();
    expect(del.prev?.containers[0]?.reason).toBe('CrashLoopBackOff');
    await rig.close();
  });

  test('bookmarks move the resourceVersion forward, so a quiet watch resumes without a relist', async () => {
    const sim = new SimCluster({ historySize: 20 });
    sim.apply(podIn('quiet', 'q-0'));
    const rig = await track(podWatchRig({ sim, server: { bookmarkMs: 30 }, watch: { namespace: 'quiet' } }));
    rig.watch.start();
    // The WATCH itself must be open: a burst between LIST and WATCH would (rightly) end in a 410 and a relist.
    await waitFor('the watch to be open', () => rig.watch.synced && rig.server.stats.watches > 0);
    // Busy elsewhere: far more events than the history keeps, none of them in our namespace.
    for (let i = 0; i < 100; i++) sim.apply(podIn('busy', `b-${i}`));
    const afterBurst = sim.resourceVersion;
    // Only a bookmark can carry the busy namespace's resourceVersion to this watch.
    await waitFor('a bookmark with the resourceVersion after the burst', () => rig.watch.resourceVersion === afterBurst);
    expect(await metricValue(rig.registry, 'podbell_watch_events_total', { type: 'BOOKMARK' })).toBeGreaterThan(0);
    rig.server.closeStreams();
    sim.apply(podIn('quiet', 'q-1'));
    await waitFor('q-1 ADDED', () => rig.changes.some((c) => c.next?.name === 'q-1'));
    expect(await metricValue(rig.registry, 'podbell_watch_restarts_total', { reason: 'expired' })).toBe(0);
    expect(await metricValue(rig.registry, 'podbell_watch_restarts_total', { reason: 'closed' })).toBeGreaterThanOrEqual(1);
    expect(names(rig.changes)).toEqual(['ADDED q-0', 'ADDED q-1']);
    await rig.close();
  });

  test('after 410 Gone it relists: vanished pods become synthetic DELETED, changed ones MODIFIED, unchanged stay silent', async () => {
    const sim = new SimCluster();
    for (const n of ['keep', 'change', 'vanish']) sim.apply(podIn('app', n));
    const rig = await track(podWatchRig({ sim }));
    rig.watch.start();
    await waitFor('synced', () => rig.watch.synced);
    rig.changes.length = 0;
    // Cut the watch off and keep it out while the cluster moves on and history is compacted.
    rig.server.authorize = (a) => a.verb !== 'watch' && a.verb !== 'list';
    rig.server.closeStreams();
    await waitFor('refused', () => rig.lines().some((l) => l.msg.startsWith('forbidden')));
    sim.delete('app', 'vanish');
    sim.patchStatus('app', 'change', pods.podStatus([pods.imagePullBackOff({ name: 'change', image: 'busybox:nope' })]));
    sim.apply(podIn('app', 'new'));
    sim.compact();
    rig.server.authorize = undefined;
    await waitFor('relist', () => rig.changes.length >= 3);
    await new Promise((r) => setTimeout(r, 50));
    expect(names(rig.changes)).toEqual(['ADDED new', 'DELETED vanish (synthetic)', 'MODIFIED change']);
    const del = rig.changes.find((c) => c.type === 'DELETED')!;
    expect(del.prev?.name).toBe('vanish');
    expect(del.next).toBeUndefined();
    expect(rig.changes.find((c) => c.type === 'MODIFIED')!.next?.containers[0]?.reason).toBe('ImagePullBackOff');
    expect(await metricValue(rig.registry, 'podbell_watch_restarts_total', { reason: 'expired' })).toBeGreaterThanOrEqual(1);
    await rig.close();
  });

  test('a request that fails outright does not leave the watchdog to fire during the backoff', async () => {
    const { log, lines } = capturingLogger();
    const registry = new Registry();
    // Nothing listens on port 1: every LIST fails at once with ECONNREFUSED.
    const watch = new KubeWatch<PodState>({
      kubeConfig: simKubeConfig({ url: 'http://127.0.0.1:1' }),
      resource: 'pods',
      project: projectPod,
      keyOf: (p) => p.uid,
      clock: systemClock,
      log,
      registry,
      onChange: () => undefined,
      watchdogMs: 30,
      random: () => 0,
      backoff: { initialMs: 300, maxMs: 300 },
    });
    watch.start();
    try {
      await waitForMetric(registry, 'podbell_watch_restarts_total', { reason: 'error' }, 2, 5000);
    } finally {
      await watch.stop();
    }
    expect(lines().map((l) => l.msg).join('\n')).not.toContain('silent too long');
    expect(await metricValue(registry, 'podbell_watch_restarts_total', { reason: 'watchdog' })).toBe(0);
  });

  test('the watchdog reopens a stream that went silent, and no change is lost', async () => {
    const sim = new SimCluster();
    sim.apply(podIn('app', 'a'));
    const rig = await track(podWatchRig({ sim, watch: { watchdogMs: 150 } }));
    rig.watch.start();
    await waitFor('synced', () => rig.watch.synced);
    rig.server.setFaults({ stallRate: 1 });
    sim.patchStatus('app', 'a', { phase: 'Running' }); // this event is swallowed by the stall
    await waitFor('a stall', () => rig.server.stats.stalls > 0);
    rig.server.setFaults(undefined);
    await waitFor('MODIFIED a', () => rig.changes.some((c) => c.type === 'MODIFIED' && c.next?.phase === 'Running'));
    expect(await metricValue(rig.registry, 'podbell_watch_restarts_total', { reason: 'watchdog' })).toBeGreaterThanOrEqual(1);
    await rig.close();
  });

  test('backoff doubles on repeated errors and starts over after a good connection', async () => {
    const sleeps: number[] = [];
    const watchdogMs = 60_000;
    // The system clock, with the delays asked of it written down (the watchdog's own timers left out).
    const clock: Clock = {
      now: () => systemClock.now(),
      setTimer(ms: number, fn: () => void): Cancel {
        if (ms !== watchdogMs && ms < 1000) sleeps.push(ms);
        return systemClock.setTimer(ms, fn);
      },
    };
    const rig = await track(podWatchRig({ clock, server: { faults: { errorRate: 1 }, bookmarkMs: 20 }, watch: { watchdogMs, random: () => 0, backoff: { initialMs: 8, maxMs: 64 } } }));
    rig.watch.start();
    await waitFor('five failed attempts', () => sleeps.length >= 5);
    rig.server.setFaults(undefined);
    // A good connection: the stream delivers (here a bookmark).
    await waitForMetric(rig.registry, 'podbell_watch_events_total', { type: 'BOOKMARK' }, 1);
    const firstRun = [...sleeps];
    sleeps.length = 0;
    rig.server.setFaults({ errorRate: 1 });
    rig.server.closeStreams();
    await waitFor('failures again', () => sleeps.length >= 2);
    rig.server.setFaults(undefined);
    // With no jitter a delay is half the doubled base: 4, 8, 16, 32, then capped at 32.
    expect(firstRun.slice(0, 5)).toEqual([4, 8, 16, 32, 32]);
    // The stream that delivered reset the backoff: the errors after it start from the first delay again.
    expect(sleeps.slice(0, 2)).toEqual([4, 8]);
    await rig.close();
  });

  test('a server answering every WATCH with 410 gets relists spaced by a growing backoff, not a LIST storm', async () => {
    const sleeps: number[] = [];
    const clock: Clock = {
      now: () => systemClock.now(),
      setTimer(ms: number, fn: () => void): Cancel {
        if (ms < 1000) sleeps.push(ms);
        return systemClock.setTimer(ms, fn);
      },
    };
    // Every line of every watch stream becomes an ERROR 410; bookmarks make sure there is a line.
    const rig = await track(podWatchRig({ clock, server: { faults: { expireRate: 1 }, bookmarkMs: 5 }, watch: { watchdogMs: 60_000, random: () => 0, backoff: { initialMs: 8, maxMs: 64 } } }));
    rig.watch.start();
    await waitFor('four spaced relists', () => sleeps.length >= 4);
    // The first 410 relists at once; the ones that follow wait 4, 8, 16, 32 ms...
    expect(sleeps.slice(0, 4)).toEqual([4, 8, 16, 32]);
    expect(rig.watch.synced).toBe(true);
  });

  test('403 Forbidden: one clear log line naming the verb and resource, not synced, retried until allowed', async () => {
    const rig = await track(podWatchRig({ server: { authorize: (a) => !(a.verb === 'list' && a.resource === 'pods') }, watch: { namespace: 'payments' } }));
    rig.watch.start();
    await waitFor('several refusals', () => rig.server.stats.requests >= 4);
    expect(rig.watch.synced).toBe(false);
    const refused = rig.lines().filter((l) => l.level >= 50);
    expect(refused.map((l) => l.msg)).toEqual([
      'forbidden: list pods in namespace payments — check the ClusterRole/RoleBinding of podbell (retrying with backoff)',
    ]);
    rig.server.authorize = undefined;
    await waitFor('synced', () => rig.watch.synced);
    expect(rig.lines().some((l) => l.msg === 'access to pods in namespace payments restored')).toBe(true);
    expect(await metricValue(rig.registry, 'podbell_watch_restarts_total', { reason: 'unauthorized' })).toBeGreaterThanOrEqual(3);
    await rig.close();
  });

  test('401 with a wrong token is logged as unauthorized and never synced', async () => {
    const rig = await track(podWatchRig({ token: 'wrong-token-0123456789' }));
    rig.watch.start();
    await waitFor('refusals', () => rig.server.stats.requests >= 2);
    expect(rig.watch.synced).toBe(false);
    expect(rig.lines().filter((l) => l.level >= 50).map((l) => l.msg)).toEqual([
      'unauthorized: list pods — check the credentials in the kubeconfig or service account (retrying with backoff)',
    ]);
    await rig.close();
  });

  test('an object the projection cannot handle is logged and skipped; the watch carries on', async () => {
    const project = (raw: unknown) => {
      if ((raw as { metadata: { name: string } }).metadata.name === 'bad') throw new Error('boom');
      return projectPod(raw);
    };
    const rig = await track(podWatchRig({ watch: { project } }));
    rig.sim.apply(podIn('default', 'bad'));
    rig.watch.start();
    await waitFor('synced', () => rig.watch.synced);
    rig.sim.patchStatus('default', 'bad', { phase: 'Running' });
    rig.sim.apply(podIn('default', 'good'));
    await waitFor('good', () => rig.changes.some((c) => c.next?.name === 'good'));
    expect(names(rig.changes)).toEqual(['ADDED good']);
    expect(rig.lines().filter((l) => l.msg === 'project threw; object skipped')).toHaveLength(2);
    expect(await metricValue(rig.registry, 'podbell_watch_restarts_total', {})).toBe(0);
  });

  test('over https with the sim CA from the kubeconfig and a required bearer token, like a real cluster', async () => {
    const rig = await track(podWatchRig({ server: { tls: true, requireToken: true } }));
    expect(rig.server.url).toMatch(/^https:/);
    rig.sim.apply(podIn('default', 'tls'));
    rig.watch.start();
    await waitFor('synced', () => rig.watch.synced);
    rig.sim.patchStatus('default', 'tls', { phase: 'Running' });
    await waitFor('MODIFIED over TLS', () => rig.changes.some((c) => c.type === 'MODIFIED'));
    expect(names(rig.changes)).toEqual(['ADDED tls', 'MODIFIED tls']);
  });

  test('stop() resolves once the stream is closed, and nothing is delivered after it', async () => {
    const rig = await track(podWatchRig());
    rig.watch.start();
    await waitFor('synced', () => rig.watch.synced);
    await rig.watch.stop();
    const n = rig.changes.length;
    rig.sim.apply(podIn('default', 'late'));
    await new Promise((r) => setTimeout(r, 30));
    expect(rig.changes.length).toBe(n);
    await rig.server.close();
  });
});

describe('KubeWatch reading a raw watch stream', () => {
  /** A hand-written API server: a LIST, then one WATCH stream with a malformed line between two events. */
  async function rawServer(watchBody: string): Promise<{ url: string; close(): Promise<void> }> {
    const server = http.createServer((req, res) => {
      const watch = (req.url ?? '').includes('watch=true');
      res.writeHead(200, { 'Content-Type': 'application/json' });
      if (!watch) return void res.end(JSON.stringify({ kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: 'opaque-abc' }, items: [] }));
      res.write(watchBody);
      // keep the stream open, like a real watch
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    return {
      url: `http://127.0.0.1:${port}`,
      close: () => {
        server.closeAllConnections();
        return new Promise<void>((r) => server.close(() => r()));
      },
    };
  }

  const pod = (name: string, rv: string) => ({ kind: 'Pod', apiVersion: 'v1', metadata: { name, namespace: 'x', uid: `uid-${name}`, resourceVersion: rv }, spec: {}, status: {} });

  test.each([
    ['a malformed line', '{"type":"ADDED","obj'],
    ['a line without a type', '{"object":{}}'],
    ['a non-JSON proxy banner', '<html>502 Bad Gateway</html>'],
  ])('%s is logged with an excerpt and skipped; the events around it still arrive', async (_what, bad) => {
    const body = [JSON.stringify({ type: 'ADDED', object: pod('a', 'v1-zz') }), bad, JSON.stringify({ type: 'ADDED', object: pod('b', 'v2-yy') }), ''].join('\n');
    const srv = await track(rawServer(body));
    const { log, lines } = capturingLogger();
    const changes: Change<PodState>[] = [];
    const watch = new KubeWatch<PodState>({
      kubeConfig: simKubeConfig({ url: srv.url }),
      resource: 'pods',
      project: projectPod,
      keyOf: (p) => p.uid,
      clock: systemClock,
      log,
      registry: new Registry(),
      onChange: (c) => void changes.push(c),
    });
    open.push({ close: () => watch.stop() });
    watch.start();
    await waitFor('both pods', () => changes.length === 2);
    expect(names(changes)).toEqual(['ADDED a', 'ADDED b']);
    const warn = lines().find((l) => l.msg === 'malformed watch line skipped') as { excerpt?: string } | undefined;
    expect(warn?.excerpt).toBe(bad);
    await watch.stop();
    await srv.close();
  });

  test.each([
    ['resource', { resource: 'deployments' }, /options.resource/],
    ['namespace', { namespace: 'Not_A_Namespace' }, /options.namespace/],
    ['watchdogMs', { watchdogMs: -1 }, /options.watchdogMs/],
    ['timeoutSeconds', { timeoutSeconds: { min: 300, max: 10 } }, /timeoutSeconds.max/],
  ])('a bad %s option fails at once with a TypeError naming it', (_what, bad, message) => {
    const make = () =>
      new KubeWatch<PodState>({
        kubeConfig: simKubeConfig({ url: 'http://127.0.0.1:1' }),
        resource: 'pods',
        project: projectPod,
        keyOf: (p) => p.uid,
        clock: systemClock,
        log: capturingLogger().log,
        registry: new Registry(),
        onChange: () => undefined,
        ...(bad as object),
      });
    expect(make).toThrow(TypeError);
    expect(make).toThrow(message);
  });
});
