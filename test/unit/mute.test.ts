import { describe, expect, test } from '@jest/globals';
import {
  compileNamespacePolicy,
  compilePodPolicy,
  describeMute,
  MUTABLE_REASONS,
  nextChange,
  projectNamespace,
  route,
  routeFailure,
  type NamespaceState,
} from '../../src/core/mute.js';
import { projectPod, type PodState } from '../../src/core/pod.js';
import { parseRfc3339 } from '../../src/core/rfc3339.js';

const DEFAULT = '#alerts';
const T = Date.parse('2026-11-22T06:00:00Z');
const BEFORE = T - 3_600_000;
type Ann = Record<string, string>;

const ns = (annotations?: Ann, name = 'payments'): NamespaceState => (annotations ? { name, annotations } : { name });

function pod(annotations?: Ann, namespace = 'payments'): PodState {
  const p = projectPod({
    metadata: { uid: 'u1', name: 'api-7d9f8b6c5d-x2k4q', namespace, ...(annotations && { annotations }) },
    spec: { containers: [{ name: 'app', image: 'api:1' }] },
    status: { containerStatuses: [{ name: 'app', restartCount: 3, state: { waiting: { reason: 'CrashLoopBackOff' } } }] },
  });
  if (!p) throw new Error('fixture pod did not project');
  return p;
}

interface RouteCase {
  readonly ns?: Ann;
  readonly pod?: Ann;
  readonly reason?: string;
  readonly now?: number;
  readonly channel?: string;
  readonly muted: boolean;
  readonly until?: number;
  readonly why?: string;
}

/** Runs a case through the compiled path and checks the route() wrapper agrees. */
function decide(c: RouteCase) {
  const n = ns(c.ns);
  const p = pod(c.pod);
  const reason = c.reason ?? 'CrashLoopBackOff';
  const now = c.now ?? BEFORE;
  const r = routeFailure(compileNamespacePolicy(n), compilePodPolicy(p), reason, now, DEFAULT);
  const { problems: _problems, ...wrapped } = route(p, n, DEFAULT, reason, now);
  expect(wrapped).toEqual(r);
  return r;
}

function check(c: RouteCase) {
  const r = decide(c);
  expect(r.muted).toBe(c.muted);
  expect(r.channel).toBe(c.channel ?? DEFAULT);
  expect(r.until).toBe(c.until);
  if (c.why !== undefined) expect(r.why).toBe(c.why);
  if (!c.muted) expect(r.why).toBeUndefined();
}

