import { describe, expect, it } from 'vitest';
import type { StreamState } from '../../../../src/state/types.ts';
import { TAIL } from '../../../../src/streams/audit-log/cursor.ts';
import {
  MAX_PAGES_PER_PART,
  MIN_PART_MS,
  planSplit,
  splitBounds,
  splitCursor,
  splitRange,
  TAIL_COVERS_MS,
  TAIL_MIN_PART_MS,
  type SplitInput,
} from '../../../../src/streams/audit-log/split.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T = Date.parse('2026-05-01T00:00:00.000Z');
const at = (ms: number) => new Date(T + ms).toISOString();

/** A full page spanning `spanMs`, ending at the cursor's position `pos`, in a range ending at `end`. */
function input(o: { spanMs: number; pos: number; end: number; idle: number; received?: number; minPartMs?: number }): SplitInput {
  return { received: o.received ?? 100, firstAt: at(o.pos - o.spanMs), lastAt: at(o.pos), earlierSpansMs: [], position: at(o.pos), endMs: T + o.end, idle: o.idle, minPartMs: o.minPartMs ?? MIN_PART_MS };
}
const ms = (bounds: string[] | undefined) => bounds?.map((b) => Date.parse(b) - T);

describe('planSplit: whether and where a cursor\'s remaining range is cut', () => {
  it.each([
    // [case, input, expected boundaries (ms after T) or undefined]
    ['no idle worker: no split', input({ spanMs: 60_000, pos: 0, end: DAY, idle: 0 }), undefined],
    ['a short page: the cursor is about to end', input({ spanMs: 60_000, pos: 0, end: DAY, idle: 7, received: 99 }), undefined],
    ['fewer than two parts of 8 pages left (15 pages)', input({ spanMs: HOUR, pos: 0, end: 15 * HOUR, idle: 7 }), undefined],
    ['16 pages left, one idle worker: two equal parts', input({ spanMs: HOUR, pos: 0, end: 16 * HOUR, idle: 1 }), [8 * HOUR]],
    ['64 pages left, 3 idle: 4 parts of 16 pages', input({ spanMs: HOUR, pos: 0, end: 64 * HOUR, idle: 3 }), [16 * HOUR, 32 * HOUR, 48 * HOUR]],
    ['more idle workers than parts of 8 pages: as many parts as there are 8 pages', input({ spanMs: HOUR, pos: 0, end: 24 * HOUR, idle: 7 }), [8 * HOUR, 16 * HOUR]],
    // A burst: the page spanned a minute, a day is left; all but the last part hold 32 pages at that density.
    ['a dense page in a long range: parts of at most 32 pages, the last takes the rest', input({ spanMs: 60_000, pos: 0, end: DAY, idle: 3 }), [32 * 60_000, 64 * 60_000, 96 * 60_000]],
    // 100 events at one instant: as dense as can be, but no part narrower than a second.
    ['a page at one instant: parts of the minimum width', input({ spanMs: 0, pos: 0, end: 3_000, idle: 7 }), [1_000, 2_000]],
    ['less than two minimum parts left', input({ spanMs: 0, pos: 0, end: 1_999, idle: 7 }), undefined],
    ['the live tail: parts of at least an hour', input({ spanMs: 60_000, pos: 0, end: 3 * HOUR, idle: 7, minPartMs: TAIL_MIN_PART_MS }), [HOUR, 2 * HOUR]],
    ['the range already ended', input({ spanMs: 60_000, pos: 0, end: 0, idle: 7 }), undefined],
  ])('%s', (_, given, expected) => {
    expect(ms(planSplit(given))).toEqual(expected);
  });

  it.each([
    // [case, spans of the earlier full pages, this page's span, boundaries]
    ['one page at one instant among ordinary pages is not taken for the density', [HOUR, HOUR], 0, undefined],
    ['two dense pages in a row are', [HOUR, 60_000], 60_000, [32 * 60_000]],
    ['the first page after a restart counts alone', [], 60_000, [32 * 60_000]],
    ['with one earlier page, the longer of the two', [HOUR], 60_000, undefined],
  ])('%s', (_, earlierSpansMs, spanMs, expected) => {
    expect(ms(planSplit({ ...input({ spanMs, pos: 0, end: 10 * HOUR, idle: 1 }), earlierSpansMs }))).toEqual(expected);
  });

  it('needs readable times', () => {
    expect(planSplit({ ...input({ spanMs: 60_000, pos: 0, end: DAY, idle: 3 }), firstAt: undefined })).toBeUndefined();
    expect(planSplit({ ...input({ spanMs: 60_000, pos: 0, end: DAY, idle: 3 }), position: 'yesterday' })).toBeUndefined();
    expect(planSplit({ ...input({ spanMs: 60_000, pos: 0, end: DAY, idle: 3 }), endMs: Number.NaN })).toBeUndefined();
  });

  it('every boundary lies strictly inside (position, end), rising, whatever the density', () => {
    for (const spanMs of [0, 1, 999, 60_000, HOUR, DAY]) {
      for (const end of [2_000, HOUR, DAY, 90 * DAY]) {
        for (let idle = 1; idle <= 7; idle++) {
          const b = ms(planSplit(input({ spanMs, pos: 0, end, idle })));
          if (!b) continue;
          expect(b.length).toBeLessThanOrEqual(idle);
          expect(b[0]).toBeGreaterThan(0);
          for (let i = 1; i < b.length; i++) expect(b[i]).toBeGreaterThanOrEqual(b[i - 1]! + MIN_PART_MS);
          expect(b.at(-1)).toBeLessThan(end);
          expect(b[0]).toBeLessThanOrEqual(Math.max(MIN_PART_MS, MAX_PAGES_PER_PART * Math.max(1, spanMs)));
        }
      }
    }
  });
});

