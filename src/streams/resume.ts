import { ASANA_RETENTION_MS, resolveStartAt, type StartAt } from '../config/index.ts';
import type { Shipper, StreamGap } from '../export/shipper.ts';
import type { Logger } from '../log.ts';
import type { StreamState } from '../state/types.ts';
import type { StreamEntry } from './audit-log/entry.ts';
import { timeMs } from './shipped-window.ts';

/**
 * Where a stream resumes when its saved position cannot be used as is, and the gap record that says
 * what was lost when something was. One place for both rules:
 *
 * - Asana refused the saved offset (expired or invalid): resume from the last shipped created_at with
 *   start_at (inclusive), skipping the gids already shipped — nothing lost, at most the boundary
 *   re-checked. Nothing shipped yet: re-read from the stream's start, which loses nothing either.
 *   Only a state with neither (hand-edited, or from an unknown writer) cannot be resumed: a gap record
 *   (`offset_unresumable`) is shipped, then the stream restarts at ASANA_START_AT.
 * - Asana deletes audit events after 90 days ("AuditLogEvent objects will be permanently deleted from
 *   our systems after 90 days", Get audit log events). A stream whose read position is older than
 *   that resumes at the oldest event Asana still has (start_at = now - 90 d), after shipping a gap
 *   record (`retention_exceeded`, from the read position to the new start).
 *
 * A gap record is exported and acknowledged before the new position is committed: a crash in between
 * re-sends the gap record, never skips it (Shipper.shipGap). The new position is committed through
 * the stream's entry (StreamEntry.change), onto its state as it is then, touching only the live
 * tail: backfill windows read meanwhile keep their commits.
 */

export interface ResumeContext {
  /** The stream's state entry: the new position is committed through it. */
  entry: StreamEntry;
  /** Ships the gap record (it names the stream) before the new position is committed. */
  shipper: Shipper;
  log: Logger;
  /** ASANA_START_AT: where an unresumable stream restarts. */
  startAt: StartAt;
  now: () => Date;
}

/** A caught-up stream refreshes its caughtUpAt at least this often, so a quiet stream never looks stale. */
export const CAUGHT_UP_REFRESH_MS = 86_400_000;

/** True when the caught-up branch should commit even without a new offset: the committed caughtUpAt is missing or old. */
export function caughtUpNeedsRefresh(committedCaughtUpAt: string | undefined, at: Date): boolean {
  const last = timeMs(committedCaughtUpAt);
  return last === undefined || at.getTime() - last >= CAUGHT_UP_REFRESH_MS;
}

/**
 * Whether a saved state has read anything from Asana: a committed page or offset, a caught-up
 * tail, a window that moved. A state with none (a first run stopped before its first page, by a
 * refused token say) is only a plan, and is planned again from ASANA_START_AT as it is now.
 */
export function hasRead(state: StreamState): boolean {
  if (state.eventsShipped > 0 || state.offset || state.lastEventAt || state.caughtUpAt || state.shippedWindow) return true;
  return (state.backfill ?? []).some((w) => w.offset || w.lastEventAt || w.eventsShipped > 0);
}

/** The later of two ISO times (either may be absent). */
export function latest(a: string | undefined, b: string | undefined): string | undefined {
  const ta = timeMs(a);
  const tb = timeMs(b);
  if (ta === undefined) return tb === undefined ? undefined : b;
  if (tb === undefined) return a;
  return tb > ta ? b : a;
}

/**
 * How far the stream is known to have read: its newest shipped event, the last time it was caught
 * up, and its start (nothing before the start is in its scope). Undefined for a stream that has read
 * nothing yet in a state written within the retention period (its start is then the user's choice:
 * config warns about an ASANA_START_AT beyond 90 days).
 */
function readPosition(state: StreamState, cutoffMs: number): string | undefined {
  const read = latest(state.lastEventAt, state.caughtUpAt);
  if (read === undefined && (timeMs(state.updatedAt) ?? 0) >= cutoffMs) return undefined;
  return latest(read, state.startAt);
}

