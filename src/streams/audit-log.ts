import type { Resource } from '@opentelemetry/resources';
import type { AuditLogApi } from '../asana/client.ts';
import { OffsetRejectedError } from '../asana/client.ts';
import type { AuditLogEvent, AuditLogQuery } from '../asana/types.ts';
import { resolveStartAt, type AuditLogFilters, type StartAt } from '../config.ts';
import { AbortedError } from '../errors.ts';
import { exportUntilAcknowledged } from '../export/deliver.ts';
import type { EncodedBatch, LogBatch, LogSink } from '../export/types.ts';
import type { Logger } from '../log.ts';
import { mapAuditLogEvent } from '../mapping/audit-log.ts';
import { sleep } from '../retry.ts';
import { streamKey } from '../state/key.ts';
import type { StateStore, StreamState, WindowState } from '../state/types.ts';
import { LateRescan, type StreamEntry } from './late-rescan.ts';
import { caughtUpNeedsRefresh, latest, refusedOffsetResume, resumeAfterRefusedOffset, resumeWithinRetention, type ResumeContext } from './resume.ts';
import { createdAtMsOf, createdAtOf, gidOf, hasShipped, recordShippedRefs, timeMs, windowOf, type ShippedRef } from './shipped-window.ts';
import { planWindows, tailIsBehind } from './slices.ts';
import type { CatchUpResult, PageReport, Stream } from './types.ts';

/** A created_at later than the fetch time plus this is not trusted as the resume position. */
const MAX_CLOCK_SKEW_MS = 3_600_000;

export interface AuditLogStreamOptions {
  api: AuditLogApi;
  store: StateStore;
  sink: LogSink;
  resource: Resource;
  workspaceGid: string;
  filters: AuditLogFilters;
  startAt: StartAt;
  pollIntervalMs: number;
  log: Logger;
  now?: () => Date;
  /**
   * Time windows read at once (slices.ts: sliceConcurrency of the token's budget). Default 1: one
   * cursor, no backfill windows are planned (windows already in the state are still finished).
   */
  slices?: number;
  /** Called after each page is committed (progress, self-telemetry). */
  onPage?: (report: PageReport) => void;
  /** Retry delay per attempt for exports (default: the capped exponential backoff). */
  backoff?: (attempt: number) => number;
  /** Called when the stream is caught up: the live tail answered an empty page and no backfill window is left. */
  onCaughtUp?: (key: string) => void;
  /** ASANA_LATE_WINDOW: shipped gids within it are recorded for the late-event re-scan; 0 or unset: none. */
  lateWindowMs?: number;
  /**
   * ASANA_LATE_RESCAN_INTERVAL: with lateWindowMs, the stream re-reads that window this often
   * (late-rescan.ts), between two polls of its live tail; `catchUp` re-reads it once at the end.
   * Unset: no re-scan (the shipped gids are still recorded).
   */
  lateRescanIntervalMs?: number;
}

/**
 * Pages of one window fetched and not yet committed, at most, the one being exported included:
 * the next pages are fetched while the current one is mapped and exported, and a slow collector
 * stops the fetching (backpressure) instead of filling memory.
 */
export const PIPELINE_DEPTH = 2;

/** A cursor over Asana's audit log: the fields StreamState and WindowState share. */
interface Cursor {
  offset?: string;
  offsetStartAt?: string;
  startAt?: string;
  lastEventAt?: string;
  lastEventGid?: string;
  lastEventGids?: string[];
}

/** The live tail (the cursor at the top of the stream's state), or a backfill window by its startAt. */
const TAIL = '';
interface Slice {
  id: string;
  endAt?: string;
}

type Item =
  | { kind: 'page'; batch: LogBatch | EncodedBatch | undefined; shipped: number; received: number; cursor: Cursor; observedAt: Date; refs: ShippedRef[] }
  | { kind: 'end'; cursor: Cursor; offsetChanged: boolean; observedAt: Date }
  | { kind: 'unresumable'; reason: string }
  | { kind: 'error'; error: unknown };

