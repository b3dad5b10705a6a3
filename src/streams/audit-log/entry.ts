import type { StateStore, StreamState } from '../../state/types.ts';
import { caughtUpNeedsRefresh } from '../resume.ts';
import { recordShippedRefs, windowOf, type ShippedRef } from '../shipped-window.ts';
import { moved, TAIL, type Cursor } from './cursor.ts';

/**
 * The audit-log stream's state entry, as its parts see it: the tail, each backfill worker, the
 * late-event re-scan and the resume rules read it here and change it only through `change`.
 */
export interface StreamEntry {
  /** The state key, for logs and reports. */
  readonly key: string;
  /** The stream's current state: every change made so far, committed or being committed. */
  current(): StreamState | undefined;
  /**
   * The one way to change the entry: `change` gets the current state and returns the next
   * (undefined: nothing to commit) at once, synchronously, so it is built on every change made so
   * far — by the other cursors and the re-scan too, while this one waited for the collector — and
   * overwrites none of them. Resolves once the commit is durable.
   */
  change(change: (state: StreamState) => StreamState | undefined): Promise<void>;
}

/**
 * The single writer of one stream's entry in the state file. Each part changes only its own part
 * (a cursor, a window's count, the shipped gids), so none overwrites what another committed while
 * it was waiting for the collector.
 */
export class StateEntry implements StreamEntry {
  readonly key: string;
  private readonly store: StateStore;
  private readonly lateWindowMs: number | undefined;
  private state: StreamState | undefined;
  /**
   * The caughtUpAt last committed. `state` has the newest one (each empty page of the tail), which
   * is committed with the next change, and at the latest after CAUGHT_UP_REFRESH_MS.
   */
  private committedCaughtUpAt: string | undefined;

  constructor(key: string, store: StateStore, lateWindowMs?: number) {
    this.key = key;
    this.store = store;
    this.lateWindowMs = lateWindowMs && lateWindowMs > 0 ? lateWindowMs : undefined;
  }

  /** Reads the saved entry once; later calls return what is in memory. */
  load(): StreamState | undefined {
    if (this.state === undefined) {
      this.state = this.store.get(this.key);
      this.committedCaughtUpAt = this.state?.caughtUpAt;
    }
    return this.state;
  }

  current(): StreamState | undefined {
    return this.state;
  }

  async change(change: (state: StreamState) => StreamState | undefined): Promise<void> {
    const next = change(this.state as StreamState);
    if (next === undefined) return;
    this.state = next;
    this.committedCaughtUpAt = next.caughtUpAt;
    await this.store.commit(this.key, next);
  }

  /**
   * Moves one cursor (and the shipped count) after its page's acknowledgement. The shipped gids go
   * into the late-event window in the same commit: the re-scan never re-ships this page.
   */
  commitPage(sliceId: string, cursor: Cursor, shipped: number, at: Date, refs: readonly ShippedRef[] = []): Promise<void> {
    const late = this.lateWindowMs;
    return this.change((state) => {
      const next: StreamState = { ...state, eventsShipped: state.eventsShipped + shipped, updatedAt: at.toISOString() };
      if (late && refs.length > 0) next.shippedWindow = recordShippedRefs(windowOf(state), refs, at, late);
      if (sliceId === TAIL) Object.assign(next, moved(cursor));
      else next.backfill = (state.backfill ?? []).map((w) => (w.startAt === sliceId ? { ...w, ...moved(cursor, w.endAt), eventsShipped: w.eventsShipped + shipped } : w));
      return next;
    });
  }

  /**
   * The tail answered an empty page: caught up. In memory at once (tailIsBehind and the retention
   * rule read it); committed with the next change — at once when Asana handed out a new offset,
   * and at least daily, so a quiet stream never looks older than Asana's retention.
   */
  async tailCaughtUp(cursor: Cursor, offsetChanged: boolean, at: Date): Promise<void> {
    this.state = { ...(this.state as StreamState), caughtUpAt: at.toISOString() };
    if (offsetChanged || caughtUpNeedsRefresh(this.committedCaughtUpAt, at)) await this.commitPage(TAIL, cursor, 0, at);
  }

  /**
   * Splits a cursor: `split` gets the current state and returns it with the cursor's new bounds and
   * the new windows (undefined: no split), committed at once, before anything is read from them.
   * Returns the new windows' ids (startAt), oldest first.
   */
  async split(split: (state: StreamState) => StreamState | undefined): Promise<string[]> {
    let added: string[] = [];
    await this.change((state) => {
      const next = split(state);
      if (next === undefined) return undefined;
      const before = new Set((state.backfill ?? []).map((w) => w.startAt));
      added = (next.backfill ?? []).map((w) => w.startAt).filter((id) => !before.has(id));
      return next;
    });
    return added;
  }

  /** A backfill window answered an empty page: it is done and leaves the state. Returns it and how many are left. */
  async finishWindow(sliceId: string, at: Date): Promise<{ eventsShipped: number; windowsLeft: number }> {
    const done = { eventsShipped: 0, windowsLeft: 0 };
    await this.change((state) => {
      done.eventsShipped = state.backfill?.find((w) => w.startAt === sliceId)?.eventsShipped ?? 0;
      const rest = (state.backfill ?? []).filter((w) => w.startAt !== sliceId);
      done.windowsLeft = rest.length;
      const next: StreamState = { ...state, updatedAt: at.toISOString() };
      if (rest.length > 0) next.backfill = rest;
      else delete next.backfill;
      return next;
    });
    return done;
  }
}
