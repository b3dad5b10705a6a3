import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../src/duration.ts';

describe('parseDuration', () => {
  it.each([
    ['1500ms', 1_500],
    ['30s', 30_000],
    ['5m', 300_000],
    ['24h', 86_400_000],
    ['7d', 7 * 86_400_000],
    ['90d', 90 * 86_400_000],
    ['1h30m', 5_400_000],
    ['1m500ms', 60_500],
    [' 30s ', 30_000],
    ['0s', 0],
  ])('%s -> %i ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '30', '5x', '-5s', '1.5h', '5 m', '5M', 'm', '5m1h', '1h1h', 's30', '30sec', '99999999999999999d'])(
    'refuses %j',
    (text) => {
      expect(parseDuration(text)).toBeUndefined();
    },
  );
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [1_500, '1s500ms'],
    [30_000, '30s'],
    [5_400_000, '1h30m'],
    [90 * 86_400_000, '90d'],
  ])('%i ms -> %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('round-trips', () => {
    for (const ms of [1, 999, 61_001, 86_400_000 + 1]) expect(parseDuration(formatDuration(ms))).toBe(ms);
  });
});

describe('formatDuration for people (a delay, a lag, an ETA)', () => {
  it.each([
    [250, { units: 2 }, '250ms'],
    [1_500, { units: 2 }, '1s500ms'],
    [4_000, { units: 2 }, '4s'],
    [90_000, { units: 2 }, '1m30s'],
    [125_000, { units: 2, smallest: 's' }, '2m05s'],
    [3_723_000, { units: 2, smallest: 's' }, '1h02m'],
    [9 * 3_600_000, { units: 2, smallest: 's' }, '9h'],
    [52 * 86_400_000 + 3 * 3_600_000, { units: 2, smallest: 's' }, '52d03h'],
    [400, { units: 2, smallest: 's' }, '0s'],
    [3_599_700, { units: 2, smallest: 's' }, '1h'],
    [119_000, { units: 1, smallest: 's' }, '2m'],
    [45_000, { units: 1, smallest: 's' }, '45s'],
    [3 * 86_400_000 + 7 * 3_600_000, { units: 1, smallest: 's' }, '3d'],
  ] as const)('%i ms with %j -> %s', (ms, opts, text) => {
    expect(formatDuration(ms, opts)).toBe(text);
  });

  it('reads back as a duration, within the rounding of its last unit', () => {
    for (const ms of [1, 999, 61_001, 3_723_000, 86_400_000 + 1]) {
      const back = parseDuration(formatDuration(ms, { units: 2 }));
      expect(back).toBeDefined();
      expect(Math.abs((back ?? 0) - ms)).toBeLessThanOrEqual(ms * 0.05 + 1);
    }
  });
});