/**
 * The audit log stream of one workspace: owns its cursors and Asana's paging rules.
 *
 * Asana (GET /workspaces/{gid}/audit_log_events): events come oldest first; every response carries
 * next_page.offset once the filters matched anything, even when there is nothing new, so an empty
 * `data` — not a missing next_page — means caught up. Polling again later with the latest offset
 * returns what was recorded since. start_at is inclusive, end_at exclusive.
 *
 * Each cursor is read as a bounded pipeline (drain): a fetcher follows the offsets, maps and
 * encodes each page, up to PIPELINE_DEPTH pages ahead, while earlier pages are exported,
 * acknowledged by the collector and only then committed, strictly in order: the offset of page n
 * is committed after pages ≤ n were acknowledged, and one export per cursor is in flight. A crash
 * or shutdown before a commit re-fetches that page on the next start: at-least-once, at most one
 * page of duplicates per cursor, carrying the same log.record.uid.
 *
 * A long history is backfilled in parallel time windows (slices.ts): the first run splits
 * [ASANA_START_AT, now) into windows, each with its own cursor in the state file, all committed at
 * once before anything is read; the newest window is the live tail and keeps being polled. Up to
 * `slices` cursors are read at once; the shared rate limiter paces them. When the tail itself is
 * far behind and no window is left (a long stop, a long collector outage), what it still has to
 * read is split again the same way.
 *
 * With ASANA_LATE_WINDOW, the late-event re-scan (late-rescan.ts) runs in the live tail's loop:
 * between two polls of the tail, every ASANA_LATE_RESCAN_INTERVAL, while the backfill windows go on.
 *
 * One writer: the tail, each backfill worker, the re-scan and the resume rules all change the
 * stream's state entry through update(), which applies their change to the current state
 * synchronously and commits the result. Each changes only its own part (a cursor, a window's count,
 * the shipped gids), so none overwrites what another committed while it was waiting for the
 * collector.
 */
export class AuditLogStream implements Stream {
  readonly key: string;
  private readonly o: AuditLogStreamOptions;
  private readonly now: () => Date;
  private readonly slices: number;
  /** The stream's state as last committed (or about to be): every cursor, read and written here. */
  private state: StreamState | undefined;
  /**
   * The caughtUpAt last committed. `state` has the newest one (each empty page of the tail), which
   * is committed with the next change, and at the latest after CAUGHT_UP_REFRESH_MS (finish()).
   */
  private committedCaughtUpAt: string | undefined;
  /** The backfill workers, while some are running. */
  private backfilling: Promise<void> | undefined;
  /** The first error of a backfill worker: it stops the whole stream. */
  private failure: unknown;
  /** The late-event re-scan, when ASANA_LATE_WINDOW is on. */
  private readonly rescan: LateRescan | undefined;

  constructor(opts: AuditLogStreamOptions) {
    this.o = opts;
    this.now = opts.now ?? (() => new Date());
    this.slices = Math.max(1, Math.floor(opts.slices ?? 1));
    this.key = streamKey({ stream: 'audit_log', workspaceGid: opts.workspaceGid, filters: opts.filters });
    if (opts.lateWindowMs && opts.lateWindowMs > 0 && opts.lateRescanIntervalMs !== undefined) {
      // The re-scan reads and commits this stream's state through the stream, never the store.
      const entry: StreamEntry = { key: this.key, current: () => this.state, update: (change) => this.update(change) };
      this.rescan = new LateRescan({
        api: opts.api, entry, sink: opts.sink, resource: opts.resource, workspaceGid: opts.workspaceGid, filters: opts.filters,
        log: opts.log, windowMs: opts.lateWindowMs, intervalMs: opts.lateRescanIntervalMs, now: opts.now, backoff: opts.backoff, onPage: opts.onPage,
      });
    }
  }

