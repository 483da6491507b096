import type { ActionSettings } from '../../src/core/action-types.js';
import { DEDUP_WINDOW_MS, NOT_ALLOWED_NOTICE, reduceWithActions } from '../../src/core/actions.js';
import type { IncidentBook } from '../../src/core/incidents.js';
import type { PodState } from '../../src/core/pod.js';
import { DEFAULTS, HOUR, MIN, SEC, Story } from './incidents-story.js';

const OPEN: ActionSettings = { buttons: true, allowedUsers: [], allowedGroups: [] };
const settings = (actions: ActionSettings = OPEN) => ({ ...DEFAULTS, actions });

/** A checkout incident posted at 09:00:10 (thread t1), one pod crash-looping. */
function posted(actions?: ActionSettings): Story {
  return new Story(settings(actions)).fail({ pod: 'checkout-a', restartCount: 1 }).advance(10 * SEC);
}

const actionsBlock = (blocks: readonly unknown[] | undefined) => (blocks ?? []).find((b) => (b as { type: string }).type === 'actions') as { elements: Record<string, unknown>[] } | undefined;

describe('buttons on the parent', () => {
  test('with actions on, an open parent carries two menus and Acknowledge, whose values are the thread id only', () => {
    const s = new Story(settings()).fail({ pod: 'checkout-a', namespace: 'shop<!channel>' }).advance(10 * SEC);
    const block = actionsBlock(s.parents()[0]!.message.blocks)!;
    expect(block.elements.map((e) => e.action_id)).toEqual(['podbell:mute', 'podbell:mute-namespace', 'podbell:ack']);
    const mute = block.elements[0] as { options: { value: string }[] };
    expect(mute.options.map((o) => o.value)).toEqual(['t1|1h', 't1|4h', 't1|24h', 't1|resolved']);
    expect((block.elements[1] as { options: { value: string }[] }).options.map((o) => o.value)).toEqual(['t1|1h', 't1|4h']);
    expect(block.elements[2]!.value).toBe('t1');
    expect(JSON.stringify(block)).not.toContain('shop');
  });

  test('without actions (no SLACK_APP_TOKEN) the parent is exactly as before: no buttons', () => {
    const s = new Story().fail({ pod: 'checkout-a' }).advance(10 * SEC);
    expect(actionsBlock(s.parents()[0]!.message.blocks)).toBeUndefined();
  });

  test('a resolved parent has no buttons', () => {
    const s = posted().healthy('checkout-a').advance(5 * MIN);
    expect(s.of('edit', 't1').at(-1)!.msg.message.text).toMatch(/^✅ Resolved/);
    expect(actionsBlock(s.of('edit', 't1').at(-1)!.msg.message.blocks)).toBeUndefined();
  });
});

