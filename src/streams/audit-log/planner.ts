import type { AuditLogFilters } from '../../config/index.ts';
import type { StreamState, WindowState } from '../../state/types.ts';
import { latest } from '../resume.ts';

/**
 * How a long audit-log history is cut into time windows that are fetched in parallel. Pure
 * functions: the stream (stream.ts) commits what they plan (entry.ts) before anything is read.
 *
 * Why slices: within one window every page needs the previous page's offset, so one window can
 * never have more than one API call in flight. Asana answers an audit-log call in roughly 100–300 ms,
 * so a single window does 3–10 calls per second, while the token's budget allows 25 (1500 per
 * minute, https://developers.asana.com/docs/rate-limits). Separate start_at/end_at windows have
 * separate offsets and can be read at the same time; the shared RateLimiter, not 429s, keeps their
 * sum within the budget.
 *
 * How many:
 * - Slices read at once (concurrency): enough calls in flight to use the budget even when every call
 *   takes the slow 300 ms: ceil(budget per second × 0.3 s), at least 2 (the live tail plus one
 *   backfill worker), at most 8. 1500/min gives 8, 150/min (free plans) 2. The live tail is one of
 *   them; once it is caught up, its slice reads backfill windows too (supervisor.ts). Asana also caps
 *   concurrent GETs per token (50), far above this.
 * - Windows: the live tail plus one per backfill worker. A window that turns out to hold more
 *   events than the others is split while it is read, as soon as a worker is idle (split.ts), so
 *   cutting finer up front buys nothing on an uneven history and costs calls on every history: each
 *   window costs one extra call, the empty page that tells it is done, and on average half a page
 *   more for its last, partial page. No window shorter than an hour (MIN_WINDOW_MS): a short history
 *   is not worth splitting.
 * - Boundaries are equal time spans from the start to now. The newest window has no end: it is the
 *   live tail, and it always covers at least the last hour, so events Asana records minutes after
 *   their created_at still land in the tail.
 * - Later, a tail that is a day or more behind (after a long stop or collector outage) is split the
 *   same way, from its newest shipped event, once no backfill window is left.
 * Oldest windows are read first: they are the next to fall out of Asana's 90-day retention.
 */

/** Asana's slow end for one audit-log call (100–300 ms): planning assumes it. */
export const ASSUMED_CALL_MS = 300;
/** At most this many windows of one stream are read at once. */
export const MAX_CONCURRENT_SLICES = 8;
/** Backfill windows per backfill worker. */
export const WINDOWS_PER_WORKER = 1;
/** No window shorter than this: a history shorter than two of them is read by the tail alone. */
export const MIN_WINDOW_MS = 3_600_000;
/**
 * A live tail at least this far behind is split into windows again. Less than a day is left to the
 * tail alone: it catches up within minutes at its pipelined pace, keeps Asana's order, and does not
 * trade its offset for start_at.
 */
export const RESLICE_BEHIND_MS = 86_400_000;

/** How many windows of one stream are read at once, for the token's budget. */
export function sliceConcurrency(requestsPerMinute: number): number {
  const inFlight = Math.ceil((requestsPerMinute / 60_000) * ASSUMED_CALL_MS);
  return Math.min(MAX_CONCURRENT_SLICES, Math.max(2, inFlight));
}

export interface WindowPlan {
  /** Backfill windows [startAt, endAt), oldest first. Empty: read everything through the tail. */
  windows: Array<{ startAt: string; endAt: string }>;
  /** Where the live tail starts (start_at, inclusive). */
  tailStartAt: string;
}

/**
 * Splits [from, now) for `concurrency` slices. `from` is kept verbatim as the first start_at (it
 * may be a created_at with more precision than a Date holds); later boundaries are whole ms.
 */
export function planWindows(from: string, nowMs: number, concurrency: number): WindowPlan {
  const fromMs = Date.parse(from);
  const span = nowMs - fromMs;
  const wanted = 1 + WINDOWS_PER_WORKER * Math.max(1, concurrency - 1);
  const count = Math.min(wanted, Math.floor(span / MIN_WINDOW_MS));
  if (!(count >= 2)) return { windows: [], tailStartAt: from };
  const bounds = [from];
  for (let i = 1; i < count; i++) bounds.push(new Date(fromMs + Math.floor((span * i) / count)).toISOString());
  const windows = [];
  for (let i = 0; i + 1 < count; i++) windows.push({ startAt: bounds[i] as string, endAt: bounds[i + 1] as string });
  return { windows, tailStartAt: bounds[count - 1] as string };
}

/**
 * Whether the live tail is far enough behind to split what it still has to read: it has a known
 * position (the newest shipped event) at least RESLICE_BEHIND_MS back, and it has not been caught
 * up within that time (an empty page after that event means a quiet domain, not a backlog).
 */
export function tailIsBehind(tail: { lastEventAt?: string; caughtUpAt?: string }, nowMs: number): boolean {
  if (!tail.lastEventAt) return false;
  const last = Date.parse(tail.lastEventAt);
  if (Number.isNaN(last)) return false;
  if (tail.caughtUpAt && nowMs - Date.parse(tail.caughtUpAt) < RESLICE_BEHIND_MS) return false;
  return nowMs - last >= RESLICE_BEHIND_MS;
}

/** A first run's state: the tail's start and every window pinned, so a restart before the first event moves nothing. */
export function firstState(opts: { workspaceGid: string; filters: AuditLogFilters; from: string; now: Date; slices: number }): StreamState {
  const plan = opts.slices > 1 ? planWindows(opts.from, opts.now.getTime(), opts.slices) : { windows: [], tailStartAt: opts.from };
  const first: StreamState = {
    stream: 'audit_log',
    workspaceGid: opts.workspaceGid,
    filters: opts.filters,
    startAt: plan.tailStartAt,
    eventsShipped: 0,
    updatedAt: opts.now.toISOString(),
  };
  if (plan.windows.length > 0) first.backfill = plan.windows.map((w) => ({ ...w, eventsShipped: 0 }));
  return first;
}

/**
 * Re-slicing a tail far behind: what it still has to read, [its read position, now), becomes
 * windows plus a new tail. The first window resumes exactly where the tail stands: start_at = the
 * newest shipped instant (inclusive), skipping the gids already shipped at it. The tail restarts at
 * the newest window without an offset (an offset belongs to the start_at it was issued for).
 * Undefined when the tail is not behind, windows are pending, or the range is too short to split.
 */
export function resliceTail(state: StreamState, now: Date, slices: number): StreamState | undefined {
  if (slices <= 1 || state.backfill?.length || !tailIsBehind(state, now.getTime())) return undefined;
  const lastEventAt = state.lastEventAt as string;
  // From the tail's read position: its startAt when that moved past lastEventAt (retention).
  const plan = planWindows(latest(lastEventAt, state.startAt) as string, now.getTime(), slices);
  if (plan.windows.length === 0) return undefined;
  const windows: WindowState[] = plan.windows.map((w, i) =>
    i === 0 ? { ...w, lastEventAt, lastEventGid: state.lastEventGid, lastEventGids: state.lastEventGids, eventsShipped: 0 } : { ...w, eventsShipped: 0 },
  );
  return {
    ...state,
    offset: undefined,
    offsetStartAt: undefined,
    startAt: plan.tailStartAt,
    lastEventAt: undefined,
    lastEventGid: undefined,
    lastEventGids: undefined,
    backfill: windows,
    updatedAt: now.toISOString(),
  };
}