  /**
   * Polls forever: catch up the live tail, re-scan the late-event window when due, pause
   * ASANA_POLL_INTERVAL, repeat; backfill windows meanwhile, never waited for (a first backfill can
   * take hours, and the tail stays fresh). Returns on shutdown.
   */
  async run(signal: AbortSignal): Promise<void> {
    const totals = { pages: 0, shipped: 0 };
    try {
      await this.supervised(signal, async (ctl) => {
        for (;;) {
          await this.prepare(ctl.signal);
          this.startBackfill(ctl, totals);
          if ((await this.drain({ id: TAIL }, ctl.signal, totals)) === 'behind') continue;
          if (!this.backfilling) this.caughtUp(totals);
          if (this.rescan?.isDue()) add(totals, await this.rescan.run(ctl.signal));
          await sleep(this.o.pollIntervalMs, ctl.signal);
        }
      });
    } catch (err) {
      if (err instanceof AbortedError) return;
      throw err;
    }
  }

  /**
   * Reads every cursor until Asana answers it with an empty page, then re-scans the late-event
   * window when due (the first time always: `once` re-scans too); every shipped page is committed.
   */
  async catchUp(signal: AbortSignal): Promise<CatchUpResult> {
    const totals = { pages: 0, shipped: 0 };
    await this.supervised(signal, async (ctl) => {
      for (;;) {
        await this.prepare(ctl.signal);
        this.startBackfill(ctl, totals);
        if ((await this.drain({ id: TAIL }, ctl.signal, totals)) === 'behind') continue;
        await this.backfilling;
        if (this.failure !== undefined) throw this.failure;
        break;
      }
      if (this.rescan?.isDue()) add(totals, await this.rescan.run(ctl.signal));
    });
    this.caughtUp(totals);
    return totals;
  }

  private caughtUp(totals: CatchUpResult): void {
    this.o.onCaughtUp?.(this.key);
    this.o.log.debug('audit log caught up', { stream: this.key, ...totals });
  }

  /**
   * Runs `body` with the backfill workers it starts; the first failure of either stops both and is
   * what is thrown. Returns only after every worker has stopped.
   */
  private async supervised(signal: AbortSignal, body: (ctl: AbortController) => Promise<void>): Promise<void> {
    const ctl = new AbortController();
    const onAbort = () => ctl.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    if (signal.aborted) ctl.abort();
    this.failure = undefined;
    try {
      await body(ctl);
    } catch (err) {
      throw this.failure ?? err;
    } finally {
      ctl.abort();
      signal.removeEventListener('abort', onAbort);
      await this.backfilling;
    }
    if (this.failure !== undefined) throw this.failure;
  }

  // ---- planning ---------------------------------------------------------------------------------

  /**
   * Loads the state, plans the windows of a first run, or splits a tail that is far behind. Between
   * catch-ups (no backfill running) a read position older than Asana's 90-day retention resumes at
   * the oldest event (resume.ts).
   */
  private async prepare(signal: AbortSignal): Promise<void> {
    const now = this.now();
    if (this.state === undefined) {
      const existing = this.o.store.get(this.key);
      if (existing) {
        this.state = existing;
        this.committedCaughtUpAt = existing.caughtUpAt;
        const pending = existing.backfill?.length ?? 0;
        if (pending > 0) this.o.log.info(`resuming the backfill of ${pending} older time windows`, { stream: this.key, windows: pending });
      } else {
        // First run: pin the start and every window, so a restart before the first event moves nothing.
        const from = resolveStartAt(this.o.startAt, now).toISOString();
        const plan = this.slices > 1 ? planWindows(from, now.getTime(), this.slices) : { windows: [], tailStartAt: from };
        const first: StreamState = {
          stream: 'audit_log',
          workspaceGid: this.o.workspaceGid,
          filters: this.o.filters,
          startAt: plan.tailStartAt,
          eventsShipped: 0,
          updatedAt: now.toISOString(),
        };
        if (plan.windows.length > 0) first.backfill = plan.windows.map((w) => ({ ...w, eventsShipped: 0 }));
        await this.update(() => first);
        this.o.log.info('audit log stream has no saved position; starting from ASANA_START_AT', {
          stream: this.key,
          startAt: from,
          ...(plan.windows.length > 0 ? { backfillWindows: plan.windows.length, slices: this.slices, tailStartAt: plan.tailStartAt } : {}),
        });
        return;
      }
    }
    if (!this.backfilling) await resumeWithinRetention(this.resumeContext(), this.state, signal);
    const state = this.state as StreamState;
    if (this.slices > 1 && !this.backfilling && !state.backfill?.length && tailIsBehind(state, now.getTime())) {
      const lastEventAt = state.lastEventAt as string;
      // From the tail's read position: its startAt when that moved past lastEventAt (retention).
      const plan = planWindows(latest(lastEventAt, state.startAt) as string, now.getTime(), this.slices);
      if (plan.windows.length === 0) return;
      // The first window resumes exactly where the tail stands: start_at = the newest shipped
      // instant (inclusive), skipping the gids already shipped at it. The tail restarts at the
      // newest window, without an offset (an offset belongs to the start_at it was issued for).
      const windows: WindowState[] = plan.windows.map((w, i) =>
        i === 0
          ? { ...w, lastEventAt, lastEventGid: state.lastEventGid, lastEventGids: state.lastEventGids, eventsShipped: 0 }
          : { ...w, eventsShipped: 0 },
      );
      await this.update((current) => ({
        ...current,
        offset: undefined,
        offsetStartAt: undefined,
        startAt: plan.tailStartAt,
        lastEventAt: undefined,
        lastEventGid: undefined,
        lastEventGids: undefined,
        backfill: windows,
        updatedAt: now.toISOString(),
      }));
      this.o.log.info(`the live tail is far behind: reading what it has left in ${windows.length + 1} time windows in parallel`, {
        stream: this.key,
        from: lastEventAt,
        slices: this.slices,
      });
    }
  }

