import { detect, occurrenceKey } from '../../src/core/detect.js';
import { projectPod, type PodState } from '../../src/core/pod.js';
import { SimCluster, pods, seededRandom } from '../../src/sim/index.js';
import { metricValue, podWatchRig, waitFor } from '../unit/kube-helpers.js';

/**
 * The promise of the watch: whatever the connection does (drops, stalls, 410s, 500s, 429s), every
 * failure a pod goes through reaches detect() exactly once. Each round changes each chosen pod once
 * and waits until the watch's view has caught up with the cluster; the script keeps the ground truth
 * (which failures it caused) independently of the watch.
 */
type Phase = 'creating' | 'running' | 'crash' | 'pull';
interface ScriptPod {
  ns: string;
  name: string;
  uid: string;
  image: string;
  restarts: number;
  phase: Phase;
}

const ROUNDS = 100;
const PER_ROUND = 25;
const PODS = 60;

test('thousands of transitions under random drops, stalls, expiries, 500s and 429s: every failure seen exactly once', async () => {
  const rnd = seededRandom(20260101);
  const sim = new SimCluster({ historySize: 20 });
  const rig = await podWatchRig({
    sim,
    server: { bookmarkMs: 25, faults: { seed: 7, dropRate: 0.02, stallRate: 0.01, expireRate: 0.02, errorRate: 0.05, throttleRate: 0.03, retryAfterSeconds: 0 } },
    watch: { watchdogMs: 120, backoff: { initialMs: 5, maxMs: 50 }, random: seededRandom(3), timeoutSeconds: { min: 1, max: 2 } },
  });

  try {
    const script: ScriptPod[] = [];
    const expected: string[] = [];
    let serial = 0;
    const newPod = (): ScriptPod => {
      const ns = `team-${serial % 4}`;
      const dep = `svc-${serial % 9}`;
      const created = sim.apply(pods.deploymentPod({ namespace: ns, deployment: dep, suffix: `p${String(serial++).padStart(4, '0')}` }));
      const meta = created.metadata as { name: string; uid: string };
      return { ns, name: meta.name, uid: meta.uid, image: `registry.example.com/${dep}:1.0.0`, restarts: 0, phase: 'creating' };
    };
    for (let i = 0; i < PODS; i++) script.push(newPod());

    const seen = new Map<string, PodState>();
    const delivered: string[] = [];
    rig.watch.start();
    const origOnChange = rig.changes;
    // Replay what the rig recorded into detect(); the rig pushes into `changes` synchronously.
    let consumed = 0;
    const drain = () => {
      for (; consumed < origOnChange.length; consumed++) {
        const c = origOnChange[consumed]!;
        if (c.type === 'DELETED') {
          seen.delete(c.prev?.uid ?? c.next!.uid);
          continue;
        }
        for (const f of detect(c.prev, c.next!)) delivered.push(occurrenceKey(f));
        seen.set(c.next!.uid, c.next!);
      }
    };
    /** The watch has caught up when its latest view of every pod equals the cluster's. */
    const caughtUp = () => {
      drain();
      const truth = sim.list('pods');
      if (truth.length !== seen.size) return false;
      for (const p of truth) {
        const want = projectPod(p)!;
        const got = seen.get(want.uid);
        if (!got || JSON.stringify(got) !== JSON.stringify(want)) return false;
      }
      return true;
    };

    const status = (p: ScriptPod) => {
      const c = { name: 'app', image: p.image, restartCount: p.restarts };
      switch (p.phase) {
        case 'creating':
          return pods.podStatus([pods.creating(c)], Date.now(), 'Pending');
        case 'running':
          return pods.podStatus([pods.running(c, p.restarts > 0 ? { reason: 'Error', exitCode: 1 } : undefined)]);
        case 'crash':
          return pods.podStatus([pods.crashLoop(c)]);
        case 'pull':
          return pods.podStatus([pods.imagePullBackOff(c)], Date.now(), 'Pending');
      }
    };
    const fail = (p: ScriptPod, reason: string) => expected.push(`${p.uid}\u0000app\u0000${reason}\u0000${p.restarts}`);

    let transitions = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const chosen = new Set<number>();
      while (chosen.size < PER_ROUND) chosen.add(Math.floor(rnd() * script.length));
      for (const i of chosen) {
        const p = script[i]!;
        const r = rnd();
        if (r < 0.04) {
          // The ReplicaSet replaces the pod: a new uid, a fresh start.
          sim.delete(p.ns, p.name);
          script[i] = newPod();
        } else if (p.phase === 'crash') {
          if (r < 0.55) {
            p.restarts++;
            fail(p, 'Error'); // a crash named by its cause, seen in CrashLoopBackOff
          } else p.phase = 'running';
          sim.patchStatus(p.ns, p.name, status(p));
        } else if (p.phase === 'pull') {
          p.phase = r < 0.6 ? 'running' : 'creating';
          sim.patchStatus(p.ns, p.name, status(p));
        } else if (r < 0.45) {
          p.phase = 'crash';
          p.restarts++;
          fail(p, 'Error'); // a crash named by its cause, seen in CrashLoopBackOff
          sim.patchStatus(p.ns, p.name, status(p));
        } else if (r < 0.6) {
          p.phase = 'pull';
          fail(p, 'ImagePullBackOff');
          sim.patchStatus(p.ns, p.name, status(p));
        } else {
          p.phase = 'running';
          sim.patchStatus(p.ns, p.name, status(p));
        }
        transitions++;
      }
      await waitFor(`the watch to catch up after round ${round}`, caughtUp, 5000);
    }
    drain();
    if (process.env.PODBELL_DEBUG) console.log(rig.server.stats, expected.length);

    expect(transitions).toBe(ROUNDS * PER_ROUND);
    expect(expected.length).toBeGreaterThan(800);
    // None missed, none counted twice.
    expect([...delivered].sort()).toEqual([...expected].sort());
    // And the faults really happened, and the watch really went through each kind of recovery.
    const s = rig.server.stats;
    expect({ drops: s.drops > 0, stalls: s.stalls > 0, expiries: s.expiries > 0, errors: s.errors > 0, throttles: s.throttles > 0, gone: s.gone > 0 }).toEqual({
      gone: true,
      drops: true,
      stalls: true,
      expiries: true,
      errors: true,
      throttles: true,
    });
    for (const reason of ['expired', 'watchdog', 'error', 'throttled']) {
      expect([reason, (await metricValue(rig.registry, 'podbell_watch_restarts_total', { reason })) > 0]).toEqual([reason, true]);
    }
    expect(await metricValue(rig.registry, 'podbell_watch_events_total', { type: 'RELIST_DELETED' }) + (await metricValue(rig.registry, 'podbell_watch_events_total', { type: 'DELETED' }))).toBeGreaterThan(0);
  } finally {
    // Also on failure: a listening server would keep jest from exiting.
    await rig.close();
  }
}, 30_000);
