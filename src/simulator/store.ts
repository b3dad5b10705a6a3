import type { AuditLogEvent } from '../asana/types.ts';

/**
 * The event store: every event of the domain, kept sorted by (created_at, gid) on insert, with
 * binary searches for the page lookups (O(log n) per page however long the log is).
 */

/** Gid order: numeric gids by value (Asana's are digit strings), anything else as plain strings. */
export function compareGids(a: string, b: string): number {
  if (DIGITS.test(a) && DIGITS.test(b) && a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}
const DIGITS = /^\d+$/;

/** created_at -> epoch ms; throws on anything Date cannot read. */
export function parseEventTime(createdAt: unknown): number {
  const ms = typeof createdAt === 'string' ? Date.parse(createdAt) : Number.NaN;
  if (Number.isNaN(ms)) throw new TypeError(`created_at is not a date-time: ${JSON.stringify(createdAt)}`);
  return ms;
}

/** A position in the log: after the event (t, gid); gid '' is "before every event at t". */
export interface Cursor {
  t: number;
  gid: string;
}

function compareKeys(t1: number, g1: string, t2: number, g2: string): number {
  return t1 !== t2 ? t1 - t2 : compareGids(g1, g2);
}

export class EventStore {
  private readonly list: AuditLogEvent[] = [];
  private readonly times: number[] = [];
  private readonly gids = new Set<string>();

  get events(): readonly AuditLogEvent[] {
    return this.list;
  }

  get size(): number {
    return this.list.length;
  }

  has(gid: string): boolean {
    return this.gids.has(gid);
  }

  at(i: number): AuditLogEvent {
    return this.list[i] as AuditLogEvent;
  }

  timeAt(i: number): number {
    return this.times[i] as number;
  }

  /** Adds events (any order). Throws, adding nothing, on a duplicate gid or an unreadable created_at. */
  insert(events: readonly AuditLogEvent[]): void {
    const batch = events.map((event) => ({ event, t: parseEventTime(event.created_at) }));
    const seen = new Set<string>();
    for (const { event } of batch) {
      if (typeof event.gid !== 'string' || event.gid === '') throw new TypeError(`event gid must be a non-empty string: ${JSON.stringify(event.gid)}`);
      if (this.gids.has(event.gid) || seen.has(event.gid)) throw new RangeError(`duplicate event gid ${event.gid}`);
      seen.add(event.gid);
    }
    batch.sort((a, b) => compareKeys(a.t, a.event.gid, b.t, b.event.gid));
    for (const gid of seen) this.gids.add(gid);

    const first = batch[0];
    if (!first) return;
    const n = this.list.length;
    if (n === 0 || compareKeys(first.t, first.event.gid, this.times[n - 1] as number, (this.list[n - 1] as AuditLogEvent).gid) > 0) {
      // The common case: new events are newer than everything stored.
      for (const { event, t } of batch) {
        this.list.push(event);
        this.times.push(t);
      }
      return;
    }
    if (batch.length <= 32) {
      for (const { event, t } of batch) {
        const i = this.upperBound({ t, gid: event.gid });
        this.list.splice(i, 0, event);
        this.times.splice(i, 0, t);
      }
      return;
    }
    this.merge(batch);
  }

  /** Index of the first event with created_at >= t. */
  lowerBound(t: number): number {
    let lo = 0;
    let hi = this.times.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.times[mid] as number) < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Index of the first event strictly after the cursor. */
  upperBound(cursor: Cursor): number {
    let lo = 0;
    let hi = this.times.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareKeys(this.times[mid] as number, (this.list[mid] as AuditLogEvent).gid, cursor.t, cursor.gid) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Linear merge of a sorted batch into the sorted store. */
  private merge(batch: ReadonlyArray<{ event: AuditLogEvent; t: number }>): void {
    const oldList = this.list.splice(0);
    const oldTimes = this.times.splice(0);
    let i = 0;
    let j = 0;
    while (i < oldList.length || j < batch.length) {
      const b = batch[j];
      const takeOld =
        b === undefined ||
        (i < oldList.length && compareKeys(oldTimes[i] as number, (oldList[i] as AuditLogEvent).gid, b.t, b.event.gid) < 0);
      if (takeOld) {
        this.list.push(oldList[i] as AuditLogEvent);
        this.times.push(oldTimes[i] as number);
        i++;
      } else {
        this.list.push(b.event);
        this.times.push(b.t);
        j++;
      }
    }
  }
}
