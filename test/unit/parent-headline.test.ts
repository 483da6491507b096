import { backOffMs, CrashLoops, PipelineCluster } from '../support/pipeline-cluster.js';
import { projectPod } from '../../src/core/pod.js';
import { clockTime } from '../../src/core/render.js';
import { deploymentPod } from '../support/replay-pods.js';

// The parent's headline tells the truth over a whole story (issue 14): "N of M" counts the workload's
// live pods, a crash loop stays red until it has run RESOLVE_AFTER without a restart, one-shot
// failures keep their restart, and a storm edits parents when a reader needs it, not on every flip.

const SEC = 1000;
const MIN = 60 * SEC;
const T0 = Date.parse('2026-11-21T09:00:00Z');
const CRASH = { state: 'crashloop', exitCode: 1, message: 'Error: connect ECONNREFUSED 10.0.3.7:5432' } as const;
const RUNNING = { state: 'running' } as const;

/** Replicas 0..crashing-1 of `deployment` crash-loop (kubelet back-off, a few seconds running between) until `until`. */
function crashLoop(c: PipelineCluster, deployment: string, crashing: number, until: number): number {
  let restarts = 0;
  while (c.clock.now() < until) {
    for (let i = 0; i < crashing; i++) c.pod(deployment, i, CRASH, restarts);
    c.advance(backOffMs(restarts++));
    for (let i = 0; i < crashing; i++) c.pod(deployment, i, RUNNING, restarts);
    c.advance(5 * SEC);
  }
  return restarts;
}

describe('a 6-replica Deployment, 4 replicas crash-looping for 30 minutes', () => {
  const c = new PipelineCluster(T0);
  for (let i = 0; i < 6; i++) c.pod('checkout', i, RUNNING);
  c.advance(1 * MIN);
  const crashes = crashLoop(c, 'checkout', 4, T0 + 31 * MIN);
  const upSince = c.clock.now() - 5 * SEC; // the fixed version runs from the last restart on
  c.advance(10 * MIN);
  const parent = c.parentTexts('t1');
  const resolvedAt = parent.findIndex((p) => p.text.startsWith('✅'));

  test('"of 6" from the first post: M is the workload\'s live pods, not the pods that failed', () => {
    expect(parent[0]!.text).toMatch(/^🔴 checkout · Deployment · shop\n.*\n4 of 6 pods failing/);
    for (const p of parent.slice(0, resolvedAt)) expect(p.text).toMatch(/\n\d of 6 pods failing/);
  });

  test('red from the first post to the recovery, never "recovering" between two crashes', () => {
    expect(resolvedAt).toBeGreaterThan(0);
    for (const p of parent.slice(0, resolvedAt)) expect(p.text).toMatch(/^🔴 /);
    expect(parent.some((p) => p.text.includes('recovering'))).toBe(false);
  });

  test('the real recovery resolves once the pods ran RESOLVE_AFTER without a restart; counts add up', () => {
    const recovered = c.replies('t1').filter((r) => r.text.startsWith('✅'));
    expect(recovered).toEqual([{ at: upSince + 5 * MIN, text: expect.stringMatching(new RegExp(`^✅ recovered at ${clockTime(upSince)} after \\d+ min`)) }]);
    expect(parent.at(-1)!.text).toMatch(new RegExp(`^✅ Resolved · checkout · Deployment · shop · failed for \\d+ min\\nError \\(exit 1\\) ×${4 * crashes}\\n4 pods · ${4 * crashes} restarts`));
  });
});

describe('"of M" follows the workload\'s live pods while the incident is open', () => {
  test('scaled up and down: the parent says so once quiet, without a pod object per healthy pod', () => {
    const c = new PipelineCluster(T0);
    for (let i = 0; i < 3; i++) c.pod('web', i, RUNNING);
    c.advance(1 * MIN).pod('web', 0, { state: 'imagepull' }).advance(1 * MIN);
    expect(c.parentTexts('t1').at(-1)!.text).toContain('\n1 of 3 pods failing');
    c.pod('web', 3, RUNNING).pod('web', 4, RUNNING).advance(1 * MIN);
    expect(c.parentTexts('t1').at(-1)!.text).toContain('\n1 of 5 pods failing');
    const gone = (i: number) => c.pipeline.podChanged({ type: 'DELETED', prev: projectPod(deploymentPod({ namespace: 'shop', deployment: 'web', suffix: `r${i}`, condition: RUNNING }))! });
    gone(3);
    gone(4);
    c.advance(1 * MIN);
    expect(c.parentTexts('t1').at(-1)!.text).toContain('\n1 of 3 pods failing');
  });
});

