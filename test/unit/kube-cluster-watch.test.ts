import { Registry } from 'prom-client';
import { systemClock } from '../../src/clock.js';
import type { NamespaceState } from '../../src/core/mute.js';
import type { PodState } from '../../src/core/pod.js';
import type { Change } from '../../src/adapters/kube/types.js';
import { ClusterWatch, namespaceScopes, podScopes, projectNamespace } from '../../src/adapters/kube/cluster-watch.js';
import { SimCluster, pods, simKubeConfig, startSimServer } from '../../src/sim/index.js';
import { capturingLogger, waitFor } from './kube-helpers.js';

test.each([
  [[], [{}], [{}]],
  [['shop', 'pay', 'shop'], [{ namespace: 'shop' }, { namespace: 'pay' }], [{ fieldSelector: 'metadata.name=shop' }, { fieldSelector: 'metadata.name=pay' }]],
])('WATCH_NAMESPACES=%j -> pod scopes %j, namespace scopes %j', (namespaces, podWant, nsWant) => {
  expect(podScopes(namespaces)).toEqual(podWant);
  expect(namespaceScopes(namespaces)).toEqual(nsWant);
});

test.each([
  [{ metadata: { name: 'shop', annotations: { 'podbell.io/mute': 'true', 'other/x': 'y' } } }, { name: 'shop', annotations: { 'podbell.io/mute': 'true' } }],
  [{ metadata: { name: 'plain' } }, { name: 'plain' }],
  [{ metadata: {} }, undefined],
  [null, undefined],
])('projectNamespace(%j) keeps only the name and podbell annotations', (raw, want) => {
  expect(projectNamespace(raw)).toEqual(want);
});

test('with WATCH_NAMESPACES only those namespaces and their pods are seen, and synced waits for every watch', async () => {
  const sim = new SimCluster();
  for (const ns of ['shop', 'pay', 'other']) sim.apply(pods.barePod(ns, `${ns}-pod`));
  const server = await startSimServer({ cluster: sim });
  const podChanges: Change<PodState>[] = [];
  const nsChanges: Change<NamespaceState>[] = [];
  let syncedCalls = 0;
  let podsAtSync = -1;
  const watch = new ClusterWatch({
    kubeConfig: simKubeConfig({ url: server.url }),
    namespaces: ['shop', 'pay'],
    clock: systemClock,
    log: capturingLogger().log,
    registry: new Registry(),
    onPod: (c) => void podChanges.push(c),
    onNamespace: (c) => void nsChanges.push(c),
    onSynced: () => {
      syncedCalls++;
      podsAtSync = podChanges.length;
    },
  });
  watch.start();
  try {
    await waitFor('synced', () => watch.synced);
    expect(podsAtSync).toBe(2);
    expect(podChanges.map((c) => c.next!.name).sort()).toEqual(['pay-pod', 'shop-pod']);
    expect(nsChanges.map((c) => c.next!.name).sort()).toEqual(['pay', 'shop']);
    sim.setNamespace('shop', { 'podbell.io/mute': 'true' });
    sim.setNamespace('other', { 'podbell.io/mute': 'true' });
    sim.apply(pods.barePod('other', 'ignored'));
    sim.apply(pods.barePod('pay', 'pay-2'));
    await waitFor('pay-2', () => podChanges.some((c) => c.next?.name === 'pay-2'));
    await waitFor('shop muted', () => nsChanges.some((c) => c.type === 'MODIFIED'));
    expect(nsChanges.filter((c) => c.type === 'MODIFIED').map((c) => [c.prev?.annotations, c.next?.annotations])).toEqual([[undefined, { 'podbell.io/mute': 'true' }]]);
    expect(podChanges.some((c) => c.next?.namespace === 'other')).toBe(false);
    expect(syncedCalls).toBe(1);
  } finally {
    await watch.stop();
    await server.close();
  }
});
