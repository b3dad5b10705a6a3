import type { AuditLogFilters, StreamName } from '../config.ts';

/** Identifies one cursor: a stream of one workspace with one set of API filters. */
export interface StreamKey {
  stream: StreamName;
  workspaceGid: string;
  filters: AuditLogFilters;
  /** resource_events only: the project, task, portfolio or goal whose events the cursor follows. */
  resourceGid?: string;
}

/** One stream's checkpoint. Written only after the collector acknowledged what it covers. */
export interface StreamState {
  stream: StreamName;
  workspaceGid: string;
  filters: AuditLogFilters;
  /** Asana's opaque audit-log offset from the last acknowledged page. */
  offset?: string;
  /**
   * The start_at of the query that handed out `offset`. An offset belongs to the filters it was
   * issued for, start_at included, so it is always sent back with this one.
   */
  offsetStartAt?: string;
  /** The start_at of the first query; used until Asana hands out an offset. */
  startAt?: string;
  /** created_at and gid of the newest shipped event. */
  lastEventAt?: string;
  lastEventGid?: string;
  /**
   * gids of the shipped events whose created_at equals lastEventAt. When the stream has to resume
   * with start_at=lastEventAt (inclusive) instead of an offset, these are skipped: the boundary is
   * re-checked, nothing is shipped twice and nothing sharing that instant is lost.
   */
  lastEventGids?: string[];
  /**
   * workspace_events / resource_events: Asana's sync token from the last acknowledged page (or the
   * fresh token of a 412 once its gap record, if any, was acknowledged), and when it was received.
   * Asana keeps a token at most 24 h; syncAt bounds the range a refused token lost.
   */
  sync?: string;
  syncAt?: string;
  /** resource_events: the resource the cursor follows. */
  resourceGid?: string;
  /**
   * When the live tail last read an empty page (caught up): it had read everything created before
   * then. Refreshed at least daily, so Asana's 90-day retention is checked against a real read
   * position; also tells "far behind" (worth backfilling in parallel) from "a quiet domain".
   */
  caughtUpAt?: string;
  /**
   * The gids shipped (acknowledged) within the late-event window, so a re-scan of that window ships
   * only what was not shipped before (src/streams/shipped-window.ts).
   */
  shippedWindow?: ShippedWindowState;
  /** Events shipped and acknowledged under this key, ever (every time window counted). */
  eventsShipped: number;
  /** When this entry was last committed. */
  updatedAt: string;
  /**
   * Older time windows of the same stream still being backfilled in parallel, oldest first; each
   * has its own cursor. The fields above are then the cursor of the newest window, the live tail.
   * A window is removed once Asana answers it with an empty page. Absent: nothing to backfill.
   */
  backfill?: WindowState[];
}

/**
 * One backfill time window [startAt, endAt) of a stream and its cursor. Asana: start_at is
 * inclusive, end_at exclusive, so adjacent windows share no event and leave none out.
 */
export interface WindowState {
  /** The window's fixed bounds (ISO-8601); startAt also identifies the window. */
  startAt: string;
  endAt: string;
  /** As in StreamState: Asana's offset, the start_at it was issued for, the newest shipped events. */
  offset?: string;
  offsetStartAt?: string;
  lastEventAt?: string;
  lastEventGid?: string;
  lastEventGids?: string[];
  /** Events shipped from this window. */
  eventsShipped: number;
}

/**
 * Every gid shipped with a created_at at or after `since` (ISO time), with its created_at in epoch ms.
 * Entries older than the late-event window are pruned, and `since` moves forward with them.
 */
export interface ShippedWindowState {
  since: string;
  gids: Record<string, number>;
}

export interface StateStore {
  /** The path of the backing file (for messages). */
  readonly path: string;
  get(key: string): StreamState | undefined;
  /**
   * Resolves once the new state is durable (temp file, fsync, rename). Throws StateError. Keeps a
   * copy of `state` as it is at the call: the caller may go on changing it (the audit log stream
   * changes its late-event window in place, shipped-window.ts).
   */
  commit(key: string, state: StreamState): Promise<void>;
  /** Forgets a stream's position. Resolves true when there was one. */
  delete(key: string): Promise<boolean>;
  entries(): Array<[string, StreamState]>;
  /** Releases the lock. */
  close(): Promise<void>;
}
