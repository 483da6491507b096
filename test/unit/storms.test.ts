// Storms without the wall (docs/design.md#incidents, storms): on the virtual clock, a burst of
// workloads failing in one channel gives at most 3 top-level posts, and every workload is named in
// Slack within 30 s of its first failure.
import { DEFAULTS, SEC, MIN, Story } from './incidents-story.js';

const name = (i: number) => `etl-${String(i).padStart(2, '0')}`;

/** `n` workloads failing one after another within `spreadMs`; returns the story and each one's first failure time. */
function burst(n: number, spreadMs: number, s = new Story()): { s: Story; failedAt: Map<string, number> } {
  const failedAt = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    failedAt.set(name(i), s.now);
    s.fail({ pod: `${name(i)}-7d9f-x`, workload: { kind: 'Deployment', name: name(i) } });
    s.advance(Math.floor(spreadMs / n));
  }
  return { s, failedAt };
}

/** When Slack was first told about each workload (a parent, an edit or a reply naming it). */
function firstNamed(s: Story, workloads: Iterable<string>): Map<string, number> {
  const names = [...workloads];
  const seen = new Map<string, number>();
  for (const { at, msg } of s.sent) {
    for (const n of names) if (!seen.has(n) && msg.message.text.includes(n)) seen.set(n, at);
  }
  return seen;
}

