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
