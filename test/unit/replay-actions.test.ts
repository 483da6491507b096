import { crashLoop, iso, merge, min, replay, replies, sec, T0, topLevel } from './replay-support.js';

const action = (o: Record<string, string>, at: number) => JSON.stringify({ type: 'ACTION', at: iso(at), ...o });

// ACTION lines make button presses part of a replay, so tuning and tests can include them.
describe('podbell replay: ACTION lines', () => {
  const story = () => crashLoop({ deployment: 'checkout', suffix: 'aaaaa', from: T0, every: sec(30), times: 20 });

  test('a mute by incident id holds the thread quiet for its hour, then says what still fails', async () => {
    const { code, calls, stderr } = await replay(merge(story(), [action({ user: 'U123', action: 'mute', incident: 't1', value: '1h' }, T0 + min(1))]), ['--drain', '2h']);
    expect(stderr).not.toContain('ACTION');
    expect(code).toBe(0);
    const texts = replies(calls).map((c) => c.text);
    const muted = texts.findIndex((t) => t.startsWith('🔕 <@U123> muted this workload until 10:01 UTC'));
    expect(muted).toBeGreaterThanOrEqual(0);
    expect(texts.slice(muted + 1)).toEqual([expect.stringMatching(/^🔔 the mute by <@U123> ended: no pod is failing now|^🔔 the mute by <@U123> ended: still failing/)]);
    const lifted = replies(calls).find((c) => c.text.startsWith('🔔'))!;
    expect(lifted.at).toBe(iso(T0 + min(61)));
  });

  test('by the parent ts the replay printed, an acknowledgement edits that parent', async () => {
    const first = await replay(story(), ['--drain', '1m']);
    const ts = topLevel(first.calls)[0]!.ts;
    const { calls } = await replay(merge(story(), [action({ user: 'U9', action: 'ack', ts }, T0 + min(2))]), ['--drain', '1m']);
    expect(replies(calls).map((c) => c.text)).toContain('👀 <@U9> acknowledged this incident: no more reminders.');
    expect(calls.filter((c) => c.method === 'chat.update' && c.ts === ts).at(-1)!.text).toContain('👀 acknowledged by <@U9>');
  });

  test.each([
    [{ type: 'ACTION', user: 'U1', action: 'ack' }, 'exactly one of them'],
    [{ type: 'ACTION', action: 'ack', incident: 't1' }, 'needs "user"'],
  ])('a malformed ACTION line stops the replay, naming the line: %j', async (line, message) => {
    const { code, stderr } = await replay([JSON.stringify(line)]);
    expect(code).not.toBe(0);
    expect(stderr).toContain(message);
    expect(stderr).toContain(':1:');
  });

  test('an ACTION that changes nothing is told on stderr, with its line', async () => {
    const { stderr } = await replay(merge(story(), [action({ user: 'U1', action: 'unmute', incident: 't1' }, T0 + min(1))]), ['--drain', '1m']);
    expect(stderr).toMatch(/ACTION on line \d+ changed nothing \(noop\)/);
  });
});
