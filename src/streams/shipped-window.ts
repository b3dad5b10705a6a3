import type { ShippedWindowState, StreamState } from '../state/types.ts';
import { gidsChanged } from '../state/window-text.ts';

/**
 * The gids shipped within the late-event window: what lets a re-scan of the last ASANA_LATE_WINDOW
 * ship only the events that were not shipped before (src/streams/late-rescan.ts).
 *
 * Rule: the window holds every gid shipped (acknowledged by the collector) whose created_at is at or
 * after `since`. Entries whose created_at fell out of the window are pruned (when a page adds to it,
 * and by each re-scan), and `since` moves forward with them, so the window stays bounded by the
 * events of ASANA_LATE_WINDOW (and by MAX_WINDOW_GIDS).
 * A re-scan never reads before `since`: what it finds there is either in the window or new.
 *
 * The window is changed in place, and each change costs what it adds or drops, not the window's
 * size: every committed page goes through recordShipped, and a busy domain has up to MAX_WINDOW_GIDS
 * gids in the window, so copying or scanning it per page made it a measurable share of the CPU. A
 * page older than the window (most backfill pages) costs one comparison per event. Pruning takes the
 * oldest entries from a time-ordered index kept beside the window (a heap in a WeakMap, built once
 * per window object: the state file keeps its format), so an entry is indexed and dropped once. The
 * state store copies what it commits, so a committed state never changes under it.
 *
 * Events are read defensively: Asana could send anything.
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

/** created_at in epoch ms, when it is a readable date-time string: parsed once. */
export function createdAtMsOf(event: unknown): number | undefined {
  if (typeof event !== 'object' || event === null) return undefined;
  const at = (event as { created_at?: unknown }).created_at;
  if (typeof at !== 'string') return undefined;
  const ms = Date.parse(at);
  return Number.isNaN(ms) ? undefined : ms;
}

/** What the window needs of a shipped event: its gid, and its created_at in epoch ms when readable. */
export interface ShippedRef {
  gid: string;
  at?: number;
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
  return window !== undefined && indexOf(window).has(gid);
}

/**
 * Drops entries older than `now - windowMs` (and beyond MAX_WINDOW_GIDS); `since` moves up with them.
 * Changes the window in place and returns it.
 */
export function pruneWindow(window: ShippedWindowState, now: Date, windowMs: number): ShippedWindowState {
  const saved = timeMs(window.since) ?? 0;
  const since = Math.max(saved, now.getTime() - windowMs);
  if (since > saved) window.since = new Date(since).toISOString();
  const index = indexOf(window);
  while ((index.oldest()?.at ?? since) < since) index.take();
  capWindow(window, index);
  return window;
}

/** Whether pruneWindow would drop anything now: an entry has left the window (or it is over the cap). */
export function hasExpired(window: ShippedWindowState, now: Date, windowMs: number): boolean {
  const index = indexOf(window);
  const since = Math.max(timeMs(window.since) ?? 0, now.getTime() - windowMs);
  return (index.oldest()?.at ?? since) < since || index.size > MAX_WINDOW_GIDS;
}

/**
 * Adds shipped events (acknowledged by the collector) to the window, pruned to `now - windowMs`.
 * An event without a gid cannot be told apart later and is not recorded; one without a readable
 * created_at is kept as if created `now` (it is not found by a time-bounded re-scan anyway).
 * Future created_at values are kept as `now` so that a bogus year 9999 cannot pin an entry forever.
 * Changes the window in place and returns it.
 */
export function recordShipped(window: ShippedWindowState, events: readonly unknown[], now: Date, windowMs: number): ShippedWindowState {
  const refs: ShippedRef[] = [];
  for (const e of events) {
    const gid = gidOf(e);
    if (gid !== undefined) refs.push({ gid, at: createdAtMsOf(e) });
  }
  return recordShippedRefs(window, refs, now, windowMs);
}

/** recordShipped for events whose gid and created_at were read already (audit-log/cursor.ts advance() reads them once per page). */
export function recordShippedRefs(window: ShippedWindowState, refs: readonly ShippedRef[], now: Date, windowMs: number): ShippedWindowState {
  const nowMs = now.getTime();
  // What is older than the window is not recorded: a backfill page stops here, the window untouched.
  const since = Math.max(timeMs(window.since) ?? 0, nowMs - windowMs);
  const recent = refs.filter((r) => Math.min(r.at ?? nowMs, nowMs) >= since);
  if (recent.length === 0) return window;
  pruneWindow(window, now, windowMs);
  const index = indexOf(window);
  for (const { gid, at } of recent) index.put(gid, Math.min(at ?? nowMs, nowMs));
  capWindow(window, index);
  return window;
}

