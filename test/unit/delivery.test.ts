// The delivery loop in the pure core: decide, send, record only what Slack accepted (issue 13).
import { countStep, needsEdit, hashMessage, readerSignature, stormSignature } from '../../src/core/parent-edit.js';
import type { StormMemberView, StormView } from '../../src/core/render-storm.js';

const member = (v: Partial<StormMemberView> = {}): StormMemberView => ({ status: 'open', namespace: 'shop', workload: { kind: 'Deployment', name: 'etl-01' }, counts: { 'Error (exit 1)': 3 }, ...v });
import type { IncidentView } from '../../src/core/render.js';
import { DEFAULTS, MIN, SEC, Story } from './incidents-story.js';

const h = (text: string) => hashMessage({ text });

describe('needsEdit: one pure decision from (rendered now, last accepted, when, now)', () => {
  const T = 1_000_000;
  const r = (text: string, sig = 'S', since = T - 60 * SEC) => ({ hash: h(text), sig, since });
  test.each([
    ['no parent in Slack yet', r('🔴 ×2'), undefined, 'none'],
    ['Slack shows this rendering', r('🔴 ×2'), { hash: h('🔴 ×2'), at: T - 60 * SEC, sig: 'S' }, 'none'],
    ['changed, last edit 20 s ago', r('🔴 ×3', 'S2'), { hash: h('🔴 ×2'), at: T - 20 * SEC, sig: 'S' }, 'edit'],
    ['changed, last edit exactly GROUP_INTERVAL ago', r('🔴 ×3', 'S2'), { hash: h('🔴 ×2'), at: T - 15 * SEC, sig: 'S' }, 'edit'],
    ['changed, last edit 5 s ago', r('🔴 ×3', 'S2'), { hash: h('🔴 ×2'), at: T - 5 * SEC, sig: 'S' }, 'wait'],
    ['what Slack shows is not known: any change edits', r('🔴 ×3', 'S', T), { hash: h('🔴 ×2'), at: T - 20 * SEC }, 'edit'],
    ['only details changed, still changing (5 s ago)', r('🔴 ×3', 'S', T - 5 * SEC), { hash: h('🔴 ×2'), at: T - 60 * SEC, sig: 'S' }, 'wait'],
    ['only details changed, quiet for GROUP_INTERVAL: exact totals', r('🔴 ×3', 'S', T - 15 * SEC), { hash: h('🔴 ×2'), at: T - 60 * SEC, sig: 'S' }, 'edit'],
    ['a reader-relevant change does not wait for quiet', r('🟡 ×3', 'S2', T), { hash: h('🔴 ×3'), at: T - 60 * SEC, sig: 'S' }, 'edit'],
    ['only details changed, quiet, but a crash loop waits out its back-off', { ...r('🔴 ×3', 'S', T - 60 * SEC), backOff: true }, { hash: h('🔴 ×2'), at: T - 60 * SEC, sig: 'S' }, 'hold'],
  ] as const)('%s -> %s', (_name, rendered, accepted, want) => {
    expect(needsEdit(() => rendered, accepted, T, 15 * SEC).kind).toBe(want);
  });

  test.each([
    ['an action just taken, last edit 5 s ago: due now', T, 'edit'],
    ['a storm member joined, last edit 5 s ago: due by then', T + 3 * SEC, 'wait'],
    ['editBy later than the interval changes nothing', T + 60 * SEC, 'wait'],
  ] as const)('editBy: %s', (_name, editBy, want) => {
    const decision = needsEdit(() => r('🔴 ×3', 'S2'), { hash: h('🔴 ×2'), at: T - 5 * SEC, sig: 'S' }, T, 15 * SEC, editBy);
    expect(decision.kind).toBe(want);
    if (decision.kind === 'wait') expect(decision.at).toBe(Math.min(editBy, T + 10 * SEC));
  });

  test('with no interval (the flush at shutdown) nothing is held back', () => {
    const held = { hash: h('🔴 ×3'), sig: 'S', since: T, backOff: true };
    expect(needsEdit(() => held, { hash: h('🔴 ×2'), at: T - 60 * SEC, sig: 'S' }, T, 0).kind).toBe('edit');
  });

  test('waiting names the instant the edit becomes due, without rendering', () => {
    let renders = 0;
    const render = () => (renders++, { hash: h('x'), sig: 'S', since: 0 });
    expect(needsEdit(render, { hash: h('y'), at: 100 }, 105, 15 * SEC)).toEqual({ kind: 'wait', at: 100 + 15 * SEC });
    expect(renders).toBe(0);
    // Only details changed, 3 s ago: due when the incident has been quiet for GROUP_INTERVAL.
    expect(needsEdit(() => ({ hash: h('x'), sig: 'S', since: T - 3 * SEC }), { hash: h('y'), at: 0, sig: 'S' }, T, 15 * SEC)).toEqual({ kind: 'wait', at: T + 12 * SEC });
  });
});