describe('mute a workload', () => {
  test('1h: one reply, the parent says who and until when at once, new failures are counted not posted, and expiry reports what still fails', () => {
    const s = posted();
    const before = s.sent.length;
    s.act('mute', 'U123', { value: '1h' });
    expect(s.acted.at(-1)).toEqual({ result: 'applied' });
    const now = s.sent.slice(before).map((x) => [x.msg.kind, x.msg.message.text]);
    expect(now).toEqual([
      ['reply', '🔕 <@U123> muted this workload until 10:00 UTC: new failures are counted, not posted.'],
      ['edit', expect.stringContaining('🔕 muted by <@U123> until 10:00 UTC')],
    ]);
    expect(actionsBlock(s.of('edit', 't1').at(-1)!.msg.message.blocks)!.elements.map((e) => e.action_id)).toContain('podbell:unmute');

    // While muted: a new pod, more restarts, and a reminder time passing all stay quiet, but are counted.
    const quietFrom = s.sent.length;
    s.advance(5 * MIN).fail({ pod: 'checkout-b', reason: 'OOMKilled', restartCount: 1 }).advance(5 * MIN).fail({ pod: 'checkout-a', restartCount: 2 }).advance(20 * MIN);
    expect(s.sent.slice(quietFrom)).toEqual([]);
    expect(s.book.incidents[Object.keys(s.book.incidents)[0]!]!.counts).toEqual({ CrashLoopBackOff: 2, OOMKilled: 1 });

    s.healthy('checkout-b').advance(30 * MIN);
    const ended = s.sent.slice(quietFrom).map((x) => [x.msg.kind, x.msg.message.text]);
    expect(ended[0]).toEqual(['reply', '🔔 the mute by <@U123> ended: still failing: 1 of 2 pods · 3 crashes: CrashLoopBackOff ×2 · OOMKilled ×1 · 3 restarts in all']);
    expect(ended[1]![0]).toBe('edit');
    expect(ended[1]![1]).toContain('CrashLoopBackOff ×2 · OOMKilled ×1');
    expect(ended[1]![1]).not.toContain('muted');
    expect(s.sent.at(-1)!.at).toBe(s.sent.find((x) => x.msg.message.text.startsWith('🔕'))!.at + HOUR);
  });

  test('until resolved: no expiry; the resolution goes out and ends the mute', () => {
    const s = posted().act('mute', 'U123', { value: 'resolved' });
    expect(s.texts('reply').at(-1)).toContain('until it resolves');
    s.advance(30 * HOUR);
    expect(s.texts('reply').filter((t) => t.startsWith('🔔') || t.startsWith('⏰'))).toEqual([]);
    // Past THREAD_MAX_AGE the incident still continues in a new thread, which shows the mute.
    expect(s.topLevel().map((p) => p.thread)).toEqual(['t1', 't2']);
    expect(s.parents()[1]!.message.text).toContain('🔕 muted by <@U123> until resolved');
    s.healthy('checkout-a').advance(5 * MIN);
    expect(s.texts('reply', 't2').at(-1)).toMatch(/^✅ recovered/);
    expect(s.parentText('t2')).toMatch(/^✅ Resolved/);
    expect(s.book.actions!.muted).toEqual({});
  });

  test('unmute undoes at once and says what is failing now', () => {
    const s = posted().act('mute', 'U123', { value: '4h' }).advance(MIN).fail({ pod: 'checkout-a', restartCount: 3 });
    s.act('unmute', 'U777');
    // Runs 2 and 3 both crashed (restartCount went from 1 to 3): counted from the restarts, as always.
    expect(s.texts('reply').at(-1)).toBe('🔔 <@U777> unmuted this incident: still failing: 1 of 1 pod · CrashLoopBackOff ×3 · 3 restarts in all');
    expect(s.parentText('t1')).not.toContain('muted');
    expect(s.parentText('t1')).toContain('CrashLoopBackOff ×3');
    s.advance(5 * HOUR);
    expect(s.texts('reply').filter((t) => t.startsWith('🔔'))).toHaveLength(1);
  });

  test('the same mute again changes nothing; a different duration replaces it', () => {
    const s = posted().act('mute', 'U1', { value: '1h' });
    const n = s.sent.length;
    s.act('mute', 'U1', { value: '1h' });
    expect(s.acted.at(-1)!.result).toBe('noop');
    expect(s.sent.length).toBe(n);
    s.act('mute', 'U2', { value: '24h' });
    expect(s.parentText('t1')).toContain('🔕 muted by <@U2> until 2026-11-22 09:00 UTC');
  });
});

describe('mute a namespace', () => {
  test('covers the clicked incident and workloads that start failing there meanwhile; at expiry their parents appear with true totals', () => {
    const s = posted().act('mute-namespace', 'U1', { value: '1h' });
    expect(s.texts('reply').at(-1)).toBe('🔕 <@U1> muted namespace shop until 10:00 UTC: new failures there are counted, not posted.');
    expect(s.parentText('t1')).toContain('🔕 namespace shop muted by <@U1> until 10:00 UTC');
    const quietFrom = s.sent.length;
    const cart = { kind: 'Deployment', name: 'cart' };
    s.advance(MIN).fail({ pod: 'cart-a', workload: cart }).advance(MIN).fail({ pod: 'cart-a', workload: cart, restartCount: 2 }).advance(MIN);
    s.fail({ pod: 'web-a', namespace: 'other', workload: { kind: 'Deployment', name: 'web' } }).advance(20 * SEC);
    expect(s.parents().map((p) => p.message.text.split('\n')[0])).toEqual(['🔴 checkout · Deployment · shop', '🔴 web · Deployment · other']);
    expect(s.sent.slice(quietFrom).filter((x) => x.msg.thread === 't1' || x.msg.message.text.includes('cart'))).toEqual([]);
    s.advance(HOUR);
    const cartParent = s.parents().find((p) => p.message.text.includes('cart'))!;
    expect(cartParent.message.text).toContain('CrashLoopBackOff ×2');
    expect(s.texts('reply', 't1').at(-1)).toMatch(/^🔔 the mute by <@U1> ended: still failing: 1 of 1 pod/);
    expect(s.book.actions!.namespaces).toEqual({});
  });
});

