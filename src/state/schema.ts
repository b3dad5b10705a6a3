/**
 * The state file's content, as one zod schema; the TypeScript types of the state are derived from it.
 *
 *   { "version": 1, "streams": { "audit_log/123": StreamState, … } }
 *
 * Rules:
 * - The schema checks what the receiver relies on. Unknown fields pass: validation uses the schema,
 *   but the store keeps the object as read, so fields of a newer writer of the same version are
 *   written back unchanged. That is also what keeps version 1 readable by releases older than a
 *   field: `caughtUpAt` and `backfill` are optional, an older receiver follows the live tail's cursor
 *   and writes the pending backfill windows back untouched, and a newer one resumes them.
 * - Every time in the state is one Date.parse can read (the rule the streams use for Asana's
 *   created_at before it becomes a position) and lies no further in the future than CLOCK_SKEW_MS.
 *   A position in the future ships nothing until that instant; an unreadable one drops start_at from
 *   the query. Either is refused like any other damaged file.
 */
import { z } from 'zod';
import type { StreamName } from '../config/index.ts';

/** The state file format this version reads and writes. */
export const STATE_VERSION = 1;

/**
 * How far a time may lie ahead of this machine's clock: Asana's clock and ours may disagree a
 * little; a time further ahead is not a position anything was read at.
 */
export const CLOCK_SKEW_MS = 3_600_000;

/** A time as the state stores it, checked against `latestMs` (now plus the clock-skew allowance). */
function timeSchema(latestMs: number) {
  return z.string().superRefine((text, ctx) => {
    const ms = Date.parse(text);
    if (Number.isNaN(ms)) ctx.addIssue({ code: 'custom', message: `${JSON.stringify(text)} is not a time` });
    else if (ms > latestMs) {
      ctx.addIssue({ code: 'custom', message: `${text} lies in the future (more than ${CLOCK_SKEW_MS / 3_600_000} h ahead of this machine's clock)` });
    }
  });
}

/** The schemas of the state file, with times checked against `nowMs` (the reader's clock). */
export function stateSchemas(nowMs: number) {
  const time = timeSchema(nowMs + CLOCK_SKEW_MS);

  const filters = z.object({
    eventType: z.string().optional(),
    actorType: z.string().optional(),
    actorGid: z.string().optional(),
    resourceGid: z.string().optional(),
  });

  /**
   * Every gid shipped with a created_at at or after `since`, with its created_at in epoch ms.
   * Entries older than the late-event window are pruned, and `since` moves forward with them.
   */
  const shippedWindow = z.object({ since: time, gids: z.record(z.string(), z.number()) });

  /**
   * One backfill time window [startAt, endAt) of a stream and its cursor. Asana: start_at is
   * inclusive, end_at exclusive, so adjacent windows share no event and leave none out.
   */
  const window = z.object({
    /** The window's fixed bounds; startAt also identifies the window. */
    startAt: time,
    endAt: time,
    /** As in the stream: Asana's offset, the start_at it was issued for, the newest shipped events. */
    offset: z.string().optional(),
    offsetStartAt: time.optional(),
    lastEventAt: time.optional(),
    lastEventGid: z.string().optional(),
    lastEventGids: z.array(z.string()).optional(),
    /** Events shipped from this window. */
    eventsShipped: z.number().int().nonnegative(),
  });

  /** One stream's checkpoint. Written only after the collector acknowledged what it covers. */
  const stream = z.object({
    stream: z.string().min(1),
    workspaceGid: z.string().min(1),
    filters,
    /** Asana's opaque audit-log offset from the last acknowledged page. */
    offset: z.string().optional(),
    /**
     * The start_at of the query that handed out `offset`. An offset belongs to the filters it was
     * issued for, start_at included, so it is always sent back with this one.
     */
    offsetStartAt: time.optional(),
    /** The start_at of the first query; used until Asana hands out an offset. */
    startAt: time.optional(),
    /** created_at and gid of the newest shipped event. */
    lastEventAt: time.optional(),
    lastEventGid: z.string().optional(),
    /**
     * gids of the shipped events whose created_at equals lastEventAt. When the stream has to resume
     * with start_at=lastEventAt (inclusive) instead of an offset, these are skipped: the boundary is
     * re-checked, nothing is shipped twice and nothing sharing that instant is lost.
     */
    lastEventGids: z.array(z.string()).optional(),
    /**
     * workspace_events / resource_events: Asana's sync token from the last acknowledged page (or the
     * fresh token of a 412 once its gap record, if any, was acknowledged), and when it was received.
     * Asana keeps a token at most 24 h; syncAt bounds the range a refused token lost.
     */
    sync: z.string().optional(),
    syncAt: time.optional(),
    /** resource_events: the resource the cursor follows. */
    resourceGid: z.string().optional(),
    /**
     * When the live tail last read an empty page (caught up): it had read everything created before
     * then. Refreshed at least daily, so Asana's 90-day retention is checked against a real read
     * position; also tells "far behind" (worth backfilling in parallel) from "a quiet domain".
     */
    caughtUpAt: time.optional(),
    /**
     * The gids shipped (acknowledged) within the late-event window, so a re-scan of that window ships
     * only what was not shipped before (src/streams/shipped-window.ts).
     */
    shippedWindow: shippedWindow.optional(),
    /** Events shipped and acknowledged under this key, ever (every time window counted). */
    eventsShipped: z.number().int().nonnegative(),
    /** When this entry was last committed. */
    updatedAt: time,
    /**
     * Older time windows of the same stream still being backfilled in parallel, oldest first; each
     * has its own cursor. The fields above are then the cursor of the newest window, the live tail.
     * A window is removed once Asana answers it with an empty page. Absent: nothing to backfill.
     */
    backfill: z.array(window).optional(),
  });

  const file = z.object({
    version: z.literal(STATE_VERSION),
    streams: z.record(z.string(), stream),
  });

  return { shippedWindow, window, stream, file };
}

type Schemas = ReturnType<typeof stateSchemas>;
export type ShippedWindowState = z.infer<Schemas['shippedWindow']>;
export type WindowState = z.infer<Schemas['window']>;
/**
 * The file accepts any stream name (an entry of a stream a newer release added is kept and written
 * back); a stream reads only the entry under its own key, whose name is one this release knows.
 */
export type StreamState = Omit<z.infer<Schemas['stream']>, 'stream'> & { stream: StreamName };

/** The outcome of checking a parsed JSON value: the streams, or what is wrong (at most `max` issues). */
export type StateContentCheck = { ok: true; streams: Map<string, StreamState> } | { ok: false; problems: string[] };

/**
 * Checks the content of a state file (already parsed as JSON) against the schema at `nowMs`. The
 * streams returned are the objects as read, unknown fields included.
 */
export function checkStateContent(data: unknown, nowMs: number, max = 3): StateContentCheck {
  const parsed = stateSchemas(nowMs).file.safeParse(data);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .slice(0, max)
      .map((i) => `${i.path.length ? i.path.map(String).join('.') : 'top level'}: ${i.message}`);
    return { ok: false, problems };
  }
  const streams = (data as { streams: Record<string, StreamState> }).streams;
  return { ok: true, streams: new Map(Object.entries(streams)) };
}