  /** Starts the backfill workers over the pending windows, oldest first, if not running. */
  private startBackfill(ctl: AbortController, totals: CatchUpResult): void {
    const windows = this.state?.backfill ?? [];
    if (this.backfilling || windows.length === 0) return;
    const queue: Slice[] = windows.map((w) => ({ id: w.startAt, endAt: w.endAt }));
    const worker = async () => {
      for (let slice = queue.shift(); slice; slice = queue.shift()) await this.drain(slice, ctl.signal, totals);
    };
    const workers = Math.min(queue.length, Math.max(1, this.slices - 1));
    this.backfilling = Promise.all(Array.from({ length: workers }, worker)).then(
      () => {
        this.backfilling = undefined;
      },
      (err: unknown) => {
        this.backfilling = undefined;
        if (!(err instanceof AbortedError)) this.failure ??= err;
        ctl.abort();
      },
    );
  }

  // ---- one cursor: the pipeline -------------------------------------------------------------------

  /**
   * Reads one cursor until Asana answers an empty page ('caught-up'). The live tail stops early
   * ('behind') once no backfill is running and it is far behind: prepare() then splits it.
   */
  private async drain(slice: Slice, signal: AbortSignal, totals: CatchUpResult): Promise<'caught-up' | 'behind'> {
    if (signal.aborted) throw new AbortedError();
    const ctl = new AbortController();
    const queue = new PageQueue<Item>(PIPELINE_DEPTH, ctl.signal);
    const onAbort = () => ctl.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    const fetching = this.fetch(slice, queue, ctl.signal);
    try {
      for (;;) {
        const item = await queue.peek();
        if (item.kind === 'error') throw item.error;
        if (item.kind === 'unresumable') {
          // Only the live tail can lack a time to resume from (windows have their startAt): a gap
          // record is shipped and acknowledged, then the tail restarts at ASANA_START_AT (resume.ts).
          await resumeAfterRefusedOffset(this.resumeContext(), this.state as StreamState, item.reason, ctl.signal);
          return 'behind';
        }
        if (item.kind === 'end') {
          await this.finish(slice, item);
          return 'caught-up';
        }
        if (item.batch) {
          await exportUntilAcknowledged(this.o.sink, item.batch, {
            signal: ctl.signal,
            backoff: this.o.backoff,
            log: (level, msg, meta) => this.o.log.log(level, msg, { stream: this.key, ...meta }),
          });
        }
        await this.commit(slice, item.cursor, item.shipped, item.observedAt, item.refs);
        queue.remove();
        totals.pages++;
        totals.shipped += item.shipped;
        this.o.onPage?.({
          stream: 'audit_log',
          key: this.key,
          workspaceGid: this.o.workspaceGid,
          received: item.received,
          shipped: item.shipped,
          lastEventAt: item.cursor.lastEventAt,
          backfill: slice.id !== TAIL,
        });
        // Checked first: winston formats a line (redaction, JSON) even when its level is off.
        if (this.o.log.isDebugEnabled()) {
          this.o.log.debug('audit log page shipped', {
            stream: this.key,
            ...(slice.id !== TAIL ? { window: slice.id } : {}),
            events: item.shipped,
            lastEventAt: item.cursor.lastEventAt,
          });
        }
        if (slice.id === TAIL && this.slices > 1 && !this.backfilling && tailIsBehind(this.state as StreamState, this.now().getTime())) {
          return 'behind';
        }
      }
    } finally {
      ctl.abort(); // pages fetched ahead and not committed are dropped: they are re-read next time
      signal.removeEventListener('abort', onAbort);
      await fetching;
    }
  }