describe('readerSignature: what a reader must be told at once', () => {
  const base = { status: 'open', namespace: 'shop', workload: { kind: 'Deployment', name: 'checkout' }, counts: { 'Error (exit 1)': 3 }, podsAffected: 2, podsFailing: 2, podsLive: 2, restarts: 3, firstSeen: 0, lastSeen: 0, now: 0 } as const;
  const sig = (v: Partial<IncidentView>) => readerSignature({ ...base, ...v });
  test.each([
    ['a pod flips 1 of 2 <-> 2 of 2', { podsFailing: 1 }, false],
    ['a count goes 3 -> 4 (same step: 2)', { counts: { 'Error (exit 1)': 4 } }, false],
    ['restarts and back-off change', { restarts: 9, podsInBackOff: 2 }, false],
    ['a count crosses a step (3 -> 5)', { counts: { 'Error (exit 1)': 5 } }, true],
    ['a new reason', { counts: { 'Error (exit 1)': 3, OOMKilled: 1 } }, true],
    ['status: recovering', { status: 'resolving', podsFailing: 0 }, true],
    ['status: resolved', { status: 'resolved' }, true],
    ['from most pods failing to a few of 6', { podsLive: 6, podsFailing: 1 }, true],
    ['acknowledged', { actions: { buttons: true, thread: 't1', acked: { by: 'U1', at: 0 } } }, true],
    // A later Warning Event says why (ImagePullBackOff -> the registry's answer): the reader needs it now.
    ['the cause line appears', { cause: 'image or tag not found' }, true],
  ] as const)('%s: edit at once = %s', (_name, change, want) => {
    expect(sig(change as Partial<IncidentView>) !== sig({})).toBe(want);
  });

  test.each([
    ['the cause line changes', { cause: 'ImagePullBackOff', causesShown: ['ImagePullBackOff'] }, { cause: 'registry refused the credentials', causesShown: ['ImagePullBackOff', 'registry refused the credentials'] }, true],
    ['the cause line stays', { cause: 'exited with code 1', causesShown: ['exited with code 1'] }, { cause: 'exited with code 1', causesShown: ['exited with code 1'] }, false],
    // Two pods failing for different causes take turns in the line: both were told already.
    ['the cause line goes back to one already shown', { cause: 'out of memory', causesShown: ['exited with code 1', 'out of memory'] }, { cause: 'exited with code 1', causesShown: ['exited with code 1', 'out of memory'] }, false],
    // A book saved before causes were remembered: the one it shows counts as shown.
    ['a saved book without causesShown', { cause: 'ImagePullBackOff' }, { cause: 'ImagePullBackOff' }, false],
    // A resolved parent shows no cause line: nothing to tell.
    ['the cause changes on a resolved parent', { status: 'resolved', cause: 'ImagePullBackOff' }, { status: 'resolved', cause: 'image or tag not found' }, false],
  ] as const)('%s: edit at once = %s', (_name, before, after, want) => {
    expect(sig(after as Partial<IncidentView>) !== sig(before as Partial<IncidentView>)).toBe(want);
  });

  test.each([
    ['a member\'s count goes 3 -> 4 (same step)', { members: [member({ counts: { 'Error (exit 1)': 4 } })] }, false],
    ['a member goes yellow (recovering)', { members: [member({ status: 'resolving' })] }, false],
    ['the storm lasts longer', { lastAt: 90_000 }, false],
    ['a member\'s count crosses a step (3 -> 5)', { members: [member({ counts: { 'Error (exit 1)': 5 } })] }, true],
    ['a member resolves', { members: [member({ status: 'resolved' })] }, true],
    ['a member joins', { members: [member(), member({ workload: { kind: 'Deployment', name: 'etl-02' } })] }, true],
    ['members past the listed ones', { extra: 1 }, true],
  ] as const)('stormSignature, %s: edit at once = %s', (_name, change, want) => {
    const storm = (v: Partial<StormView>): StormView => ({ channel: '#alerts', firstAt: 0, lastAt: 30_000, members: [member()], ...v });
    expect(stormSignature(storm(change as Partial<StormView>)) !== stormSignature(storm({}))).toBe(want);
  });

  test.each([
    [0, 0],
    [1, 1],
    [4, 2],
    [9, 5],
    [10, 10],
    [49, 20],
    [50, 50],
    [199, 100],
    [1000, 1000],
  ])('countStep(%i) = %i', (n, step) => expect(countStep(n)).toBe(step));
});