describe('each annotation on its own', () => {
  test.each<[string, RouteCase]>([
    ['no annotations: default channel, not muted', { muted: false }],
    ['namespace mute=true mutes every reason, for good', { ns: { 'podbell.io/mute': 'true' }, muted: true, why: 'namespace payments muted by podbell.io/mute' }],
    ['namespace mute=false does not mute', { ns: { 'podbell.io/mute': 'false' }, muted: false }],
    ['mute is case-insensitive and accepts yes', { ns: { 'podbell.io/mute': ' YES ' }, muted: true }],
    ['mute=no does not mute', { ns: { 'podbell.io/mute': 'No' }, muted: false }],
    [
      'mute-until alone mutes every reason until then',
      { ns: { 'podbell.io/mute-until': '2026-11-22T06:00:00Z' }, muted: true, until: T, why: 'namespace payments muted until 2026-11-22T06:00:00Z by podbell.io/mute-until' },
    ],
    [
      'mute-reasons alone mutes a listed reason for good',
      { ns: { 'podbell.io/mute-reasons': 'OOMKilled,CrashLoopBackOff' }, muted: true, why: 'CrashLoopBackOff in namespace payments muted by podbell.io/mute-reasons' },
    ],
    ['mute-reasons alone leaves other reasons alerting', { ns: { 'podbell.io/mute-reasons': 'OOMKilled' }, reason: 'CrashLoopBackOff', muted: false }],
    ['mute-reasons matches names in any case, with spaces and a trailing comma', { ns: { 'podbell.io/mute-reasons': ' oomkilled , imagepullbackoff,' }, reason: 'ImagePullBackOff', muted: true }],
    ['namespace podbell.io/channel routes there', { ns: { 'podbell.io/channel': '#team-payments' }, channel: '#team-payments', muted: false }],
    ['a channel ID is accepted as is', { ns: { 'podbell.io/channel': 'C0123456789' }, channel: 'C0123456789', muted: false }],
    ['podbell.io/channel without # is normalised', { ns: { 'podbell.io/channel': 'team-payments' }, channel: '#team-payments', muted: false }],
    ['namespace kube-slack/slack-channel without # (as kube-slack accepted)', { ns: { 'kube-slack/slack-channel': 'payments-alerts' }, channel: '#payments-alerts', muted: false }],
    ['pod kube-slack/slack-channel with #', { pod: { 'kube-slack/slack-channel': '#payments-alerts' }, channel: '#payments-alerts', muted: false }],
    ['pod podbell.io/ignore=true ignores the pod', { pod: { 'podbell.io/ignore': 'true' }, muted: true, why: 'pod payments/api-7d9f8b6c5d-x2k4q ignored by podbell.io/ignore' }],
    ['pod podbell.io/ignore=false does not', { pod: { 'podbell.io/ignore': 'false' }, muted: false }],
    ['pod kube-slack/ignore-pod=true ignores the pod', { pod: { 'kube-slack/ignore-pod': 'true' }, muted: true, why: 'pod payments/api-7d9f8b6c5d-x2k4q ignored by kube-slack/ignore-pod' }],
    ['kube-slack/ignore-pod keeps kube-slack meaning: any non-empty value ignores', { pod: { 'kube-slack/ignore-pod': '1' }, muted: true }],
    ['kube-slack/ignore-pod=false is honoured as not ignored', { pod: { 'kube-slack/ignore-pod': 'false' }, muted: false }],
    ['empty kube-slack/ignore-pod does not ignore (kube-slack did not either)', { pod: { 'kube-slack/ignore-pod': '' }, muted: false }],
    ['pod-level mute-until works like the namespace one', { pod: { 'podbell.io/mute-until': '2026-11-22T06:00:00Z' }, muted: true, until: T, why: 'pod payments/api-7d9f8b6c5d-x2k4q muted until 2026-11-22T06:00:00Z by podbell.io/mute-until' }],
  ])('%s', (_name, c) => check(c));
});

describe('precedence', () => {
  test.each<[string, RouteCase]>([
    ['pod channel beats namespace channel', { pod: { 'podbell.io/channel': '#pod-chan' }, ns: { 'podbell.io/channel': '#ns-chan' }, channel: '#pod-chan', muted: false }],
    ['namespace channel beats the default', { ns: { 'podbell.io/channel': '#ns-chan' }, channel: '#ns-chan', muted: false }],
    ['podbell.io/channel beats kube-slack/slack-channel on a pod', { pod: { 'podbell.io/channel': '#new', 'kube-slack/slack-channel': '#old' }, channel: '#new', muted: false }],
    ['podbell.io/channel beats kube-slack/slack-channel on a namespace', { ns: { 'kube-slack/slack-channel': '#old', 'podbell.io/channel': '#new' }, channel: '#new', muted: false }],
    ['pod kube-slack channel beats namespace podbell.io channel (level first)', { pod: { 'kube-slack/slack-channel': '#old' }, ns: { 'podbell.io/channel': '#new' }, channel: '#old', muted: false }],
    ['a muted pod still reports its channel (for podbell check)', { pod: { 'podbell.io/ignore': 'true' }, ns: { 'podbell.io/channel': '#ns-chan' }, channel: '#ns-chan', muted: true }],
    ['pod ignore wins over a time-limited namespace mute', { pod: { 'podbell.io/ignore': 'true' }, ns: { 'podbell.io/mute-until': '2026-11-22T06:00:00Z' }, muted: true, why: 'pod payments/api-7d9f8b6c5d-x2k4q ignored by podbell.io/ignore' }],
    ['podbell.io/ignore=false beats kube-slack/ignore-pod=true (podbell.io wins at the same level)', { pod: { 'podbell.io/ignore': 'false', 'kube-slack/ignore-pod': 'true' }, muted: false }],
    ['podbell.io/ignore=true and kube-slack/ignore-pod=false: ignored by podbell.io/ignore', { pod: { 'podbell.io/ignore': 'true', 'kube-slack/ignore-pod': 'false' }, muted: true, why: 'pod payments/api-7d9f8b6c5d-x2k4q ignored by podbell.io/ignore' }],
    ['a lasting namespace mute explains the route over a shorter pod mute', { pod: { 'podbell.io/mute-until': '2026-11-22T06:00:00Z' }, ns: { 'podbell.io/mute': 'true' }, muted: true, why: 'namespace payments muted by podbell.io/mute' }],
    [
      'the later of two mute-until instants is when alerts resume',
      { pod: { 'podbell.io/mute-until': '2026-11-22T06:00:00Z' }, ns: { 'podbell.io/mute-until': '2026-11-22T08:00:00Z' }, muted: true, until: T + 2 * 3_600_000 },
    ],
    ['a pod mute of other reasons does not hide a namespace mute', { pod: { 'podbell.io/mute-reasons': 'OOMKilled' }, ns: { 'podbell.io/mute': 'true' }, muted: true }],
  ])('%s', (_name, c) => check(c));
});

