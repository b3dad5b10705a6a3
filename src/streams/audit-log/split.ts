import { PAGE_LIMIT } from '../../asana/client.ts';
import type { StreamState, WindowState } from '../../state/types.ts';
import { latest } from '../resume.ts';
import { timeMs } from '../shipped-window.ts';
import { TAIL } from './cursor.ts';
import { MIN_WINDOW_MS } from './planner.ts';

/**
 * Splitting where the events are: after each committed page of a cursor (a backfill window or the
 * live tail), whether and where its remaining time range is cut so that idle workers read the other
 * parts. Pure functions: the stream commits the split (entry.ts) before anything is read from the
 * new windows. The up-front plan (planner.ts) cuts the history into equal time spans, which is fast
 * only when the events are spread evenly; real histories are dense where a domain is new or a bulk
 * operation ran. A split learns the density from the page just read, and splits of splits follow
 * uneven density down to where the events are (dynamic work rebalancing, as Apache Beam's
 * splittable DoFn `trySplit`, and work stealing).
 *
 * The decision:
 * - Only after a full page (PAGE_LIMIT events): a shorter page means Asana had no more within the
 *   query, the cursor is about to end.
 * - Pages left ≈ time left / time a page spans: the median of the last three full pages of this
 *   read (first to last created_at), the longest while there are fewer. One page of events at one
 *   instant (a bulk operation writes hundreds in a millisecond) says little about the rest.
 * - Into (idle workers + 1) equal time parts of what is left, each estimated to hold at least
 *   MIN_PAGES_PER_PART pages, none narrower than MIN_PART_MS (events at one instant cannot be
 *   split by time); no split unless that makes two parts or more.
 * - The page tells the density near the position only: a burst may end minutes later. So no part
 *   but the last is estimated to hold more than MAX_PAGES_PER_PART pages; the last takes the rest of
 *   the range, whatever it holds, and is split in turn if it turns out dense. Each new window costs a call or
 *   two beyond its events (a partial first page, the empty page that ends it): with 8 pages a part,
 *   at most about a fifth more calls for the range split, and only while workers were idle.
 * - The live tail's range ends TAIL_COVERS_MS before now: the tail always keeps covering the last
 *   hour, where Asana still records events minutes after their created_at (planner.ts). Its parts
 *   are no shorter than MIN_WINDOW_MS, as the up-front plan cuts it: a tail a few hours behind
 *   catches up within seconds on its own and keeps Asana's order. It hands all of that range to new
 *   windows (split further by the finer rule) and keeps only its last hour: read alone, in order, it
 *   would be the last cursor to finish. Its pages fetched ahead are dropped (up to PIPELINE_DEPTH
 *   calls): they belong to the first new window.
 *
 * Asana: events come oldest first; start_at inclusive, end_at exclusive; an offset belongs to the
 * query it was issued for (https://developers.asana.com/reference/getauditlogevents). So a cursor
 * whose end moves drops its offset and goes on by time from its newest shipped instant (start_at =
 * lastEventAt, the gids shipped at it skipped), and the new windows start without one.
 */

/** Each part of a split is estimated to hold at least this many pages. */
export const MIN_PAGES_PER_PART = 8;
/** Every part of a split but the last is estimated to hold at most this many pages. */
export const MAX_PAGES_PER_PART = 32;
/** No part of a split is narrower than this. */
export const MIN_PART_MS = 1_000;
/** The live tail keeps at least this much of the newest history (planner.ts: the tail covers the last hour). */
export const TAIL_COVERS_MS = MIN_WINDOW_MS;
/** No part of a split of the live tail is narrower than this. */
export const TAIL_MIN_PART_MS = MIN_WINDOW_MS;

/** What the split decision knows of a committed page and its cursor. */
export interface SplitInput {
  /** Events in the page Asana returned (before skipping those shipped already). */
  received: number;
  /** created_at of the page's first and last event. */
  firstAt: string | undefined;
  lastAt: string | undefined;
  /** The spans (ms) of the full pages read before it in this read, newest last (the last two count). */
  earlierSpansMs: readonly number[];
  /** The cursor's newest shipped instant after the page: it reads on from there. */
  position: string | undefined;
  /** Where the cursor's range ends: a window's endAt; for the tail, now minus TAIL_COVERS_MS. */
  endMs: number;
  /** Workers waiting for a window. */
  idle: number;
  /** No part narrower than this: MIN_PART_MS, for the live tail TAIL_MIN_PART_MS (splitRange). */
  minPartMs: number;
}

/**
 * Where cursor `id` is cut: planSplit's boundaries; for the live tail, followed by the end of its
 * splittable range, where it restarts (it keeps only its last hour).
 */
export function splitBounds(id: string, input: SplitInput): string[] | undefined {
  const bounds = planSplit(input);
  return bounds && id === TAIL ? [...bounds, new Date(input.endMs).toISOString()] : bounds;
}

