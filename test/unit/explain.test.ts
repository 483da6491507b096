import { detect } from '../../src/core/detect.js';
import { evidenceOf, explainFailure } from '../../src/core/explain.js';
import { compileNamespacePolicy, compilePodPolicy, logsAllowed } from '../../src/core/mute.js';
import { projectPod, type PodState } from '../../src/core/pod.js';
import { renderParent } from '../../src/core/render.js';
import { editPod, loadPod } from '../fixtures/pods.js';

const pod = (raw: unknown): PodState => projectPod(raw)!;
const only = (p: PodState) => {
  const fs = detect(undefined, p);
  expect(fs).toHaveLength(1);
  return fs[0]!;
};

describe('explainFailure: cause line and which log', () => {
  test('an OOM kill still terminated: its memory limit, the current run', () => {
    const p = pod(loadPod('oomkilled-terminated'));
    expect(p.containers[0]!.memoryLimit).toBe('256Mi');
    const f = explainFailure(p, only(p), [], true);
    expect(f.cause).toBe('out of memory (limit 256Mi)');
    expect(evidenceOf(f)).toMatchObject({ container: 'app', previous: false, logs: true, reason: 'OOMKilled' });
  });

  test('a healthy container keeps no memory limit (memory per pod)', () => {
    expect(pod(loadPod('sidecar-running')).containers.every((c) => c.memoryLimit === undefined)).toBe(true);
  });

  test('crash-looping: the previous run, and the liveness Events explain exit 137', () => {
    const p = pod(loadPod('liveness-137-crashloop'));
    // One crash, named by its cause (Error, exit 137), waiting in back-off.
    const f = only(p);
    expect(f).toMatchObject({ reason: 'Error', exitCode: 137, backOff: true });
    const warnings = [{ reason: 'Unhealthy', count: 12, message: 'Liveness probe failed: HTTP probe failed with statuscode: 500', lastAt: 1 }];
    const e = explainFailure(p, f, warnings, true);
    expect(e.cause).toBe('killed by its liveness probe');
    expect(evidenceOf(e)).toMatchObject({ previous: true, logs: true });
  });

  test.each(['image-pull-backoff', 'create-container-config-error', 'evicted'])('%s never ran: no log fetch', (name) => {
    const p = pod(loadPod(name));
    expect(evidenceOf(explainFailure(p, only(p), [], true)).logs).toBe(false);
  });

  test('podbell.io/logs: "false" on the pod or namespace: no log fetch, the pod wins over its namespace', () => {
    const p = pod(editPod('crashloop-backoff', (x) => (x.metadata.annotations = { 'podbell.io/logs': 'false' })));
    const ns = compileNamespacePolicy({ name: p.namespace, annotations: { 'podbell.io/logs': 'false' } });
    expect(logsAllowed(undefined, compilePodPolicy(p))).toBe(false);
    expect(logsAllowed(ns, undefined)).toBe(false);
    expect(logsAllowed(ns, compilePodPolicy({ ...p, annotations: { 'podbell.io/logs': 'true' } }))).toBe(true);
    expect(logsAllowed(undefined, undefined)).toBe(true);
    const bad = compilePodPolicy({ ...p, annotations: { 'podbell.io/logs': 'nope' } });
    expect(bad.logs).toBe(false);
    expect(bad.problems[0]!.why).toContain('no logs are fetched');
    expect(evidenceOf(explainFailure(p, only(p), [], false)).logs).toBe(false);
  });
});

test('the parent shows the cause line under the counts, escaped, and not once resolved', () => {
  const view = { status: 'open' as const, namespace: 'shop', workload: { kind: 'Deployment', name: 'checkout' }, counts: { OOMKilled: 3 }, podsAffected: 1, restarts: 3, firstSeen: 0, lastSeen: 0, now: 0, cause: 'missing Secret <db>' };
  const open = JSON.stringify(renderParent(view));
  expect(open).toContain('cause: missing Secret &lt;db&gt;');
  expect(JSON.stringify(renderParent({ ...view, status: 'resolved' }))).not.toContain('cause:');
});
