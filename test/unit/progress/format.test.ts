import { describe, expect, it } from 'vitest';
import { formatCount, formatEta, formatProgressBar, type ProgressSnapshot } from '../../../src/progress/format.ts';

const HOUR = 3_600_000;

describe('progress formatting (pure)', () => {
  const snap: ProgressSnapshot = { events: 182_400, eventsPerSecond: 1410.4, behindMs: 52 * 24 * HOUR + 3 * HOUR, etaMs: 74 * 60_000, fraction: 0.416, streams: 1 };

  it.each([
    [0, '0'],
    [7, '7'],
    [999, '999'],
    [1000, '1,000'],
    [12_345, '12,345'],
    [182_400, '182,400'],
    [1_000_000, '1,000,000'],
    [1_234_567_890, '1,234,567,890'],
    [1409.6, '1,410'],
    [999.5, '1,000'],
    [-1234, '-1,234'],
  ])('groups the digits of %s as en-US does: %s', (n, text) => {
    expect(formatCount(n)).toBe(text);
    expect(formatCount(n)).toBe(Math.round(n).toLocaleString('en-US'));
  });

  it('formats durations compactly', () => {
    expect(formatEta(9_000)).toBe('9s');
    expect(formatEta(125_000)).toBe('2m05s');
    expect(formatEta(3_723_000)).toBe('1h02m');
    expect(formatEta(52 * 24 * HOUR + 3 * HOUR)).toBe('52d03h');
  });

  it('draws a bar with percent, events, rate, how far behind and the ETA', () => {
    const line = formatProgressBar(snap, 120);
    expect(line).toBe('backfill [############------------------]  41% 182,400 events · 1,410/s · 52d03h behind · ETA 1h14m');
  });

  it('fits the terminal width and never wraps', () => {
    for (const columns of [20, 40, 60, 80, 100]) expect(formatProgressBar(snap, columns).length).toBeLessThanOrEqual(columns - 1);
    expect(formatProgressBar(snap, 80)).toMatch(/^backfill \[#+-+\]  41% .* ETA 1h14m$/);
    // Too narrow for the bar: the facts stay, the bar goes.
    expect(formatProgressBar(snap, 70)).toBe('backfill 41% 182,400 events · 1,410/s · 52d03h behind · ETA 1h14m');
  });

  it('says what it does not know yet', () => {
    const line = formatProgressBar({ events: 0, eventsPerSecond: 0, behindMs: 2 * HOUR, streams: 2 }, 120);
    expect(line).toContain('  ?%');
    expect(line).toContain('0.0/s');
    expect(line).toContain('ETA ?');
    expect(line).toContain('2 streams');
  });
});
