import type { Resource } from '@opentelemetry/resources';
import type { AuditLogApi } from '../asana/client.ts';
import { OffsetRejectedError } from '../asana/client.ts';
import type { AuditLogEvent, AuditLogPage, AuditLogQuery } from '../asana/types.ts';
import type { AuditLogFilters } from '../config.ts';
import { formatDuration } from '../duration.ts';
import { AbortedError, AsanaRequestError } from '../errors.ts';
import { exportUntilAcknowledged } from '../export/deliver.ts';
import type { LogSink } from '../export/types.ts';
import type { Logger } from '../log.ts';
import { mapAuditLogEvent } from '../mapping/audit-log.ts';
import { sleep } from '../retry.ts';
import type { StateStore, StreamState } from '../state/types.ts';
import { createdAtMsOf, createdAtOf, gidOf, hasShipped, pruneWindow, recordShipped, timeMs, windowOf } from './shipped-window.ts';
import type { CatchUpResult, PageReport, Stream } from './types.ts';

export interface LateRescanOptions {
  api: AuditLogApi;
  store: StateStore;
  sink: LogSink;
  resource: Resource;
  /** The audit log stream's state key: the re-scan reads its position and adds to its window. */
  key: string;
  workspaceGid: string;
  filters: AuditLogFilters;
  log: Logger;
  /** ASANA_LATE_WINDOW */
  windowMs: number;
  /** ASANA_LATE_RESCAN_INTERVAL */
  intervalMs: number;
  now?: () => Date;
  backoff?: (attempt: number) => number;
  onPage?: (report: PageReport) => void;
}

/**
 * Late events. Asana can record an audit event minutes after its created_at (up to ~30 minutes has
 * been reported); by then the stream's offset is past that time, and the offset never returns it.
 * So every ASANA_LATE_RESCAN_INTERVAL the trailing ASANA_LATE_WINDOW is read again with start_at, up
 * to the newest shipped event (end_at is exclusive, so the newest instant + 1 ms), and only the gids
 * not shipped before are shipped (shipped-window.ts). The window after the newest shipped event is
 * the main stream's: the offset returns what is recorded there.
 *
 * An event recorded up to ASANA_LATE_WINDOW - ASANA_LATE_RESCAN_INTERVAL after its created_at is
 * always found (25 minutes with the defaults); later than that it may fall out of the window first.
 *
 * Each page with new events is exported, and only once the collector acknowledged it are its gids
 * added to the window and committed; a page that finds nothing new ships and commits nothing. The
 * re-scan never runs concurrently with the stream's own paging (LateRescanningStream runs them in
 * turn), so both read and write the one state entry without racing.
 */
export class LateRescan {
  private readonly o: LateRescanOptions;
  private readonly now: () => Date;
  private lastRunAt: number | undefined;

  constructor(opts: LateRescanOptions) {
    this.o = opts;
    this.now = opts.now ?? (() => new Date());
  }

  /** The first call is always due (so `once` re-scans too); then every intervalMs. */
  isDue(): boolean {
    return this.lastRunAt === undefined || this.now().getTime() - this.lastRunAt >= this.o.intervalMs;
  }

  /** One pass over the window. Resolves with the pages read and the late events shipped. */
  async run(signal: AbortSignal): Promise<CatchUpResult> {
    const startedAt = this.now();
    this.lastRunAt = startedAt.getTime();
    const state = this.o.store.get(this.o.key);
    const newest = timeMs(state?.lastEventAt);
    if (!state || newest === undefined) return { pages: 0, shipped: 0 };
    const window = pruneWindow(windowOf(state), startedAt, this.o.windowMs);
    const from = Math.max(startedAt.getTime() - this.o.windowMs, timeMs(window.since) ?? 0);
    // The stream is still behind the window (a backlog): the stream itself will read all of it.
    if (from > newest) return { pages: 0, shipped: 0 };
    const to = newest + 1;

    const query: AuditLogQuery = {
      workspaceGid: this.o.workspaceGid,
      eventType: this.o.filters.eventType,
      actorType: this.o.filters.actorType,
      actorGid: this.o.filters.actorGid,
      resourceGid: this.o.filters.resourceGid,
      startAt: new Date(from).toISOString(),
      endAt: new Date(to).toISOString(),
    };
    this.o.log.debug('re-scanning the late-event window', { stream: this.o.key, startAt: query.startAt, endAt: query.endAt });

    let pages = 0;
    let shipped = 0;
    let offset: string | undefined;
    let restarted = false;
    for (;;) {
      if (signal.aborted) throw new AbortedError();
      let page: AuditLogPage;
      try {
        page = await this.o.api.getAuditLogPage({ ...query, offset }, signal);
      } catch (err) {
        if (err instanceof AsanaRequestError && !(err instanceof OffsetRejectedError && offset !== undefined)) {
          // Asana refused the re-scan's query (a 4xx other than the token's): the stream itself goes
          // on; the re-scan is tried again next interval, and says so loudly meanwhile.
          this.o.log.error(`the late-event re-scan failed: ${err.message}; late events are not shipped until it succeeds (next try in ${formatDuration(this.o.intervalMs)})`, {
            stream: this.o.key,
            code: err.code,
          });
          break;
        }
        if (!(err instanceof OffsetRejectedError)) throw err;
        // The pass is idempotent (shipped gids are skipped): start it over once; else try next time.
        if (restarted) {
          this.o.log.warn('Asana refused the late-event re-scan offset twice; the window is re-read at the next re-scan', { stream: this.o.key, reason: err.message });
          break;
        }
        restarted = true;
        offset = undefined;
        continue;
      }
      pages++;
      if (page.data.length === 0) break;
      const observedAt = this.now();
      const late = this.unshipped(page.data, from, to);
      if (late.length > 0) {
        await this.ship(late, observedAt, signal);
        shipped += late.length;
        this.o.onPage?.({
          stream: 'audit_log',
          key: this.o.key,
          workspaceGid: this.o.workspaceGid,
          received: page.data.length,
          shipped: late.length,
          lastEventAt: this.o.store.get(this.o.key)?.lastEventAt,
        });
      }
      const next = page.next_page?.offset ?? undefined;
      if (!next || next === offset) break;
      offset = next;
    }

    if (shipped > 0) {
      this.o.log.info(`shipped ${shipped} late audit events (recorded by Asana after the stream had passed their time)`, {
        stream: this.o.key,
        shipped,
        window: formatDuration(this.o.windowMs),
      });
    } else {
      await this.commitPruned(startedAt);
    }
    return { pages, shipped };
  }