describe('splitBounds', () => {
  it('a window keeps the first part; the live tail hands out its whole range and restarts at its end', () => {
    const given = input({ spanMs: HOUR / 8, pos: 0, end: 6 * HOUR, idle: 2, minPartMs: TAIL_MIN_PART_MS });
    expect(ms(splitBounds(at(-DAY), given))).toEqual([2 * HOUR, 4 * HOUR]);
    expect(ms(splitBounds(TAIL, given))).toEqual([2 * HOUR, 4 * HOUR, 6 * HOUR]);
    expect(splitBounds(TAIL, { ...given, idle: 0 })).toBeUndefined();
  });
});

describe('splitRange', () => {
  const now = new Date(T);
  it('a window splits up to its end, in parts of a second at least', () => {
    expect(splitRange(at(-HOUR), at(-60_000), now)).toEqual({ endMs: T - 60_000, minPartMs: MIN_PART_MS });
  });
  it('the live tail keeps its last hour, and splits in parts of an hour at least', () => {
    expect(splitRange(TAIL, undefined, now)).toEqual({ endMs: T - TAIL_COVERS_MS, minPartMs: TAIL_MIN_PART_MS });
  });
});

describe('splitCursor: the new bounds and windows, as one state', () => {
  const now = new Date(T + 10 * DAY);
  const base: StreamState = { stream: 'audit_log', workspaceGid: '1', filters: {}, eventsShipped: 500, updatedAt: at(0) };

  it('shortens a window, drops its offset (it belonged to the old end_at), and adds the rest after it', () => {
    const state: StreamState = {
      ...base,
      startAt: at(5 * DAY),
      backfill: [
        { startAt: at(0), endAt: at(DAY), offset: 'o1', offsetStartAt: at(0), lastEventAt: at(HOUR), lastEventGid: 'g', lastEventGids: ['g'], eventsShipped: 300 },
        { startAt: at(DAY), endAt: at(5 * DAY), eventsShipped: 0 },
      ],
    };
    const next = splitCursor(state, at(0), [at(2 * HOUR), at(3 * HOUR)], now)!;
    expect(next.backfill).toEqual([
      { startAt: at(0), endAt: at(2 * HOUR), offset: undefined, offsetStartAt: undefined, lastEventAt: at(HOUR), lastEventGid: 'g', lastEventGids: ['g'], eventsShipped: 300 },
      { startAt: at(2 * HOUR), endAt: at(3 * HOUR), eventsShipped: 0 },
      { startAt: at(3 * HOUR), endAt: at(DAY), eventsShipped: 0 },
      { startAt: at(DAY), endAt: at(5 * DAY), eventsShipped: 0 },
    ]);
    // The tail is untouched.
    expect(next.startAt).toBe(state.startAt);
  });

  it('refuses boundaries at or before the window\'s position, or at or past its end', () => {
    const state: StreamState = { ...base, backfill: [{ startAt: at(0), endAt: at(DAY), lastEventAt: at(HOUR), eventsShipped: 1 }] };
    expect(splitCursor(state, at(0), [at(HOUR)], now)).toBeUndefined();
    expect(splitCursor(state, at(0), [at(DAY)], now)).toBeUndefined();
    expect(splitCursor(state, at(0), [at(3 * HOUR), at(2 * HOUR)], now)).toBeUndefined();
    expect(splitCursor(state, at(7), [at(2 * HOUR)], now)).toBeUndefined(); // no such window
  });

  it('hands the live tail\'s range to windows: the first resumes at its position, the tail restarts at the last boundary without an offset', () => {
    const state: StreamState = {
      ...base,
      startAt: at(0),
      offset: 'tail-offset',
      offsetStartAt: at(0),
      lastEventAt: at(DAY),
      lastEventGid: 'b',
      lastEventGids: ['a', 'b'],
      caughtUpAt: at(HOUR),
      backfill: [{ startAt: at(-DAY), endAt: at(0), eventsShipped: 0 }],
    };
    const next = splitCursor(state, TAIL, [at(3 * DAY), at(5 * DAY)], now)!;
    expect(next.backfill).toEqual([
      { startAt: at(-DAY), endAt: at(0), eventsShipped: 0 },
      { startAt: at(DAY), endAt: at(3 * DAY), lastEventAt: at(DAY), lastEventGid: 'b', lastEventGids: ['a', 'b'], eventsShipped: 0 },
      { startAt: at(3 * DAY), endAt: at(5 * DAY), eventsShipped: 0 },
    ]);
    expect(next).toMatchObject({ startAt: at(5 * DAY), offset: undefined, offsetStartAt: undefined, lastEventAt: undefined, lastEventGids: undefined, caughtUpAt: at(HOUR), eventsShipped: 500 });
  });
});
