import { Registry } from 'prom-client';
import { acceptingSender } from '../support/accepting-sender.js';
import { incidentSettingsOf } from '../../src/app.js';
import { VirtualClock, type Clock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import type { Outgoing } from '../../src/core/outgoing.js';
import { projectPod, type PodState } from '../../src/core/pod.js';
import { silentLogger } from '../../src/log.js';
import { Pipeline } from '../../src/pipeline.js';
import { editPod, loadPod } from '../fixtures/pods.js';

// A Pending pod produces no watch event when PENDING_AFTER runs out: the pipeline's own timer must
// judge it then. pending-unschedulable has been Unschedulable since 09:00:30.
const SINCE = Date.parse('2026-11-21T09:00:30Z');
const MIN = 60_000;
const SETTINGS = incidentSettingsOf(loadConfig({}));

/** A pipeline on a virtual clock starting at `start` (or on the Clock given). */
function setup(start: number | Clock, pendingAfterMs?: number) {
  const clock = typeof start === 'number' ? new VirtualClock(start) : start;
  const sent: Outgoing[] = [];
  const sender = acceptingSender(sent, () => (d) => pipeline.outcome(d));
  const pipeline = new Pipeline({ settings: SETTINGS, defaultChannel: '#alerts', clock, log: silentLogger(), sender, registry: new Registry(), ...(pendingAfterMs !== undefined && { pendingAfterMs }) });
  let last: PodState | undefined;
  const put = (raw: Record<string, unknown>) => {
    const next = projectPod(raw)!;
    pipeline.podChanged({ type: last ? 'MODIFIED' : 'ADDED', ...(last && { prev: last }), next });
    last = next;
  };
  const parents = () => sent.filter((o) => o.kind === 'parent').map((o) => o.message.text);
  const counts = () => Object.values(pipeline.book.incidents).map((i) => i.counts);
  return { clock: clock as VirtualClock, pipeline, put, parents, counts, sent };
}

describe('stuck pods in the running bot (virtual clock)', () => {
  test('no event at the deadline: the timer reports Unschedulable exactly when PENDING_AFTER passes', () => {
    const { clock, put, parents, counts } = setup(SINCE + MIN);
    put(loadPod('pending-unschedulable'));
    expect(clock.pendingCount).toBe(1);
    clock.advance(9 * MIN - 1);
    expect(counts()).toEqual([]);
    clock.advance(1);
    expect(counts()).toEqual([{ Unschedulable: 1 }]);
    clock.advance(SETTINGS.groupWaitMs);
    expect(parents()).toHaveLength(1);
    expect(parents()[0]).toContain('Unschedulable');
    expect(parents()[0]).toContain('0/3 nodes are available: 3 Insufficient memory');
  });

  test('one timer for many pods: each reported at its own deadline, the earliest first', () => {
    const { clock, put: putA, counts, pipeline } = setup(SINCE + MIN);
    putA(loadPod('pending-unschedulable'));
    // A second pod, unschedulable since 09:02:30, arrives; the first one's deadline (09:10:30) stays first.
    const other = editPod('pending-unschedulable', (p) => {
      p.metadata.name = 'checkout-7d9f8b6c5d-z9z9z';
      p.metadata.uid = 'uid-other';
      p.status.conditions[0].lastTransitionTime = '2026-11-21T09:02:30Z';
    });
    pipeline.podChanged({ type: 'ADDED', next: projectPod(other)! });
    expect(clock.pendingCount).toBe(1);
    clock.advance(9 * MIN + 30_000); // 09:10:30
    expect(Object.values(pipeline.book.incidents)[0]?.podsAffected).toBe(1);
    clock.advance(2 * MIN); // 09:12:30
    expect(counts()).toEqual([{ Unschedulable: 2 }]);
    expect(Object.values(pipeline.book.incidents)[0]?.podsAffected).toBe(2);
  });

  test('scheduled and started before the deadline: nothing, and no timer left', () => {
    const { clock, put, sent } = setup(SINCE + MIN);
    put(loadPod('pending-unschedulable'));
    clock.advance(5 * MIN);
    put(editPod('healthy', (p) => (p.metadata.uid = loadPod('pending-unschedulable').metadata.uid)));
    expect(clock.pendingCount).toBe(0);
    clock.advance(60 * MIN);
    expect(sent).toEqual([]);
  });

  test('first seen after its deadline (podbell started late): reported at once; re-deliveries count once', () => {
    const { clock, put, counts } = setup(SINCE + 30 * MIN);
    put(loadPod('pending-unschedulable'));
    put(loadPod('pending-unschedulable'));
    clock.advance(SETTINGS.groupWaitMs);
    put(loadPod('pending-unschedulable'));
    expect(counts()).toEqual([{ Unschedulable: 1 }]);
  });

  test('an event after the deadline reports it even if the timer has not run yet (a busy event loop)', () => {
    let now = SINCE + MIN;
    const lateTimers: Clock = { now: () => now, setTimer: () => () => {} };
    const { put, counts } = setup(lateTimers);
    put(loadPod('pending-unschedulable'));
    now = SINCE + 11 * MIN;
    put(loadPod('pending-unschedulable'));
    expect(counts()).toEqual([{ Unschedulable: 1 }]);
  });

  test('PENDING_AFTER is the pipeline option; a pod stuck in ContainerCreating is PendingTooLong', () => {
    // container-creating-mount: scheduled at 09:12:30, its container still being created
    const scheduled = Date.parse('2026-11-21T09:12:30Z');
    const { clock, put, counts } = setup(scheduled + 10_000, 2 * MIN);
    put(loadPod('container-creating-mount'));
    clock.advance(2 * MIN - 10_000);
    expect(counts()).toEqual([{ PendingTooLong: 1 }]);
  });

  test('a pod stuck while a disruption (preemption) is under way: nothing', () => {
    const { clock, put, sent } = setup(SINCE + MIN);
    put(editPod('pending-unschedulable', (p) => p.status.conditions.push({ type: 'DisruptionTarget', status: 'True', reason: 'PreemptionByScheduler', lastTransitionTime: '2026-11-21T09:01:00Z' })));
    clock.advance(60 * MIN);
    expect(sent).toEqual([]);
  });

  test('the stuck pod stays failing, so its incident does not resolve while it waits', () => {
    const { clock, put, pipeline } = setup(SINCE + 20 * MIN);
    put(loadPod('pending-unschedulable'));
    clock.advance(SETTINGS.groupWaitMs + SETTINGS.resolveAfterMs * 3);
    put(loadPod('pending-unschedulable'));
    clock.advance(SETTINGS.resolveAfterMs * 3);
    expect(Object.values(pipeline.book.incidents).map((i) => i.status)).toEqual(['open']);
  });
});
