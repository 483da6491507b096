import { Registry } from 'prom-client';
import { LeaseClient } from '../../src/adapters/kube/lease.js';
import { systemClock } from '../../src/clock.js';
import { electionTimes } from '../../src/core/election.js';
import { LeaderElector } from '../../src/leader.js';
import { silentLogger } from '../../src/log.js';
import { SimCluster, simKubeConfig, startSimServer, type SimServer } from '../../src/sim/index.js';
import { waitFor } from '../support/wait.js';
import { capturingLogger } from '../unit/kube-helpers.js';

/** LeaderElector + LeaseClient over real HTTP against the sim: the election as two replicas run it. */
let sim: SimCluster;
let server: SimServer;
const electors: LeaderElector[] = [];

beforeEach(async () => {
  sim = new SimCluster({ namespaces: ['default', 'podbell'] });
  server = await startSimServer({ cluster: sim, token: 'token-of-a', tokens: ['token-of-b'] });
});
afterEach(async () => {
  for (const e of electors.splice(0)) await e.stop(false);
  await server.close();
});

function elector(identity: 'a' | 'b', events: string[], log = silentLogger()) {
  const registry = new Registry();
  const times = electionTimes(6_000, 500);
  const e = new LeaderElector({
    lease: new LeaseClient({ kubeConfig: simKubeConfig({ url: server.url, token: `token-of-${identity}` }), clock: systemClock, namespace: 'podbell', name: 'podbell', timeoutMs: times.renewDeadlineMs }),
    identity,
    times,
    clock: systemClock,
    log,
    registry,
    onStartedLeading: () => events.push(`${identity} leads`),
    onStoppedLeading: (why) => events.push(`${identity} stopped: ${why}`),
  });
  electors.push(e);
  const metric = async (name: string) => (await registry.getSingleMetric(name)!.get()).values[0]?.value;
  return { e, metric };
}

const holder = () => (sim.get('leases', 'podbell', 'podbell')?.spec as { holderIdentity?: string } | undefined)?.holderIdentity;

test('two replicas starting together: exactly one leads (the other create gets 409), the other stands by', async () => {
  const events: string[] = [];
  const a = elector('a', events);
  const b = elector('b', events);
  a.e.start();
  b.e.start();
  await waitFor('a leader', () => events.length > 0);
  // Both keep looking for several renew periods: still one leader, the same one.
  await new Promise((r) => setTimeout(r, 1_500));
  expect(events).toHaveLength(1);
  const leader = events[0]!.split(' ')[0];
  expect(holder()).toBe(leader);
  expect([a.e.leading, b.e.leading].filter(Boolean)).toHaveLength(1);
  expect(await (leader === 'a' ? a : b).metric('podbell_leader')).toBe(1);
  expect(await (leader === 'a' ? b : a).metric('podbell_leader')).toBe(0);
  expect((sim.get('leases', 'podbell', 'podbell')?.spec as { leaseTransitions: number }).leaseTransitions).toBe(0);
});

test('release hands over at the next look; cut off, the new leader stops before the other takes back', async () => {
  const events: string[] = [];
  const a = elector('a', events);
  a.e.start();
  await waitFor('a to lead', () => a.e.leading);
  const b = elector('b', events);
  b.e.start();
  await waitFor('b to see a as the leader', async () => (await b.metric('podbell_leader_transitions_total')) === 0 && holder() === 'a');

  await a.e.stop(true);
  await waitFor('b to lead', () => b.e.leading);
  expect(events).toEqual(['a leads', 'b leads']);
  expect(sim.get('leases', 'podbell', 'podbell')?.spec).toMatchObject({ holderIdentity: 'b', leaseDurationSeconds: 6, leaseTransitions: 1 });
  // a -> b: one change of holder, as b saw it.
  expect(await b.metric('podbell_leader_transitions_total')).toBe(1);

  // b is partitioned: its renews hang; it stops on its own, then a (standing again) takes over.
  const a2 = elector('a', events);
  a2.e.start();
  server.partitions.isolate('token-of-b');
  await waitFor('a to lead again', () => a2.e.leading, 15_000);
  expect(events).toEqual(['a leads', 'b leads', 'b stopped: no renew of the Lease succeeded for 3250 ms', 'a leads']);
  expect(b.e.leading).toBe(false);
  server.partitions.heal('token-of-b');
});

test('no RBAC for the Lease: one error naming the fix (this replica can never send), then leading once it is granted', async () => {
  server.authorize = (a) => a.resource !== 'leases';
  const { log, lines } = capturingLogger();
  const events: string[] = [];
  const a = elector('a', events, log);
  a.e.start();
  await waitFor('the error', () => lines().some((l) => l.msg.includes('refused')));
  // It keeps trying (every second) without repeating itself.
  await waitFor('more attempts', () => server.stats.requests >= 3);
  expect(lines().filter((l) => l.msg.includes('refused'))).toEqual([
    expect.objectContaining({ level: 50, msg: expect.stringContaining('access to the Lease podbell/podbell refused; this replica cannot lead, so it sends nothing. Grant get and update on it and create on leases') }),
  ]);
  expect(events).toEqual([]);
  server.authorize = undefined;
  await waitFor('a to lead', () => a.e.leading);
  expect(lines().map((l) => l.msg)).toContain('leader election: access to the Lease restored');
});
