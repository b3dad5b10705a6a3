import { describe, expect, it } from 'vitest';
import type { AuditLogEvent } from '../../../../src/asana/types.ts';
import { advance, cursorOf, filterQuery, MAX_CLOCK_SKEW_MS, queryFor, skipShipped, TAIL, withEnd, withoutOffset, type Cursor } from '../../../../src/streams/audit-log/cursor.ts';
import type { ShippedRef } from '../../../../src/streams/shipped-window.ts';
import type { StreamState } from '../../../../src/state/types.ts';

const T = '2026-03-01T12:00:00.000Z';
const T1 = '2026-03-01T12:00:01.000Z';
const T2 = '2026-03-01T12:00:02.000Z';
const ev = (gid: string, created_at: string): AuditLogEvent => ({ gid, created_at });
const base = filterQuery('42', { eventType: 'task_deleted', actorGid: '7' });

describe('queryFor', () => {
  it.each<{ name: string; cursor: Cursor; expected: Record<string, unknown> }>([
    { name: 'a fresh cursor asks from its start', cursor: { startAt: T }, expected: { startAt: T } },
    { name: 'an offset goes with the start_at it was issued for', cursor: { startAt: T, offset: 'o1', offsetStartAt: T1, lastEventAt: T2 }, expected: { startAt: T1, offset: 'o1' } },
    { name: 'an offset without its start_at goes with the cursor start', cursor: { startAt: T, offset: 'o1' }, expected: { startAt: T, offset: 'o1' } },
    { name: 'without an offset: from the newest shipped instant (inclusive)', cursor: { startAt: T, lastEventAt: T1 }, expected: { startAt: T1 } },
    { name: 'a start moved past the newest shipped instant (retention) wins', cursor: { startAt: T2, lastEventAt: T1 }, expected: { startAt: T2 } },
    { name: 'a window keeps its end', cursor: { startAt: T, endAt: T2 }, expected: { startAt: T, endAt: T2 } },
    { name: 'a window offset goes with its end', cursor: { startAt: T, endAt: T2, offset: 'o1', offsetStartAt: T }, expected: { startAt: T, endAt: T2, offset: 'o1' } },
  ])('$name', ({ cursor, expected }) => {
    const q = queryFor(base, cursor);
    expect(q).toMatchObject({ workspaceGid: '42', eventType: 'task_deleted', actorGid: '7', ...expected });
    if (!('offset' in expected)) expect(q.offset).toBeUndefined();
    if (!('endAt' in expected)) expect(q.endAt).toBeUndefined();
  });

  it('does not change the filters it was given', () => {
    queryFor(base, { startAt: T, offset: 'o', endAt: T2 });
    expect(base).toEqual(filterQuery('42', { eventType: 'task_deleted', actorGid: '7' }));
  });
});

describe('withoutOffset (Asana refused the offset)', () => {
  it.each<{ name: string; cursor: Cursor; startAt: string | undefined; lastEventAt?: string }>([
    { name: 'something shipped: reads by time from it, the start stays', cursor: { startAt: T, offset: 'o', offsetStartAt: T1, lastEventAt: T2 }, startAt: T, lastEventAt: T2 },
    { name: 'nothing shipped: re-reads from the start the offset was issued for', cursor: { startAt: T, offset: 'o', offsetStartAt: T1 }, startAt: T1 },
    { name: 'nothing shipped, no offset start: from the cursor start', cursor: { startAt: T, offset: 'o' }, startAt: T },
  ])('$name', ({ cursor, startAt, lastEventAt }) => {
    const c = withoutOffset(cursor);
    expect(c.offset).toBeUndefined();
    expect(c.offsetStartAt).toBeUndefined();
    expect(c.startAt).toBe(startAt);
    expect(c.lastEventAt).toBe(lastEventAt);
    expect(queryFor(base, c).startAt).toBe(lastEventAt ?? startAt);
  });
});

describe('skipShipped', () => {
  const page = [ev('a', T1), ev('b', T1), ev('c', T2), { created_at: T1 } as AuditLogEvent];
  it.each<{ name: string; cursor: Cursor; window?: StreamState['shippedWindow']; kept: Array<string | undefined> }>([
    { name: 'nothing known: every event', cursor: {}, kept: ['a', 'b', 'c', undefined] },
    { name: 'the gids shipped at the boundary instant are dropped there', cursor: { lastEventAt: T1, lastEventGids: ['a'] }, kept: ['b', 'c', undefined] },
    { name: 'a boundary gid at another instant is a different event time: kept', cursor: { lastEventAt: T2, lastEventGids: ['a'] }, kept: ['a', 'b', 'c', undefined] },
    { name: 'gids in the late-event window are dropped', cursor: {}, window: { since: T, gids: { c: Date.parse(T2) } }, kept: ['a', 'b', undefined] },
  ])('$name', ({ cursor, window, kept }) => {
    expect(skipShipped(cursor, page, window).map((e) => e.gid)).toEqual(kept);
  });
});

