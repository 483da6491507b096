import { SimCluster } from '../../src/sim/index.js';
import { nameSuffix } from '../../src/sim/pods.js';
import { SimDeployment } from '../../src/sim/workloads.js';

describe('generated names in the sim', () => {
  test.each([
    ['checkout-0', 'checkout-1', 5],
    ['batch/etl-10', 'batch/etl-11', 10],
    ['a-very-long-deployment-name-0', 'a-very-long-deployment-name-1', 5],
  ])('seeds that differ only at the end (%s, %s) give different suffixes', (a, b, length) => {
    expect(nameSuffix(a, length)).not.toBe(nameSuffix(b, length));
    expect(nameSuffix(a, length)).toHaveLength(length);
  });

  test('the same seed always gives the same suffix', () => {
    expect(nameSuffix('checkout-0', 5)).toBe(nameSuffix('checkout-0', 5));
  });

  test('a 3-replica Deployment with a long name has 3 distinct pods', () => {
    const sim = new SimCluster();
    const d = new SimDeployment(sim, { namespace: 'shop', name: 'checkout-service', replicas: 3 });
    expect(new Set(d.pods.map((p) => p.name)).size).toBe(3);
    expect(sim.list('pods', 'shop')).toHaveLength(3);
  });
});