describe('unmute a namespace mute', () => {
  test('from any of its incidents, it ends the namespace mute: each muted thread says what still fails', () => {
    const cart = { kind: 'Deployment', name: 'cart' };
    const s = posted().fail({ pod: 'cart-a', workload: cart }).advance(10 * SEC).act('mute-namespace', 'U1', { value: '4h' });
    s.advance(MIN).act('unmute', 'U2', { thread: 't2' });
    expect(s.texts('reply', 't1').at(-1)).toMatch(/^🔔 <@U2> unmuted this incident: still failing/);
    expect(s.texts('reply', 't2').at(-1)).toMatch(/^🔔 <@U2> unmuted this incident: still failing/);
    expect(s.book.actions!.namespaces).toEqual({});
    s.advance(MIN).fail({ pod: 'cart-b', workload: cart });
    expect(s.texts('reply', 't2').at(-1)).toMatch(/^cart-b/);
  });
});

describe('acknowledge', () => {
  test('shows who is on it, drops the Acknowledge button and stops reminders', () => {
    const s = posted().act('ack', 'U42');
    expect(s.texts('reply').at(-1)).toBe('👀 <@U42> acknowledged this incident: no more reminders.');
    expect(s.parentText('t1')).toContain('👀 acknowledged by <@U42>');
    expect(actionsBlock(s.of('edit', 't1').at(-1)!.msg.message.blocks)!.elements.map((e) => e.action_id)).not.toContain('podbell:ack');
    s.advance(9 * HOUR);
    expect(s.texts('reply').filter((t) => t.startsWith('⏰'))).toEqual([]);
    s.act('ack', 'U43');
    expect(s.acted.at(-1)!.result).toBe('noop');
  });

  test('an acknowledged incident still failing after THREAD_MAX_AGE continues under a new parent, without reminders', () => {
    const s = posted().act('ack', 'U42');
    s.advance(25 * HOUR);
    expect(s.texts('reply').filter((t) => t.startsWith('⏰'))).toEqual([]);
    expect(s.parents().map((p) => [p.thread, p.linkTo])).toEqual([
      ['t1', undefined],
      ['t2', 't1'],
    ]);
  });

  test('a reopen after the acknowledgement starts a new spell, with reminders', () => {
    const s = posted().act('ack', 'U42');
    s.healthy('checkout-a').advance(6 * MIN).fail({ pod: 'checkout-a', restartCount: 2 }).advance(4 * HOUR + MIN);
    expect(s.texts('reply').filter((t) => t.startsWith('⏰'))).toHaveLength(1);
  });
});

