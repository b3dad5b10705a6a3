import { describe, expect, it } from 'vitest';
import type { AuditLogEvent } from '../../../../src/asana/types.ts';
import { pastInstant, unpageableInstant } from '../../../../src/streams/audit-log/unpageable.ts';

const T = '2026-03-01T10:00:00.123Z';
const events = (n: number, at = T, from = 0): AuditLogEvent[] =>
  Array.from({ length: n }, (_, i) => ({ gid: String(1000 + from + i), created_at: at }) as AuditLogEvent);

describe('unpageableInstant: a full page, no usable offset, every event at the resume instant', () => {
  it.each([
    { name: 'a full page of the resume instant, no offset', page: events(100), offset: undefined, startAt: T, expected: T },
    { name: 'the same instant written differently', page: events(100, '2026-03-01T10:00:00.123+00:00'), offset: undefined, startAt: T, expected: T },
    { name: 'an empty offset is no offset', page: events(100), offset: '', startAt: T, expected: T },
    { name: 'a usable offset pages on', page: events(100), offset: 'eyJ0', startAt: T, expected: undefined },
    { name: 'a page that is not full: the instant is done', page: events(99), offset: undefined, startAt: T, expected: undefined },
    { name: 'an empty page', page: [], offset: undefined, startAt: T, expected: undefined },
    { name: 'one event of a later instant: time pages on', page: [...events(99), ...events(1, '2026-03-01T10:00:00.124Z', 99)], offset: undefined, startAt: T, expected: undefined },
    { name: 'read from an earlier start: time pages on from the page', page: events(100), offset: undefined, startAt: '2026-03-01T09:00:00.000Z', expected: undefined },
    { name: 'no start_at (a first read)', page: events(100), offset: undefined, startAt: undefined, expected: undefined },
  ])('$name -> $expected', ({ page, offset, startAt, expected }) => {
    expect(unpageableInstant(page, offset, { startAt }, 100)).toBe(expected);
  });

  it('a smaller limit asked is a full page at that limit', () => {
    expect(unpageableInstant(events(10), undefined, { startAt: T, limit: 10 }, 100)).toBe(T);
  });
});

describe('pastInstant: the next millisecond, and a gap naming the instant and the count shipped there', () => {
  it('moves the cursor to the next millisecond with no ties and no offset', () => {
    const shipped = { startAt: '2026-03-01T00:00:00.000Z', lastEventAt: T, lastEventGid: '1099', lastEventGids: events(100).map((e) => e.gid as string) };
    const { cursor, gap } = pastInstant(shipped, T);
    expect(cursor).toEqual({ startAt: '2026-03-01T00:00:00.000Z', lastEventAt: '2026-03-01T10:00:00.124Z', lastEventGid: '1099', lastEventGids: [], offset: undefined, offsetStartAt: undefined });
    expect(gap).toMatchObject({ reason: 'instant_unpageable', start: new Date(T), end: new Date('2026-03-01T10:00:00.124Z') });
    expect(gap.message).toContain(`100 events created at ${T} were shipped`);
    expect(gap.message).toContain('Reading goes on from 2026-03-01T10:00:00.124Z');
  });

  it('nothing shipped at the instant (a cursor elsewhere): the count is 0', () => {
    expect(pastInstant({ startAt: T }, T).gap.message).toContain(`0 events created at ${T}`);
  });
});