describe('storms without the wall', () => {
  test.each([20, 30])('%i workloads failing within 40 s: at most 3 top-level posts, the storm parent lists each with its counts', (n) => {
    const { s } = burst(n, 40 * SEC);
    s.advance(2 * MIN);
    expect(s.topLevel().length).toBeLessThanOrEqual(3);
    const storm = s.topLevel().find((p) => p.thread.startsWith('s'))!;
    const listed = s.parentText(storm.thread);
    expect(listed).toContain(`🚨 ${n} workloads`);
    for (let i = 0; i < n; i++) expect(listed).toMatch(new RegExp(`${name(i)} · Deployment · shop — CrashLoopBackOff ×1`));
  });

  test('50 workloads within 40 s: each is named within 30 s of its first failure, at most 3 top-level posts', () => {
    const { s, failedAt } = burst(50, 40 * SEC);
    s.advance(2 * MIN);
    expect(s.topLevel().length).toBeLessThanOrEqual(3);
    const named = firstNamed(s, failedAt.keys());
    for (const [n, at] of failedAt) {
      expect({ n, named: named.has(n) }).toEqual({ n, named: true });
      expect({ n, waited: named.get(n)! - at <= 30 * SEC }).toEqual({ n, waited: true });
    }
  });

  test.each([
    // [seconds between two workloads failing, most top-level posts]
    [2, 3],
    [4, 3],
    // 12 a minute: more than STORM_THRESHOLD, but too slow for two to open within one GROUP_WAIT; the
    // channel's rate shows it after 5 parents.
    [5, 6],
  ])('a storm trickling in, one workload every %i s for 30 workloads: at most %i top-level posts, each named within 30 s', (gap, maxTop) => {
    const { s, failedAt } = burst(30, 30 * gap * SEC);
    s.advance(2 * MIN);
    expect(s.topLevel().length).toBeLessThanOrEqual(maxTop);
    const named = firstNamed(s, failedAt.keys());
    for (const [n, at] of failedAt) expect({ n, waited: named.get(n)! - at <= 30 * SEC }).toEqual({ n, waited: true });
  });

  test('fewer than STORM_THRESHOLD a minute is no storm, however long it goes on: every workload its own parent, within 30 s', () => {
    const { s, failedAt } = burst(30, 30 * 8 * SEC);
    s.advance(2 * MIN);
    expect(s.topLevel()).toHaveLength(30);
    expect(s.topLevel().some((p) => p.thread.startsWith('s'))).toBe(false);
    const named = firstNamed(s, failedAt.keys());
    for (const [n, at] of failedAt) expect({ n, waited: named.get(n)! - at <= 30 * SEC }).toEqual({ n, waited: true });
  });

  test('with a long GROUP_INTERVAL (5 min) a member joining after the storm parent is still named within 30 s: a join brings the edit forward', () => {
    const { s, failedAt } = burst(50, 40 * SEC, new Story({ ...DEFAULTS, groupIntervalMs: 5 * MIN }));
    s.advance(2 * MIN);
    const named = firstNamed(s, failedAt.keys());
    for (const [n, at] of failedAt) expect({ n, waited: named.get(n)! - at <= 30 * SEC }).toEqual({ n, waited: true });
    // Joins space storm edits 2 × GROUP_WAIT apart, not once a second.
    const edits = s.sent.filter((m) => m.msg.kind === 'edit' && m.msg.thread.startsWith('s'));
    for (let i = 1; i < edits.length; i++) expect(edits[i]!.at - edits[i - 1]!.at).toBeGreaterThanOrEqual(2 * DEFAULTS.groupWaitMs);
  });

  test('four incidents within seconds are held, not lost: with no storm they go top level within 3 × GROUP_WAIT', () => {
    const { s, failedAt } = burst(4, 4 * SEC);
    s.advance(MIN);
    expect(s.topLevel()).toHaveLength(4);
    expect(s.topLevel().every((p) => !p.thread.startsWith('s'))).toBe(true);
    const named = firstNamed(s, failedAt.keys());
    for (const [n, at] of failedAt) expect(named.get(n)! - at).toBeLessThanOrEqual(30 * SEC);
  });

  test('a held incident whose pods all recover before the decision is still posted, then resolves: it was failing when GROUP_WAIT ended', () => {
    const { s } = burst(3, 3 * SEC);
    s.advance(9 * SEC).healthy(`${name(2)}-7d9f-x`).advance(MIN);
    expect(s.topLevel()).toHaveLength(3);
    expect(s.topLevel()[2]!.message.text).toMatch(new RegExp(`^🔴 ${name(2)} · Deployment · shop`)); // a first post is red: it failed
    // Its pod restarted by itself and runs again: it counts as failing until it has run RESOLVE_AFTER.
    const incident = () => Object.values(s.book.incidents).find((i) => i.workload.name === name(2))!;
    expect(incident().status).toBe('open');
    s.advance(5 * MIN);
    expect(incident().status).toBe('resolved');
  });

  test('incidents opening further apart than GROUP_WAIT are not held: three in a minute, 6 s apart, post at GROUP_WAIT', () => {
    const s = new Story();
    for (let i = 0; i < 3; i++) s.fail({ pod: `${name(i)}-x`, workload: { kind: 'Deployment', name: name(i) } }).advance(6 * SEC);
    s.advance(10 * SEC - 1);
    expect(s.topLevel().map((p) => p.message.text.split(' ')[1])).toEqual([name(0), name(1), name(2)]);
  });

  test('a book saved and read back during a hold (a restart) still names every workload of the storm', () => {
    const s = new Story();
    for (let i = 0; i < 16; i++) {
      if (i === 14) {
        expect(Object.values(s.book.incidents).some((inc) => inc.heldUntil !== undefined)).toBe(true);
        s.book = JSON.parse(JSON.stringify(s.book));
      }
      s.fail({ pod: `${name(i)}-x`, workload: { kind: 'Deployment', name: name(i) } }).advance(SEC);
    }
    s.advance(2 * MIN);
    expect(s.topLevel().length).toBeLessThanOrEqual(3);
    const storm = s.topLevel().find((p) => p.thread.startsWith('s'))!;
    for (let i = 0; i < 16; i++) expect(s.parentText(storm.thread)).toContain(name(i));
  });

  test('the hold scales with GROUP_WAIT: with GROUP_WAIT 0 nothing is held', () => {
    const { s } = burst(4, 4 * SEC, new Story({ ...DEFAULTS, groupWaitMs: 0 }));
    expect(s.topLevel()).toHaveLength(4);
  });

  test('with STORM_THRESHOLD at or below the preview nothing is held', () => {
    const { s } = burst(2, 2 * SEC, new Story({ ...DEFAULTS, stormThreshold: 1 }));
    s.advance(11 * SEC);
    expect(s.topLevel()).toHaveLength(2); // the first parent, then the storm parent
  });
});

