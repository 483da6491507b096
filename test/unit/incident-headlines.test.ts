import { Registry } from 'prom-client';
import { acceptingSender } from '../support/accepting-sender.js';
import { incidentSettingsOf } from '../../src/app.js';
import { VirtualClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import type { Outgoing } from '../../src/core/outgoing.js';
import { projectPod, type PodState } from '../../src/core/pod.js';
import { silentLogger } from '../../src/log.js';
import { Pipeline } from '../../src/pipeline.js';
import { editPod } from '../fixtures/pods.js';
import { DEFAULTS, MIN, SEC, Story } from './incidents-story.js';

// What a reader of the channel sees, end to end through detect -> incidents -> render (issue 14).

const SETTINGS = incidentSettingsOf(loadConfig({}));
const T0 = Date.parse('2026-11-21T09:00:00Z');

/** One replica of a crash-looping Deployment, as the kubelet reports it between and after crashes. */
function replica(i: number, state: object, restartCount: number, lastState: object = {}): PodState {
  return projectPod(
    editPod('healthy', (p) => {
      p.metadata.name = `checkout-7d9f8b6c5d-r${i}`;
      p.metadata.uid = `uid-replica-${i}`;
      Object.assign(p.status.containerStatuses[0], { state, restartCount, lastState });
    }),
  )!;
}

const crashOf = (oom: boolean) => ({ terminated: oom ? { exitCode: 137, reason: 'OOMKilled' } : { exitCode: 1, reason: 'Error', message: 'Error: connect ECONNREFUSED 10.0.3.7:5432' } });
const BACKOFF = { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s restarting failed container=app' } };
const RUNNING = { running: { startedAt: '2026-11-21T09:00:00Z' } };

describe('a 6-replica crash loop: the counts in the parent add up to the crashes', () => {
  test('each crash is seen terminated, in back-off and in lastState, and counted once under its cause', () => {
    const clock = new VirtualClock(T0);
    const sent: Outgoing[] = [];
    const sender = acceptingSender(sent, () => (d) => pipeline.outcome(d));
    const pipeline = new Pipeline({ settings: SETTINGS, defaultChannel: '#alerts', clock, log: silentLogger(), sender, registry: new Registry() });
    const last = new Map<number, PodState>();
    const put = (i: number, next: PodState) => {
      const prev = last.get(i);
      pipeline.podChanged({ type: prev ? 'MODIFIED' : 'ADDED', ...(prev && { prev }), next });
      last.set(i, next);
    };
    let crashes = 0;
    let ooms = 0;
    for (let i = 0; i < 6; i++) put(i, replica(i, RUNNING, 0));
    for (let run = 0; run < 9; run++) {
      const oom = (i: number) => (run + i) % 3 === 0;
      for (let i = 0; i < 6; i++) put(i, replica(i, crashOf(oom(i)), run)); // kubectl: Error / OOMKilled
      clock.advance(2 * SEC);
      for (let i = 0; i < 6; i++) put(i, replica(i, BACKOFF, run, crashOf(oom(i)))); // CrashLoopBackOff: the same crash
      clock.advance(20 * SEC);
      for (let i = 0; i < 6; i++) put(i, replica(i, RUNNING, run + 1, crashOf(oom(i)))); // Running, lastState shows it
      clock.advance(5 * SEC);
      crashes += 6;
      for (let i = 0; i < 6; i++) if (oom(i)) ooms++;
    }
    // The loop stops (the pods run on): once quiet for GROUP_INTERVAL, the exact totals are edited in.
    clock.advance(SETTINGS.groupIntervalMs);
    const [inc] = Object.values(pipeline.book.incidents);
    expect(inc!.counts).toEqual({ 'Error (exit 1)': crashes - ooms, OOMKilled: ooms });
    const parents = sent.filter((o) => o.kind === 'parent' || o.kind === 'edit');
    expect(parents.at(-1)!.message.text).toContain(`${crashes} crashes: Error (exit 1) ×${crashes - ooms} · OOMKilled ×${ooms}`);
    expect(parents.some((p) => p.message.text.includes(' · 6 pods in CrashLoopBackOff'))).toBe(true);
    // The latest message is the crash's own words, never the kubelet's back-off notice.
    expect(JSON.stringify(sent)).not.toContain('back-off 40s');
  });
});

describe('replies in a storm thread name their workload', () => {
  test('a failure reply and a recovery reply inside the storm thread say which workload they are about', () => {
    const s = new Story({ ...DEFAULTS, stormThreshold: 3 });
    const name = (i: number) => `etl-${String(i).padStart(2, '0')}`;
    for (let i = 0; i < 6; i++) s.fail({ pod: `${name(i)}-x`, workload: { kind: 'Job', name: name(i) } });
    s.advance(10 * SEC);
    const storm = s.topLevel().find((p) => p.thread.startsWith('s'))!;
    const members = Object.values(s.book.incidents).filter((inc) => inc.storm === storm.thread);
    expect(members.length).toBeGreaterThan(0);
    const workload = members[0]!.workload.name;
    expect(s.texts('reply', storm.thread)[0]).toMatch(new RegExp(`^${workload} · ${workload}-x · app`));
    s.advance(3 * MIN - 10 * SEC);
    s.healthy(`${workload}-x`).advance(DEFAULTS.resolveAfterMs + MIN);
    expect(s.texts('reply', storm.thread).at(-1)).toBe(`✅ ${workload} recovered at 09:03:00 UTC after 3 min`);
    // Top-level incidents keep the short form: the thread is theirs alone.
    const own = s.parents().find((p) => !p.thread.startsWith('s'))!;
    expect(s.texts('reply', own.thread)[0]).toMatch(/^etl-\d\d-x · app/);
  });
});

describe('latest message: the most useful words seen, never replaced by boilerplate', () => {
  test.each([
    ['a crash loop', 'CrashLoopBackOff', 'back-off 40s restarting failed container=app pod=api-7d9f-x_shop(6f0c)'],
    ['an image pull', 'ImagePullBackOff', 'Back-off pulling image "registry.example.com/api:2.4.l"'],
  ])("%s: the kubelet's back-off notice after the crash's own words keeps the words", (_name, reason, notice) => {
    const s = new Story().fail({ pod: 'api-x', reason: 'Error', message: 'Error: connect ECONNREFUSED 10.0.3.7:5432', restartCount: 1 }).advance(10 * SEC);
    s.fail({ pod: 'api-x', reason, message: notice, restartCount: 2 }).advance(MIN);
    expect(s.parentText('t1')).toContain('latest: Error: connect ECONNREFUSED 10.0.3.7:5432');
    expect(s.parentText('t1').toLowerCase()).not.toContain('back-off');
  });
});
