import type { AuditLogEvent } from '../../asana/types.ts';
import type { StreamGap } from '../../export/shipper.ts';
import { createdAtMsOf, timeMs } from '../shipped-window.ts';
import type { Cursor } from './cursor.ts';

/**
 * An instant time alone cannot page past. Without a usable next_page offset the cursor reads on by
 * time: start_at = the newest shipped instant (inclusive, https://developers.asana.com/reference/getauditlogevents),
 * the events already shipped there skipped. start_at has a resolution of one millisecond, so when a
 * full page (`limit` events) read that way holds nothing but events of that very millisecond, the
 * same page comes back however often it is asked: the events of that instant beyond it, if any,
 * cannot be read, and neither can anything after it. Rather than re-read that page forever (or call
 * it caught up and silently stop there), the stream records a gap for the instant and reads on from
 * the next millisecond.
 */

/** The instant a page read without an offset is stuck at, or undefined when time can page on. */
export function unpageableInstant(events: readonly AuditLogEvent[], nextOffset: string | undefined, query: { startAt?: string; limit?: number }, pageLimit: number): string | undefined {
  if (nextOffset !== undefined && nextOffset !== '') return undefined;
  const at = timeMs(query.startAt);
  if (at === undefined || events.length === 0 || events.length < (query.limit ?? pageLimit)) return undefined;
  return events.every((e) => createdAtMsOf(e) === at) ? new Date(at).toISOString() : undefined;
}

/**
 * The cursor after the page at the stuck `instant` was shipped (`shipped`: the cursor `advance` gave),
 * moved to the next millisecond, and the gap that says so. The events shipped at the instant are
 * counted from the cursor's ties at it.
 */
export function pastInstant(shipped: Cursor, instant: string): { cursor: Cursor; gap: StreamGap } {
  const at = Date.parse(instant);
  const next = new Date(at + 1).toISOString();
  const count = timeMs(shipped.lastEventAt) === at ? (shipped.lastEventGids?.length ?? 0) : 0;
  return {
    cursor: { ...shipped, offset: undefined, offsetStartAt: undefined, lastEventAt: next, lastEventGids: [] },
    gap: {
      reason: 'instant_unpageable',
      start: new Date(at),
      end: new Date(at + 1),
      message:
        `${count} events created at ${instant} were shipped, but Asana answered a full page of events of that one millisecond ` +
        'without a usable next_page offset, and start_at cannot page within a millisecond: any further events of that instant ' +
        `are not read. Reading goes on from ${next}`,
    },
  };
}