describe('expiry edges of mute-until', () => {
  test.each<[string, number, boolean]>([
    ['an hour before', T - 3_600_000, true],
    ['one ms before', T - 1, true],
    ['exactly at until: alerts resume', T, false],
    ['one ms after', T + 1, false],
  ])('%s', (_name, now, muted) => {
    check({ ns: { 'podbell.io/mute-until': '2026-11-22T06:00:00Z' }, now, muted, ...(muted && { until: T }) });
  });

  test.each<[string, string]>([
    ['Z', '2026-11-22T06:00:00Z'],
    ['lower-case t and z', '2026-11-22t06:00:00z'],
    ['+01:00 (Europe, winter)', '2026-11-22T07:00:00+01:00'],
    ['-08:00 (US Pacific) on the previous day', '2026-11-21T22:00:00-08:00'],
    ['+05:30 (India)', '2026-11-22T11:30:00+05:30'],
    ['+00:00', '2026-11-22T06:00:00+00:00'],
    ['-00:00 (UTC, local offset unknown)', '2026-11-22T06:00:00-00:00'],
    ['a zero fraction', '2026-11-22T06:00:00.000Z'],
  ])('offset %s is the same instant: muted 1 ms before, alerting exactly at it', (_name, value) => {
    const a = { 'podbell.io/mute-until': value };
    check({ ns: a, now: T - 1, muted: true, until: T });
    check({ ns: a, now: T, muted: false });
  });

  test('a fraction of a second counts: muted until the exact millisecond', () => {
    check({ ns: { 'podbell.io/mute-until': '2026-11-22T06:00:00.250Z' }, now: T + 249, muted: true, until: T + 250 });
    check({ ns: { 'podbell.io/mute-until': '2026-11-22T06:00:00.250Z' }, now: T + 250, muted: false });
  });
});

