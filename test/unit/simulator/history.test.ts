import { describe, expect, it } from 'vitest';
import { historySegments, HISTORY_SHAPES, isHistoryShape } from '../../../src/simulator/history.ts';
import { AsanaSimulator } from '../../../src/simulator/index.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const TO = Date.parse('2026-03-02T00:00:00Z'); // a Monday, 00:00 UTC
const FROM = TO - 90 * DAY;
const N = 20_000;

async function backlog(shape: (typeof HISTORY_SHAPES)[number], seed = 1): Promise<number[]> {
  const sim = await AsanaSimulator.start({ backlog: N, backlogSpanMs: 90 * DAY, backlogShape: shape, seed, now: () => TO });
  try {
    return sim.events.map((e) => Date.parse(e.created_at));
  } finally {
    await sim.close();
  }
}

function share(times: number[], from: number, to: number): number {
  return times.filter((t) => t >= from && t < to).length / times.length;
}

describe('history shapes of the simulated backlog', () => {
  it('segments add up to the count, in time order, inside the range', () => {
    for (const shape of HISTORY_SHAPES) {
      for (const count of [0, 1, 7, 10_000]) {
        const segments = historySegments(shape, count, FROM, TO);
        expect(segments.reduce((s, x) => s + x.count, 0), `${shape} ${count}`).toBe(count);
        for (const [i, s] of segments.entries()) {
          expect(s.fromMs).toBeGreaterThanOrEqual(FROM);
          expect(s.toMs).toBeLessThanOrEqual(TO);
          if (i > 0) expect(s.fromMs).toBeGreaterThanOrEqual(segments[i - 1]!.toMs);
        }
      }
    }
  });

  it('even: every tenth of the range holds about a tenth of the events', async () => {
    const times = await backlog('even');
    expect(times).toHaveLength(N);
    for (let k = 0; k < 10; k++) expect(share(times, FROM + k * 9 * DAY, FROM + (k + 1) * 9 * DAY)).toBeCloseTo(0.1, 1);
  });

  it('dense-recent: 90% in the last day, the rest spread over the 89 days before', async () => {
    const times = await backlog('dense-recent');
    expect(times).toHaveLength(N);
    expect(share(times, TO - DAY, TO)).toBeCloseTo(0.9, 2);
    expect(share(times, FROM, FROM + 44 * DAY)).toBeGreaterThan(0.04);
    expect(share(times, FROM, FROM + 44 * DAY)).toBeLessThan(0.06);
  });

  it('burst: 80% (plus its even share) within one hour in the middle of the range', async () => {
    const times = await backlog('burst');
    const start = FROM + 45 * DAY - HOUR / 2;
    expect(share(times, start, start + HOUR)).toBeGreaterThanOrEqual(0.8);
    expect(share(times, start, start + HOUR)).toBeLessThan(0.81);
    expect(share(times, FROM, start)).toBeCloseTo(0.1, 2);
  });

  it('weekday: office hours on weekdays carry most events, and recent weeks more than old ones', async () => {
    const times = await backlog('weekday');
    expect(times).toHaveLength(N);
    const office = times.filter((t) => {
      const d = new Date(t);
      return d.getUTCDay() >= 1 && d.getUTCDay() <= 5 && d.getUTCHours() >= 9 && d.getUTCHours() < 18;
    }).length;
    // 45 of the week's 168 hours are office hours, 12 times as busy: 540 / (540 + 123) of the events.
    expect(office / N).toBeGreaterThan(0.78);
    expect(office / N).toBeLessThan(0.85);
    expect(share(times, TO - 14 * DAY, TO)).toBeGreaterThan(2.5 * share(times, FROM, FROM + 14 * DAY));
  });

  it('is deterministic from the seed', async () => {
    expect(await backlog('weekday', 3)).toEqual(await backlog('weekday', 3));
    expect(await backlog('burst', 3)).not.toEqual(await backlog('burst', 4));
  });

  it('knows its names', () => {
    expect(HISTORY_SHAPES.every(isHistoryShape)).toBe(true);
    expect(isHistoryShape('uneven')).toBe(false);
  });
});
