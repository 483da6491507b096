import type { Failure } from '../../src/core/detect.js';
import type { SlackMessage } from '../../src/core/outgoing.js';
import {
  causeLabel,
  escapeCode,
  escapeText,
  renderDigest,
  renderParent,
  renderReminder,
  renderReopenedReply,
  renderReply,
  renderResolvedReply,
  SLACK_LIMITS,
  truncate,
  type IncidentView,
} from '../../src/core/render.js';
import { renderStorm, renderStormNotes, type StormView } from '../../src/core/render-storm.js';

const T0 = Date.UTC(2026, 10, 21, 9, 0, 30);
const MIN = 60_000;

const view = (over: Partial<IncidentView> = {}): IncidentView => ({
  status: 'open',
  cluster: 'prod-eu',
  namespace: 'shop',
  workload: { kind: 'Deployment', name: 'checkout' },
  counts: { OOMKilled: 3, 'Error (exit 1)': 14 },
  podsAffected: 6,
  podsFailing: 6,
  restarts: 17,
  firstSeen: T0,
  lastSeen: T0 + 11 * MIN + 34_000,
  failingSince: T0,
  latestMessage: 'Error: connect ECONNREFUSED 10.0.3.7:5432',
  now: T0 + 12 * MIN,
  ...over,
});

const failure = (over: Partial<Failure> = {}): Failure => ({
  namespace: 'shop',
  pod: 'checkout-7d9f8b6c5d-x2k4q',
  uid: 'u1',
  container: 'app',
  reason: 'OOMKilled',
  exitCode: 137,
  restartCount: 3,
  node: 'node-2',
  image: 'registry.example/checkout:1.4.2',
  workload: { kind: 'Deployment', name: 'checkout' },
  ...over,
});

const storm = (n: number, over: Partial<StormView> = {}): StormView => ({
  cluster: 'prod-eu',
  channel: '#alerts',
  firstAt: T0,
  lastAt: T0 + 40_000,
  members: Array.from({ length: n }, (_, i) => ({
    status: 'open' as const,
    namespace: 'batch',
    workload: { kind: 'Deployment', name: `worker-${String(i).padStart(2, '0')}` },
    counts: { CrashLoopBackOff: 1 },
  })),
  ...over,
});

type Block = { type: string; text?: { type: string; text: string }; elements?: { text: string }[] };