describe('combinations', () => {
  const until = '2026-11-22T06:00:00Z';
  test.each<[string, RouteCase]>([
    [
      'mute-until + mute-reasons mutes the listed reason until then',
      { ns: { 'podbell.io/mute-until': until, 'podbell.io/mute-reasons': 'OOMKilled' }, reason: 'OOMKilled', muted: true, until: T, why: 'OOMKilled in namespace payments muted until 2026-11-22T06:00:00Z by podbell.io/mute-reasons and podbell.io/mute-until' },
    ],
    ['mute-until + mute-reasons leaves other reasons alerting', { ns: { 'podbell.io/mute-until': until, 'podbell.io/mute-reasons': 'OOMKilled' }, reason: 'CrashLoopBackOff', muted: false }],
    ['mute-until + mute-reasons: the listed reason alerts again at until', { ns: { 'podbell.io/mute-until': until, 'podbell.io/mute-reasons': 'OOMKilled' }, reason: 'OOMKilled', now: T, muted: false }],
    ['mute=true + mute-until is muted until then', { ns: { 'podbell.io/mute': 'true', 'podbell.io/mute-until': until }, now: T - 1, muted: true, until: T, why: 'namespace payments muted until 2026-11-22T06:00:00Z by podbell.io/mute and podbell.io/mute-until' }],
    ['mute=true + mute-until lifts by itself at until', { ns: { 'podbell.io/mute': 'true', 'podbell.io/mute-until': until }, now: T, muted: false }],
    ['mute=true + mute-reasons mutes only those reasons', { ns: { 'podbell.io/mute': 'true', 'podbell.io/mute-reasons': 'Evicted' }, reason: 'CrashLoopBackOff', muted: false }],
    ['mute=false switches off a mute-until left in place', { ns: { 'podbell.io/mute': 'false', 'podbell.io/mute-until': until }, muted: false }],
    ['a mute-until in the past mutes nothing', { ns: { 'podbell.io/mute-until': '2026-01-01T00:00:00Z' }, muted: false }],
    ['a muted namespace still routes to its channel', { ns: { 'podbell.io/mute': 'true', 'podbell.io/channel': '#team-payments' }, channel: '#team-payments', muted: true }],
  ])('%s', (_name, c) => check(c));
});

