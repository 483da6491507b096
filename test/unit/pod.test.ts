import { describe, expect, test } from '@jest/globals';
import { projectPod, type PodState } from '../../src/core/pod.js';
import { editPod, loadPod, podFixtureNames } from '../fixtures/pods.js';

const project = (raw: unknown, maxMessage?: number): PodState => {
  const p = projectPod(raw, maxMessage === undefined ? undefined : { maxMessage });
  if (!p) throw new Error('did not project');
  return p;
};

describe('projectPod', () => {
  test('a crash-looping Deployment pod: the whole projection', () => {
    expect(project(loadPod('crashloop-backoff'))).toEqual({
      uid: expect.stringMatching(/^[0-9a-f-]{36}$/),
      namespace: 'shop',
      name: 'checkout-7d9f8b6c5d-x2k4q',
      node: 'node-2',
      phase: 'Running',
      restartPolicy: 'Always',
      workload: { kind: 'Deployment', name: 'checkout' },
      containers: [
        {
          name: 'app',
          kind: 'container',
          image: 'registry.example.com/shop/checkout:v1.42.0',
          restartCount: 5,
          state: 'waiting',
          reason: 'CrashLoopBackOff',
          message: expect.stringMatching(/^back-off 2m40s restarting failed container=app/),
          last: { reason: 'Error', exitCode: 1, message: expect.stringMatching(/^Error: connect ECONNREFUSED/) },
        },
      ],
    });
  });

  test('a healthy container that restarted long ago keeps no lastState (memory: it is never read)', () => {
    expect(project(loadPod('restarted-long-ago')).containers[0]).toEqual({
      name: 'app',
      kind: 'container',
      image: 'registry.example.com/shop/checkout:v1.42.0',
      restartCount: 7,
      state: 'running',
    });
  });

  test('a running container keeps an OOMKilled lastState with its finish time', () => {
    expect(project(loadPod('oomkilled-last-running')).containers[0]?.last).toEqual({
      reason: 'OOMKilled',
      exitCode: 137,
      finishedAt: Date.parse('2026-11-21T09:11:58Z'),
    });
  });

  test('unparseable timestamps are left out, not NaN', () => {
    const c = project(loadPod('bad-timestamps')).containers[0];
    expect(c?.last).toEqual({ reason: 'OOMKilled', exitCode: 137 });
  });

  test.each([
    ['init-crashloop', ['init:wait-for-db', 'container:app']],
    ['sidecar-running', ['sidecar:istio-proxy', 'container:app']],
    ['ephemeral-err-image-pull', ['container:app', 'ephemeral:debugger-7xk2q']],
    ['two-containers-failing', ['container:app', 'container:metrics']],
    ['pending-unschedulable', []],
    ['no-container-statuses', []],
  ])('%s: container kinds %j', (name, kinds) => {
    expect(project(loadPod(name)).containers.map((c) => `${c.kind}:${c.name}`)).toEqual(kinds);
  });

  test('messages are capped at 1024 characters by default, keeping their END (the error), with an ellipsis; check can keep them whole', () => {
    const raw = loadPod('long-termination-message');
    const full: string = raw.status.containerStatuses[0].lastState.terminated.message;
    expect(full.length).toBeGreaterThan(2000);
    const capped = project(raw).containers[0]?.last?.message;
    expect(capped).toHaveLength(1024);
    expect(capped?.startsWith('…')).toBe(true);
    expect(capped?.endsWith('RuntimeError: <!channel> config /etc/agent/agent.yaml invalid')).toBe(true);
    expect(project(raw, Infinity).containers[0]?.last?.message).toBe(full);
  });

  test('status.message is kept only for Failed pods', () => {
    expect(project(loadPod('evicted')).message).toMatch(/^The node was low on resource: memory/);
    const pending = editPod('pending-unschedulable', (p) => (p.status.message = 'some scheduler note'));
    expect(project(pending).message).toBeUndefined();
  });

  test('a pod being deleted is marked terminating', () => {
    expect(project(loadPod('deleting-job-pod')).terminating).toBe(true);
    expect(project(loadPod('healthy')).terminating).toBeUndefined();
  });

  test('only podbell.io/* and kube-slack/* string annotations are kept', () => {
    const raw = editPod('healthy', (p) => {
      p.metadata.annotations = {
        'kubectl.kubernetes.io/last-applied-configuration': '{"big":"blob"}',
        'podbell.io/ignore': 'true',
        'kube-slack/slack-channel': '#payments',
        'podbell.io/odd': 42,
      };
    });
    expect(project(raw).annotations).toEqual({ 'podbell.io/ignore': 'true', 'kube-slack/slack-channel': '#payments' });
    expect(project(loadPod('healthy')).annotations).toBeUndefined();
  });

  test('the image comes from the spec when the status has none', () => {
    const raw = editPod('init-crashloop', (p) => {
      delete p.status.initContainerStatuses[0].image;
      delete p.status.containerStatuses[0].image;
    });
    expect(project(raw).containers.map((c) => c.image)).toEqual(['busybox:1.36', 'registry.example.com/shop/checkout:v1.42.0']);
  });

  test('hand-written input without uid or namespace: uid is namespace/name, namespace is default', () => {
    const p = project(loadPod('no-uid-no-namespace'));
    expect([p.uid, p.namespace, p.name]).toEqual(['default/scratch', 'default', 'scratch']);
  });

  test('terminated wins when a status (wrongly) has both waiting and terminated', () => {
    const raw = editPod('oomkilled-terminated', (p) => (p.status.containerStatuses[0].state.waiting = { reason: 'ContainerCreating' }));
    expect(project(raw).containers[0]).toMatchObject({ state: 'terminated', reason: 'OOMKilled', exitCode: 137 });
  });

  test.each([
    ['null', null],
    ['a number', 42],
    ['a string', 'pod'],
    ['an array', []],
    ['an empty object', {}],
    ['metadata null', { metadata: null }],
    ['metadata without name', { metadata: { uid: 'u1', namespace: 'x' } }],
    ['name not a string', { metadata: { name: 7 } }],
    ['the no-metadata fixture', loadPod('no-metadata')],
    [
      'an object whose getter throws',
      {
        get metadata(): unknown {
          throw new Error('boom');
        },
      },
    ],
  ])('%s cannot be tracked: undefined, no exception', (_name, raw) => {
    expect(projectPod(raw)).toBeUndefined();
  });

  const unnamed = ['no-metadata', 'status-only-evicted'];
  test.each(podFixtureNames.filter((n) => !unnamed.includes(n)))('%s projects', (name) => {
    expect(projectPod(loadPod(name))).toBeDefined();
  });

  test.each(unnamed)('%s (no name) projects for podbell check, with an empty name and uid', (name) => {
    expect(projectPod(loadPod(name))).toBeUndefined();
    expect(projectPod(loadPod(name), { unnamed: true })).toMatchObject({ name: '', uid: '', namespace: 'default' });
  });

  test('conditions: only what stuck-pod detection reads, and only for Pending pods (running pods keep none)', () => {
    expect(project(loadPod('healthy')).conditions).toBeUndefined();
    expect(project(loadPod('pending-unschedulable')).conditions).toEqual({
      unschedulableSince: Date.parse('2026-11-21T09:00:30Z'),
      unschedulableMessage: expect.stringMatching(/^0\/3 nodes are available/),
    });
    expect(project(loadPod('container-creating-mount')).conditions).toEqual({ scheduledSince: Date.parse('2026-11-21T09:12:30Z'), notStartedMessage: 'containers with unready status: [app]' });
    expect(project(loadPod('disruption-drain')).conditions).toEqual({ disruption: true });
    expect(project(loadPod('evicted-node-pressure')).conditions).toBeUndefined();
  });

  test('a healthy two-container pod projects to a few hundred bytes (50,000 pods must fit in ~150 MiB)', () => {
    // Serialised size is a proxy for heap: measured ~760 B of heap per such pod with node --expose-gc.
    expect(JSON.stringify(project(loadPod('sidecar-running'))).length).toBeLessThan(500);
  });
});
