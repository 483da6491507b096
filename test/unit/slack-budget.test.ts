import { Budget, budgetFromRate } from '../../src/adapters/slack/budget.js';

/** Takes as soon as the budget allows, starting at 0; returns the times of the takes. */
function schedule(b: Budget, n: number, start = 0): number[] {
  const times: number[] = [];
  let now = start;
  for (let i = 0; i < n; i++) {
    now = b.nextAt(now);
    b.take(now);
    times.push(now);
  }
  return times;
}

test.each([
  ['1 per second', budgetFromRate(1, 1000), [0, 1000, 2000, 3000]],
  ['3 per minute: a burst, then the window', budgetFromRate(3, 60_000), [0, 0, 0, 60_000]],
  ['0.5 per second = 1 per 2 s', budgetFromRate(0.5, 1000), [0, 2000, 4000, 6000]],
  ['2.7 per second rounds down to 2', budgetFromRate(2.7, 1000), [0, 0, 1000, 1000]],
])('%s', (_name, budget, expected) => {
  expect(schedule(budget, 4)).toEqual(expected);
});

test('time away refills the budget', () => {
  const b = new Budget(2, 1000);
  schedule(b, 2);
  expect(b.nextAt(500)).toBe(1000);
  expect(b.nextAt(5000)).toBe(5000);
});

test.each([
  [0, 1000],
  [1.5, 1000],
  [1, 0],
])('Budget(%p, %p) is a TypeError', (limit, interval) => {
  expect(() => new Budget(limit, interval)).toThrow(TypeError);
});
