import { describe, expect, it } from 'vitest';
import { firstState, MIN_WINDOW_MS, planWindows, RESLICE_BEHIND_MS, resliceTail, sliceConcurrency, tailIsBehind } from '../../../../src/streams/audit-log/planner.ts';
import type { StreamState } from '../../../../src/state/types.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = Date.parse('2026-05-01T12:00:00.000Z');

describe('sliceConcurrency: windows read at once, from the token budget', () => {
  it('fills Asana budgets even when every call takes 300 ms', () => {
    expect(sliceConcurrency(1500)).toBe(8); // 25/s x 0.3 s = 7.5 calls in flight
    expect(sliceConcurrency(600)).toBe(3);
    expect(sliceConcurrency(150)).toBe(2); // free plans: the tail and one backfill worker
    expect(sliceConcurrency(1)).toBe(2);
    expect(sliceConcurrency(1_000_000)).toBe(8); // never more than 8, far below Asana's 50 concurrent GETs
  });
});

describe('planWindows', () => {
  it('cuts 90 days into contiguous windows, the newest becoming the live tail', () => {
    const from = new Date(NOW - 90 * DAY).toISOString();
    const plan = planWindows(from, NOW, 8);
    expect(plan.windows).toHaveLength(7); // 1 per backfill worker; the tail is the 8th
    expect(plan.windows[0]!.startAt).toBe(from);
    for (let i = 1; i < plan.windows.length; i++) expect(plan.windows[i]!.startAt).toBe(plan.windows[i - 1]!.endAt);
    expect(plan.tailStartAt).toBe(plan.windows.at(-1)!.endAt);
    const spans = [...plan.windows.map((w) => Date.parse(w.endAt) - Date.parse(w.startAt)), NOW - Date.parse(plan.tailStartAt)];
    for (const s of spans) expect(Math.abs(s - (90 * DAY) / 8)).toBeLessThanOrEqual(1);
  });

  it('keeps the first start_at verbatim (a created_at may carry more than milliseconds)', () => {
    const from = '2026-04-20T08:00:00.123456Z';
    const plan = planWindows(from, NOW, 4);
    expect(plan.windows[0]!.startAt).toBe(from);
    expect(Date.parse(plan.windows[0]!.endAt)).toBeGreaterThan(Date.parse(from));
  });

  it('never makes a window shorter than an hour, and does not split less than two hours', () => {
    const plan = planWindows(new Date(NOW - 5.5 * HOUR).toISOString(), NOW, 8);
    expect(plan.windows).toHaveLength(4);
    for (const w of plan.windows) expect(Date.parse(w.endAt) - Date.parse(w.startAt)).toBeGreaterThanOrEqual(MIN_WINDOW_MS);
    const short = new Date(NOW - 90 * 60_000).toISOString();
    expect(planWindows(short, NOW, 8)).toEqual({ windows: [], tailStartAt: short });
  });

  it('with two slices, plans the tail and one backfill window', () => {
    expect(planWindows(new Date(NOW - 7 * DAY).toISOString(), NOW, 2).windows).toHaveLength(1);
  });
});

describe('tailIsBehind', () => {
  const at = (ms: number) => new Date(ms).toISOString();

  it('is true a day or more behind the newest shipped event, unless caught up since', () => {
    expect(tailIsBehind({ lastEventAt: at(NOW - RESLICE_BEHIND_MS) }, NOW)).toBe(true);
    expect(tailIsBehind({ lastEventAt: at(NOW - RESLICE_BEHIND_MS + 60_000) }, NOW)).toBe(false);
    // A quiet domain: nothing new for days, but Asana answered an empty page an hour ago.
    expect(tailIsBehind({ lastEventAt: at(NOW - 5 * DAY), caughtUpAt: at(NOW - HOUR) }, NOW)).toBe(false);
    // Caught up once, then stopped for two days.
    expect(tailIsBehind({ lastEventAt: at(NOW - 5 * DAY), caughtUpAt: at(NOW - 2 * DAY) }, NOW)).toBe(true);
  });

  it('is false without a known position', () => {
    expect(tailIsBehind({}, NOW)).toBe(false);
    expect(tailIsBehind({ lastEventAt: 'not a time' }, NOW)).toBe(false);
  });
});