describe('a storm member has no parent of its own: what it says goes into the storm thread, naming it', () => {
  const OPEN = { buttons: true, allowedUsers: [], allowedGroups: [] };
  const etl01 = { kind: 'Deployment', name: 'etl-01' } as const;
  /** etl-00 goes top level (t1); etl-01 (t2) is a member of the threshold-1 storm that follows. */
  function inStorm(): { s: Story; storm: string } {
    const s = new Story({ ...DEFAULTS, stormThreshold: 1, actions: OPEN });
    s.fail({ pod: 'etl-00-x', workload: { kind: 'Deployment', name: 'etl-00' } });
    s.fail({ pod: 'etl-01-a', workload: etl01 }).advance(10 * SEC);
    const storm = s.topLevel().find((p) => p.thread.startsWith('s'))!.thread;
    expect(s.parents().map((p) => p.thread)).toEqual(['t1', storm]);
    expect(s.parentText(storm)).toMatch(/🔴 etl-01 · Deployment · shop — CrashLoopBackOff ×1/);
    return { s, storm };
  }

  test.each([
    ['a reminder', (s: Story) => s.advance(4 * 60 * MIN), /^⏰ etl-01 still failing after 4 h/m],
    ['a recovery', (s: Story) => s.healthy('etl-01-a').advance(6 * MIN), /^✅ etl-01 recovered at 09:00:10 UTC/m],
    ['a reopen', (s: Story) => s.healthy('etl-01-a').advance(6 * MIN).fail({ pod: 'etl-01-a', restartCount: 2, workload: etl01 }).advance(20 * SEC), /^🔁 etl-01 failing again/m],
    ['an acknowledgement', (s: Story) => s.act('ack', 'U123', { thread: 't2' }), /^👀 <@U123> acknowledged etl-01: no more reminders/m],
    ['a mute', (s: Story) => s.act('mute', 'U123', { thread: 't2', value: '1h' }), /^🔕 <@U123> muted etl-01 until/m],
    ['the end of a mute', (s: Story) => s.act('mute', 'U123', { thread: 't2', value: '1h' }).advance(2 * 60 * MIN), /^🔔 the mute of etl-01 by <@U123> ended/m],
  ])('%s', (_kind, then, expected) => {
    const { s, storm } = inStorm();
    then(s);
    expect(s.texts('reply', storm).join('\n')).toMatch(expected);
    expect(s.sent.filter((m) => m.msg.thread === 't2')).toEqual([]);
  });

  test('the first failure of each cause is explained once, with its evidence; more of the same are counted on the storm parent', () => {
    const { s, storm } = inStorm();
    for (const p of ['b', 'c', 'd', 'e', 'f']) s.fail({ pod: `etl-01-${p}`, workload: etl01 });
    s.advance(20 * SEC);
    const explained = () => s.sent.filter((m) => m.msg.thread === storm && m.msg.kind === 'reply' && m.msg.evidence !== undefined).map((m) => m.msg.message.text);
    expect(explained()).toEqual([expect.stringMatching(/^etl-01 · etl-01-a · app · CrashLoopBackOff/)]);
    expect(s.parentText(storm)).toMatch(/🔴 etl-01 · Deployment · shop — CrashLoopBackOff ×6/);
    s.fail({ pod: 'etl-01-g', reason: 'OOMKilled', workload: etl01 });
    expect(explained()).toEqual([expect.stringMatching(/CrashLoopBackOff/), expect.stringMatching(/^etl-01 · etl-01-g · app · OOMKilled/)]);
  });

  test('what members say within GROUP_INTERVAL goes out as one reply: the first at once, the rest when the interval ends', () => {
    const s = new Story({ ...DEFAULTS, stormThreshold: 1 });
    for (let i = 0; i < 6; i++) s.fail({ pod: `etl-0${i}-x`, workload: { kind: 'Deployment', name: `etl-0${i}` } });
    s.advance(10 * SEC);
    const storm = s.topLevel().find((p) => p.thread.startsWith('s'))!.thread;
    const notes = () => s.sent.filter((m) => m.msg.thread === storm && m.msg.kind === 'reply' && m.msg.evidence === undefined);
    s.healthy('etl-01-x').advance(5 * MIN);
    expect(notes().map((m) => m.msg.message.text)).toEqual([expect.stringMatching(/^✅ etl-01 recovered/)]);
    for (let i = 2; i < 6; i++) s.healthy(`etl-0${i}-x`).advance(2 * SEC);
    s.advance(6 * MIN);
    expect(notes().map((m) => m.msg.message.text.split('\n').length)).toEqual([1, 1, 3]);
    expect(notes()[2]!.at - notes()[1]!.at).toBe(DEFAULTS.groupIntervalMs);
  });

  test('outside a storm the same replies stay as they were: the parent above names the workload', () => {
    const s = new Story().fail({ pod: 'etl-01-a', workload: etl01 }).advance(10 * SEC);
    s.healthy('etl-01-a').advance(6 * MIN);
    expect(s.texts('reply', 't1').at(-1)).toMatch(/^✅ recovered at/);
  });
});