describe('advance', () => {
  const at = new Date(T2);
  it.each<{ name: string; from: Cursor; shipped: AuditLogEvent[]; lastEventAt?: string; gids: string[]; lastGid?: string }>([
    { name: 'moves to the newest instant', from: {}, shipped: [ev('a', T), ev('b', T1)], lastEventAt: T1, gids: ['b'], lastGid: 'b' },
    { name: 'collects every gid of a tie', from: {}, shipped: [ev('a', T1), ev('b', T1)], lastEventAt: T1, gids: ['a', 'b'], lastGid: 'b' },
    { name: 'a tie continues across pages', from: { lastEventAt: T1, lastEventGids: ['a'] }, shipped: [ev('b', T1)], lastEventAt: T1, gids: ['a', 'b'], lastGid: 'b' },
    { name: 'an older event does not move it back', from: { lastEventAt: T1, lastEventGids: ['a'] }, shipped: [ev('b', T)], lastEventAt: T1, gids: ['a'], lastGid: 'b' },
    {
      name: 'a created_at beyond the clock skew is not trusted',
      from: { lastEventAt: T1, lastEventGids: ['a'] },
      shipped: [ev('z', new Date(at.getTime() + MAX_CLOCK_SKEW_MS + 1).toISOString())],
      lastEventAt: T1,
      gids: ['a'],
    },
    { name: 'an unreadable created_at is skipped', from: {}, shipped: [ev('a', 'yesterday')], gids: [] },
  ])('$name', ({ from, shipped, lastEventAt, gids, lastGid }) => {
    const c = advance(from, shipped, undefined, undefined, at);
    expect(c.lastEventAt).toBe(lastEventAt);
    expect(c.lastEventGids).toEqual(gids);
    expect(c.lastEventGid).toBe(lastGid);
  });

  it('keeps the next offset with the start_at of the query that gave it; none without one', () => {
    expect(advance({ startAt: T }, [ev('a', T1)], 'o2', T, at)).toMatchObject({ offset: 'o2', offsetStartAt: T, startAt: T });
    expect(advance({ startAt: T, offset: 'o1', offsetStartAt: T }, [ev('a', T1)], undefined, T, at)).toMatchObject({ offset: undefined, offsetStartAt: undefined });
  });

  it('collects refs of the events at or after refsSince only', () => {
    const refs: ShippedRef[] = [];
    advance({}, [ev('old', T), ev('new', T2)], undefined, undefined, at, refs, Date.parse(T1));
    expect(refs).toEqual([{ gid: 'new', at: Date.parse(T2) }]);
  });
});

describe('cursorOf', () => {
  const state: StreamState = {
    stream: 'audit_log', workspaceGid: '1', filters: {}, eventsShipped: 3, updatedAt: T, startAt: T2, offset: 'tail',
    backfill: [{ startAt: T, endAt: T1, offset: 'w', eventsShipped: 1 }],
  };
  it('the tail, a window by its startAt, none for an unknown one', () => {
    expect(cursorOf(state, TAIL)).toMatchObject({ startAt: T2, offset: 'tail', endAt: undefined });
    expect(cursorOf(state, T)).toMatchObject({ startAt: T, offset: 'w', endAt: T1 });
    expect(cursorOf(state, T1)).toBeUndefined();
  });
});

describe('withEnd (a window whose end moved in the state)', () => {
  it.each<{ name: string; cursor: Cursor; endAt: string | undefined; expected: Cursor }>([
    { name: 'the same end: unchanged, offset kept', cursor: { startAt: T, endAt: T2, offset: 'o', offsetStartAt: T }, endAt: T2, expected: { startAt: T, endAt: T2, offset: 'o', offsetStartAt: T } },
    {
      name: 'a new end: the offset (issued for the old end_at) is dropped, reading goes on by time from the newest shipped instant',
      cursor: { startAt: T, endAt: T2, offset: 'o', offsetStartAt: T, lastEventAt: T1, lastEventGids: ['a'] },
      endAt: T1,
      expected: { startAt: T, endAt: T1, offset: undefined, offsetStartAt: undefined, lastEventAt: T1, lastEventGids: ['a'] },
    },
    { name: 'a new end, nothing shipped: from the start', cursor: { startAt: T, endAt: T2, offset: 'o', offsetStartAt: T }, endAt: T1, expected: { startAt: T, endAt: T1, offset: undefined, offsetStartAt: undefined } },
  ])('$name', ({ cursor, endAt, expected }) => {
    const c = withEnd(cursor, endAt);
    expect(c).toEqual(expected);
    expect(queryFor(base, c).endAt).toBe(endAt);
  });
});
