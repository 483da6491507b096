import { VirtualClock } from '../../src/clock.js';
import { SimCluster, pods } from '../../src/sim/index.js';
import { jsonPatch, mergePatch, strategicMerge } from '../../src/sim/patch.js';
import { fieldSelector, labelSelector } from '../../src/sim/selectors.js';
import { humanAge, podStatusText } from '../../src/sim/table.js';

type Obj = Record<string, unknown>;
const meta = (o: Obj | undefined) => (o?.metadata ?? {}) as Record<string, unknown>;

describe('SimCluster store', () => {
  test('sets uid, creationTimestamp, resourceVersion and generation like the API server, and bumps rv on every write', () => {
    const clock = new VirtualClock(Date.parse('2026-03-01T10:00:00.700Z'));
    const sim = new SimCluster({ clock });
    const a = sim.apply(pods.barePod('shop', 'a'));
    expect(meta(a)).toMatchObject({ name: 'a', namespace: 'shop', creationTimestamp: '2026-03-01T10:00:00Z', generation: 1 });
    expect(meta(a).uid).toMatch(/^[0-9a-f-]{36}$/);
    const rv1 = meta(a).resourceVersion as string;
    const b = sim.patchStatus('shop', 'a', { phase: 'Running' });
    expect(meta(b).uid).toBe(meta(a).uid);
    expect(meta(b).resourceVersion).not.toBe(rv1);
    expect(meta(b).generation).toBe(1); // status changes do not bump generation
    expect(sim.get('namespaces', undefined, 'shop')).toBeDefined(); // created on demand
    expect(sim.resourceVersion).toBe(meta(b).resourceVersion);
  });

  test('a write that changes nothing keeps the resourceVersion and sends no event, like the real server', () => {
    const sim = new SimCluster();
    sim.apply(pods.barePod('default', 'a'));
    const st = sim.patchStatus('default', 'a', { phase: 'Running' });
    const events: string[] = [];
    sim.subscribe((e) => events.push(e.type));
    const again = sim.patchStatus('default', 'a', { phase: 'Running' });
    expect(meta(again).resourceVersion).toBe(meta(st).resourceVersion);
    expect(events).toEqual([]);
  });

  test('objects handed out are copies: changing them does not change the store', () => {
    const sim = new SimCluster();
    const a = sim.apply(pods.barePod('default', 'a'));
    (a.metadata as Obj).name = 'hacked';
    expect(meta(sim.get('pods', 'default', 'a'))).toMatchObject({ name: 'a' });
  });

  test.each([
    ['within history', 5, false],
    ['older than history', 50, true],
  ])('since(rv) %s -> expired=%s', (_what, back, expired) => {
    const sim = new SimCluster({ historySize: 10 });
    for (let i = 0; i < 40; i++) sim.apply(pods.barePod('default', `p${i}`));
    const rv = Number(sim.resourceVersion) - back;
    const r = sim.since(rv);
    expect(r === 'expired').toBe(expired);
    if (r !== 'expired') expect(r.map((e) => e.rv)).toEqual(Array.from({ length: back }, (_, i) => rv + 1 + i));
  });

  test('compact() makes every older resourceVersion expire', () => {
    const sim = new SimCluster();
    const rv = Number(sim.resourceVersion);
    sim.apply(pods.barePod('default', 'a'));
    sim.compact();
    expect(sim.since(rv)).toBe('expired');
    expect(sim.since(Number(sim.resourceVersion))).toEqual([]);
  });

  test('PUT with a stale resourceVersion is a 409 Conflict; the main resource never changes status', () => {
    const sim = new SimCluster();
    const a = sim.apply(pods.barePod('default', 'a'));
    sim.patchStatus('default', 'a', { phase: 'Running' });
    expect(() => sim.replace('pods', 'default', 'a', a)).toThrow(/has been modified/);
    const cur = sim.get('pods', 'default', 'a')!;
    const next = sim.replace('pods', 'default', 'a', { ...cur, status: { phase: 'Failed' }, metadata: { ...meta(cur), labels: { x: 'y' } } });
    expect(next.status).toEqual(expect.objectContaining({ phase: 'Running' }));
    expect(meta(next).labels).toEqual({ x: 'y' });
  });

  test('deleting a namespace deletes its pods, each with a DELETED event', () => {
    const sim = new SimCluster();
    sim.apply(pods.barePod('gone', 'a'));
    sim.apply(pods.barePod('gone', 'b'));
    const seen: string[] = [];
    sim.subscribe((e) => seen.push(`${e.type} ${e.resource} ${String(meta(e.object).name)}`));
    sim.remove('namespaces', undefined, 'gone');
    expect(seen).toEqual(['DELETED pods a', 'DELETED pods b', 'DELETED namespaces gone']);
  });

  test('a Deployment pod resolves to its Deployment through the ReplicaSet owner and pod-template-hash', () => {
    const p = pods.deploymentPod({ namespace: 'shop', deployment: 'checkout', hash: '7d9f8b6c5d', suffix: 'x2k4q' });
    expect(meta(p)).toMatchObject({ name: 'checkout-7d9f8b6c5d-x2k4q', labels: { app: 'checkout', 'pod-template-hash': '7d9f8b6c5d' } });
    expect((meta(p).ownerReferences as Obj[])[0]).toMatchObject({ kind: 'ReplicaSet', name: 'checkout-7d9f8b6c5d', controller: true });
  });
});