describe('who may act, and what changes nothing', () => {
  const only: ActionSettings = { buttons: true, allowedUsers: ['U1'], allowedGroups: ['S9'] };

  test.each([
    ['an allowed user', 'U1', [], 'applied'],
    ['a member of an allowed group', 'U5', ['S9'], 'applied'],
    ['anyone else', 'U2', [], 'denied'],
    ['a member of another group', 'U3', ['S8'], 'denied'],
  ])('%s -> %s', (_who, user, groups, result) => {
    const s = posted(only);
    const n = s.sent.length;
    s.act('ack', user as string, { groups: groups as string[] });
    expect(s.acted.at(-1)!.result).toBe(result);
    if (result === 'denied') {
      expect(s.acted.at(-1)!.notice).toBe(NOT_ALLOWED_NOTICE);
      expect(s.sent.length).toBe(n);
      expect(s.book.incidents[Object.keys(s.book.incidents)[0]!]!.actions).toBeUndefined();
    }
  });

  test.each([
    ['an unknown incident', { thread: 't99' }, 'ack', 'U1', 'unknown_incident'],
    ['a mute without a duration', {}, 'mute', 'U1', 'malformed'],
    ['a duration not offered', { value: '7d' }, 'mute', 'U1', 'malformed'],
    ['a namespace mute until resolved', { value: 'resolved' }, 'mute-namespace', 'U1', 'malformed'],
    ['a user id that is not one', {}, 'ack', '<!channel>', 'malformed'],
    ['an unknown action', {}, 'delete', 'U1', 'malformed'],
  ])('%s changes nothing (%s)', (_what, options, action, user, result) => {
    const s = posted();
    const n = s.sent.length;
    const book = JSON.stringify(s.book);
    s.act(action as 'ack', user, options);
    expect(s.acted.at(-1)!.result).toBe(result);
    expect(s.sent.length).toBe(n);
    expect(JSON.stringify(s.book.incidents)).toBe(JSON.stringify(JSON.parse(book).incidents));
  });

  test('the same envelope twice, or the same click in two envelopes, acts once; an old click is stale', () => {
    const s = posted();
    s.act('ack', 'U1', { envelope: 'E1', clickedAt: s.now });
    const n = s.sent.length;
    s.act('ack', 'U1', { envelope: 'E1', clickedAt: s.now }).act('mute', 'U1', { envelope: 'E1', value: '1h' });
    s.act('ack', 'U1', { envelope: 'E2', clickedAt: s.now });
    expect(s.acted.map((a) => a.result)).toEqual(['applied', 'duplicate', 'duplicate', 'duplicate']);
    expect(s.sent.length).toBe(n);
    s.advance(DEDUP_WINDOW_MS + SEC).act('mute', 'U1', { envelope: 'E3', value: '1h', clickedAt: s.now - DEDUP_WINDOW_MS - SEC });
    expect(s.acted.at(-1)!.result).toBe('stale');
  });
});

describe('state', () => {
  test('a hand-edited state with a broken actions ledger neither throws nor blocks the next action', () => {
    const s = posted();
    (s.book as unknown as { actions: unknown }).actions = 'not a ledger';
    s.fail({ pod: 'checkout-a', restartCount: 2 }).advance(20 * SEC).act('mute', 'U1', { value: '1h' });
    expect(s.acted.at(-1)!.result).toBe('applied');
    expect(s.parentText('t1')).toContain('🔕 muted by <@U1>');
  });

  test('a mute survives a restart (the book through JSON, as the state ConfigMap keeps it) and still lifts itself', () => {
    const s = posted().act('mute', 'U123', { value: '1h' }).advance(10 * MIN);
    const restored = new Story(settings(), s.now);
    restored.book = JSON.parse(JSON.stringify(s.book)) as IncidentBook;
    restored.input({ type: 'tick' }).fail({ pod: 'checkout-a', restartCount: 2 });
    expect(restored.sent).toEqual([]);
    restored.advance(HOUR);
    expect(restored.texts('reply', 't1')).toEqual(['🔔 the mute by <@U123> ended: still failing: 1 of 1 pod · CrashLoopBackOff ×2 · 2 restarts in all']);
  });
});

describe('a mute does not make every watch event expensive', () => {
  test('with a mute active, a pod in no incident costs one lookup: the shared idle step, nothing sent, the mute still lifted on time', () => {
    const s = posted().act('mute', 'U42', { value: '1h' });
    const wakeAt = s.book.wakeAt;
    const pod = { uid: 'uid-unrelated', name: 'unrelated', namespace: 'shop', phase: 'Running', containers: [] } as unknown as PodState;
    const first = reduceWithActions(s.book, { type: 'pod', pod, failing: false }, s.now, s.settings);
    const second = reduceWithActions(s.book, { type: 'podDeleted', uid: 'uid-unrelated' }, s.now, s.settings);
    expect(second).toBe(first); // the book's cached "nothing happened" step: no array, no ledger walk
    expect(first.out).toEqual([]);
    expect(first.wakeAt).toBe(wakeAt);
    s.advance(HOUR + MIN);
    expect(s.texts('reply').at(-1)).toMatch(/^🔔 the mute by <@U42> ended/);
  });
});
