import { describe, expect, test } from '@jest/globals';
import { CONTAINER_FAILURE_REASONS, detect, detectChange, isFailing, occurrenceKey, type Failure } from '../../src/core/detect.js';
import { projectPod, type PodState } from '../../src/core/pod.js';
import { editPod, loadPod, podFixtureNames } from '../fixtures/pods.js';

/** A failure as a person would read it in one line. */
function show(f: Failure): string {
  const flags = `${f.init ? ' init' : ''}${f.sidecar ? ' sidecar' : ''}${f.ephemeral ? ' ephemeral' : ''}${f.backOff ? ' backoff' : ''}`;
  return `${f.container || '(pod)'} ${f.reason} exit=${f.exitCode ?? '-'} restarts=${f.restartCount}${flags}`;
}

function state(raw: unknown): PodState {
  const p = projectPod(raw, { maxMessage: Infinity, unnamed: true });
  if (!p) throw new Error('fixture did not project');
  return p;
}
const fixture = (name: string) => state(loadPod(name));
const edited = (name: string, edit: (pod: Record<string, any>) => void) => state(editPod(name, edit));
const app = (pod: Record<string, any>) => pod.status.containerStatuses[0];

const MIN = 60_000;

describe('detect(no previous state, fixture): every docs/design.md#detection row and the negative controls', () => {
  const cases: [string, string[]][] = [
    // the table
    // A crash loop is named by the crash its back-off follows: one crash, one occurrence.
    ['crashloop-backoff', ['app Error exit=1 restarts=5 backoff']],
    ['oomkilled-terminated', ['app OOMKilled exit=137 restarts=2']],
    ['oomkilled-last-running', ['app OOMKilled exit=137 restarts=3']],
    // Without a clock an OOMKill in lastState is reported once; with one, an old one is history (below).
    ['oomkilled-long-ago', ['app OOMKilled exit=137 restarts=1']],
    ['oomkilled-then-crashloop', ['app OOMKilled exit=137 restarts=4 backoff']],
    ['liveness-137-crashloop', ['app Error exit=137 restarts=6 backoff']],
    ['image-pull-backoff', ['app ImagePullBackOff exit=- restarts=0']],
    ['err-image-pull', ['app ErrImagePull exit=- restarts=0']],
    ['invalid-image-name', ['app InvalidImageName exit=- restarts=0']],
    ['err-image-never-pull', ['app ErrImageNeverPull exit=- restarts=0']],
    ['create-container-config-error', ['app CreateContainerConfigError exit=- restarts=0']],
    ['create-container-error', ['app CreateContainerError exit=- restarts=0']],
    ['run-container-error', ['app RunContainerError exit=- restarts=1']],
    ['start-error-terminated', ['app StartError exit=128 restarts=0']],
    ['job-error-never', ['migrate Error exit=2 restarts=0']],
    ['job-error-onfailure', ['report Error exit=1 restarts=1']],
    ['evicted', ['(pod) Evicted exit=- restarts=0']],
    ['evicted-terminated', ['(pod) Evicted exit=- restarts=0']],
    ['deadline-exceeded', ['(pod) DeadlineExceeded exit=- restarts=0']],
    ['init-crashloop', ['wait-for-db Error exit=1 restarts=3 init backoff']],
    ['init-error-never', ['fetch Error exit=6 restarts=0 init']],
    ['sidecar-crashloop', ['istio-proxy Error exit=255 restarts=7 sidecar backoff']],
    ['sidecar-oomkilled-last', ['log-shipper OOMKilled exit=137 restarts=2 sidecar']],
    ['ephemeral-err-image-pull', ['debugger-7xk2q ErrImagePull exit=- restarts=0 ephemeral']],
    // metrics was OOMKilled in this run and the one before: the current one is the news.
    ['two-containers-failing', ['app Error exit=1 restarts=9 backoff', 'metrics OOMKilled exit=137 restarts=1']],
    ['long-termination-message', ['agent Error exit=1 restarts=12 backoff']],
    // Between two runs under restartPolicy Always kubectl shows Error: the crash is news now.
    ['error-restart-always', ['app Error exit=1 restarts=0']],
    // never a failure
    ['healthy', []],
    ['restarted-long-ago', []],
    ['liveness-137-running', []],
    ['container-creating', []],
    ['pod-initializing', []],
    ['completed-job', []],
    ['pending-unschedulable', []],
    ['sidecar-running', []],
    ['sidecar-job-completed', []],
    ['deleting-job-pod', []],
    ['ephemeral-exit-1', []],
    // odd shapes yield what can be read
    ['no-uid-no-namespace', ['app Error exit=1 restarts=5 backoff']],
    ['laststate-empty', []],
    ['laststate-terminated-empty', []],
    ['running-null', []],
    ['waiting-empty', []],
    ['no-container-statuses', []],
    ['bad-timestamps', ['app OOMKilled exit=137 restarts=1']],
    ['null-fields', []],
    ['wrong-types', ['app OOMKilled exit=- restarts=0']],
    // objects as people paste them: judged by what can be read
    ['no-metadata', ['app Error exit=1 restarts=5 backoff']],
    ['status-only-evicted', ['(pod) Evicted exit=- restarts=0']],
    // issue 14: lost containers and init containers are failures; planned disruption is not
    ['container-status-unknown', ['app ContainerStatusUnknown exit=137 restarts=2']],
    ['unknown-exit-255', ['app Unknown exit=255 restarts=4']],
    ['init-error-restart-always', ['wait-for-db Error exit=1 restarts=0 init']],
    ['disruption-drain', []],
    ['evicted-node-pressure', ['(pod) Evicted exit=- restarts=0']],
    // stuck pods are judged only against a time (below)
    ['container-creating-mount', []],
  ];

  test('the table covers every fixture', () => {
    expect(cases.map(([n]) => n).sort()).toEqual([...podFixtureNames]);
  });

  test.each(cases)('%s', (name, expected) => {
    expect(detect(undefined, fixture(name)).map(show)).toEqual(expected);
  });
});

