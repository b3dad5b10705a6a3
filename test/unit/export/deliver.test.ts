import { describe, expect, it } from 'vitest';
import { nextAttempt, Outage } from '../../../src/export/deliver.ts';

describe('nextAttempt: wait, or give up once the outage lasted the bound', () => {
  it.each([
    { lastedMs: 0, delayMs: 1_000, bound: undefined, expected: { giveUp: false, waitMs: 1_000 } },
    { lastedMs: 10 * 3_600_000, delayMs: 60_000, bound: undefined, expected: { giveUp: false, waitMs: 60_000 } },
    { lastedMs: 0, delayMs: 1_000, bound: 300_000, expected: { giveUp: false, waitMs: 1_000 } },
    { lastedMs: 290_000, delayMs: 60_000, bound: 300_000, expected: { giveUp: false, waitMs: 10_000 } },
    { lastedMs: 300_000, delayMs: 60_000, bound: 300_000, expected: { giveUp: true } },
    { lastedMs: 301_000, delayMs: 0, bound: 300_000, expected: { giveUp: true } },
    { lastedMs: 0, delayMs: -5, bound: undefined, expected: { giveUp: false, waitMs: 0 } },
  ])('lasted $lastedMs ms, delay $delayMs ms, bound $bound -> $expected', ({ lastedMs, delayMs, bound, expected }) => {
    expect(nextAttempt(lastedMs, delayMs, bound)).toEqual(expected);
  });
});

describe('Outage: one warning per attempt number, the duration from the first failure', () => {
  it('several exports failing at once warn once per attempt; an acknowledgement ends the outage', () => {
    const outage = new Outage();
    const seen = [
      [1, 1_000],
      [1, 1_001],
      [1, 1_002],
      [2, 2_000],
      [2, 2_010],
      [3, 4_000],
    ].map(([attempt, now]) => outage.failed(attempt!, now!));
    expect(seen).toEqual([
      { warn: true, lastedMs: 0 },
      { warn: false, lastedMs: 1 },
      { warn: false, lastedMs: 2 },
      { warn: true, lastedMs: 1_000 },
      { warn: false, lastedMs: 1_010 },
      { warn: true, lastedMs: 3_000 },
    ]);
    outage.ended();
    expect(outage.failed(1, 9_000)).toEqual({ warn: true, lastedMs: 0 });
  });
});