/** Where cursor `id`'s splittable range ends, and the rules for splitting it (a window's or the live tail's). */
export function splitRange(id: string, endAt: string | undefined, now: Date): Pick<SplitInput, 'endMs' | 'minPartMs'> {
  if (id === TAIL) return { endMs: now.getTime() - TAIL_COVERS_MS, minPartMs: TAIL_MIN_PART_MS };
  return { endMs: timeMs(endAt) ?? Number.NaN, minPartMs: MIN_PART_MS };
}

/**
 * The boundaries b1 < … < bk that cut [position, end) into k + 1 equal parts, or undefined: no
 * split. The cursor keeps [position, b1); the others go to new cursors (see splitWindow, splitTail).
 */
export function planSplit(input: SplitInput): string[] | undefined {
  if (input.idle < 1 || input.received < PAGE_LIMIT) return undefined;
  const first = timeMs(input.firstAt);
  const last = timeMs(input.lastAt);
  const position = timeMs(input.position);
  if (first === undefined || last === undefined || position === undefined) return undefined;
  const left = input.endMs - position;
  // A page of events at one instant spans 0 ms: as dense as can be.
  const pageMs = Math.max(1, typicalSpan([...input.earlierSpansMs.slice(-2), last - first]));
  const pagesLeft = left / pageMs;
  const minPartMs = Math.max(1, input.minPartMs);
  const parts = Math.min(input.idle + 1, Math.floor(pagesLeft / MIN_PAGES_PER_PART), Math.floor(left / minPartMs));
  if (!(parts >= 2)) return undefined;
  const step = Math.max(minPartMs, Math.min(left / parts, MAX_PAGES_PER_PART * pageMs));
  const bounds: string[] = [];
  for (let i = 1; i < parts; i++) bounds.push(new Date(position + Math.floor(step * i)).toISOString());
  return bounds;
}

/**
 * Window `id` shortened to [startAt, bounds[0]) and new windows [bounds[i], bounds[i+1]) up to its
 * old end, placed after it (the list stays oldest first). The shortened window drops its offset (it
 * belonged to the old end_at) and resumes by time from its newest shipped instant.
 */
export function splitWindow(state: StreamState, id: string, bounds: readonly string[], at: Date): StreamState | undefined {
  const windows = state.backfill ?? [];
  const w = windows.find((x) => x.startAt === id);
  if (!w || !w.lastEventAt || bounds.length === 0 || !inside(bounds, w.lastEventAt, w.endAt)) return undefined;
  const shortened: WindowState = { ...w, endAt: bounds[0] as string, offset: undefined, offsetStartAt: undefined };
  const added = bounds.map((startAt, i) => ({ startAt, endAt: bounds[i + 1] ?? w.endAt, eventsShipped: 0 }));
  return { ...state, backfill: windows.flatMap((x) => (x === w ? [shortened, ...added] : [x])), updatedAt: at.toISOString() };
}

/**
 * The live tail's read range [position, bounds.at(-1)) handed to new windows, the first resuming
 * exactly where the tail stands (start_at = its newest shipped instant, the gids shipped at it
 * skipped); the tail restarts at the last boundary without an offset (an offset belongs to the
 * start_at it was issued for). The new windows come after the older ones.
 */
export function splitTail(state: StreamState, bounds: readonly string[], at: Date): StreamState | undefined {
  const position = latest(state.lastEventAt, state.startAt);
  if (!position || bounds.length === 0 || !inside(bounds, position, undefined)) return undefined;
  const starts = [position, ...bounds.slice(0, -1)];
  const windows: WindowState[] = starts.map((startAt, i) => {
    const w: WindowState = { startAt, endAt: bounds[i] as string, eventsShipped: 0 };
    if (i === 0 && state.lastEventAt === position) Object.assign(w, { lastEventAt: position, lastEventGid: state.lastEventGid, lastEventGids: state.lastEventGids });
    return w;
  });
  return {
    ...state,
    offset: undefined,
    offsetStartAt: undefined,
    startAt: bounds.at(-1) as string,
    lastEventAt: undefined,
    lastEventGid: undefined,
    lastEventGids: undefined,
    backfill: [...(state.backfill ?? []), ...windows],
    updatedAt: at.toISOString(),
  };
}

/** A split of cursor `id` (TAIL or a window's startAt) at `bounds`, or undefined when it no longer applies. */
export function splitCursor(state: StreamState, id: string, bounds: readonly string[], at: Date): StreamState | undefined {
  return id === TAIL ? splitTail(state, bounds, at) : splitWindow(state, id, bounds, at);
}

/** The median of three spans; the longest of fewer. */
function typicalSpan(spans: number[]): number {
  const sorted = [...spans].sort((a, b) => a - b);
  return sorted.length >= 3 ? (sorted[1] as number) : (sorted.at(-1) as number);
}

/** Whether the boundaries rise strictly from after `from` to before `to` (none: no end). */
function inside(bounds: readonly string[], from: string, to: string | undefined): boolean {
  let prev = timeMs(from) as number;
  for (const b of bounds) {
    const t = timeMs(b);
    if (t === undefined || !(t > prev)) return false;
    prev = t;
  }
  const end = timeMs(to);
  return end === undefined || prev < end;
}
