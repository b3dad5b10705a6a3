import type { AuditLogEvent, AuditLogQuery } from '../../asana/types.ts';
import type { AuditLogFilters } from '../../config/index.ts';
import type { StreamState } from '../../state/types.ts';
import { latest } from '../resume.ts';
import { createdAtMsOf, createdAtOf, gidOf, hasShipped, timeMs, type ShippedRef } from '../shipped-window.ts';

/**
 * A cursor over Asana's audit log (GET /workspaces/{gid}/audit_log_events,
 * https://developers.asana.com/reference/getauditlogevents) and its arithmetic, as pure functions:
 * the query it asks, what of a page is new, and where it stands after a shipped page.
 *
 * Asana's rules: events come oldest first; start_at is inclusive, end_at exclusive; an offset
 * belongs to the query it was issued for (the same start_at, end_at and filters accompany it).
 */

/** A created_at later than the fetch time plus this is not trusted as the resume position. */
export const MAX_CLOCK_SKEW_MS = 3_600_000;

/**
 * The cursor's fields, shared by the live tail (StreamState) and each backfill window (WindowState),
 * and the end of the window it reads ([startAt, endAt); none for the live tail).
 */
export type Cursor = Pick<StreamState, 'offset' | 'offsetStartAt' | 'startAt' | 'lastEventAt' | 'lastEventGid' | 'lastEventGids'> & { endAt?: string };

/** The live tail (the cursor at the top of the stream's state); a backfill window is named by its startAt. */
export const TAIL = '';

/** The cursor `id` names in `state` (TAIL or a window's startAt), copied: the state is not changed through it. */
export function cursorOf(state: StreamState, id: string): Cursor | undefined {
  const window = id === TAIL ? undefined : state.backfill?.find((w) => w.startAt === id);
  const c: Cursor | undefined = id === TAIL ? state : window;
  if (!c) return undefined;
  const { offset, offsetStartAt, startAt, lastEventAt, lastEventGid, lastEventGids } = c;
  return { offset, offsetStartAt, startAt, lastEventAt, lastEventGid, lastEventGids, endAt: window?.endAt };
}

/**
 * The cursor of a window whose end was moved in the state since it was read (a split gave the rest
 * of its range to a new window): an offset belongs to the query it was issued for, end_at
 * included, so the cursor goes on by time from its newest shipped instant within the new bounds.
 * Unchanged when the end is the same.
 */
export function withEnd(cursor: Cursor, endAt: string | undefined): Cursor {
  if (endAt === cursor.endAt) return cursor;
  return { ...withoutOffset(cursor), endAt };
}

/**
 * What a commit of `c` moves: its offset (with the start_at it belongs to) and its newest shipped
 * instant. `endAt`: the end of its window as committed now; an offset issued for another end_at (the
 * page was read before a split moved the end) is not kept: the window goes on by time.
 */
export function moved(c: Cursor, endAt: string | undefined = c.endAt): Omit<Cursor, 'startAt' | 'endAt'> {
  const offset = endAt === c.endAt ? c.offset : undefined;
  return {
    offset,
    offsetStartAt: offset ? c.offsetStartAt : undefined,
    lastEventAt: c.lastEventAt,
    lastEventGid: c.lastEventGid,
    lastEventGids: c.lastEventGids,
  };
}

/** The filters of every audit-log request of a stream, without a position. */
export function filterQuery(workspaceGid: string, f: AuditLogFilters): AuditLogQuery {
  return { workspaceGid, eventType: f.eventType, actorType: f.actorType, actorGid: f.actorGid, resourceGid: f.resourceGid };
}

/** The request for the page after `cursor`, within [.., endAt) when its window has an end. */
export function queryFor(base: AuditLogQuery, cursor: Cursor): AuditLogQuery {
  const query: AuditLogQuery = { ...base };
  if (cursor.endAt) query.endAt = cursor.endAt;
  if (cursor.offset) {
    query.startAt = cursor.offsetStartAt ?? cursor.startAt;
    query.offset = cursor.offset;
  } else {
    // The later of the two: startAt moves past lastEventAt when Asana's retention was exceeded.
    query.startAt = latest(cursor.lastEventAt, cursor.startAt);
  }
  return query;
}

/**
 * The cursor once its offset is dropped (Asana refused it): it reads by time from the newest
 * shipped instant (queryFor asks start_at = lastEventAt, inclusive; skipShipped drops the gids
 * already shipped there), or from the start the offset was issued for when nothing was shipped.
 */
export function withoutOffset(cursor: Cursor): Cursor {
  return { ...cursor, offset: undefined, offsetStartAt: undefined, startAt: cursor.lastEventAt ? cursor.startAt : (cursor.offsetStartAt ?? cursor.startAt) };
}

/**
 * The events of a page not shipped before. Resuming with start_at = lastEventAt (inclusive) returns
 * that instant's shipped events again — on the offsets that follow too, when more than a page of
 * events share that instant — and the late-event window knows every gid shipped recently.
 */
export function skipShipped(cursor: Cursor, events: AuditLogEvent[], window: StreamState['shippedWindow']): AuditLogEvent[] {
  const boundary = cursor.lastEventAt && cursor.lastEventGids?.length ? new Set(cursor.lastEventGids) : undefined;
  if (!window && !boundary) return events;
  return events.filter((e) => {
    const gid = gidOf(e);
    if (gid === undefined) return true;
    if (hasShipped(window, gid)) return false;
    return !(boundary?.has(gid) && createdAtOf(e) === cursor.lastEventAt);
  });
}

/**
 * The cursor after `shipped`: the newest trusted created_at and the gids that share it (ties), the
 * offset Asana gave for the next page with the start_at it was issued for. Each event's gid and
 * created_at are read once, here: with `refs`, the gid and time of each event that can still enter
 * the late-event window (created at or after `refsSince`) are collected for it.
 */
export function advance(
  cursor: Cursor,
  shipped: AuditLogEvent[],
  nextOffset: string | undefined,
  queryStartAt: string | undefined,
  at: Date,
  refs?: ShippedRef[],
  refsSince = Number.NEGATIVE_INFINITY,
): Cursor {
  let lastEventAt = cursor.lastEventAt;
  let lastMs = timeMs(lastEventAt);
  let lastEventGids = cursor.lastEventGids ?? [];
  let lastEventGid = cursor.lastEventGid;
  const latestTrusted = at.getTime() + MAX_CLOCK_SKEW_MS;
  for (const e of shipped) {
    const gid = gidOf(e);
    const t = createdAtMsOf(e);
    if (gid === undefined || t === undefined) continue;
    if (t >= refsSince) refs?.push({ gid, at: t });
    // Only a readable, not-future created_at becomes the resume position: a bogus one would skip events.
    if (t > latestTrusted) continue;
    lastEventGid = gid;
    if (lastMs === undefined || t > lastMs) {
      lastEventAt = e.created_at; // a string: createdAtMsOf read it
      lastMs = t;
      lastEventGids = [gid];
    } else if (e.created_at === lastEventAt) {
      lastEventGids = [...lastEventGids, gid];
    }
  }
  return {
    ...cursor,
    offset: nextOffset,
    offsetStartAt: nextOffset ? queryStartAt : undefined,
    lastEventAt,
    lastEventGid,
    lastEventGids,
  };
}
