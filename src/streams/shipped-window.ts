import type { ShippedWindowState, StreamState } from '../state/types.ts';

/**
 * The gids shipped within the late-event window: what lets a re-scan of the last ASANA_LATE_WINDOW
 * ship only the events that were not shipped before (src/streams/late-rescan.ts).
 *
 * Rule: the window holds every gid shipped (acknowledged by the collector) whose created_at is at or
 * after `since`. Entries whose created_at fell out of the window are pruned, and `since` moves forward
 * with them, so the window stays bounded by the events of ASANA_LATE_WINDOW (and by MAX_WINDOW_GIDS).
 * A re-scan never reads before `since`: what it finds there is either in the window or new.
 *
 * Everything here is pure, and reads events defensively: Asana could send anything.
 */

/** Hard cap on the gids kept: beyond it the oldest are pruned and `since` moves up (the window shrinks). */
export const MAX_WINDOW_GIDS = 100_000;

/** The event's gid as a string (Asana documents a string; a number is read as its digits), if usable. */
export function gidOf(event: unknown): string | undefined {
  if (typeof event !== 'object' || event === null) return undefined;
  const gid = (event as { gid?: unknown }).gid;
  if (typeof gid === 'string') return gid === '' ? undefined : gid;
  if (typeof gid === 'number' && Number.isFinite(gid)) return String(gid);
  if (typeof gid === 'bigint') return String(gid);
  return undefined;
}

/** The event's created_at exactly as sent, when it is a readable date-time string. */
export function createdAtOf(event: unknown): string | undefined {
  if (typeof event !== 'object' || event === null) return undefined;
  const at = (event as { created_at?: unknown }).created_at;
  return typeof at === 'string' && !Number.isNaN(Date.parse(at)) ? at : undefined;
}

/** created_at in epoch ms, when readable. */
export function createdAtMsOf(event: unknown): number | undefined {
  const at = createdAtOf(event);
  return at === undefined ? undefined : Date.parse(at);
}

/** Epoch ms of an ISO time, or undefined. */
export function timeMs(iso: string | undefined): number | undefined {
  if (iso === undefined) return undefined;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * The state's window, or a new one. A new window is complete from the newest shipped instant on:
 * `since` = lastEventAt, seeded with the gids shipped at that instant (lastEventGids). A stream that
 * shipped nothing yet is complete from its start.
 */
export function windowOf(state: StreamState): ShippedWindowState {
  if (state.shippedWindow) return state.shippedWindow;
  const since = state.lastEventAt ?? state.startAt ?? new Date(0).toISOString();
  const gids: Record<string, number> = {};
  const at = timeMs(state.lastEventAt);
  if (at !== undefined) for (const gid of state.lastEventGids ?? []) gids[gid] = at;
  return { since: timeMs(since) === undefined ? new Date(0).toISOString() : since, gids };
}

export function hasShipped(window: ShippedWindowState | undefined, gid: string): boolean {
  return window !== undefined && Object.hasOwn(window.gids, gid);
}

/** Drops entries older than `now - windowMs` (and beyond MAX_WINDOW_GIDS); `since` moves up with them. */
export function pruneWindow(window: ShippedWindowState, now: Date, windowMs: number): ShippedWindowState {
  const cutoff = now.getTime() - windowMs;
  let since = Math.max(timeMs(window.since) ?? 0, cutoff);
  let entries = Object.entries(window.gids).filter(([, t]) => t >= since);
  if (entries.length > MAX_WINDOW_GIDS) {
    entries.sort((a, b) => a[1] - b[1]);
    const dropped = entries.length - MAX_WINDOW_GIDS;
    // Everything strictly before the first kept instant is forgotten, so `since` is that instant.
    since = (entries[dropped] as [string, number])[1];
    entries = entries.filter(([, t]) => t >= since);
  }
  return { since: new Date(since).toISOString(), gids: Object.fromEntries(entries) };
}

/**
 * Adds shipped events (acknowledged by the collector) to the window, pruned to `now - windowMs`.
 * An event without a gid cannot be told apart later and is not recorded; one without a readable
 * created_at is kept as if created `now` (it is not found by a time-bounded re-scan anyway).
 * Future created_at values are kept as `now` so that a bogus year 9999 cannot pin an entry forever.
 */
export function recordShipped(window: ShippedWindowState, events: readonly unknown[], now: Date, windowMs: number): ShippedWindowState {
  const pruned = pruneWindow(window, now, windowMs);
  const since = timeMs(pruned.since) ?? 0;
  const gids = { ...pruned.gids };
  let added = false;
  for (const e of events) {
    const gid = gidOf(e);
    if (gid === undefined) continue;
    const at = Math.min(createdAtMsOf(e) ?? now.getTime(), now.getTime());
    if (at < since) continue;
    gids[gid] = at;
    added = true;
  }
  if (!added) return pruned;
  const next = { since: pruned.since, gids };
  return Object.keys(gids).length > MAX_WINDOW_GIDS ? pruneWindow(next, now, windowMs) : next;
}
