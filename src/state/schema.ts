/**
 * The state file's content, as one valibot schema; the TypeScript types of the state are derived from it.
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
import * as v from 'valibot';
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
  return v.pipe(
    v.string(),
    v.check((text) => !Number.isNaN(Date.parse(text)), (issue) => `${JSON.stringify(issue.input)} is not a time`),
    // An unreadable time fails the check above only: NaN is not greater than anything.
    v.check(
      (text) => !(Date.parse(text) > latestMs),
      (issue) => `${issue.input} lies in the future (more than ${CLOCK_SKEW_MS / 3_600_000} h ahead of this machine's clock)`,
    ),
  );
}

/**
 * Refuses a JSON array where an object belongs: valibot's object and record schemas accept arrays
 * (an array is an object) and build a new object from them, so the check runs on the input, before
 * the schema. A pipe stops before its next schema once a check failed.
 */
const notList = v.check((value: unknown) => !Array.isArray(value), 'is a list, not an object');

/** A JSON object with these fields. */
function record<const E extends v.ObjectEntries>(entries: E) {
  return v.pipe(v.unknown(), notList, v.object(entries));
}

/** A JSON object whose every value is `value`, keyed by any string. */
function map<const S extends v.GenericSchema>(value: S) {
  return v.pipe(v.unknown(), notList, v.record(v.string(), value));
}

/** The schemas of the state file, with times checked against `nowMs` (the reader's clock). */
export function stateSchemas(nowMs: number) {
  const time = timeSchema(nowMs + CLOCK_SKEW_MS);
  const count = v.pipe(
    v.number(),
    v.integer((issue) => `${issue.input} is not a whole number`),
    v.minValue(0, (issue) => `${issue.input} is negative`),
  );
  const nonEmpty = v.pipe(v.string(), v.nonEmpty('is empty'));

  const filters = record({
    eventType: v.optional(v.string()),
    actorType: v.optional(v.string()),
    actorGid: v.optional(v.string()),
    resourceGid: v.optional(v.string()),
  });

  /**
   * Every gid shipped with a created_at at or after `since`, with its created_at in epoch ms.
   * Entries older than the late-event window are pruned, and `since` moves forward with them.
   */
  const shippedWindow = record({ since: time, gids: map(v.number()) });

  /**
   * One backfill time window [startAt, endAt) of a stream and its cursor. Asana: start_at is
   * inclusive, end_at exclusive, so adjacent windows share no event and leave none out.
   */
  const window = record({
    /** The window's fixed bounds; startAt also identifies the window. */
    startAt: time,
    endAt: time,
    /** As in the stream: Asana's offset, the start_at it was issued for, the newest shipped events. */
    offset: v.optional(v.string()),
    offsetStartAt: v.optional(time),
    lastEventAt: v.optional(time),
    lastEventGid: v.optional(v.string()),
    lastEventGids: v.optional(v.array(v.string())),
    /** Events shipped from this window. */
    eventsShipped: count,
  });

  /** One stream's checkpoint. Written only after the collector acknowledged what it covers. */
  const stream = record({
    stream: nonEmpty,
    workspaceGid: nonEmpty,
    filters,
    /** Asana's opaque audit-log offset from the last acknowledged page. */
    offset: v.optional(v.string()),
    /**
     * The start_at of the query that handed out `offset`. An offset belongs to the filters it was
     * issued for, start_at included, so it is always sent back with this one.
     */
    offsetStartAt: v.optional(time),
    /** The start_at of the first query; used until Asana hands out an offset. */
    startAt: v.optional(time),
    /** created_at and gid of the newest shipped event. */
    lastEventAt: v.optional(time),
    lastEventGid: v.optional(v.string()),
    /**
     * gids of the shipped events whose created_at equals lastEventAt. When the stream has to resume
     * with start_at=lastEventAt (inclusive) instead of an offset, these are skipped: the boundary is
     * re-checked, nothing is shipped twice and nothing sharing that instant is lost.
     */
    lastEventGids: v.optional(v.array(v.string())),
    /**
     * workspace_events / resource_events: Asana's sync token from the last acknowledged page (or the
     * fresh token of a 412 once its gap record, if any, was acknowledged), and when it was received.
     * Asana keeps a token at most 24 h; syncAt bounds the range a refused token lost.
     */
    sync: v.optional(v.string()),
    syncAt: v.optional(time),
    /** resource_events: the resource the cursor follows. */
    resourceGid: v.optional(v.string()),
    /**
     * When the live tail last read an empty page (caught up): it had read everything created before
     * then. Refreshed at least daily, so Asana's 90-day retention is checked against a real read
     * position; also tells "far behind" (worth backfilling in parallel) from "a quiet domain".
     */
    caughtUpAt: v.optional(time),
    /**
     * The gids shipped (acknowledged) within the late-event window, so a re-scan of that window ships
     * only what was not shipped before (src/streams/shipped-window.ts).
     */
    shippedWindow: v.optional(shippedWindow),
    /** Events shipped and acknowledged under this key, ever (every time window counted). */
    eventsShipped: count,
    /** When this entry was last committed. */
    updatedAt: time,
    /**
     * Older time windows of the same stream still being backfilled in parallel, oldest first; each
     * has its own cursor. The fields above are then the cursor of the newest window, the live tail.
     * A window is removed once Asana answers it with an empty page. Absent: nothing to backfill.
     */
    backfill: v.optional(v.array(window)),
  });

  const file = record({
    version: v.literal(STATE_VERSION),
    streams: map(stream),
  });

  return { shippedWindow, window, stream, file };
}

type Schemas = ReturnType<typeof stateSchemas>;
export type ShippedWindowState = v.InferOutput<Schemas['shippedWindow']>;
export type WindowState = v.InferOutput<Schemas['window']>;
/**
 * The file accepts any stream name (an entry of a stream a newer release added is kept and written
 * back); a stream reads only the entry under its own key, whose name is one this release knows.
 */
export type StreamState = Omit<v.InferOutput<Schemas['stream']>, 'stream'> & { stream: StreamName };

/** The outcome of checking a parsed JSON value: the streams, or what is wrong (at most `max` issues). */
export type StateContentCheck = { ok: true; streams: Map<string, StreamState> } | { ok: false; problems: string[] };

/**
 * Checks the content of a state file (already parsed as JSON) against the schema at `nowMs`. The
 * streams returned are the objects as read, unknown fields included.
 */
export function checkStateContent(data: unknown, nowMs: number, max = 3): StateContentCheck {
  const parsed = v.safeParse(stateSchemas(nowMs).file, data);
  if (!parsed.success) {
    const problems = parsed.issues.slice(0, max).map((issue) => `${v.getDotPath(issue) ?? 'top level'}: ${issue.message}`);
    return { ok: false, problems };
  }
  const streams = (data as { streams: Record<string, StreamState> }).streams;
  return { ok: true, streams: new Map(Object.entries(streams)) };
}