describe('what a failure carries', () => {
  test('CrashLoopBackOff takes its name, exit code and message from the run that died, not the back-off notice', () => {
    const [f] = detect(undefined, fixture('crashloop-backoff'));
    expect(f).toMatchObject({
      namespace: 'shop',
      pod: 'checkout-7d9f8b6c5d-x2k4q',
      container: 'app',
      reason: 'Error',
      backOff: true,
      exitCode: 1,
      restartCount: 5,
      image: 'registry.example.com/shop/checkout:v1.42.0',
      node: 'node-2',
      workload: { kind: 'Deployment', name: 'checkout' },
    });
    expect(f?.message).toMatch(/^Error: connect ECONNREFUSED 10\.0\.3\.7:5432/);
  });

  test('Evicted carries the eviction message and no container', () => {
    const [f] = detect(undefined, fixture('evicted'));
    expect(f?.container).toBe('');
    expect(f?.message).toMatch(/^The node was low on resource: memory/);
  });

  test('with nothing else to say, a waiting failure carries its own message', () => {
    expect(detect(undefined, fixture('create-container-config-error'))[0]?.message).toBe('secret "db-credentials" not found');
  });

  test('a Failed pod with no reason and no failed container still says Failed (nothing lost)', () => {
    const p = edited('healthy', (pod) => {
      pod.status.phase = 'Failed';
      delete pod.status.containerStatuses;
    });
    expect(detect(undefined, p).map(show)).toEqual(['(pod) Failed exit=- restarts=0']);
  });
});

