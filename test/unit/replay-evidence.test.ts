import type { SlackCall } from '../../src/adapters/slack/recording.js';
import { loadConfig } from '../../src/config.js';
import { readReplayInput } from '../../src/replay/input.js';
import { runReplay } from '../../src/replay/run.js';
import { loadPod } from '../fixtures/pods.js';

// A recorded night with evidence: a Warning Event and the crashed run's log (a LOG line) come before
// the pod is seen crash-looping; the replay's first reply carries both, as `podbell run` would post it.
const crashing = loadPod('liveness-137-crashloop');
const { namespace, name, uid } = crashing.metadata as { namespace: string; name: string; uid: string };
const healthy = { ...crashing, status: { phase: 'Running', containerStatuses: [{ name: 'app', image: 'img', ready: true, restartCount: 5, state: { running: { startedAt: '2026-11-21T09:00:00Z' } } }] } };
const event = {
  kind: 'Event',
  apiVersion: 'v1',
  metadata: { name: `${name}.1`, namespace },
  involvedObject: { kind: 'Pod', name, namespace, uid },
  type: 'Warning',
  reason: 'Unhealthy',
  message: 'Liveness probe failed: HTTP probe failed with statuscode: 500',
  count: 3,
  lastTimestamp: '2026-11-21T09:12:00Z',
};
const lines = [
  { at: '2026-11-21T09:11:00Z', type: 'ADDED', object: healthy },
  { at: '2026-11-21T09:12:00Z', type: 'ADDED', object: event },
  { at: '2026-11-21T09:12:01Z', type: 'MODIFIED', object: { ...event, count: 5 } },
  { at: '2026-11-21T09:12:02Z', type: 'LOG', namespace, pod: name, container: 'app', previous: true, text: 'GET /healthz 500\ntoken=abc123 leaked\nreceived SIGKILL\n' },
  { at: '2026-11-21T09:12:05Z', type: 'MODIFIED', object: crashing },
];

async function replayed(input: readonly unknown[], env: Record<string, string> = {}): Promise<SlackCall[]> {
  const events = await readReplayInput(
    input.map((value, i) => ({ value, line: i + 1 })),
    () => undefined,
  );
  const calls: SlackCall[] = [];
  await runReplay(events, { config: loadConfig({ GROUP_WAIT: '0', ...env }), onCall: (c) => calls.push(c), drainMs: 60_000 });
  return calls;
}

test('Events and LOG lines replay as evidence: cause line, folded Event with its count, the redacted log tail', async () => {
  const calls = await replayed(lines);
  const parent = calls.find((c) => c.thread_ts === null || c.thread_ts === undefined)!;
  expect(parent.text).toContain('cause: killed by its liveness probe');
  const reply = JSON.stringify(calls.find((c) => c.thread_ts)!.blocks);
  expect(reply).toContain('Unhealthy ×5: Liveness probe failed');
  expect(reply).toContain('last 3 log lines of the previous run of app');
  expect(reply).toContain('token=[REDACTED]');
  expect(reply).not.toContain('abc123');
});

test('the same input replays byte-identically', async () => {
  expect(JSON.stringify(await replayed(lines))).toBe(JSON.stringify(await replayed(lines)));
});

test('LOGS=off and EVENTS=off: the replay carries no evidence', async () => {
  const calls = await replayed(lines, { LOGS: 'off', EVENTS: 'off' });
  const reply = JSON.stringify(calls.find((c) => c.thread_ts)!.blocks);
  expect(reply).not.toContain('log lines');
  expect(reply).not.toContain('Unhealthy ×');
});

test('a LOG line without its container is refused, naming the line', async () => {
  await expect(readReplayInput([{ value: { type: 'LOG', namespace: 'a', pod: 'b', text: 'x' }, line: 7 }], () => undefined)).rejects.toThrow('7: a LOG line needs "container"');
});

test('a LOG line with an unreadable "at" is refused, and one going back in time is warned about, as any other line', async () => {
  const log = { type: 'LOG', namespace: 'a', pod: 'b', container: 'app', text: 'x' };
  await expect(readReplayInput([{ value: { ...log, at: 'yesterday' }, line: 3 }], () => undefined)).rejects.toThrow('3: "at" must be an RFC 3339 time like 2026-11-21T09:00:30Z, got "yesterday"');
  const warnings: string[] = [];
  const events = await readReplayInput(
    [
      { value: { ...log, at: '2026-11-21T09:00:10Z' }, line: 1 },
      { value: { ...log, at: '2026-11-21T09:00:05Z' }, line: 2 },
    ],
    (w) => warnings.push(`${w.line}: ${w.message}`),
  );
  expect(events.map((e) => e.at)).toEqual([Date.parse('2026-11-21T09:00:10Z'), Date.parse('2026-11-21T09:00:10Z')]);
  expect(warnings).toEqual(['2: "at" 2026-11-21T09:00:05Z is before the previous event; replayed at the previous event\'s time (time never runs backwards)']);
});

test('an unknown "type" is refused with every type the input may hold, LOG included', async () => {
  await expect(readReplayInput([{ value: { type: 'PATCHED', object: {} }, line: 4 }], () => undefined)).rejects.toThrow('4: "type" must be ADDED, MODIFIED, DELETED, ACTION or LOG, got "PATCHED"');
});
