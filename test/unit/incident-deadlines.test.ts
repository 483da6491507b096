// deadlines(): the one statement of an incident's windows, driving both what fires and wakeAt.
import { deadlines, reduce } from '../../src/core/incidents.js';
import { DEFAULTS, MIN, SEC, Story, T0 } from './incidents-story.js';

const only = (o: object) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

describe('deadlines(incident, settings)', () => {
  test.each([
    ['pending: GROUP_WAIT after first seen', (s: Story) => s.fail({ pod: 'a' }), { open: T0 + 10 * SEC }],
    ['open: the reminder', (s: Story) => s.fail({ pod: 'a' }).advance(10 * SEC), { remind: T0 + 10 * SEC + DEFAULTS.repeatIntervalMs }],
    [
      'open with a changed state: the reminder and the parent edit',
      (s: Story) => s.fail({ pod: 'a' }).advance(10 * SEC).fail({ pod: 'a', restartCount: 2 }),
      { remind: T0 + 10 * SEC + DEFAULTS.repeatIntervalMs, edit: T0 + 10 * SEC + DEFAULTS.groupIntervalMs },
    ],
    [
      'resolving: RESOLVE_AFTER of quiet (and the edit saying so)',
      (s: Story) => s.fail({ pod: 'a', reason: 'ImagePullBackOff', restartCount: 0 }).advance(20 * SEC).healthy('a'),
      { resolve: T0 + 20 * SEC + 5 * MIN, edit: T0 + 25 * SEC },
    ],
    [
      'open, a crash-looping pod running again: RESOLVE_AFTER without a restart before it stops failing',
      (s: Story) => s.fail({ pod: 'a' }).advance(20 * SEC).healthy('a'),
      { remind: T0 + 10 * SEC + DEFAULTS.repeatIntervalMs, upLongEnough: T0 + 20 * SEC + 5 * MIN },
    ],
    ['resolved: REOPEN_WINDOW', (s: Story) => s.fail({ pod: 'a' }).advance(20 * SEC).healthy('a').advance(5 * MIN + 15 * SEC), { expire: T0 + 20 * SEC + 5 * MIN + DEFAULTS.reopenWindowMs }],
  ])('%s', (_name, script, want) => {
    const s = script(new Story());
    const [inc] = Object.values(s.book.incidents);
    expect(only(deadlines(inc!, DEFAULTS))).toEqual(want);
    // wakeAt is the earliest of them: nothing else keeps a timer.
    expect(reduce(s.book, { type: 'tick' }, s.now, DEFAULTS).wakeAt).toBe(Math.min(...Object.values(want)));
  });

  test('a parent not yet accepted has no edit deadline: its delivery, not a timer, lets the edit go', () => {
    const s = new Story();
    s.autoDeliver = false;
    s.fail({ pod: 'a' }).advance(10 * SEC).fail({ pod: 'a', restartCount: 2 });
    const [inc] = Object.values(s.book.incidents);
    expect(only(deadlines(inc!, DEFAULTS))).toEqual({ remind: T0 + 10 * SEC + DEFAULTS.repeatIntervalMs });
  });
});