describe('firstState: a first run pins the tail start and every window', () => {
  const now = new Date(NOW);
  it.each([
    { name: 'one slice: the tail reads everything', slices: 1, span: 30 * DAY, windows: 0 },
    { name: 'a history too short to split: the tail alone', slices: 8, span: HOUR, windows: 0 },
    { name: 'a long history: windows plus the tail', slices: 3, span: 30 * DAY, windows: 2 },
  ])('$name', ({ slices, span, windows }) => {
    const from = new Date(NOW - span).toISOString();
    const s = firstState({ workspaceGid: '1', filters: { eventType: 'x' }, from, now, slices });
    expect(s).toMatchObject({ stream: 'audit_log', workspaceGid: '1', filters: { eventType: 'x' }, eventsShipped: 0, updatedAt: now.toISOString() });
    expect(s.backfill?.length ?? 0).toBe(windows);
    if (windows === 0) expect(s.startAt).toBe(from);
    else {
      expect(s.backfill![0]!.startAt).toBe(from);
      expect(s.startAt).toBe(s.backfill!.at(-1)!.endAt);
      for (const w of s.backfill!) expect(w.eventsShipped).toBe(0);
    }
  });
});

describe('resliceTail: a tail far behind is cut again from where it stands', () => {
  const now = new Date(NOW);
  const tail = (over: Partial<StreamState>): StreamState => ({
    stream: 'audit_log', workspaceGid: '1', filters: {}, eventsShipped: 5, updatedAt: now.toISOString(), startAt: new Date(NOW - 20 * DAY).toISOString(), ...over,
  });
  const behind = new Date(NOW - 10 * DAY).toISOString();

  it.each([
    { name: 'one slice', state: tail({ lastEventAt: behind }), slices: 1 },
    { name: 'windows still pending', state: tail({ lastEventAt: behind, backfill: [{ startAt: behind, endAt: new Date(NOW - DAY).toISOString(), eventsShipped: 0 }] }), slices: 4 },
    { name: 'not behind', state: tail({ lastEventAt: new Date(NOW - HOUR).toISOString() }), slices: 4 },
    { name: 'nothing shipped yet', state: tail({}), slices: 4 },
  ])('leaves the tail alone: $name', ({ state, slices }) => {
    expect(resliceTail(state, now, slices)).toBeUndefined();
  });

  it('the first window resumes at the newest shipped instant with its tie gids; the tail restarts by time', () => {
    const state = tail({ lastEventAt: behind, lastEventGid: 'b', lastEventGids: ['a', 'b'], offset: 'o', offsetStartAt: behind });
    const next = resliceTail(state, now, 4)!;
    expect(next.backfill!.length).toBeGreaterThan(0);
    expect(next.backfill![0]).toMatchObject({ startAt: behind, lastEventAt: behind, lastEventGids: ['a', 'b'], eventsShipped: 0 });
    for (const w of next.backfill!.slice(1)) expect(w.lastEventAt).toBeUndefined();
    expect(next).toMatchObject({ startAt: next.backfill!.at(-1)!.endAt, eventsShipped: 5, updatedAt: now.toISOString() });
    expect(next.offset).toBeUndefined();
    expect(next.lastEventAt).toBeUndefined();
  });

  it('from the start when retention moved it past the newest shipped event', () => {
    const start = new Date(NOW - 5 * DAY).toISOString();
    const next = resliceTail(tail({ lastEventAt: behind, startAt: start }), now, 4)!;
    expect(next.backfill![0]!.startAt).toBe(start);
  });
});