  /** Follows the offsets of one cursor, PIPELINE_DEPTH pages ahead of the commits at most. Never rejects. */
  private async fetch(slice: Slice, queue: PageQueue<Item>, signal: AbortSignal): Promise<void> {
    let cursor = this.cursorOf(slice);
    try {
      for (;;) {
        await queue.waitForSpace();
        // One page per call: the parsed page lives in that call only, not in this loop's frame
        // while it waits for room (it would be kept alive, and promoted by the GC, for nothing).
        const item = await this.fetchPage(cursor, slice, signal);
        if (item === undefined) {
          // The offset expired or was refused: resume from the newest shipped instant instead
          // (start_at is inclusive; the gids already shipped at that instant are skipped).
          cursor = { ...cursor, offset: undefined, offsetStartAt: undefined, startAt: cursor.lastEventAt ? cursor.startAt : (cursor.offsetStartAt ?? cursor.startAt) };
          continue;
        }
        queue.push(item);
        if (item.kind === 'end' || item.kind === 'unresumable') return;
        cursor = item.cursor;
      }
    } catch (error) {
      // After the pages fetched before it: those are still shipped and committed first.
      queue.push({ kind: 'error', error });
    }
  }

  /** The page after `cursor`, mapped and encoded; undefined when Asana refused a resumable offset. */
  private async fetchPage(cursor: Cursor, slice: Slice, signal: AbortSignal): Promise<Exclude<Item, { kind: 'error' }> | undefined> {
    const query = this.queryFor(cursor, slice.endAt);
    let page;
    try {
      page = await this.o.api.getAuditLogPage(query, signal);
    } catch (err) {
      if (err instanceof OffsetRejectedError && cursor.offset) {
        // The offset expired or was refused: resume by time when the cursor has one (resume.ts).
        const resumed = refusedOffsetResume(cursor);
        if (!resumed) return { kind: 'unresumable', reason: err.message };
        this.o.log.warn(resumed.message, { stream: this.key, ...(slice.id !== TAIL ? { window: slice.id } : {}), startAt: resumed.startAt, reason: err.message });
        return undefined;
      }
      throw err;
    }
    const observedAt = this.now();
    const nextOffset = page.next_page?.offset ?? undefined;
    const fresh = skipAlreadyShipped(cursor, page.data, this.state?.shippedWindow);

    if (page.data.length === 0 || (fresh.length === 0 && (!nextOffset || nextOffset === cursor.offset))) {
      // Caught up. Keep the newest offset Asana handed out, so the next poll starts there.
      const offsetChanged = Boolean(nextOffset && nextOffset !== cursor.offset);
      return { kind: 'end', cursor: offsetChanged ? { ...cursor, offset: nextOffset, offsetStartAt: query.startAt } : cursor, offsetChanged, observedAt };
    }
    const refs: ShippedRef[] = [];
    // No offset to follow (Asana sent next_page: null after data): the next page is asked
    // from lastEventAt with start_at, skipping the gids already shipped at that instant.
    // The window holds what was created within lateWindowMs of its commit, which comes after observedAt.
    const late = this.o.lateWindowMs;
    const next = advance(cursor, fresh, nextOffset, query.startAt, observedAt, late ? refs : undefined, late ? observedAt.getTime() - late : undefined);
    return { kind: 'page', batch: await this.prepareBatch(fresh, observedAt), shipped: fresh.length, received: page.data.length, cursor: next, observedAt, refs };
  }