describe('selectors', () => {
  const o = (labels: Record<string, string>, extra: Obj = {}) => ({ metadata: { name: 'web', namespace: 'shop', labels }, spec: { nodeName: 'node-1' }, status: { phase: 'Running' }, ...extra });
  test.each([
    ['app=web', { app: 'web' }, true],
    ['app==web', { app: 'web' }, true],
    ['app!=web', { app: 'web' }, false],
    ['app!=web', {}, true],
    ['env in (prod, staging)', { env: 'staging' }, true],
    ['env in (prod)', {}, false],
    ['env notin (prod)', { env: 'dev' }, true],
    ['env notin (prod)', {}, true],
    ['tier', { tier: 'x' }, true],
    ['!tier', { tier: 'x' }, false],
    ['app=web,env in (a,b),!canary', { app: 'web', env: 'b' }, true],
  ])('labelSelector %s on %j -> %s', (sel, labels, want) => {
    expect(labelSelector(sel)(o(labels))).toBe(want);
  });

  test.each([
    ['metadata.name=web', true],
    ['metadata.name!=web', false],
    ['metadata.namespace=shop,status.phase=Running', true],
    ['spec.nodeName=node-2', false],
    ['status.phase!=Pending', true],
  ])('fieldSelector %s -> %s', (sel, want) => {
    expect(fieldSelector(sel)(o({}))).toBe(want);
  });

  test('an unsupported field is a 400 naming the field', () => {
    expect(() => fieldSelector('spec.restartPolicy=Always')).toThrow('field label not supported: spec.restartPolicy');
  });
});