  /**
   * Events of the page not shipped before, within [from, to): events outside it, or whose time or gid
   * cannot be read, are not the re-scan's to ship (the stream ships them; a gid-less event could not
   * be told apart on the next pass and would be shipped every time).
   */
  private unshipped(events: readonly AuditLogEvent[], from: number, to: number): AuditLogEvent[] {
    const window = this.o.store.get(this.o.key)?.shippedWindow;
    const seen = new Set<string>();
    return events.filter((e) => {
      const gid = gidOf(e);
      const t = createdAtMsOf(e);
      if (gid === undefined || t === undefined || t < from || t >= to) return false;
      if (seen.has(gid) || hasShipped(window, gid)) return false;
      seen.add(gid);
      return true;
    });
  }

  /** Export, wait for the acknowledgement, then commit the gids into the window. */
  private async ship(events: AuditLogEvent[], observedAt: Date, signal: AbortSignal): Promise<void> {
    const records = events.map((e) => mapAuditLogEvent(e, observedAt));
    await exportUntilAcknowledged(this.o.sink, { resource: this.o.resource, records }, {
      signal,
      backoff: this.o.backoff,
      log: (level, msg, meta) => this.o.log.log(level, msg, { stream: this.o.key, lateRescan: true, ...meta }),
    });
    const state = this.o.store.get(this.o.key);
    if (!state) return;
    const boundary = state.lastEventAt;
    const atBoundary = events.filter((e) => createdAtOf(e) === boundary).map((e) => gidOf(e) as string);
    const next: StreamState = {
      ...state,
      shippedWindow: recordShipped(windowOf(state), events, observedAt, this.o.windowMs),
      eventsShipped: state.eventsShipped + events.length,
      updatedAt: observedAt.toISOString(),
    };
    if (atBoundary.length > 0) next.lastEventGids = [...(state.lastEventGids ?? []), ...atBoundary];
    await this.o.store.commit(this.o.key, next);
  }

  /** A quiet stream's window still shrinks: commit the pruning when it dropped anything. */
  private async commitPruned(at: Date): Promise<void> {
    const state = this.o.store.get(this.o.key);
    if (!state?.shippedWindow) return;
    const pruned = pruneWindow(state.shippedWindow, at, this.o.windowMs);
    if (Object.keys(pruned.gids).length === Object.keys(state.shippedWindow.gids).length) return;
    await this.o.store.commit(this.o.key, { ...state, shippedWindow: pruned });
  }
}

/**
 * A stream followed by its late-event re-scan, in turn: catch up, then re-scan the window when due.
 * `once` therefore re-scans too (the first pass is always due); `run` every ASANA_LATE_RESCAN_INTERVAL.
 */
export class LateRescanningStream implements Stream {
  readonly key: string;
  private readonly inner: Stream;
  private readonly rescan: LateRescan;
  private readonly pollIntervalMs: number;

  constructor(inner: Stream, rescan: LateRescan, pollIntervalMs: number) {
    this.key = inner.key;
    this.inner = inner;
    this.rescan = rescan;
    this.pollIntervalMs = pollIntervalMs;
  }

  async catchUp(signal: AbortSignal): Promise<CatchUpResult> {
    const main = await this.inner.catchUp(signal);
    if (!this.rescan.isDue()) return main;
    const late = await this.rescan.run(signal);
    return { pages: main.pages + late.pages, shipped: main.shipped + late.shipped };
  }

  async run(signal: AbortSignal): Promise<void> {
    try {
      for (;;) {
        await this.catchUp(signal);
        await sleep(this.pollIntervalMs, signal);
      }
    } catch (err) {
      if (err instanceof AbortedError) return;
      throw err;
    }
  }
}
