import { RecordingSender, type RecordingProblem, type SlackCall } from '../../src/adapters/slack/recording.js';
import { VirtualClock } from '../../src/clock.js';
import type { Outgoing } from '../../src/core/outgoing.js';

const T = Date.UTC(2026, 10, 21, 9, 0, 0);
const msg = (text: string) => ({ text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] });

/** Sends each step at its time (ms after T) and returns what was recorded. */
function record(steps: readonly [number, Outgoing][], stream = false) {
  const clock = new VirtualClock(T);
  const streamed: SlackCall[] = [];
  const problems: RecordingProblem[] = [];
  const sender = new RecordingSender({ clock, onProblem: (p) => problems.push(p), ...(stream && { onCall: (c: SlackCall) => streamed.push(c) }) });
  for (const [after, o] of steps) {
    clock.advanceTo(T + after);
    sender.send(o);
  }
  void sender.flush(0);
  return { calls: stream ? streamed : [...sender.calls], problems, sender };
}

describe('RecordingSender', () => {
  test('parents are top-level posts, replies carry the parent ts as thread_ts, edits update the parent ts', () => {
    const { calls } = record([
      [0, { kind: 'parent', thread: 't1', channel: '#alerts', message: msg('parent v1') }],
      [1500, { kind: 'reply', thread: 't1', message: msg('reply') }],
      [16_000, { kind: 'edit', thread: 't1', message: msg('parent v2') }],
    ]);
    expect(calls).toEqual([
      { at: '2026-11-21T09:00:00.000Z', method: 'chat.postMessage', channel: '#alerts', ts: '1795251600.000001', thread_ts: null, text: 'parent v1', blocks: msg('parent v1').blocks },
      { at: '2026-11-21T09:00:01.500Z', method: 'chat.postMessage', channel: '#alerts', ts: '1795251601.000002', thread_ts: '1795251600.000001', text: 'reply', blocks: msg('reply').blocks },
      { at: '2026-11-21T09:00:16.000Z', method: 'chat.update', channel: '#alerts', ts: '1795251600.000001', thread_ts: null, text: 'parent v2', blocks: msg('parent v2').blocks },
    ]);
  });

  test('edits of one thread at the same instant collapse into the latest, in the first one\'s place', () => {
    const { calls } = record([
      [0, { kind: 'parent', thread: 't1', channel: '#alerts', message: msg('v1') }],
      [5000, { kind: 'edit', thread: 't1', message: msg('v2') }],
      [5000, { kind: 'reply', thread: 't1', message: msg('reply') }],
      [5000, { kind: 'edit', thread: 't1', message: msg('v3') }],
      [9000, { kind: 'edit', thread: 't1', message: msg('v4') }],
    ]);
    expect(calls.map((c) => [c.method, c.text])).toEqual([
      ['chat.postMessage', 'v1'],
      ['chat.update', 'v3'],
      ['chat.postMessage', 'reply'],
      ['chat.update', 'v4'],
    ]);
  });

  test('an edit at the same instant as its unsent parent collapses into the parent, as the real queue does', () => {
    const { calls } = record([
      [0, { kind: 'parent', thread: 't1', channel: '#alerts', message: msg('v1') }],
      [0, { kind: 'reply', thread: 't1', message: msg('reply') }],
      [0, { kind: 'edit', thread: 't1', message: msg('v2') }],
    ]);
    expect(calls.map((c) => [c.method, c.text])).toEqual([
      ['chat.postMessage', 'v2'],
      ['chat.postMessage', 'reply'],
    ]);
  });

  test('a parent with linkTo carries a "Previous thread" link to the earlier thread; an unknown one is posted as is', () => {
    const { calls } = record([
      [0, { kind: 'parent', thread: 't1', channel: '#alerts', message: msg('old') }],
      [60_000, { kind: 'parent', thread: 't2', channel: '#alerts', linkTo: 't1', message: msg('new') }],
      [60_000, { kind: 'edit', thread: 't2', message: msg('new v2') }],
      [90_000, { kind: 'parent', thread: 't3', channel: '#alerts', linkTo: 'lost', message: msg('other') }],
    ]);
    const link = '<https://slack.com/archives/alerts/p1795251600000001|Previous thread>';
    expect(calls[1]!.text).toBe(`new v2\n${link}`);
    expect(calls[1]!.blocks).toEqual([...msg('new v2').blocks, { type: 'context', elements: [{ type: 'mrkdwn', text: link }] }]);
    expect(calls[2]).toMatchObject({ text: 'other', blocks: msg('other').blocks });
  });

  test('an edit without blocks clears the old ones (blocks: []), as the real sender does', () => {
    const { calls } = record([
      [0, { kind: 'parent', thread: 't1', channel: '#alerts', message: msg('v1') }],
      [20_000, { kind: 'edit', thread: 't1', message: { text: 'plain v2' } }],
    ]);
    expect(calls[1]).toMatchObject({ method: 'chat.update', text: 'plain v2', blocks: [] });
  });

  test('onCall streams each call once it is final (time moved on, or flush)', () => {
    const steps: [number, Outgoing][] = [
      [0, { kind: 'parent', thread: 't1', channel: '#alerts', message: msg('v1') }],
      [5000, { kind: 'edit', thread: 't1', message: msg('v2') }],
      [5000, { kind: 'edit', thread: 't1', message: msg('v3') }],
    ];
    const streamed = record(steps, true);
    expect(streamed.calls).toEqual(record(steps).calls);
    expect(streamed.sender.calls).toEqual([]);
  });

  test('ts values are Slack-shaped, unique, increasing and the same on every run', () => {
    const steps: [number, Outgoing][] = Array.from({ length: 5 }, (_, i) => [i * 400, { kind: 'parent', thread: `t${i}`, channel: '#alerts', message: msg(`p${i}`) }]);
    const a = record(steps).calls.map((c) => c.ts);
    expect(a).toEqual(record(steps).calls.map((c) => c.ts));
    expect(a).toEqual(['1795251600.000001', '1795251600.000002', '1795251600.000003', '1795251601.000004', '1795251601.000005']);
  });

  test('a reply or edit for a thread that was never posted is reported, not invented', () => {
    const { calls, problems } = record([
      [0, { kind: 'reply', thread: 'ghost', message: msg('r') }],
      [0, { kind: 'edit', thread: 'ghost', message: msg('e') }],
      [0, { kind: 'parent', thread: 't9', channel: '#alerts', message: msg('p') }],
    ]);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ method: 'chat.postMessage', thread_ts: null, text: 'p' });
    expect(problems.map((p) => p.why)).toEqual([
      'reply for a thread that was never posted; dropped',
      'edit for a thread that was never posted; dropped',
    ]);
  });

  test('a message without blocks records blocks: null', () => {
    const { calls } = record([[0, { kind: 'parent', thread: 't1', channel: 'C0123ABCD', message: { text: 'plain' } }]]);
    expect(calls[0]).toMatchObject({ channel: 'C0123ABCD', blocks: null });
  });

  test.each([
    [{}, 'option clock is required'],
    [{ clock: new VirtualClock(), onCall: 'x' }, 'option onCall must be a function'],
  ])('bad options fail at once: %j', (options, message) => {
    expect(() => new RecordingSender(options as never)).toThrow(new TypeError(`RecordingSender: ${message}`));
  });
});