/** Slack confirms nothing by itself: the parent is accepted, then a second crash makes an edit still in flight. */
function postedThenEditedUnconfirmed(): Story {
  const s = new Story();
  s.autoDeliver = false;
  s.fail({ pod: 'checkout-a', restartCount: 1 }).advance(10 * SEC);
  s.deliver(s.parents()[0]!);
  s.fail({ pod: 'checkout-a', restartCount: 2 }).advance(15 * SEC);
  return s;
}

describe('posted, the accepted parent and its edit time change only on delivery', () => {
  test('an unconfirmed parent is not posted: replies wait, and no edit is ever made of it', () => {
    const s = new Story();
    s.autoDeliver = false;
    s.fail({ pod: 'checkout-a', restartCount: 1 }).advance(10 * SEC);
    expect(s.parents()).toHaveLength(1);
    const inc = Object.values(s.book.incidents)[0]!;
    expect(inc.posted).toBe(false);
    // New pods and new counts while the parent is in flight: nothing but the parent goes out.
    s.fail({ pod: 'checkout-b' }).fail({ pod: 'checkout-a', restartCount: 2 }).advance(1 * MIN);
    expect(s.sent.map((x) => x.msg.kind)).toEqual(['parent']);
    // Slack accepts it: the gathered replies follow, then ONE edit (after GROUP_INTERVAL) with the state now.
    s.deliver(s.parents()[0]!);
    expect(inc.posted).toBe(true);
    expect(s.texts('reply', 't1')).toHaveLength(2);
    s.advance(15 * SEC);
    expect(s.texts('edit', 't1')).toHaveLength(1);
    expect(s.texts('edit', 't1')[0]).toContain('CrashLoopBackOff ×3');
  });

  test('defect 6: what Slack shows last is the newest state; an edit in flight never has the last word', () => {
    const s = postedThenEditedUnconfirmed();
    const [first] = s.of('edit', 't1');
    expect(first!.msg.message.text).toMatch(/^🔴 /);
    // That edit is still in flight when the pod goes away: the next edit carries the state then...
    s.deleted('checkout-a').advance(1 * MIN);
    const edits = s.of('edit', 't1');
    expect(edits.at(-1)!.msg.message.text).toMatch(/^🟡 /);
    // ...and Slack accepting the older one first (its answer was slow) brings back no 🔴: once the
    // newer lands too, nothing more is sent, so the 🟡 stays.
    s.deliver(first!.msg);
    s.deliver(edits.at(-1)!.msg).advance(1 * MIN);
    expect(s.of('edit', 't1')).toHaveLength(edits.length);
    expect(s.book.incidents[Object.keys(s.book.incidents)[0]!]!.parentHash).toBe(hashMessage(edits.at(-1)!.msg.message));
  });

  test('a lost edit is made again: what counts is what Slack accepted, not what was queued', () => {
    const s = postedThenEditedUnconfirmed();
    expect(s.of('edit', 't1')).toHaveLength(1);
    s.fails('t1', 'edit', 'http_503');
    s.fail({ pod: 'checkout-a', restartCount: 3 }).advance(15 * SEC);
    expect(s.texts('edit', 't1').at(-1)).toContain('CrashLoopBackOff ×3');
  });

  test('a parent deleted in Slack (edit refused: message_gone) is posted again in its own channel, as it is now', () => {
    const s = new Story();
    s.fail({ pod: 'checkout-a', restartCount: 1 }, '#team-r').advance(10 * SEC);
    s.autoDeliver = false;
    s.fail({ pod: 'checkout-a', restartCount: 2 }, '#team-r').advance(15 * SEC);
    s.fails('t1', 'edit', 'message_gone');
    expect(s.parents()).toHaveLength(2);
    expect(s.parents()[1]).toMatchObject({ thread: 't1', channel: '#team-r' });
    expect(s.parents()[1]!.message.text).toContain('CrashLoopBackOff ×2');
  });

  test('a parent Slack refused for good is tried again at the next REPEAT_INTERVAL, not forgotten', () => {
    const s = new Story();
    s.autoDeliver = false;
    s.fail({ pod: 'checkout-a', restartCount: 1 }).advance(10 * SEC);
    s.fails('t1', 'parent', 'channel_not_found');
    s.advance(DEFAULTS.repeatIntervalMs);
    expect(s.parents()).toHaveLength(2);
    expect(s.of('reply')).toHaveLength(0);
  });

  test('defect 3: after a restart, a parent never confirmed goes out again in its own channel, marked maybePosted', () => {
    const s = new Story();
    s.autoDeliver = false;
    s.fail({ pod: 'checkout-a', restartCount: 1 }, '#team-r').advance(10 * SEC);
    // SIGTERM with Slack down: the parent was never accepted. The book is saved and read back.
    const restarted = new Story();
    restarted.clock.advance(s.now - restarted.now + 30 * SEC);
    restarted.book = JSON.parse(JSON.stringify(s.book));
    restarted.input({ type: 'restored' });
    expect(restarted.parents()).toEqual([expect.objectContaining({ thread: 't1', channel: '#team-r', maybePosted: true })]);
    // Once accepted, the incident goes on in that thread: a later resolution edits it and replies there.
    restarted.healthy('checkout-a').drain();
    expect(restarted.parents()).toHaveLength(1);
    expect(restarted.parentText('t1')).toMatch(/^✅ Resolved/);
  });

  test('a restart re-posts nothing Slack already accepted', () => {
    const s = new Story().fail({ pod: 'checkout-a', restartCount: 1 }).advance(10 * SEC);
    const restarted = new Story();
    restarted.book = JSON.parse(JSON.stringify(s.book));
    restarted.input({ type: 'restored' });
    expect(restarted.sent).toEqual([]);
  });
});

