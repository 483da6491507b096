import { projectPod } from '../../src/core/pod.js';
import { ValuePool } from '../../src/core/pool.js';
import { pods } from '../../src/sim/index.js';

describe('ValuePool', () => {
  test('hands back the first ref equal to the one given, per kind and name', () => {
    const pool = new ValuePool();
    const first = pool.workload({ kind: 'Deployment', name: 'checkout' });
    expect(pool.workload({ kind: 'Deployment', name: 'checkout' })).toBe(first);
    expect(pool.workload({ kind: 'StatefulSet', name: 'checkout' })).not.toBe(first);
    expect(pool.workload({ kind: 'StatefulSet', name: 'checkout' })).toEqual({ kind: 'StatefulSet', name: 'checkout' });
    expect(pool.string('registry.example.com/shop/checkout:2.14.3')).toBe('registry.example.com/shop/checkout:2.14.3');
  });

  test('is bounded: past max entries a table starts over instead of growing', () => {
    const pool = new ValuePool(2);
    const a = pool.workload({ kind: 'Deployment', name: 'a' });
    pool.workload({ kind: 'Deployment', name: 'b' });
    expect(pool.workload({ kind: 'Deployment', name: 'a' })).toBe(a);
    pool.workload({ kind: 'Deployment', name: 'c' }); // the third entry: the table starts over
    const again = pool.workload({ kind: 'Deployment', name: 'a' });
    expect(again).not.toBe(a);
    expect(again).toEqual(a);
  });

  test.each([0, -1, 1.5, Number.NaN])('max %p is refused at once, naming the option', (max) => {
    expect(() => new ValuePool(max)).toThrow(new TypeError(`ValuePool: max must be a positive integer, got ${String(max)}`));
  });
});

describe('projectPod with a pool', () => {
  const replica = (suffix: string) => pods.deploymentPod({ namespace: 'shop', deployment: 'checkout', suffix, node: 'ip-10-0-12-34.eu-west-1.compute.internal' });

  test('projects exactly what it projects without one', () => {
    const raw = replica('x2k4q');
    expect(projectPod(raw, { pool: new ValuePool() })).toEqual(projectPod(raw));
  });

  test('replicas of one Deployment share one workload ref', () => {
    const pool = new ValuePool();
    const a = projectPod(replica('x2k4q'), { pool })!;
    const b = projectPod(replica('b7wzn'), { pool })!;
    expect(a.name).not.toBe(b.name);
    expect(b.workload).toBe(a.workload);
    expect(b.workload).toEqual({ kind: 'Deployment', name: 'checkout' });
  });
});
