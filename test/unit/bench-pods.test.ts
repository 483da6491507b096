import { benchPod, crashLoopStatus, healthyStatus, replicaSuffix } from '../../bench/pods.js';
import { detect, isFailing } from '../../src/core/detect.js';
import { projectPod } from '../../src/core/pod.js';

const AT = Date.parse('2026-11-22T09:00:00Z');
const pod = (replica = 0) => benchPod({ namespace: 'shop-01', deployment: 'svc-00001', replica, at: AT });

// The benchmarks are only as honest as their pods: real-sized, real-shaped, and judged as podbell judges real ones.
describe('benchmark pods', () => {
  test('are 4-8 KB of JSON like pods a real API server returns, managedFields and all', () => {
    const p = pod();
    const bytes = JSON.stringify(p).length;
    expect(bytes).toBeGreaterThanOrEqual(4096);
    expect(bytes).toBeLessThanOrEqual(8192);
    const meta = p.metadata as { managedFields?: { manager: string }[] };
    expect(meta.managedFields?.map((m) => m.manager)).toEqual(['kube-controller-manager', 'kubelet']);
    const spec = p.spec as { containers: { env: unknown[]; volumeMounts: unknown[] }[]; volumes: unknown[] };
    expect(spec.containers[0]!.env.length).toBeGreaterThanOrEqual(10);
    expect(spec.volumes.length).toBeGreaterThanOrEqual(3);
    expect((p.status as { conditions: unknown[] }).conditions.length).toBeGreaterThanOrEqual(4);
  });

  test('are plain ASCII, as Kubernetes objects nearly always are (a stray non-ASCII byte changes decoding costs)', () => {
    expect(/^[\x20-\x7e]*$/.test(JSON.stringify(pod()))).toBe(true);
  });

  test('healthy pods project to a running Deployment pod that is not failing', () => {
    const s = projectPod(pod())!;
    expect(s.workload).toEqual({ kind: 'Deployment', name: 'svc-00001' });
    expect(s.containers.map((c) => [c.name, c.state])).toEqual([['app', 'running']]);
    expect(isFailing(s)).toBe(false);
    const churned = projectPod({ ...pod(), status: healthyStatus('svc-00001', AT + 60_000) })!;
    expect(detect(s, churned, { now: AT })).toEqual([]);
  });

  test('the injected failure is one crash of the app container, seen in CrashLoopBackOff', () => {
    const before = projectPod(pod())!;
    const after = projectPod({ ...pod(), status: crashLoopStatus('svc-00001', AT) })!;
    expect(detect(before, after, { now: AT }).map((f) => [f.container, f.reason])).toEqual([['app', 'Error']]);
  });

  test.each([
    [0, 'bbbbb'],
    [1, 'bbbbc'],
    [27, 'bbbcb'],
  ])('replica %i gets the unique pod name suffix %s', (n, suffix) => {
    expect(replicaSuffix(n)).toBe(suffix);
  });

  test('50,000 replicas get 50,000 distinct pod names', () => {
    const names = new Set<string>();
    for (let i = 0; i < 50_000; i++) names.add(replicaSuffix(i));
    expect(names.size).toBe(50_000);
  });
});
