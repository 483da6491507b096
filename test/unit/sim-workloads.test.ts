import { VirtualClock } from '../../src/clock.js';
import { detect } from '../../src/core/detect.js';
import { projectPod, type PodState } from '../../src/core/pod.js';
import { SimCluster, SimDeployment } from '../../src/sim/index.js';

/** Scripted workloads produce the statuses detection is built for, step by step like a kubelet. */
function rig() {
  const clock = new VirtualClock(Date.parse('2026-05-01T09:00:00Z'));
  const sim = new SimCluster({ clock });
  const dep = new SimDeployment(sim, { namespace: 'shop', name: 'checkout', replicas: 2 }, clock);
  const state = (i: number): PodState => projectPod(sim.get('pods', 'shop', dep.pods[i]!.name))!;
  /** The container status exactly as stored (what kubectl and the watch see on the wire). */
  const raw = (i: number) => (sim.get('pods', 'shop', dep.pods[i]!.name)!.status as { containerStatuses: Record<string, unknown>[] }).containerStatuses[0]!;
  return { clock, sim, dep, state, raw };
}

test('a deployment starts Running and ready, owned by its Deployment', () => {
  const { dep, state, raw } = rig();
  expect(dep.pods.map((p) => p.name)).toEqual([expect.stringMatching(/^checkout-\w{10}-\w{5}$/), expect.stringMatching(/^checkout-\w{10}-\w{5}$/)]);
  expect(state(0)).toMatchObject({ phase: 'Running', workload: { kind: 'Deployment', name: 'checkout' }, containers: [{ name: 'app', state: 'running', restartCount: 0 }] });
  expect(raw(0)).toMatchObject({ ready: true, started: true, state: { running: {} } });
});

test.each([
  ['crash', (d: SimDeployment) => d.crash([0]), [['Error', 1]]],
  ['crash twice', (d: SimDeployment) => (d.crash([0]), d.crash([0])), [['Error', 2]]],
  ['image pull', (d: SimDeployment) => d.imagePull([0]), [['ImagePullBackOff', 0]]],
  ['crash then recover', (d: SimDeployment) => (d.crash([0]), d.recover([0])), []],
  ['starting', (d: SimDeployment) => d.starting([0]), []],
])('%s: detect(before, after) finds exactly the expected failures', (_what, act, want) => {
  const { dep, state } = rig();
  const before = state(0);
  act(dep);
  expect(detect(before, state(0)).map((f) => [f.reason, f.restartCount])).toEqual(want);
  expect(detect(state(1), state(1))).toEqual([]); // the other replica is untouched
});

test('recovery keeps lastState and restartCount, as a kubelet reports it', () => {
  const { dep, raw } = rig();
  dep.crash([1], 2);
  dep.recover([1]);
  expect(raw(1)).toMatchObject({ ready: true, restartCount: 1, state: { running: {} }, lastState: { terminated: { reason: 'Error', exitCode: 2 } } });
});

test('OOM kill shows terminated OOMKilled with exit 137', () => {
  const { dep, state } = rig();
  dep.oom([0]);
  expect(state(0).containers[0]).toMatchObject({ state: 'terminated', reason: 'OOMKilled', exitCode: 137 });
});

test('eviction marks the pod Failed/Evicted', () => {
  const { dep, state } = rig();
  dep.evict([0]);
  expect(state(0)).toMatchObject({ phase: 'Failed', reason: 'Evicted' });
});

test('a pod index that does not exist is a RangeError naming the deployment', () => {
  const { dep } = rig();
  expect(() => dep.crash([5])).toThrow('SimDeployment checkout: no pod at index 5 (it has 2)');
});