/**
 * The retention rule. Changes nothing when the state's read position is within Asana's 90 days;
 * otherwise ships a `retention_exceeded` gap record and commits the position at now - 90 d.
 */
export async function resumeWithinRetention(ctx: ResumeContext, state: StreamState, signal: AbortSignal): Promise<void> {
  const now = ctx.now();
  const cutoff = new Date(now.getTime() - ASANA_RETENTION_MS);
  const position = readPosition(state, cutoff.getTime());
  const positionMs = timeMs(position);
  if (position === undefined || positionMs === undefined || positionMs >= cutoff.getTime()) return;

  const gap: StreamGap = {
    reason: 'retention_exceeded',
    start: new Date(positionMs),
    end: cutoff,
    message:
      `The receiver had read ${ctx.entry.key} up to ${position}, which is older than Asana's 90-day audit-log retention: ` +
      `events created between ${position} and ${cutoff.toISOString()} that were not shipped before may have been deleted by Asana and are lost. ` +
      'The stream resumes at the oldest event Asana still has.',
  };
  await ctx.shipper.shipGap(gap, now, signal, () => ctx.entry.change((current) => restartAt(current, cutoff, now)));
}

/** The tail restarted at `startAt` by time: its offset, issued for another start_at, is dropped. */
function restartAt(current: StreamState, startAt: Date, now: Date): StreamState {
  return { ...current, offset: undefined, offsetStartAt: undefined, startAt: startAt.toISOString(), updatedAt: now.toISOString() };
}

/**
 * Asana refused a cursor's offset: where to resume by time, or undefined when the cursor holds no
 * time at all. Resuming from the last shipped created_at (inclusive) skips the gids already shipped;
 * with nothing shipped yet, re-reading from the cursor's start loses and repeats nothing.
 */
export function refusedOffsetResume(cursor: { lastEventAt?: string; offsetStartAt?: string; startAt?: string }): { startAt: string; message: string } | undefined {
  if (cursor.lastEventAt !== undefined) {
    return {
      startAt: cursor.lastEventAt,
      message: 'Asana refused the saved offset; resuming from the last shipped event time (inclusive), skipping the events already shipped',
    };
  }
  const start = cursor.offsetStartAt ?? cursor.startAt;
  if (start !== undefined && timeMs(start) !== undefined) {
    return { startAt: start, message: 'Asana refused the saved offset; no event was shipped yet, so the stream re-reads from its start' };
  }
  return undefined;
}

/**
 * Asana refused the saved offset: commits the position to continue from (offset dropped), after
 * shipping a gap record when the position cannot be recovered. The retention rule then applies to
 * the time the stream resumes from.
 */
export async function resumeAfterRefusedOffset(ctx: ResumeContext, state: StreamState, reason: string, signal: AbortSignal): Promise<void> {
  const resumed = refusedOffsetResume(state);
  if (resumed) {
    ctx.log.warn(resumed.message, { stream: ctx.entry.key, startAt: resumed.startAt, reason });
    const startAt = state.lastEventAt !== undefined ? state.startAt : resumed.startAt;
    const dropOffset = (s: StreamState): StreamState => ({ ...s, offset: undefined, offsetStartAt: undefined, startAt });
    await ctx.entry.change(dropOffset);
    return resumeWithinRetention(ctx, dropOffset(state), signal);
  }

  const now = ctx.now();
  const restart = resolveStartAt(ctx.startAt, now);
  const gap: StreamGap = {
    reason: 'offset_unresumable',
    end: restart,
    message:
      `Asana refused the saved offset of ${ctx.entry.key} (${reason}) and the state holds no time to resume from; ` +
      `events before ${restart.toISOString()} that were not shipped before may be lost. The stream restarts at ASANA_START_AT.`,
  };
  await ctx.shipper.shipGap(gap, now, signal, () => ctx.entry.change((current) => restartAt(current, restart, now)));
}