/**
 * Beyond MAX_WINDOW_GIDS the oldest entries go. Everything strictly before the first kept instant is
 * forgotten, so `since` becomes that instant (entries sharing it are all kept).
 */
function capWindow(window: ShippedWindowState, index: WindowIndex): void {
  if (index.size <= MAX_WINDOW_GIDS) return;
  const dropped: Array<{ gid: string; at: number }> = [];
  while (index.size > MAX_WINDOW_GIDS) dropped.push(index.take() as { gid: string; at: number });
  const first = (index.oldest() as { at: number }).at;
  for (const entry of dropped) if (entry.at >= first) index.put(entry.gid, entry.at);
  window.since = new Date(first).toISOString();
}

/** The time-ordered index of each window object in use, built at its first change. */
const indexes = new WeakMap<ShippedWindowState, WindowIndex>();

function indexOf(window: ShippedWindowState): WindowIndex {
  let index = indexes.get(window);
  if (index === undefined) {
    index = new WindowIndex(window.gids);
    indexes.set(window, index);
  }
  return index;
}

/**
 * A window's gids record with a binary min-heap on created_at beside it: the oldest entry in O(1),
 * an insertion or a removal in O(log n). Each gid of the record has a heap entry with its time; an
 * entry whose gid was removed or recorded again with another time is stale, and skipped when it
 * comes to the top. The record is changed only through put() and take(), which tell the state
 * file's text cache (state/window-text.ts).
 */
class WindowIndex {
  private readonly record: Record<string, number>;
  /**
   * The record's entries again, for lookups: every event of every page is looked up, and an object
   * keyed by gids (numeric strings fresh from JSON.parse) makes V8 internalize each key it is asked
   * for, which costs far more than a Map lookup.
   */
  private readonly entries = new Map<string, number>();
  private readonly times: number[] = [];
  private readonly gids: string[] = [];

  constructor(record: Record<string, number>) {
    this.record = record;
    for (const gid of Object.keys(record)) {
      const at = record[gid] as number;
      this.entries.set(gid, at);
      this.times.push(at);
      this.gids.push(gid);
    }
    for (let i = (this.gids.length >> 1) - 1; i >= 0; i--) this.down(i);
  }

  /** Gids in the record. */
  get size(): number {
    return this.entries.size;
  }

  has(gid: string): boolean {
    return this.entries.has(gid);
  }

  /** Records `gid` at `at`. */
  put(gid: string, at: number): void {
    if (this.entries.get(gid) === at) return;
    // A key no object holds as its own (setting it would replace the prototype): not recorded.
    if (gid === '__proto__') return;
    this.record[gid] = at;
    gidsChanged(this.record);
    this.entries.set(gid, at);
    this.push(at, gid);
  }

  /** The oldest entry, stale ones dropped on the way. */
  oldest(): { gid: string; at: number } | undefined {
    while (this.gids.length > 0) {
      const gid = this.gids[0] as string;
      const at = this.times[0] as number;
      if (this.entries.get(gid) === at) return { gid, at };
      this.pop();
    }
    return undefined;
  }

  /** Removes the oldest entry from the record and returns it. */
  take(): { gid: string; at: number } | undefined {
    const entry = this.oldest();
    if (entry === undefined) return undefined;
    this.pop();
    delete this.record[entry.gid];
    gidsChanged(this.record);
    this.entries.delete(entry.gid);
    return entry;
  }

  private push(at: number, gid: string): void {
    this.times.push(at);
    this.gids.push(gid);
    this.up(this.gids.length - 1);
  }

  /** Removes the heap's top. */
  private pop(): void {
    const last = this.gids.length - 1;
    this.swap(0, last);
    this.times.pop();
    this.gids.pop();
    if (last > 0) this.down(0);
  }

  private up(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((this.times[parent] as number) <= (this.times[i] as number)) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private down(i: number): void {
    const n = this.gids.length;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let min = i;
      if (left < n && (this.times[left] as number) < (this.times[min] as number)) min = left;
      if (right < n && (this.times[right] as number) < (this.times[min] as number)) min = right;
      if (min === i) return;
      this.swap(i, min);
      i = min;
    }
  }

  private swap(a: number, b: number): void {
    const t = this.times[a] as number;
    this.times[a] = this.times[b] as number;
    this.times[b] = t;
    const g = this.gids[a] as string;
    this.gids[a] = this.gids[b] as string;
    this.gids[b] = g;
  }
}
