import { VirtualClock } from '../../src/clock.js';

describe('VirtualClock', () => {
  test('fires timers in time order, each at its own time', () => {
    const clock = new VirtualClock(1000);
    const fired: [string, number][] = [];
    clock.setTimer(300, () => fired.push(['c', clock.now()]));
    clock.setTimer(100, () => fired.push(['a', clock.now()]));
    clock.setTimer(200, () => fired.push(['b', clock.now()]));
    clock.advance(250);
    expect(fired).toEqual([['a', 1100], ['b', 1200]]);
    expect(clock.now()).toBe(1250);
    clock.advance(100);
    expect(fired.at(-1)).toEqual(['c', 1300]);
  });

  test('timers due at the same time fire in creation order', () => {
    const clock = new VirtualClock();
    const order: number[] = [];
    for (const n of [1, 2, 3]) clock.setTimer(50, () => order.push(n));
    clock.advance(50);
    expect(order).toEqual([1, 2, 3]);
  });

  test('a timer set by a firing timer fires within the same advance when due', () => {
    const clock = new VirtualClock();
    const at: number[] = [];
    clock.setTimer(10, () => clock.setTimer(10, () => at.push(clock.now())));
    clock.advance(25);
    expect(at).toEqual([20]);
  });

  test('cancel stops a timer, and cancelling twice is harmless', () => {
    const clock = new VirtualClock();
    let fired = false;
    const cancel = clock.setTimer(10, () => (fired = true));
    cancel();
    cancel();
    clock.advance(100);
    expect(fired).toBe(false);
    expect(clock.pendingCount).toBe(0);
  });

  test('runUntilIdle stops at the limit and reports the time reached', () => {
    const clock = new VirtualClock();
    const seen: number[] = [];
    const every = () => {
      seen.push(clock.now());
      clock.setTimer(1000, every);
    };
    clock.setTimer(1000, every);
    expect(clock.runUntilIdle(3500)).toBe(3000);
    expect(seen).toEqual([1000, 2000, 3000]);
    expect(clock.nextAt()).toBe(4000);
  });

  test.each([-1, Number.NaN])('advance(%p) is a TypeError', (ms) => {
    expect(() => new VirtualClock().advance(ms)).toThrow(TypeError);
  });
});