describe('malformed values: reported with the annotation and the value, treated as not muted / next channel', () => {
  interface BadCase extends RouteCase {
    readonly annotation: string;
    readonly value: string;
    readonly level?: 'pod' | 'namespace';
  }
  test.each<[string, BadCase]>([
    ['mute="maybe"', { ns: { 'podbell.io/mute': 'maybe' }, annotation: 'podbell.io/mute', value: 'maybe', muted: false }],
    ['empty mute', { ns: { 'podbell.io/mute': '' }, annotation: 'podbell.io/mute', value: '', muted: false }],
    ['mute-until that is not a time', { ns: { 'podbell.io/mute-until': 'tomorrow' }, annotation: 'podbell.io/mute-until', value: 'tomorrow', muted: false }],
    ['mute-until 2026-13-40', { ns: { 'podbell.io/mute-until': '2026-13-40T06:00:00Z' }, annotation: 'podbell.io/mute-until', value: '2026-13-40T06:00:00Z', muted: false }],
    ['mute-until on February 29 of a common year', { ns: { 'podbell.io/mute-until': '2027-02-29T06:00:00Z' }, annotation: 'podbell.io/mute-until', value: '2027-02-29T06:00:00Z', muted: false }],
    ['mute-until without a zone', { ns: { 'podbell.io/mute-until': '2026-11-22T06:00:00' }, annotation: 'podbell.io/mute-until', value: '2026-11-22T06:00:00', muted: false }],
    ['mute-until as a date only', { ns: { 'podbell.io/mute-until': '2026-11-22' }, annotation: 'podbell.io/mute-until', value: '2026-11-22', muted: false }],
    ['mute-until as epoch seconds', { ns: { 'podbell.io/mute-until': '1795327200' }, annotation: 'podbell.io/mute-until', value: '1795327200', muted: false }],
    ['mute-until at hour 24', { ns: { 'podbell.io/mute-until': '2026-11-22T24:00:00Z' }, annotation: 'podbell.io/mute-until', value: '2026-11-22T24:00:00Z', muted: false }],
    ['mute-until with offset +24:00', { ns: { 'podbell.io/mute-until': '2026-11-22T06:00:00+24:00' }, annotation: 'podbell.io/mute-until', value: '2026-11-22T06:00:00+24:00', muted: false }],
    [
      'a bad mute-until does not leave mute=true muting for good',
      { ns: { 'podbell.io/mute': 'true', 'podbell.io/mute-until': '22/11/2026 06:00' }, annotation: 'podbell.io/mute-until', value: '22/11/2026 06:00', muted: false },
    ],
    [
      'mute="maybe" does not let a mute-until mute',
      { ns: { 'podbell.io/mute': 'maybe', 'podbell.io/mute-until': '2026-11-22T06:00:00Z' }, annotation: 'podbell.io/mute', value: 'maybe', muted: false },
    ],
    [
      'an unknown reason is reported while the known ones still mute',
      { ns: { 'podbell.io/mute-reasons': 'OOMKilled,OOMKiled' }, reason: 'OOMKilled', annotation: 'podbell.io/mute-reasons', value: 'OOMKilled,OOMKiled', muted: true },
    ],
    ['only unknown reasons: nothing muted', { ns: { 'podbell.io/mute-reasons': 'Crashing' }, annotation: 'podbell.io/mute-reasons', value: 'Crashing', muted: false }],
    ['an empty reason list: nothing muted', { ns: { 'podbell.io/mute-reasons': ' , ' }, annotation: 'podbell.io/mute-reasons', value: ' , ', muted: false }],
    ['a channel that is not a channel name or ID: default channel', { ns: { 'podbell.io/channel': 'Team Payments!' }, annotation: 'podbell.io/channel', value: 'Team Payments!', muted: false }],
    ['a bad pod channel falls back to the namespace channel', { pod: { 'podbell.io/channel': '@alice' }, ns: { 'podbell.io/channel': '#team-payments' }, channel: '#team-payments', annotation: 'podbell.io/channel', value: '@alice', level: 'pod', muted: false }],
    ['a bad podbell.io/channel falls back to kube-slack/slack-channel', { ns: { 'podbell.io/channel': '#', 'kube-slack/slack-channel': '#old' }, channel: '#old', annotation: 'podbell.io/channel', value: '#', muted: false }],
    ['a bad kube-slack/slack-channel', { pod: { 'kube-slack/slack-channel': 'https://example.slack.com/archives/x' }, annotation: 'kube-slack/slack-channel', value: 'https://example.slack.com/archives/x', level: 'pod', muted: false }],
    ['podbell.io/ignore="maybe" does not ignore the pod', { pod: { 'podbell.io/ignore': 'maybe' }, annotation: 'podbell.io/ignore', value: 'maybe', level: 'pod', muted: false }],
    [
      'a bad podbell.io/ignore leaves kube-slack/ignore-pod in charge',
      { pod: { 'podbell.io/ignore': 'ja', 'kube-slack/ignore-pod': 'true' }, annotation: 'podbell.io/ignore', value: 'ja', level: 'pod', muted: true, why: 'pod payments/api-7d9f8b6c5d-x2k4q ignored by kube-slack/ignore-pod' },
    ],
    ['podbell.io/ignore on a namespace is read on pods only', { ns: { 'podbell.io/ignore': 'true' }, annotation: 'podbell.io/ignore', value: 'true', muted: false }],
    ['a misspelt podbell.io annotation', { ns: { 'podbell.io/mute-untill': '2026-11-22T06:00:00Z' }, annotation: 'podbell.io/mute-untill', value: '2026-11-22T06:00:00Z', muted: false }],
    ['a bad pod mute-until', { pod: { 'podbell.io/mute-until': 'soon' }, annotation: 'podbell.io/mute-until', value: 'soon', level: 'pod', muted: false }],
  ])('%s', (_name, c) => {
    check(c);
    const p = pod(c.pod);
    const policy = c.level === 'pod' ? compilePodPolicy(p) : compileNamespacePolicy(ns(c.ns));
    expect(policy.problems).toHaveLength(1);
    const problem = policy.problems[0]!;
    expect(problem).toMatchObject({ namespace: 'payments', annotation: c.annotation, value: c.value });
    expect(problem.pod).toBe(c.level === 'pod' ? 'api-7d9f8b6c5d-x2k4q' : undefined);
    expect(problem.why).toContain(c.annotation);
    // route() surfaces the same problem for one-off callers such as `podbell check`.
    expect(route(p, ns(c.ns), DEFAULT, c.reason ?? 'CrashLoopBackOff', BEFORE).problems).toEqual(policy.problems);
  });

  test('unknown reason names are quoted in the problem, which says the known ones still apply', () => {
    const [problem] = compileNamespacePolicy(ns({ 'podbell.io/mute-reasons': 'OOMKilled,OOMKiled,Crash' })).problems;
    expect(problem?.why).toContain('"OOMKiled", "Crash"');
    expect(problem?.why).toContain('the mute still applies to OOMKilled');
  });

  test('a bad podbell.io/ignore says kube-slack/ignore-pod still ignores the pod', () => {
    const [problem] = compilePodPolicy(pod({ 'podbell.io/ignore': 'ja', 'kube-slack/ignore-pod': 'true' })).problems;
    expect(problem?.why).toContain('kube-slack/ignore-pod still ignores the pod');
  });

  test('a huge bad value is cut in the problem', () => {
    const value = 'x'.repeat(10_000);
    const [problem] = compileNamespacePolicy(ns({ 'podbell.io/mute': value })).problems;
    expect(problem?.value.length).toBeLessThanOrEqual(201);
    expect(value.startsWith(problem!.value.slice(0, 200))).toBe(true);
  });

  test('good values give no problems', () => {
    const good = { 'podbell.io/mute': 'true', 'podbell.io/mute-until': '2026-11-22T06:00:00Z', 'podbell.io/mute-reasons': 'OOMKilled', 'podbell.io/channel': '#a', 'kube-slack/slack-channel': 'b' };
    expect(compileNamespacePolicy(ns(good)).problems).toEqual([]);
    expect(compilePodPolicy(pod({ ...good, 'podbell.io/ignore': 'true', 'kube-slack/ignore-pod': 'true' })).problems).toEqual([]);
  });
});