  /**
   * Maps the page and, when the sink can, encodes it right away: a page fetched ahead then waits
   * as one request body, and the parsed events and mapped records are garbage at once (they die
   * young instead of being promoted by the GC while the page waits its turn).
   */
  private async prepareBatch(events: AuditLogEvent[], observedAt: Date): Promise<LogBatch | EncodedBatch | undefined> {
    if (events.length === 0) return undefined;
    const batch: LogBatch = { resource: this.o.resource, records: events.map((event) => mapAuditLogEvent(event, observedAt)) };
    if (!this.o.sink.encode) return batch;
    // Should encoding fail, export() reports it as a rejected batch, with the reason.
    return this.o.sink.encode(batch).catch(() => batch);
  }

  // ---- the state of each cursor -----------------------------------------------------------------

  private cursorOf(slice: Slice): Cursor {
    const state = this.state as StreamState;
    const c: Cursor | undefined = slice.id === TAIL ? state : state.backfill?.find((w) => w.startAt === slice.id);
    if (!c) throw new Error(`backfill window ${slice.id} is not in the state of ${this.key}`);
    return {
      offset: c.offset,
      offsetStartAt: c.offsetStartAt,
      startAt: c.startAt,
      lastEventAt: c.lastEventAt,
      lastEventGid: c.lastEventGid,
      lastEventGids: c.lastEventGids,
    };
  }

  /**
   * The one way the state entry is committed: `change` gets the current state (none on a first run)
   * and returns the next (undefined: nothing to commit) at once, synchronously, so it is built on
   * every change made so far — by the other cursors and the re-scan too, while this one waited for
   * the collector — and overwrites none of them. Resolves once the commit is durable.
   */
  private async update(change: (state: StreamState) => StreamState | undefined): Promise<void> {
    const next = change(this.state as StreamState);
    if (next === undefined) return;
    this.state = next;
    this.committedCaughtUpAt = next.caughtUpAt;
    await this.o.store.commit(this.key, next);
  }

  /**
   * Moves one cursor (and the shipped count) and commits the whole stream state. The shipped gids
   * go into the late-event window in the same commit: the re-scan never re-ships this page.
   */
  private commit(slice: Slice, cursor: Cursor, shipped: number, at: Date, refs: ShippedRef[] = []): Promise<void> {
    const moved = {
      offset: cursor.offset,
      offsetStartAt: cursor.offset ? cursor.offsetStartAt : undefined,
      lastEventAt: cursor.lastEventAt,
      lastEventGid: cursor.lastEventGid,
      lastEventGids: cursor.lastEventGids,
    };
    return this.update((state) => {
      const next: StreamState = { ...state, eventsShipped: state.eventsShipped + shipped, updatedAt: at.toISOString() };
      if (this.o.lateWindowMs && refs.length > 0) next.shippedWindow = recordShippedRefs(windowOf(state), refs, at, this.o.lateWindowMs);
      if (slice.id === TAIL) Object.assign(next, moved);
      else next.backfill = (state.backfill ?? []).map((w) => (w.startAt === slice.id ? { ...w, ...moved, eventsShipped: w.eventsShipped + shipped } : w));
      return next;
    });
  }