describe('defect 1: a relist never forgets a failure it already counted', () => {
  // Pod A crash-loops (seen live); within GROUP_WAIT sibling B crashes and A is deleted; the watch
  // expires (410) and the relist delivers A's deletion and B's change in either order.
  test.each([
    ['deletion first', (s: Story) => s.deleted('checkout-a').fail({ pod: 'checkout-b', restartCount: 1 })],
    ['change first', (s: Story) => s.fail({ pod: 'checkout-b', restartCount: 1 }).deleted('checkout-a')],
  ])('%s: one incident, ×2 over 2 pods', (_order, relist) => {
    const s = new Story().fail({ pod: 'checkout-a', restartCount: 1 }).advance(4 * SEC);
    relist(s);
    s.advance(10 * SEC);
    expect(s.parents()).toHaveLength(1);
    expect(s.parents()[0]!.message.text).toContain('CrashLoopBackOff ×2');
    expect(s.parents()[0]!.message.text).toMatch(/of 2 pods/);
  });
});

describe('defect 2: counts never go down after a restart from a slightly older state', () => {
  test('runs missed while down are counted from the restartCount', () => {
    const s = new Story();
    for (let r = 1; r <= 11; r++) s.fail({ pod: 'checkout-a', restartCount: r }).advance(1 * MIN);
    const saved = JSON.stringify(s.book);
    // Slack showed ×14 before the SIGKILL; the book saved a little earlier says ×11.
    const restarted = new Story(DEFAULTS, s.now + 3 * MIN);
    restarted.book = JSON.parse(saved);
    restarted.input({ type: 'restored' }).fail({ pod: 'checkout-a', restartCount: 14 }).advance(15 * SEC);
    expect(restarted.parentText('t1')).toContain('CrashLoopBackOff ×14');
  });
});