describe('transitions: a fact fires once per occurrence', () => {
  const bump = (name: string, by: number) =>
    edited(name, (pod) => {
      app(pod).restartCount += by;
    });
  /** oomkilled-terminated after the kubelet moved it to back-off: waiting, lastState = the OOMKill, same restartCount. */
  const oomBackoff = () =>
    edited('oomkilled-terminated', (p) => {
      app(p).lastState = app(p).state;
      app(p).state = { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 10s restarting failed container=app' } };
    });
  const cases: [string, PodState, PodState, string[]][] = [
    ['identical re-delivery of a crash loop', fixture('crashloop-backoff'), fixture('crashloop-backoff'), []],
    ['crash loop, restartCount rises: fires again', fixture('crashloop-backoff'), bump('crashloop-backoff', 1), ['app Error exit=1 restarts=6 backoff']],
    ['crash loop, only the back-off message changes: same occurrence', fixture('crashloop-backoff'), edited('crashloop-backoff', (p) => (app(p).state.waiting.message = 'back-off 5m0s restarting failed')), []],
    ['OOMKilled terminated, then running again with it in lastState: one OOMKill', fixture('oomkilled-terminated'), edited('oomkilled-terminated', (p) => {
      app(p).lastState = app(p).state;
      app(p).state = { running: { startedAt: '2026-11-21T09:13:00Z' } };
      app(p).restartCount = 3;
    }), []],
    ['OOMKilled terminated, then CrashLoopBackOff (same restartCount, as the kubelet reports it): the same crash, nothing new', fixture('oomkilled-terminated'), oomBackoff(), []],
    ['OOMKilled in CrashLoopBackOff, then running again: nothing new', oomBackoff(), edited('oomkilled-terminated', (p) => {
      app(p).lastState = app(p).state;
      app(p).state = { running: { startedAt: '2026-11-21T09:14:00Z' } };
      app(p).restartCount = 3;
    }), []],
    ['running, then OOMKilled seen first in CrashLoopBackOff: one crash, named by its cause', edited('oomkilled-terminated', (p) => (app(p).state = { running: {} })), oomBackoff(), ['app OOMKilled exit=137 restarts=2 backoff']],
    ['healthy, then running again after an OOMKill we never saw terminated: fires', fixture('healthy'), edited('healthy', (p) => {
      app(p).lastState = { terminated: { exitCode: 137, reason: 'OOMKilled', finishedAt: '2026-11-21T09:12:04Z' } };
      app(p).restartCount = 1;
    }), ['app OOMKilled exit=137 restarts=1']],
    ['lastState OOMKilled re-delivered (resync) with the same restartCount: nothing', fixture('oomkilled-last-running'), fixture('oomkilled-last-running'), []],
    ['lastState OOMKilled and restartCount rose again: a second OOMKill', fixture('oomkilled-last-running'), bump('oomkilled-last-running', 1), ['app OOMKilled exit=137 restarts=4']],
    ['restartCount rose after a liveness kill (137, reason Error): not an OOMKill', fixture('liveness-137-running'), bump('liveness-137-running', 1), []],
    ['ErrImagePull then ImagePullBackOff with the same restartCount: one occurrence', fixture('err-image-pull'), edited('err-image-pull', (p) => (app(p).state.waiting.reason = 'ImagePullBackOff')), []],
    ['ImagePullBackOff then ErrImagePull again: still one occurrence', fixture('image-pull-backoff'), edited('image-pull-backoff', (p) => (app(p).state.waiting.reason = 'ErrImagePull')), []],
    ['ContainerCreating, then CrashLoopBackOff', fixture('container-creating'), edited('container-creating', (p) => {
      app(p).state = { waiting: { reason: 'CrashLoopBackOff' } };
      app(p).restartCount = 1;
    }), ['app CrashLoopBackOff exit=- restarts=1 backoff']],
    ['crash loop recovers: nothing fires', fixture('crashloop-backoff'), edited('crashloop-backoff', (p) => (app(p).state = { running: { startedAt: '2026-11-21T09:20:00Z' } })), []],
    ['recovered, then crashes again at a new restartCount', edited('crashloop-backoff', (p) => (app(p).state = { running: {} })), bump('crashloop-backoff', 1), ['app Error exit=1 restarts=6 backoff']],
    ['healthy, then evicted', fixture('healthy'), fixture('evicted'), ['(pod) Evicted exit=- restarts=0']],
    ['evicted re-delivered: nothing', fixture('evicted'), fixture('evicted'), []],
    ['init container crash loop continues at the next restart', fixture('init-crashloop'), edited('init-crashloop', (p) => (p.status.initContainerStatuses[0].restartCount = 4)), ['wait-for-db Error exit=1 restarts=4 init backoff']],
    ['Job pod deleted while running: SIGTERM exit is not a failure', edited('deleting-job-pod', (p) => {
      delete p.metadata.deletionTimestamp;
      app(p).state = { running: {} };
    }), fixture('deleting-job-pod'), []],
    ['a failed Job pod is deleted: nothing new', fixture('job-error-never'), edited('job-error-never', (p) => (p.metadata.deletionTimestamp = '2026-11-21T10:00:00Z')), []],
    ['an evicted pod is deleted: nothing new', fixture('evicted'), edited('evicted', (p) => (p.metadata.deletionTimestamp = '2026-11-21T10:00:00Z')), []],
    ['Job container fails (restartPolicy Never)', edited('job-error-never', (p) => {
      p.status.phase = 'Running';
      app(p).state = { running: {} };
    }), fixture('job-error-never'), ['migrate Error exit=2 restarts=0']],
    ['one container of two starts failing: only it fires', edited('two-containers-failing', (p) => {
      p.status.containerStatuses[1].state = { running: {} };
      p.status.containerStatuses[1].lastState = {};
      p.status.containerStatuses[1].restartCount = 0;
    }), fixture('two-containers-failing'), ['metrics OOMKilled exit=137 restarts=1']],
    ['restarts after a clean exit (0) under restartPolicy Always still crash-loop: reported, with exit 0', fixture('healthy'), edited('crashloop-backoff', (p) => {
      p.metadata.uid = fixture('healthy').uid;
      app(p).lastState = { terminated: { exitCode: 0, reason: 'Completed', finishedAt: '2026-11-21T09:12:04Z' } };
    }), ['app CrashLoopBackOff exit=0 restarts=5 backoff']],
    ['one crash under restartPolicy Always, running again: not news until it crash-loops', fixture('healthy'), edited('healthy', (p) => {
      app(p).lastState = { terminated: { exitCode: 1, reason: 'Error' } };
      app(p).restartCount = 1;
    }), []],
    ['previous state had no container statuses yet', fixture('pending-unschedulable'), fixture('image-pull-backoff'), ['app ImagePullBackOff exit=- restarts=0']],
  ];
  test.each(cases)('%s', (_name, prev, next, expected) => {
    expect(detect(prev, next).map(show)).toEqual(expected);
  });

  test.each(podFixtureNames)('re-delivering %s unchanged fires nothing', (name) => {
    expect(detect(fixture(name), fixture(name))).toEqual([]);
  });
});

describe('one crash is one occurrence, named by its cause', () => {
  /** A crash-looping container's life as the kubelet reports it, one status per watch event. */
  const at = (state: object, restartCount: number, lastState: object = {}) =>
    edited('healthy', (p) => {
      Object.assign(app(p), { state, restartCount, lastState });
    });
  const err1 = { terminated: { exitCode: 1, reason: 'Error', message: 'boom', finishedAt: '2026-11-21T09:12:04Z' } };
  const oom = { terminated: { exitCode: 137, reason: 'OOMKilled', finishedAt: '2026-11-21T09:13:04Z' } };
  const backoff = { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 10s restarting failed container=app' } };
  const running = { running: { startedAt: '2026-11-21T09:12:14Z' } };
  const timeline: PodState[] = [
    at(running, 0),
    at(err1, 0), // Error 0
    at(backoff, 0, err1), // CrashLoopBackOff 0: the same crash
    at(running, 1, err1), // Running 1: lastState shows it again
    at(oom, 1, err1), // OOMKilled 1: a second crash
    at(backoff, 1, oom), // CrashLoopBackOff 1
    at(running, 2, oom), // Running 2
    at(backoff, 2, err1), // a third crash seen only in back-off (the terminated event was missed)
  ];

  test('eight events, three crashes: each reported once, by its cause, with its own key', () => {
    const all = timeline.slice(1).flatMap((next, i) => detect(timeline[i], next));
    expect(all.map(show)).toEqual(['app Error exit=1 restarts=0', 'app OOMKilled exit=137 restarts=1', 'app Error exit=1 restarts=2 backoff']);
    expect(new Set(all.map(occurrenceKey)).size).toBe(3);
  });

  test('seen from any event alone (a relist), a crash has the key it had when it happened', () => {
    const keyAt = (i: number) => detect(undefined, timeline[i]!).map(occurrenceKey);
    expect(keyAt(2)).toEqual(keyAt(1));
    expect(keyAt(5)).toEqual(keyAt(4));
  });

  test('the back-off notice is never the message: the crash\'s own message, or none', () => {
    expect(detect(undefined, timeline[2]!)[0]?.message).toBe('boom');
    expect(detect(undefined, timeline[5]!)[0]?.message).toBeUndefined();
  });
});

describe('stuck pods: PENDING_AFTER after the PodScheduled condition changed', () => {
  const at = (iso: string) => Date.parse(iso);
  const pendingAfterMs = 10 * MIN;
  const cases: [string, string, string, string[]][] = [
    // pending-unschedulable: PodScheduled False/Unschedulable since 09:00:30
    ['unschedulable for 9 min 59 s: not yet', 'pending-unschedulable', '2026-11-21T09:10:29Z', []],
    ['unschedulable for 10 min: Unschedulable', 'pending-unschedulable', '2026-11-21T09:10:30Z', ['(pod) Unschedulable exit=- restarts=0']],
    // container-creating-mount: scheduled 09:12:30, ContainerCreating
    ['ContainerCreating for 5 min: not yet', 'container-creating-mount', '2026-11-21T09:17:30Z', []],
    ['ContainerCreating for 11 min: PendingTooLong', 'container-creating-mount', '2026-11-21T09:23:30Z', ['(pod) PendingTooLong exit=- restarts=0']],
    // pod-initializing: scheduled 08:00, an init container done, app in PodInitializing
    ['PodInitializing for 1 h: PendingTooLong', 'pod-initializing', '2026-11-21T09:00:00Z', ['(pod) PendingTooLong exit=- restarts=0']],
    // a Pending pod whose containers fail says so by their own reason, not as stuck
    ['init crash loop in a Pending pod: its crash only', 'init-crashloop', '2026-11-21T10:00:00Z', ['wait-for-db Error exit=1 restarts=3 init backoff']],
    ['a running pod is never stuck', 'healthy', '2026-11-22T00:00:00Z', []],
    ['bad timestamps: how long it waited cannot be read', 'bad-timestamps', '2026-11-22T00:00:00Z', ['app OOMKilled exit=137 restarts=1']],
  ];
  test.each(cases)('%s', (_name, name, now, expected) => {
    expect(detect(undefined, fixture(name), { judgedAt: at(now), pendingAfterMs }).map(show)).toEqual(expected);
  });

  test('Unschedulable carries the scheduler\'s message; PendingTooLong the condition\'s', () => {
    const judgedAt = at('2026-11-22T00:00:00Z');
    expect(detect(undefined, fixture('pending-unschedulable'), { judgedAt })[0]?.message).toMatch(/^0\/3 nodes are available: 3 Insufficient memory/);
    expect(detect(undefined, fixture('container-creating-mount'), { judgedAt })[0]?.message).toBe('containers with unready status: [app]');
  });

  test('PENDING_AFTER is configurable, and a disrupted or deleted pod is never stuck', () => {
    const judgedAt = at('2026-11-21T09:15:00Z');
    expect(detect(undefined, fixture('container-creating-mount'), { judgedAt, pendingAfterMs: MIN }).map(show)).toEqual(['(pod) PendingTooLong exit=- restarts=0']);
    const drained = edited('pending-unschedulable', (p) => p.status.conditions.push({ type: 'DisruptionTarget', status: 'True', reason: 'PreemptionByScheduler', lastTransitionTime: '2026-11-21T09:11:00Z' }));
    expect(detect(undefined, drained, { judgedAt: at('2026-11-22T00:00:00Z') })).toEqual([]);
    const deleting = edited('pending-unschedulable', (p) => (p.metadata.deletionTimestamp = '2026-11-21T09:11:00Z'));
    expect(detect(undefined, deleting, { judgedAt: at('2026-11-22T00:00:00Z') })).toEqual([]);
  });

  test('once per stuck spell: re-delivery fires nothing; stuck again after a new condition fires again', () => {
    const judgedAt = at('2026-11-22T00:00:00Z');
    const pod = fixture('pending-unschedulable');
    expect(detect(pod, pod, { judgedAt })).toEqual([]);
    const again = edited('pending-unschedulable', (p) => (p.status.conditions[0].lastTransitionTime = '2026-11-21T11:00:00Z'));
    const [f] = detect(pod, again, { judgedAt });
    expect(f?.reason).toBe('Unschedulable');
    expect(occurrenceKey(f!)).not.toBe(occurrenceKey(detect(undefined, pod, { judgedAt })[0]!));
    expect(isFailing(pod, { judgedAt })).toBe(true);
    expect(isFailing(pod)).toBe(false);
  });
});

describe('startup: no previous state, with a clock', () => {
  const at = (iso: string) => Date.parse(iso);
  const cases: [string, string, number, string[]][] = [
    ['OOMKill in lastState 4 months ago is history', 'oomkilled-long-ago', at('2026-11-21T09:15:00Z'), []],
    ['OOMKill in lastState 3 minutes ago is news', 'oomkilled-last-running', at('2026-11-21T09:15:00Z'), ['app OOMKilled exit=137 restarts=3']],
    ['OOMKill with an unreadable finishedAt is reported (nothing lost)', 'bad-timestamps', at('2026-11-21T09:15:00Z'), ['app OOMKilled exit=137 restarts=1']],
    ['a Job that failed 2 days ago is history', 'job-error-never', at('2026-11-23T09:15:00Z'), []],
    ['a Job that failed 3 minutes ago is news', 'job-error-never', at('2026-11-21T09:15:00Z'), ['migrate Error exit=2 restarts=0']],
    ['a crash loop is current whatever the clock', 'crashloop-backoff', at('2027-01-01T00:00:00Z'), ['app Error exit=1 restarts=5 backoff']],
  ];
  test.each(cases)('%s', (_name, name, now, expected) => {
    expect(detect(undefined, fixture(name), { now }).map(show)).toEqual(expected);
  });

  test('the window is configurable', () => {
    expect(detect(undefined, fixture('oomkilled-last-running'), { now: Date.parse('2026-11-21T09:15:00Z'), startupWindowMs: 1 * MIN })).toEqual([]);
  });

  test('with a previous state the clock is not consulted: a new OOMKill is news', () => {
    const prev = fixture('healthy');
    const next = edited('oomkilled-long-ago', (p) => (p.metadata.uid = prev.uid));
    expect(detect(prev, next, { now: Date.parse('2026-11-21T09:15:00Z') }).map(show)).toEqual(['app OOMKilled exit=137 restarts=1']);
  });
});

describe('occurrenceKey', () => {
  test('an OOMKill seen terminated, then in lastState during back-off, then after the restart has one key', () => {
    const [a] = detect(undefined, fixture('oomkilled-terminated'));
    const [b] = detect(
      undefined,
      edited('oomkilled-terminated', (p) => {
        app(p).lastState = app(p).state;
        app(p).state = { running: {} };
        app(p).restartCount = 3;
      }),
    );
    const inBackoff = detect(
      undefined,
      edited('oomkilled-terminated', (p) => {
        app(p).lastState = app(p).state;
        app(p).state = { waiting: { reason: 'CrashLoopBackOff' } };
      }),
    ).find((f) => f.reason === 'OOMKilled');
    expect(a && b && occurrenceKey(a)).toBe(b && occurrenceKey(b));
    expect(inBackoff && occurrenceKey(inBackoff)).toBe(a && occurrenceKey(a));
    expect([a?.restartCount, inBackoff?.restartCount, b?.restartCount]).toEqual([2, 2, 3]);
  });

  test('the same reason at another restartCount, or in another container, has another key', () => {
    const fs = detect(undefined, fixture('two-containers-failing'));
    expect(fs).toHaveLength(2);
    expect(new Set(fs.map(occurrenceKey)).size).toBe(2);
    const [crash] = fs;
    expect(crash && occurrenceKey(crash)).not.toBe(crash && occurrenceKey({ ...crash, run: 8, restartCount: 8 }));
  });

  test('a Failure built without `run` (by other modules) keys on restartCount', () => {
    const f: Failure = { namespace: 'n', pod: 'p', uid: 'u', container: 'c', reason: 'CrashLoopBackOff', restartCount: 4, workload: { kind: 'Pod', name: 'p' } };
    expect(occurrenceKey(f)).toBe(occurrenceKey({ ...f, run: 4 }));
    expect(occurrenceKey(f)).not.toBe(occurrenceKey({ ...f, run: 3 }));
  });
});

describe('isFailing (incidents use it to notice recovery)', () => {
  const cases: [string, boolean][] = [
    ['crashloop-backoff', true],
    ['oomkilled-terminated', true],
    ['oomkilled-last-running', false],
    ['image-pull-backoff', true],
    ['evicted', true],
    ['job-error-never', true],
    ['init-crashloop', true],
    ['sidecar-crashloop', true],
    ['healthy', false],
    ['restarted-long-ago', false],
    ['container-creating', false],
    ['pod-initializing', false],
    ['completed-job', false],
    ['sidecar-job-completed', false],
    ['deleting-job-pod', false],
    ['null-fields', false],
  ];
  test.each(cases)('%s -> %s', (name, failing) => {
    expect(isFailing(fixture(name))).toBe(failing);
  });

  // The pipeline's one-pass detectChange must say exactly what detect and isFailing say.
  test.each(cases)('detectChange agrees with detect and isFailing on %s', (name) => {
    const pod = fixture(name);
    const options = { now: Date.parse('2026-11-21T09:30:00Z') };
    const verdict = detectChange(undefined, pod, options);
    expect(verdict.failing).toBe(isFailing(pod));
    expect(verdict.failures).toEqual(detect(undefined, pod, options));
    expect(detectChange(pod, pod, options).failures).toEqual([]);
  });
});

describe('never throws on odd objects', () => {
  const replacements: unknown[] = [null, undefined, {}, [], 'x', 0, -1, true, { reason: 'OOMKilled' }];

  /** Every path in a JSON value, as key lists. */
  function paths(v: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
    if (v !== null && typeof v === 'object') {
      for (const [k, child] of Object.entries(v)) {
        const p = [...prefix, Array.isArray(v) ? Number(k) : k];
        out.push(p);
        paths(child, p, out);
      }
    }
    return out;
  }

  test.each(['crashloop-backoff', 'oomkilled-then-crashloop', 'sidecar-crashloop', 'evicted', 'two-containers-failing', 'init-error-never'])(
    '%s with every field replaced in turn by null, {}, [], strings and numbers',
    (name) => {
      const original = loadPod(name);
      const prev = fixture(name);
      let projected = 0;
      for (const path of paths(original)) {
        for (const r of replacements) {
          const pod = structuredClone(original);
          let at: any = pod;
          for (const k of path.slice(0, -1)) at = at[k];
          at[path[path.length - 1]!] = r;
          const next = projectPod(pod);
          if (!next) continue;
          projected++;
          detect(undefined, next);
          detect(prev, next);
          detect(next, prev);
          isFailing(next);
        }
      }
      expect(projected).toBeGreaterThan(100);
    },
  );
});

describe('CONTAINER_FAILURE_REASONS', () => {
  test('names every container reason the fixtures produce, and nothing a healthy pod shows', () => {
    const seen = new Set<string>();
    for (const name of podFixtureNames) for (const f of detect(undefined, fixture(name))) if (f.container) seen.add(f.reason);
    for (const r of seen) expect(CONTAINER_FAILURE_REASONS.has(r)).toBe(true);
    for (const r of ['ContainerCreating', 'PodInitializing', 'Completed']) expect(CONTAINER_FAILURE_REASONS.has(r)).toBe(false);
  });
});