  /** An empty page: the tail keeps its newest offset; a backfill window is done and leaves the state. */
  private async finish(slice: Slice, item: Extract<Item, { kind: 'end' }>): Promise<void> {
    if (slice.id === TAIL) {
      const before = this.state as StreamState;
      // In memory at once (tailIsBehind and the retention rule read it), committed with the next
      // change — and at least daily, so a quiet stream never looks older than Asana's retention.
      this.state = { ...before, caughtUpAt: item.observedAt.toISOString() };
      if (item.offsetChanged || caughtUpNeedsRefresh(this.committedCaughtUpAt, item.observedAt)) await this.commit(slice, item.cursor, 0, item.observedAt);
      return;
    }
    let window: WindowState | undefined;
    let windowsLeft = 0;
    await this.update((state) => {
      window = state.backfill?.find((w) => w.startAt === slice.id);
      const rest = (state.backfill ?? []).filter((w) => w.startAt !== slice.id);
      windowsLeft = rest.length;
      const next: StreamState = { ...state, updatedAt: item.observedAt.toISOString() };
      if (rest.length > 0) next.backfill = rest;
      else delete next.backfill;
      return next;
    });
    this.o.log.info('backfill window done', {
      stream: this.key,
      window: `${slice.id} – ${slice.endAt}`,
      events: window?.eventsShipped ?? 0,
      windowsLeft,
    });
  }

  private queryFor(cursor: Cursor, endAt: string | undefined): AuditLogQuery {
    const f = this.o.filters;
    const query: AuditLogQuery = {
      workspaceGid: this.o.workspaceGid,
      eventType: f.eventType,
      actorType: f.actorType,
      actorGid: f.actorGid,
      resourceGid: f.resourceGid,
    };
    if (endAt) query.endAt = endAt;
    if (cursor.offset) {
      // The same filters (start_at and end_at included) accompany the offset they were issued for.
      query.startAt = cursor.offsetStartAt ?? cursor.startAt;
      query.offset = cursor.offset;
    } else {
      // The later of the two: startAt moves past lastEventAt when Asana's retention was exceeded.
      query.startAt = latest(cursor.lastEventAt, cursor.startAt);
    }
    return query;
  }

  private resumeContext(): ResumeContext {
    return {
      key: this.key,
      source: 'audit_log',
      commit: (change) => this.update(change),
      sink: this.o.sink,
      resource: this.o.resource,
      log: this.o.log,
      startAt: this.o.startAt,
      now: this.now,
      backoff: this.o.backoff,
    };
  }
}

function add(totals: CatchUpResult, more: CatchUpResult): void {
  totals.pages += more.pages;
  totals.shipped += more.shipped;
}

/**
 * Resuming with start_at=lastEventAt (inclusive) returns that instant's shipped events again — on
 * the offsets that follow too, when more than a page of events share that instant — and the
 * late-event window knows every gid shipped recently. Neither is shipped twice.
 */
function skipAlreadyShipped(cursor: Cursor, events: AuditLogEvent[], window: StreamState['shippedWindow']): AuditLogEvent[] {
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
 * The cursor after a shipped page. Each event's gid and created_at are read (and parsed) once, here:
 * `refs`, when given, receives them for the late-event window, which then does not read them again.
 */
/**
 * The cursor after `shipped`. With `refs`, also collects the gid and time of each shipped event that
 * can still enter the late-event window (created at or after `refsSince`): they wait with the page
 * until its commit, so a backfill page, older than the window, keeps none.
 */
function advance(
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

/**
 * The pages between one cursor's fetcher and its exporter: at most `capacity`, kept until their
 * commit (peek, then remove), so the fetcher waits while the collector is slow. One producer, one
 * consumer: only one of them can be waiting at a time. Abort wakes the waiter with AbortedError.
 */
class PageQueue<T> {
  private readonly items: T[] = [];
  private readonly capacity: number;
  private readonly signal: AbortSignal;
  private wake: (() => void) | undefined;

  constructor(capacity: number, signal: AbortSignal) {
    this.capacity = capacity;
    this.signal = signal;
    signal.addEventListener('abort', () => this.notify(), { once: true });
  }

  push(item: T): void {
    this.items.push(item);
    this.notify();
  }

  remove(): void {
    this.items.shift();
    this.notify();
  }

  async peek(): Promise<T> {
    while (this.items.length === 0) await this.wait();
    return this.items[0] as T;
  }

  async waitForSpace(): Promise<void> {
    while (this.items.length >= this.capacity) await this.wait();
  }

  private async wait(): Promise<void> {
    if (this.signal.aborted) throw new AbortedError();
    await new Promise<void>((resolve) => {
      this.wake = resolve;
    });
    if (this.signal.aborted) throw new AbortedError();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