describe('a one-shot OOMKill, running again within seconds', () => {
  test('red until resolved, and the resolved parent counts the restart and how long it was down', () => {
    const c = new PipelineCluster(T0);
    c.pod('worker', 0, RUNNING).pod('worker', 1, RUNNING).advance(1 * MIN);
    c.pod('worker', 0, { state: 'oomkilled' }, 0).advance(2 * SEC);
    c.pod('worker', 0, RUNNING, 1).advance(10 * MIN);
    const parent = c.parentTexts('t1');
    expect(parent[0]!.text).toMatch(/^🔴 worker · Deployment · shop\nOOMKilled ×1\n1 of 2 pods failing/);
    expect(parent.some((p) => p.text.includes('recovering'))).toBe(false);
    // Killed at 09:01:00, running again at 09:01:02 and for RESOLVE_AFTER after it.
    expect(parent.at(-1)!.text).toMatch(/^✅ Resolved · worker · Deployment · shop · failed for 2s\nOOMKilled ×1\n1 pod · 1 restart\n/);
  });
});

/** 20 workloads of 2 replicas crash-loop out of step (1 of 2 <-> 2 of 2) for 10 minutes, then run again. */
function storm20(): { c: PipelineCluster; names: string[]; restarts: Map<string, number> } {
  const c = new PipelineCluster(T0);
  const names = Array.from({ length: 20 }, (_, w) => `etl-${String(w).padStart(2, '0')}`);
  for (const n of names) for (let i = 0; i < 2; i++) c.pod(n, i, RUNNING);
  c.advance(1 * MIN);
  const end = T0 + 11 * MIN;
  const loops = new CrashLoops(names.flatMap((deployment, w) => [0, 1].map((i) => ({ deployment, i, firstAt: T0 + 1 * MIN + w * 2 * SEC + i * 7 * SEC }))), end);
  while (c.clock.now() < end + 6 * MIN) {
    loops.step(c);
    c.advance(1 * SEC);
  }
  c.advance(10 * MIN);
  return { c, names, restarts: loops.restarts };
}

describe('a 20-workload storm: a quiet channel and quiet threads', () => {
  const { c, names, restarts } = storm20();
  const posts = c.sent.filter((s) => s.msg.kind !== 'edit');
  const topLevel = posts.filter((s) => s.msg.kind === 'parent');
  const storm = topLevel.find((s) => s.msg.thread.startsWith('s'))!.msg.thread;
  const stormText = c.parentTexts(storm).at(-1)!.text;
  /** The workload's own parent, if it has one (it went top level before the storm began). */
  const ownParent = (n: string) => posts.find((s) => s.msg.kind === 'parent' && s.msg.thread.startsWith('t') && s.msg.message.text.includes(`${n} · Deployment`))?.msg.thread;

  test('at most 3 top-level posts and at most 25 posts in all', () => {
    expect(topLevel.length).toBeLessThanOrEqual(3);
    expect(posts.length).toBeLessThanOrEqual(25);
  });

  test('every workload is named, and ends showing its exact totals: its own parent, or its line in the storm parent', () => {
    for (const n of names) {
      const total = (restarts.get(`${n}/0`) ?? 0) + (restarts.get(`${n}/1`) ?? 0);
      const own = ownParent(n);
      if (own) expect(c.parentTexts(own).at(-1)!.text).toMatch(new RegExp(`^✅ Resolved · ${n} · Deployment · shop · failed for \\d+ min\\nError \\(exit 1\\) ×${total}\\n2 pods · ${total} restarts`));
      else expect(stormText).toMatch(new RegExp(`^✅ ${n} · Deployment · shop — Error \\(exit 1\\) ×${total}`, 'm'));
    }
  });

  test('every recovery is reported in a reply: in its own thread, or named in the storm thread', () => {
    const stormReplies = c.replies(storm).map((r) => r.text).join('\n');
    for (const n of names) {
      const own = ownParent(n);
      if (own) expect(c.replies(own).map((r) => r.text)).toContainEqual(expect.stringMatching(/^✅ recovered at/));
      else expect(stormReplies).toMatch(new RegExp(`✅ ${n} recovered at`));
    }
  });

  test('the storm thread explains the failure once, with the evidence of one crash', () => {
    const explained = c.sent.filter((s) => s.msg.thread === storm && s.msg.kind === 'reply' && s.msg.evidence !== undefined);
    expect(explained).toHaveLength(1);
    expect(explained[0]!.msg.message.text).toMatch(/^etl-\d\d · etl-\d\d-\w+-r\d · app · Error \(exit 1\)/);
  });

  test('at most 3 parent edits per workload (the storm parent\'s edits included)', () => {
    // 240 edits (12 a workload) before readerSignature, 80 with a parent per member.
    const edits = c.sent.filter((s) => s.msg.kind === 'edit').length;
    expect(edits / names.length).toBeLessThanOrEqual(3);
  });
});