/** Every Slack limit this project promises, checked on one message. */
function expectWithinLimits(m: SlackMessage): void {
  expect(m.text.length).toBeGreaterThan(0);
  expect(m.text.length).toBeLessThanOrEqual(SLACK_LIMITS.text);
  const blocks = (m.blocks ?? []) as Block[];
  expect(blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
  for (const b of blocks) {
    if (b.type === 'header') {
      expect(b.text!.type).toBe('plain_text');
      expect(b.text!.text.length).toBeLessThanOrEqual(SLACK_LIMITS.headerText);
    }
    if (b.type === 'section') expect(b.text!.text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
    if (b.type === 'context') {
      expect(b.elements!.length).toBeLessThanOrEqual(SLACK_LIMITS.contextElements);
      for (const e of b.elements!) expect(e.text.length).toBeLessThanOrEqual(SLACK_LIMITS.contextElementText);
    }
    // Every code block that opens also closes, whatever was cut.
    if (b.text) expect((b.text.text.match(/```/g) ?? []).length % 2).toBe(0);
  }
  const json = JSON.stringify(m);
  expect(json).not.toMatch(/link_names|"parse"/);
}

describe('parent', () => {
  test('shows status, title, cluster, counts per reason, pods, restarts, first and last seen, latest message', () => {
    const m = renderParent(view());
    expect(m.text).toBe(
      [
        '🔴 checkout · Deployment · shop',
        '17 crashes: Error (exit 1) ×14 · OOMKilled ×3',
        '6 of 6 pods failing · 17 restarts',
        'cluster prod-eu · first seen 09:00:30 UTC · last seen 09:12:04 UTC, 12 min after the first',
        'latest: Error: connect ECONNREFUSED 10.0.3.7:5432',
      ].join('\n'),
    );
    const blocks = m.blocks as Block[];
    expect(blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: '🔴 checkout · Deployment · shop', emoji: true } });
    expect(blocks.at(-1)!.text!.text).toBe('latest message:\n```Error: connect ECONNREFUSED 10.0.3.7:5432```');
    expectWithinLimits(m);
  });

  test.each([
    ['resolving', view({ status: 'resolving', podsFailing: 0, quietSince: T0 + 12 * MIN }), /^🟡 checkout · Deployment · shop · recovering\n[\s\S]*all pods healthy since 09:12:30 UTC/],
    ['resolved', view({ status: 'resolved', podsFailing: 0, resolvedAt: T0 + 23 * MIN }), /^✅ Resolved · checkout · Deployment · shop · failed for 23 min\n17 crashes: Error \(exit 1\) ×14 · OOMKilled ×3\n6 pods · 17 restarts\n[\s\S]*recovered 09:23:30 UTC$/],
    ['reopened', view({ failingSince: T0 + 40 * MIN, reopened: 2 }), /failing again since 09:40:30 UTC[\s\S]*failed again 2×/],
    ['following an earlier thread', view({ previousResolvedAt: T0 - 3 * 3_600_000 }), /follows an earlier incident resolved 2026-11-21 06:00:30 UTC/],
    ['lasting past midnight', view({ lastSeen: T0 + 26 * 3_600_000 }), /first seen 09:00:30 UTC · last seen 2026-11-22 11:00:30 UTC, 1 d 2 h after the first/],
    ['seen once', view({ lastSeen: T0 }), /first seen 09:00:30 UTC\nlatest/],
    ['without a cluster name', view({ cluster: undefined }), /^(?![\s\S]*cluster)/],
  ])('%s', (_n, v, pattern) => {
    const m = renderParent(v);
    expect(m.text).toMatch(pattern);
    expectWithinLimits(m);
  });

  test('a resolved parent does not show the latest error any more', () => {
    expect(renderParent(view({ status: 'resolved', resolvedAt: T0 + MIN })).text).not.toContain('ECONNREFUSED');
  });

  test('is deterministic and does not change only because time passed (so the book never edits for nothing)', () => {
    expect(renderParent(view({ now: T0 }))).toEqual(renderParent(view({ now: T0 + 99 * MIN })));
  });
});

describe('replies', () => {
  test.each([
    ['OOMKilled', failure(), 'checkout-7d9f8b6c5d-x2k4q · app · OOMKilled (exit 137, out of memory: hit its limit) · restart 3 · node-2'],
    ['CrashLoopBackOff', failure({ reason: 'CrashLoopBackOff', exitCode: 1, restartCount: 5, node: 'node-0' }), 'checkout-7d9f8b6c5d-x2k4q · app · CrashLoopBackOff (exit 1) · restart 5 · node-0'],
    ['ImagePullBackOff, no exit, no node, never restarted', failure({ reason: 'ImagePullBackOff', exitCode: undefined, restartCount: 0, node: undefined }), 'checkout-7d9f8b6c5d-x2k4q · app · ImagePullBackOff'],
    ['init container', failure({ reason: 'Error', container: 'migrate', init: true, exitCode: 2 }), 'checkout-7d9f8b6c5d-x2k4q · init migrate · Error (exit 2) · restart 3 · node-2'],
    ['Evicted (pod level)', failure({ reason: 'Evicted', container: '', exitCode: undefined, restartCount: 0 }), 'checkout-7d9f8b6c5d-x2k4q · Evicted · node-2'],
    ['a crash followed by back-off names both', failure({ reason: 'Error', exitCode: 1, backOff: true, restartCount: 5 }), 'checkout-7d9f8b6c5d-x2k4q · app · Error (exit 1) → CrashLoopBackOff · restart 5 · node-2'],
    ['the first OOMKill (not restarted yet): no "restart 0"', failure({ restartCount: 0 }), 'checkout-7d9f8b6c5d-x2k4q · app · OOMKilled (exit 137, out of memory: hit its limit) · node-2'],
  ])('%s: pod · container · reason (details) · restart N · node', (_n, f, line) => {
    const m = renderReply(f);
    expect(m.text).toBe(line);
    expectWithinLimits(m);
  });

  test('a termination message goes under the line, in a code block', () => {
    const m = renderReply(failure({ message: 'killed: memory cgroup out of memory' }));
    expect((m.blocks as Block[])[1]!.text!.text).toBe('```killed: memory cgroup out of memory```');
  });

  test.each([
    [{ items: 23, pods: 4, reasons: { 'Error (exit 1)': 20, OOMKilled: 3 }, sinceMs: 5 * MIN }, '+23 more in the last 5 min across 4 pods (23 crashes: Error (exit 1) ×20, OOMKilled ×3)'],
    [{ items: 1, pods: 1, reasons: { OOMKilled: 1 }, sinceMs: 0 }, '+1 more in the last 1s across 1 pod (OOMKilled ×1)'],
  ])('digest %#', (d, text) => {
    expect(renderDigest(d).text).toBe(text);
  });

  test('reminder, resolved and reopened replies', () => {
    expect(renderReminder(view(), T0 + 4 * 3_600_000 + 5 * MIN).text).toBe('⏰ still failing after 4 h 5 min: 17 crashes: Error (exit 1) ×14 · OOMKilled ×3 · 6 pods failing · 17 restarts');
    expect(renderResolvedReply(view({ status: 'resolved', resolvedAt: T0 + 22 * MIN + 40_000 })).text).toBe('✅ recovered at 09:23:10 UTC after 23 min');
    expect(renderReopenedReply(T0, T0 + 30 * MIN, failure()).text).toBe('🔁 failing again at 09:30:30 UTC, 30 min after recovering: checkout-7d9f8b6c5d-x2k4q OOMKilled (exit 137, out of memory: hit its limit)');
  });
});

describe('headlines that tell the truth (issue 14)', () => {
  test.each([
    ['crashes of two causes add up, with the pods in back-off', { 'Error (exit 1)': 34, OOMKilled: 20 }, 6, '54 crashes: Error (exit 1) ×34 · OOMKilled ×20 · 6 pods in CrashLoopBackOff'],
    ['crashes and other reasons: the crash total counts crashes only', { 'Error (exit 1)': 2, OOMKilled: 1, ImagePullBackOff: 3 }, undefined, '3 crashes: Error (exit 1) ×2 · OOMKilled ×1 · ImagePullBackOff ×3'],
    ['one kind of crash needs no total', { OOMKilled: 3 }, 0, 'OOMKilled ×3'],
    ['one pod in back-off', { 'Error (exit 2)': 5 }, 1, 'Error (exit 2) ×5 · 1 pod in CrashLoopBackOff'],
    ['no crash at all', { ImagePullBackOff: 2, Unschedulable: 1 }, undefined, 'ImagePullBackOff ×2 · Unschedulable ×1'],
  ])('%s', (_n, counts, podsInBackOff, line) => {
    const m = renderParent(view({ counts, ...(podsInBackOff !== undefined && { podsInBackOff }) }));
    expect(m.text.split('\n')[1]).toBe(line);
  });

  test.each([
    [failure({ reason: 'Error', exitCode: 1 }), 'Error (exit 1)'],
    [failure({ reason: 'Error', exitCode: undefined }), 'Error'],
    [failure({ reason: 'OOMKilled', exitCode: 137 }), 'OOMKilled'],
    [failure({ reason: 'ContainerStatusUnknown', exitCode: 137 }), 'ContainerStatusUnknown'],
  ])('causeLabel: a count key says what the crash was (%#)', (f, label) => {
    expect(causeLabel(f)).toBe(label);
  });

  test.each([
    'back-off 40s restarting failed container=app pod=checkout-7d9f8b6c5d-x2k4q_shop(6f0c2e1a)',
    // ImagePullBackOff's waiting message: the cause line (from the Failed Event) says why, this says nothing.
    'Back-off pulling image "registry.example.com/api:2.4.l"',
  ])("latest message: never the kubelet's back-off boilerplate (%s)", (boilerplate) => {
    const m = renderParent(view({ latestMessage: boilerplate }));
    expect(m.text.toLowerCase()).not.toContain('back-off');
    expect(JSON.stringify(m.blocks).toLowerCase()).not.toContain('back-off');
  });

  test('a long message keeps its END (stack traces end with the error), within Slack limits', () => {
    const trace = 'Traceback (most recent call last):\n' + '  File "/app/agent.py", line 88, in <module>\n'.repeat(200) + 'RuntimeError: config invalid';
    for (const m of [renderParent(view({ latestMessage: trace })), renderReply(failure({ message: trace }))]) {
      const code = (m.blocks as Block[]).map((b) => b.text?.text ?? '').find((t) => t.includes('```'))!;
      expect(code).toMatch(/```…[\s\S]*RuntimeError: config invalid```$/);
      expect(m.text).toMatch(/RuntimeError: config invalid$/);
      expectWithinLimits(m);
    }
  });

  test.each([
    ['4 min 59 s reads 5 min', T0 + 4 * MIN + 59_000, /^✅ Resolved · checkout · Deployment · shop · failed for 5 min\n/],
    ['a one-shot failure over at once: no "failed for 0s"', T0, /^✅ Resolved · checkout · Deployment · shop\n/],
  ])('resolved parent: %s', (_n, resolvedAt, pattern) => {
    const m = renderParent(view({ status: 'resolved', counts: { OOMKilled: 1 }, podsAffected: 1, podsFailing: 0, restarts: 0, resolvedAt }));
    expect(m.text).toMatch(pattern);
    expect(m.text).not.toMatch(/\b0 restarts|0s\b/);
  });

  test('resolved reply of a one-shot failure over at once: no "after 0s"', () => {
    expect(renderResolvedReply(view({ status: 'resolved', resolvedAt: T0 })).text).toBe('✅ recovered at 09:00:30 UTC');
  });

  test('the first post of an OOMKill whose container already runs again is red: it failed', () => {
    const v = view({ status: 'resolving', counts: { OOMKilled: 1 }, podsAffected: 1, podsFailing: 0, restarts: 1, quietSince: T0 });
    expect(renderParent({ ...v, firstPost: true }).text).toMatch(/^🔴 checkout · Deployment · shop\n/);
    expect(renderParent(v).text).toMatch(/^🟡 checkout · Deployment · shop · recovering\n/);
  });

  test('replies in a storm thread name their workload', () => {
    expect(renderResolvedReply(view({ status: 'resolved', workload: { kind: 'Job', name: 'etl-06' }, resolvedAt: T0 + 3 * MIN }), { named: true }).text).toBe('✅ etl-06 recovered at 09:03:30 UTC after 3 min');
    expect(renderReply(failure(), { named: true }).text).toBe('checkout · checkout-7d9f8b6c5d-x2k4q · app · OOMKilled (exit 137, out of memory: hit its limit) · restart 3 · node-2');
  });
});

describe('storm parent', () => {
  test('names the workloads with counts and says their recoveries and evidence are in its thread', () => {
    const m = renderStorm(storm(30));
    expect(m.text.split('\n')[0]).toBe('🚨 30 workloads started failing within 40s (cluster prod-eu)');
    for (let i = 0; i < 30; i++) expect(m.text).toContain(`worker-${String(i).padStart(2, '0')} · Deployment · batch — CrashLoopBackOff ×1`);
    expect(JSON.stringify(m.blocks)).toContain("the workloads' recoveries and the evidence of each cause are in this thread");
    expectWithinLimits(m);
  });

  test('hundreds of members: a count of the rest instead of a wall', () => {
    const m = renderStorm(storm(500, { extra: 120 }));
    expect(m.text.split('\n')[0]).toContain('🚨 620 workloads');
    // 100 lines, then the rest: each of those is named in the thread when it joins.
    expect(m.text.split('\n')[0]).toContain('🚨 620 workloads');
    expect(JSON.stringify(m.blocks)).toContain('… (+520 more, named in the thread)');
    expectWithinLimits(m);
  });

  test('the notes reply: every line kept, in sections within limits, and a count past the bound', () => {
    const lines = Array.from({ length: 45 }, (_, i) => `✅ worker-${i} recovered at 09:12:0${i % 10} UTC after 11 min`);
    const m = renderStormNotes(lines, 3);
    expect(m.text.split('\n')).toHaveLength(46);
    expect(m.text.split('\n').at(-1)).toBe('… and 3 more');
    expect((m.blocks as Block[]).map((b) => b.text!.text.split('\n').length)).toEqual([10, 10, 10, 10, 6]);
    expectWithinLimits(m);
  });
});

describe('escaping: cluster text can never mention, ping or link', () => {
  const evil = 'boom <!channel> <!here> <@U123> <https://evil.example|click> a & b ``` `````` <#C123> <!subteam^S1>';
  const evilName = '<!channel>-x';
  const messages: [string, SlackMessage][] = [
    ['parent', renderParent(view({ latestMessage: evil, namespace: evil, workload: { kind: '<@U1>', name: evilName }, cluster: '<!here>', counts: { [evil]: 2 } }))],
    ['resolved parent', renderParent(view({ status: 'resolved', resolvedAt: T0 + MIN, namespace: evil, workload: { kind: 'Deployment', name: evilName } }))],
    ['reply', renderReply(failure({ pod: evilName, container: evil, reason: evil, message: evil, node: evil, image: evil }))],
    ['digest', renderDigest({ items: 2, pods: 2, reasons: { [evil]: 2 }, sinceMs: MIN })],
    ['reminder', renderReminder(view({ counts: { [evil]: 1 } }), T0 + 5 * 3_600_000)],
    ['reopened', renderReopenedReply(T0, T0 + MIN, failure({ pod: evil, reason: evil }))],
    ['storm', renderStorm({ ...storm(0), cluster: evil, members: [{ status: 'open', namespace: evil, workload: { kind: evil, name: evilName }, counts: { [evil]: 1 } }] })],
  ];

  test.each(messages)('%s', (_n, m) => {
    const json = JSON.stringify(m);
    expect(json).not.toMatch(/<!|<@|<#|<http/);
    expect(json).toContain('&lt;!channel&gt;');
    expect(json).not.toMatch(/&(?!amp;|lt;|gt;)/);
    expectWithinLimits(m);
  });

  test('backtick runs inside code blocks are broken, so the block cannot be closed early', () => {
    const blocks = renderReply(failure({ message: 'a ``` b ```````` c' })).blocks as Block[];
    const code = blocks[1]!.text!.text;
    expect(code.startsWith('```') && code.endsWith('```')).toBe(true);
    expect(code.slice(3, -3)).not.toContain('```');
  });

  test.each([
    ['a & b', 'a &amp; b'],
    ['<!channel>', '&lt;!channel&gt;'],
    ['&lt;', '&amp;lt;'],
    ['a ``` b', 'a `\u200b`\u200b` b'],
    ['`x` and ``y``', '`x` and ``y``'],
  ])('escapeText(%p) = %p', (raw, escaped) => {
    expect(escapeText(raw)).toBe(escaped);
  });

  test('escapeCode breaks every run of three or more backticks', () => {
    expect(escapeCode('x ```` y')).not.toContain('```');
  });
});

describe("Slack's limits: truncated with an ellipsis, never failing", () => {
  const huge = 'E'.repeat(100_000);
  const reasons200 = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`Reason${i}${'x'.repeat(40)}`, 200 - i]));
  const cases: [string, SlackMessage][] = [
    ['huge message', renderParent(view({ latestMessage: huge }))],
    ['huge escaped message', renderParent(view({ latestMessage: '<&>'.repeat(30_000) }))],
    ['200 reasons', renderParent(view({ counts: reasons200 }))],
    ['200 reasons in a digest', renderDigest({ items: 5000, pods: 900, reasons: reasons200, sinceMs: MIN })],
    ['200 reasons in a reminder', renderReminder(view({ counts: reasons200 }), T0 + 5 * 3_600_000)],
    ['long names', renderParent(view({ workload: { kind: 'Deployment', name: 'n'.repeat(400) }, namespace: 'm'.repeat(400), cluster: 'c'.repeat(3000) }))],
    ['huge reply', renderReply(failure({ pod: 'p'.repeat(5000), container: 'c'.repeat(5000), message: huge, image: 'i'.repeat(5000), node: 'n'.repeat(5000) }))],
    ['huge storm', renderStorm(storm(500, { members: storm(500).members.map((m) => ({ ...m, counts: reasons200, workload: { kind: 'Deployment', name: 'w'.repeat(300) } })) }))],
  ];
  test.each(cases)('%s', (_n, m) => {
    expectWithinLimits(m);
  });

  test('200 reasons show the biggest dozen and a count of the rest', () => {
    const m = renderParent(view({ counts: reasons200 }));
    expect(m.text).toContain('+188 more reasons');
    expect(m.text).toContain(`Reason0${'x'.repeat(40)} ×200`);
  });

  test.each([
    ['short', 10, 'short'],
    ['abcdefghij', 5, 'abcd…'],
    ['a😀b', 3, 'a…'],
    ['ab &amp; c', 6, 'ab …'],
    ['anything', 1, '…'],
  ])('truncate(%p, %i) = %p', (s, max, out) => {
    expect(truncate(s, max)).toBe(out);
    expect(truncate(s, max).length).toBeLessThanOrEqual(max);
  });
});