describe('every reason podbell alerts on can be muted by name', () => {
  test.each(MUTABLE_REASONS.map((r) => [r]))('%s', (reason) => {
    check({ ns: { 'podbell.io/mute-reasons': reason }, reason, muted: true });
    const other = reason === 'Error' ? 'Evicted' : 'Error';
    check({ ns: { 'podbell.io/mute-reasons': reason }, reason: other, muted: false });
  });
});

describe('nextChange: when the mute changes by itself', () => {
  test.each<[string, Ann, number, number | undefined]>([
    ['a future mute-until', { 'podbell.io/mute-until': '2026-11-22T06:00:00Z' }, T - 1, T],
    ['exactly at mute-until: nothing left to change', { 'podbell.io/mute-until': '2026-11-22T06:00:00Z' }, T, undefined],
    ['a past mute-until', { 'podbell.io/mute-until': '2026-11-22T06:00:00Z' }, T + 1, undefined],
    ['mute-until with reasons', { 'podbell.io/mute-until': '2026-11-22T07:00:00+01:00', 'podbell.io/mute-reasons': 'OOMKilled' }, BEFORE, T],
    ['a mute for good never changes by itself', { 'podbell.io/mute': 'true' }, BEFORE, undefined],
    ['switched off with mute=false', { 'podbell.io/mute': 'false', 'podbell.io/mute-until': '2026-11-22T06:00:00Z' }, BEFORE, undefined],
    ['a malformed mute-until', { 'podbell.io/mute-until': '2026-13-40T06:00:00Z' }, BEFORE, undefined],
    ['no annotations', {}, BEFORE, undefined],
  ])('%s', (_name, a, now, expected) => {
    expect(nextChange(compileNamespacePolicy(ns(a)), now)).toBe(expected);
  });

  test('a pod policy reports its own mute-until', () => {
    expect(nextChange(compilePodPolicy(pod({ 'podbell.io/mute-until': '2026-11-22T06:00:00Z' })), BEFORE)).toBe(T);
  });
});

describe('describeMute: what a policy silences now, for logs', () => {
  test.each<[string, Ann, number, string | undefined]>([
    ['a mute for good', { 'podbell.io/mute': 'true' }, BEFORE, 'namespace payments muted by podbell.io/mute'],
    ['a running mute-until', { 'podbell.io/mute-until': '2026-11-22T07:00:00+01:00' }, T - 1, 'namespace payments muted until 2026-11-22T06:00:00Z by podbell.io/mute-until'],
    ['a lifted mute-until', { 'podbell.io/mute-until': '2026-11-22T06:00:00Z' }, T, undefined],
    [
      'reasons until a time',
      { 'podbell.io/mute-reasons': 'evicted,OOMKilled', 'podbell.io/mute-until': '2026-11-22T06:00:00Z' },
      BEFORE,
      'Evicted, OOMKilled in namespace payments muted until 2026-11-22T06:00:00Z by podbell.io/mute-reasons and podbell.io/mute-until',
    ],
    ['a malformed mute', { 'podbell.io/mute': 'maybe' }, BEFORE, undefined],
    ['nothing', {}, BEFORE, undefined],
  ])('%s', (_name, a, now, expected) => {
    expect(describeMute(compileNamespacePolicy(ns(a)), now)).toBe(expected);
  });

  test('an ignored pod', () => {
    expect(describeMute(compilePodPolicy(pod({ 'kube-slack/ignore-pod': 'true' })), BEFORE)).toBe('pod payments/api-7d9f8b6c5d-x2k4q ignored by kube-slack/ignore-pod');
  });
});

