import { Writable } from 'node:stream';
import { Registry } from 'prom-client';
import { acceptingSender } from '../support/accepting-sender.js';
import { incidentSettingsOf } from '../../src/app.js';
import { VirtualClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import type { IncidentSettings } from '../../src/core/incidents.js';
import type { Outgoing } from '../../src/core/outgoing.js';
import { createLogger } from '../../src/log.js';
import { Pipeline } from '../../src/pipeline.js';
import { projectPod } from '../../src/core/pod.js';
import { namespaceChange, PodFeed } from '../support/pods.js';

// The defaults of docs/design.md#environment, as `podbell run` gets them from an empty environment.
const SETTINGS: IncidentSettings = incidentSettingsOf(loadConfig({}));
const T0 = Date.parse('2026-11-21T09:00:00Z');

function setup() {
  const clock = new VirtualClock(T0);
  const sent: Outgoing[] = [];
  const sender = acceptingSender(sent, () => (d) => pipeline.outcome(d));
  const logs: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _e, done) {
      for (const l of String(chunk).split('\n').filter(Boolean)) logs.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  const registry = new Registry();
  const log = createLogger({ level: 'debug', destination: destination as never });
  const pipeline = new Pipeline({ settings: SETTINGS, defaultChannel: '#alerts', clock, log, sender, registry });
  const feed = new PodFeed((c) => pipeline.podChanged(c));
  const parents = () => sent.filter((o) => o.kind === 'parent');
  const metric = async (name: string) => (await registry.getSingleMetric(name)?.get())?.values ?? [];
  return { clock, sent, parents, logs, pipeline, feed, metric };
}

describe('Pipeline', () => {
  test('a crash-looping pod becomes one parent in the default channel after GROUP_WAIT', () => {
    const { clock, feed, parents } = setup();
    feed.put({ reason: 'CrashLoopBackOff', restartCount: 1 });
    clock.advance(9_999);
    expect(parents()).toHaveLength(0);
    clock.advance(1);
    expect(parents()).toEqual([expect.objectContaining({ kind: 'parent', channel: '#alerts' })]);
    expect(parents()[0]!.message.text).toContain('checkout');
  });

  test('podbell_incidents_open counts incidents until they resolve', async () => {
    const { clock, feed, metric } = setup();
    expect(await metric('podbell_incidents_open')).toEqual([expect.objectContaining({ value: 0 })]);
    feed.put({ reason: 'CrashLoopBackOff' });
    clock.advance(SETTINGS.groupWaitMs);
    expect(await metric('podbell_incidents_open')).toEqual([expect.objectContaining({ value: 1 })]);
    feed.put({ reason: undefined });
    clock.advance(SETTINGS.resolveAfterMs);
    expect(await metric('podbell_incidents_open')).toEqual([expect.objectContaining({ value: 0 })]);
  });

  test('a pod that recovers within GROUP_WAIT posts nothing', () => {
    const { clock, feed, sent } = setup();
    feed.put({ reason: 'CrashLoopBackOff' });
    clock.advance(5_000);
    feed.put({ reason: undefined });
    clock.advance(60_000);
    expect(sent).toEqual([]);
  });

  test('podbell.io/channel on the namespace routes its incidents there', () => {
    const { clock, pipeline, feed, parents } = setup();
    pipeline.namespaceChanged(namespaceChange('shop', { 'podbell.io/channel': '#team-shop' }));
    feed.put({ reason: 'CrashLoopBackOff' });
    clock.advance(10_000);
    expect(parents().map((p) => p.kind === 'parent' && p.channel)).toEqual(['#team-shop']);
  });

  test('a muted namespace sends nothing, and the muted failure is counted', async () => {
    const { clock, pipeline, feed, sent, metric } = setup();
    pipeline.namespaceChanged(namespaceChange('shop', { 'podbell.io/mute': 'true' }));
    feed.put({ reason: 'CrashLoopBackOff' });
    clock.advance(3_600_000);
    expect(sent).toEqual([]);
    expect(await metric('podbell_failures_muted_total')).toEqual([expect.objectContaining({ value: 1, labels: { namespace: 'shop', reason: 'Error' } })]);
  });

  test('mute-until in ten minutes keeps quiet until then, then reports the still-failing workload', () => {
    const { clock, pipeline, feed, parents } = setup();
    pipeline.namespaceChanged(namespaceChange('shop', { 'podbell.io/mute-until': new Date(T0 + 600_000).toISOString() }));
    feed.put({ reason: 'CrashLoopBackOff', restartCount: 1 });
    clock.advance(300_000);
    feed.put({ reason: 'CrashLoopBackOff', restartCount: 2 });
    clock.advance(299_999);
    expect(parents()).toHaveLength(0);
    clock.advance(1 + SETTINGS.groupWaitMs);
    expect(parents()).toHaveLength(1);
    expect(clock.now()).toBe(T0 + 600_000 + SETTINGS.groupWaitMs);
  });

  test('a Job that fails while muted (exit 1, restartPolicy Never) is reported when the mute ends', () => {
    const { clock, pipeline, parents } = setup();
    pipeline.namespaceChanged(namespaceChange('batch', { 'podbell.io/mute-until': new Date(T0 + 30 * 60_000).toISOString() }));
    const finished = new Date(T0 + 60_000).toISOString();
    const job = projectPod({
      metadata: { name: 'report-28731234-abcde', namespace: 'batch', uid: 'uid-job', ownerReferences: [{ kind: 'Job', name: 'report-28731234', controller: true }] },
      spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'report:1' }] },
      status: { phase: 'Failed', containerStatuses: [{ name: 'main', image: 'report:1', restartCount: 0, ready: false, state: { terminated: { reason: 'Error', exitCode: 1, finishedAt: finished } } }] },
    })!;
    clock.advance(60_000);
    pipeline.podChanged({ type: 'ADDED', next: job });
    clock.advance(29 * 60_000 - 1);
    expect(parents()).toHaveLength(0);
    clock.advance(1 + 10_000);
    expect(parents()).toHaveLength(1);
    expect(parents()[0]!.message.text).toContain('report');
  });

  test('mute-until that already passed does not mute', () => {
    const { clock, pipeline, feed, parents } = setup();
    pipeline.namespaceChanged(namespaceChange('shop', { 'podbell.io/mute-until': new Date(T0 - 1).toISOString() }));
    feed.put({ reason: 'CrashLoopBackOff' });
    clock.advance(SETTINGS.groupWaitMs);
    expect(parents()).toHaveLength(1);
  });

  test('mute-reasons=ImagePullBackOff still reports CrashLoopBackOff', () => {
    const { clock, pipeline, feed, parents } = setup();
    pipeline.namespaceChanged(namespaceChange('shop', { 'podbell.io/mute-reasons': 'ImagePullBackOff' }));
    feed.put({ deployment: 'web', reason: 'ImagePullBackOff' });
    feed.put({ deployment: 'api', reason: 'CrashLoopBackOff' });
    clock.advance(SETTINGS.groupWaitMs);
    expect(parents().map((p) => p.message.text).join('\n')).toContain('api');
    expect(parents().map((p) => p.message.text).join('\n')).not.toContain('web');
  });

  test('removing the mute annotation live resumes alerts for what is failing now', () => {
    const { clock, pipeline, feed, parents } = setup();
    pipeline.namespaceChanged(namespaceChange('shop', { 'podbell.io/mute': 'true' }));
    feed.put({ reason: 'CrashLoopBackOff' });
    clock.advance(600_000);
    expect(parents()).toHaveLength(0);
    pipeline.namespaceChanged(namespaceChange('shop', {}));
    clock.advance(SETTINGS.groupWaitMs);
    expect(parents()).toHaveLength(1);
  });

  test('a pod annotated podbell.io/ignore is ignored', () => {
    const { clock, feed, sent } = setup();
    feed.put({ reason: 'CrashLoopBackOff', annotations: { 'podbell.io/ignore': 'true' } });
    clock.advance(3_600_000);
    expect(sent).toEqual([]);
  });

  test('a malformed mute-until is logged once naming namespace and value, counted, and treated as not muted', async () => {
    const { clock, pipeline, feed, parents, logs, metric } = setup();
    for (let i = 0; i < 3; i++) pipeline.namespaceChanged(namespaceChange('shop', { 'podbell.io/mute-until': 'tomorrow' }));
    feed.put({ reason: 'CrashLoopBackOff' });
    clock.advance(SETTINGS.groupWaitMs);
    expect(parents()).toHaveLength(1);
    const warnings = logs.filter((l) => l.level === 40 && l.annotation === 'podbell.io/mute-until');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ namespace: 'shop', value: 'tomorrow' });
    expect(warnings[0]!.msg).toMatch(/; namespace shop is not muted$/);
    expect(await metric('podbell_annotation_errors_total')).toEqual([expect.objectContaining({ value: 1 })]);
  });

  test.each([
    ['a bad channel names where the alerts go instead', { 'podbell.io/channel': 'not a channel', 'kube-slack/slack-channel': '#payments' }, 'podbell.io/channel', /is not a channel name .*; alerts go to #payments instead$/],
    ['a bad channel with nothing after it falls back to the default channel', { 'podbell.io/channel': 'not a channel' }, 'podbell.io/channel', /; alerts go to #alerts instead$/],
    ['partly valid mute-reasons keeps the valid ones', { 'podbell.io/mute-reasons': 'OOMKilled,Bogus' }, 'podbell.io/mute-reasons', /never reports "Bogus".*; the mute still applies to OOMKilled$/],
  ])('annotation warnings say what actually happens: %s', (_what, annotations, annotation, says) => {
    const { pipeline, logs } = setup();
    pipeline.namespaceChanged(namespaceChange('shop', annotations));
    const warnings = logs.filter((l) => l.level === 40 && l.annotation === annotation);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.msg).toMatch(says);
    expect(warnings[0]!.msg).not.toContain('treated as not muted');
  });

  test('an event a stage cannot handle is logged and skipped, never thrown', () => {
    const { pipeline, logs } = setup();
    expect(() => pipeline.podChanged({ type: 'MODIFIED', next: { uid: 'x' } as never })).not.toThrow();
    expect(logs.some((l) => l.level === 50)).toBe(true);
  });

  test('flush sends a changed parent at once instead of waiting for GROUP_INTERVAL (shutdown)', () => {
    const { clock, pipeline, feed, sent } = setup();
    feed.put({ reason: 'CrashLoopBackOff', restartCount: 1 });
    clock.advance(SETTINGS.groupWaitMs);
    clock.advance(1_000);
    feed.put({ reason: 'CrashLoopBackOff', restartCount: 7 });
    clock.advance(1_000);
    const edits = () => sent.filter((o) => o.kind === 'edit');
    expect(edits().some((e) => e.message.text.includes('7 restarts'))).toBe(false);
    pipeline.flush();
    expect(edits().at(-1)?.message.text).toContain('7 restarts');
  });

  test('after stop, no timer fires and nothing is sent', () => {
    const { clock, pipeline, feed, sent } = setup();
    feed.put({ reason: 'CrashLoopBackOff' });
    pipeline.stop();
    clock.advance(3_600_000);
    expect(sent).toEqual([]);
    expect(clock.pendingCount).toBe(0);
  });
});