describe("a namespace's channel changes while its incident is open", () => {
  const etl = { kind: 'Deployment', name: 'etl-01' } as const;
  test('the incident keeps its thread and first seen; its parent says where new incidents go; a later incident goes there', () => {
    const s = new Story().fail({ pod: 'etl-01-a', workload: etl }).advance(10 * SEC);
    expect(s.parents()).toHaveLength(1);
    // podbell.io/channel edited (or made invalid, falling back to the default): the routing says #data now.
    s.advance(MIN).fail({ pod: 'etl-01-a', restartCount: 2, workload: etl }, '#data').advance(20 * SEC);
    expect(s.parents()).toHaveLength(1);
    expect(s.parentText('t1')).toContain('CrashLoopBackOff ×2');
    expect(s.parentText('t1')).toContain('first seen 09:00:00 UTC');
    expect(s.parentText('t1')).toContain('channel changed: this incident goes on here, new ones go to #data');
    // It resolves in its own thread; the next incident of the workload starts in #data.
    s.healthy('etl-01-a').advance(6 * MIN).advance(2 * 60 * MIN);
    expect(s.texts('reply', 't1').at(-1)).toMatch(/^✅ recovered/);
    s.fail({ pod: 'etl-01-b', workload: etl }, '#data').advance(10 * SEC);
    expect(s.parents().map((p) => p.channel)).toEqual(['#alerts', '#data']);
  });

  test('the channel changing back removes the note', () => {
    const s = new Story().fail({ pod: 'etl-01-a', workload: etl }).advance(10 * SEC);
    s.fail({ pod: 'etl-01-a', restartCount: 2, workload: etl }, '#data').advance(20 * SEC);
    s.fail({ pod: 'etl-01-a', restartCount: 3, workload: etl }).advance(20 * SEC);
    expect(s.parentText('t1')).toContain('CrashLoopBackOff ×3');
    expect(s.parentText('t1')).not.toContain('channel changed');
  });
});

describe('the storm parent in the delivery loop: its members are in Slack only once it is', () => {
  /** etl-00 top level, etl-01..03 members of a threshold-1 storm whose parent Slack has not accepted yet. */
  function unconfirmed(): { s: Story; storm: Extract<Story['sent'][number]['msg'], { kind: 'parent' }> } {
    const s = new Story({ ...DEFAULTS, stormThreshold: 1 });
    s.autoDeliver = false;
    for (let i = 0; i < 4; i++) s.fail({ pod: `${name(i)}-x`, workload: { kind: 'Deployment', name: name(i) } });
    s.advance(10 * SEC);
    const storm = s.parents().find((p) => p.thread.startsWith('s'))!;
    return { s, storm };
  }

  test('accepted late: the evidence reply waits for it, then follows in its thread', () => {
    const { s, storm } = unconfirmed();
    expect(s.texts('reply', storm.thread)).toEqual([]);
    s.deliver(storm);
    expect(s.texts('reply', storm.thread)).toEqual([expect.stringMatching(/^etl-01 · etl-01-x · app · CrashLoopBackOff/)]);
  });

  test('refused for good: each member gets a parent of its own, so no workload is lost with it', () => {
    const { s, storm } = unconfirmed();
    s.fails(storm.thread, 'parent', 'msg_too_long');
    const own = s.parents().filter((p) => p.thread.startsWith('t')).map((p) => p.message.text.split(' ')[1]);
    expect(own).toEqual([name(0), name(1), name(2), name(3)]);
    expect(Object.values(s.book.incidents).every((inc) => inc.storm === undefined)).toBe(true);
  });

  test('a restart before Slack confirmed it: the storm parent is looked for and sent again, its members get no parent of their own', () => {
    const { s, storm } = unconfirmed();
    s.book = JSON.parse(JSON.stringify(s.book));
    const before = s.parents().length;
    s.input({ type: 'restored' });
    const again = s.parents().slice(before);
    expect(again.map((p) => [p.thread, p.maybePosted])).toEqual([
      [storm.thread, true],
      ['t1', true],
    ]);
  });

  test('deleted from Slack (an edit finds it gone): posted again, listing every member', () => {
    const { s, storm } = unconfirmed();
    s.deliver(storm);
    s.autoDeliver = true;
    s.fails(storm.thread, 'edit', 'message_gone');
    const again = s.parents().filter((p) => p.thread === storm.thread);
    expect(again).toHaveLength(2);
    for (let i = 0; i < 4; i++) expect(again[1]!.message.text).toContain(name(i));
  });
});

test('a book saved before storms recorded `posted` (the storm parent was in Slack): its members still speak in its thread', () => {
  const s = new Story({ ...DEFAULTS, stormThreshold: 1 });
  for (let i = 0; i < 3; i++) s.fail({ pod: `${name(i)}-x`, workload: { kind: 'Deployment', name: name(i) } });
  s.advance(10 * SEC);
  const storm = s.parents().find((p) => p.thread.startsWith('s'))!.thread;
  delete s.book.storms[storm]!.posted;
  s.book = JSON.parse(JSON.stringify(s.book));
  s.input({ type: 'restored' });
  expect(s.parents().filter((p) => p.thread === storm)).toHaveLength(1);
  s.healthy(`${name(1)}-x`).advance(6 * MIN);
  expect(s.texts('reply', storm).at(-1)).toMatch(/^✅ etl-01 recovered/);
});