describe('patches', () => {
  const pod = () => ({
    metadata: { name: 'web', labels: { app: 'web', keep: 'me' } },
    status: {
      containerStatuses: [
        { name: 'app', restartCount: 1, state: { running: {} } },
        { name: 'sidecar', restartCount: 0, state: { running: {} } },
      ],
    },
  });

  test.each([
    ['merge patch: null deletes a key, lists replace', mergePatch, { metadata: { labels: { keep: null, x: 'y' } } }, { app: 'web', x: 'y' }],
    ['strategic merge: same for maps', strategicMerge, { metadata: { labels: { keep: null } } }, { app: 'web' }],
  ])('%s', (_what, fn, patch, labels) => {
    expect(((fn(pod(), patch) as Obj).metadata as Obj).labels).toEqual(labels);
  });

  test('strategic merge merges containerStatuses by name and drops $setElementOrder directives', () => {
    const out = strategicMerge(pod(), {
      status: { $setElementOrder: [{ name: 'app' }], containerStatuses: [{ name: 'app', restartCount: 2 }, { name: 'new', restartCount: 0 }] },
    }) as { status: { containerStatuses: { name: string; restartCount: number }[] } & Obj };
    expect(out.status.containerStatuses.map((c) => `${c.name}:${c.restartCount}`)).toEqual(['app:2', 'sidecar:0', 'new:0']);
    expect(Object.keys(out.status)).toEqual(['containerStatuses']);
  });

  test('strategic merge honours $patch: delete on a list element', () => {
    const out = strategicMerge(pod(), { status: { containerStatuses: [{ name: 'sidecar', $patch: 'delete' }] } }) as { status: { containerStatuses: { name: string }[] } };
    expect(out.status.containerStatuses.map((c) => c.name)).toEqual(['app']);
  });

  test.each([
    ['add', [{ op: 'add', path: '/metadata/labels/tier', value: 'front' }], { app: 'web', keep: 'me', tier: 'front' }],
    ['remove', [{ op: 'remove', path: '/metadata/labels/keep' }], { app: 'web' }],
    ['replace', [{ op: 'replace', path: '/metadata/labels/app', value: 'api' }], { app: 'api', keep: 'me' }],
    ['move', [{ op: 'move', from: '/metadata/labels/keep', path: '/metadata/labels/kept' }], { app: 'web', kept: 'me' }],
    ['test then add', [{ op: 'test', path: '/metadata/labels/app', value: 'web' }, { op: 'add', path: '/metadata/labels/a~1b', value: '1' }], { app: 'web', keep: 'me', 'a/b': '1' }],
  ])('json patch %s', (_what, ops, labels) => {
    expect(((jsonPatch(pod(), ops) as Obj).metadata as Obj).labels).toEqual(labels);
  });

  test.each([
    ['a failed test', [{ op: 'test', path: '/metadata/name', value: 'other' }], /test failed at \/metadata\/name/],
    ['a missing path', [{ op: 'remove', path: '/spec/nothing' }], /does not exist/],
    ['an unknown op', [{ op: 'frobnicate', path: '/x' }], /unknown op/],
  ])('json patch with %s is refused with a message naming it', (_what, ops, message) => {
    expect(() => jsonPatch(pod(), ops)).toThrow(message);
  });
});

describe('kubectl columns', () => {
  const st = (containerStatuses: Obj[], extra: Obj = {}) => ({ metadata: {}, status: { phase: 'Running', containerStatuses, ...extra } });
  test.each([
    ['running', st([pods.running({ name: 'app', image: 'i' })]), 'Running'],
    ['crash loop', st([pods.crashLoop({ name: 'app', image: 'i', restartCount: 3 })]), 'CrashLoopBackOff'],
    ['OOMKilled', st([pods.oomKilled({ name: 'app', image: 'i', restartCount: 1 })]), 'OOMKilled'],
    ['image pull', st([pods.imagePullBackOff({ name: 'app', image: 'nope' })]), 'ImagePullBackOff'],
    ['first container wins', st([pods.crashLoop({ name: 'a', image: 'i' }), pods.imagePullBackOff({ name: 'b', image: 'i' })]), 'CrashLoopBackOff'],
    ['exit code without reason', st([{ name: 'a', state: { terminated: { exitCode: 2 } } }]), 'ExitCode:2'],
    ['evicted', { metadata: {}, status: pods.evictedStatus() }, 'Evicted'],
    ['terminating', { metadata: { deletionTimestamp: '2026-01-01T00:00:00Z' }, status: { phase: 'Running' } }, 'Terminating'],
  ])('STATUS of a %s pod is %s', (_what, pod, want) => {
    expect(podStatusText(pod as Obj)).toBe(want);
  });

  test.each([
    [45_000, '45s'],
    [200_000, '3m20s'],
    [12 * 60_000, '12m'],
    [5 * 3_600_000 + 3 * 60_000, '5h3m'],
    [30 * 3_600_000, '30h'],
    [76 * 3_600_000, '3d4h'],
    [200 * 86_400_000, '200d'],
    [3 * 365 * 86_400_000, '3y'],
  ])('AGE of %i ms is %s', (ms, want) => {
    expect(humanAge(ms)).toBe(want);
  });
});
