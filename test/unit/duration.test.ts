import { formatDuration, parseDuration } from '../../src/duration.js';

describe('parseDuration', () => {
  test.each([
    ['0', 0],
    ['500ms', 500],
    ['10s', 10_000],
    ['5m', 300_000],
    ['4h', 14_400_000],
    ['1d', 86_400_000],
    ['1h30m', 5_400_000],
    ['1.5s', 1500],
    [' 15s ', 15_000],
  ])('%s is %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  test.each(['', '10', '-5s', '5 m', 's', '5x', '1h 30m', 'NaN'])('%p is rejected', (text) => expect(parseDuration(text)).toBeUndefined());
});

describe('formatDuration', () => {
  test.each([
    [0, '0s'],
    [45_000, '45s'],
    [12 * 60_000, '12 min'],
    [3 * 3_600_000, '3 h'],
    [3 * 3_600_000 + 5 * 60_000, '3 h 5 min'],
    [2 * 86_400_000 + 4 * 3_600_000, '2 d 4 h'],
    // rounded to the nearest unit, never down to a smaller truth
    [4 * 60_000 + 59_000, '5 min'],
    [4 * 60_000 + 29_000, '4 min'],
    [59_600, '1 min'],
    [3_600_000 - 20_000, '1 h'],
    [2 * 3_600_000 + 59 * 60_000 + 40_000, '3 h'],
    [86_400_000 - 20_000, '1 d'],
    [86_400_000 + 3 * 3_600_000 + 50 * 60_000, '1 d 4 h'],
  ])('%d ms reads %s', (ms, text) => expect(formatDuration(ms)).toBe(text));
});