describe('parseRfc3339', () => {
  test.each([
    '2026-11-22T06:00:00Z',
    '2024-02-29T23:59:59Z',
    '2026-11-22T06:00:00.5Z',
    '2026-11-22T06:00:00.123456789+02:00',
    '1999-12-31T23:59:59-12:00',
    '2000-03-01T00:00:00+14:00',
  ])('%s is the instant Date.parse reads', (text) => {
    expect(parseRfc3339(text)).toBe(Date.parse(text));
  });

  test('a two-digit year is that year, not 19xx', () => {
    const d = new Date(0);
    d.setUTCFullYear(99, 0, 1);
    expect(parseRfc3339('0099-01-01T00:00:00Z')).toBe(d.getTime());
  });

  test.each(['2026-02-30T00:00:00Z', '2026-04-31T00:00:00Z', '2026-00-10T00:00:00Z', '2026-11-22T06:60:00Z', '2026-11-22T06:00:61Z', '2026-11-22T06:00:00+01', '2026-11-22 06:00:00Z', ' ', 'null'])(
    '%s is not a time',
    (text) => expect(parseRfc3339(text)).toBeUndefined(),
  );
});

describe('projectNamespace', () => {
  test.each<[string, unknown, NamespaceState | undefined]>([
    [
      'keeps the name and only podbell and kube-slack annotations',
      { kind: 'Namespace', metadata: { name: 'payments', uid: 'x', labels: { a: 'b' }, annotations: { 'podbell.io/mute': 'true', 'kube-slack/slack-channel': '#x', 'kubectl.kubernetes.io/last-applied-configuration': '{}' } } },
      { name: 'payments', annotations: { 'podbell.io/mute': 'true', 'kube-slack/slack-channel': '#x' } },
    ],
    ['no annotations: no annotations field', { metadata: { name: 'shop' } }, { name: 'shop' }],
    ['only foreign annotations', { metadata: { name: 'shop', annotations: { team: 'x' } } }, { name: 'shop' }],
    ['a non-string annotation value is dropped', { metadata: { name: 'shop', annotations: { 'podbell.io/mute': true } } }, { name: 'shop' }],
    ['no name', { metadata: {} }, undefined],
    ['not a namespace', { kind: 'Pod', metadata: { name: 'p' } }, undefined],
    ['null', null, undefined],
    ['a string', 'payments', undefined],
    ['metadata is an array', { metadata: [] }, undefined],
  ])('%s', (_name, raw, expected) => {
    expect(projectNamespace(raw)).toEqual(expected);
  });
});

describe('bad arguments fail at once', () => {
  test.each<[string, number, string]>([
    ['now is NaN', Number.NaN, DEFAULT],
    ['defaultChannel is empty', BEFORE, ''],
  ])('%s', (_name, now, channel) => {
    expect(() => routeFailure(undefined, undefined, 'OOMKilled', now, channel)).toThrow(TypeError);
  });

  test('no namespace known yet: pod policy and the default channel still apply', () => {
    expect(routeFailure(undefined, undefined, 'OOMKilled', BEFORE, DEFAULT)).toEqual({ channel: DEFAULT, muted: false });
    expect(route(pod({ 'podbell.io/channel': '#p' }), undefined, DEFAULT, 'OOMKilled', BEFORE)).toEqual({ channel: '#p', muted: false });
  });
});
