import type { AuditLogApi } from '../asana/client.ts';
import type { AuditLogEvent, AuditLogQuery, AuditLogResult } from '../asana/types.ts';
import type { AuditLogFilters } from '../config/index.ts';
import { formatDuration } from '../duration.ts';
import { AbortedError, AsanaRequestError } from '../errors.ts';
import type { Shipper } from '../export/shipper.ts';
import type { Logger } from '../log.ts';
import { mapAuditLogEvent } from '../mapping/audit-log.ts';
import type { StreamState } from '../state/types.ts';
import { filterQuery } from './audit-log/cursor.ts';
import type { StreamEntry } from './audit-log/entry.ts';
import { createdAtMsOf, createdAtOf, gidOf, hasExpired, hasShipped, pruneWindow, recordShipped, timeMs, windowOf } from './shipped-window.ts';
import type { CatchUpResult, PageReport } from './types.ts';

export interface LateRescanOptions {
  api: AuditLogApi;
  /** The audit log stream's entry: the re-scan reads its position and adds to its window. */
  entry: StreamEntry;
  /** The stream's shipper: the re-scan's pages go out like the stream's. */
  shipper: Shipper;
  workspaceGid: string;
  filters: AuditLogFilters;
  log: Logger;
  /** ASANA_LATE_WINDOW */
  windowMs: number;
  /** ASANA_LATE_RESCAN_INTERVAL */
  intervalMs: number;
  now?: () => Date;
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
 * added to the window and committed; a page that finds nothing new ships and commits nothing.
 *
 * The stream runs the re-scan between two polls of its live tail, while its backfill workers go on
 * reading older time windows and committing the same state entry. So the re-scan reads the stream's
 * state through the stream and commits through it (StreamEntry.change): its gids, count and boundary
 * gids are merged into the state as it is at commit time, after the acknowledgement, and no cursor
 * move committed meanwhile is lost — nor are the re-scan's gids lost to the next commit of a cursor.
 * Time that a backfill window still has to read is left to that window: the re-scan starts after
 * the newest pending window ends, so the two never race to ship the same event.
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
    const state = this.o.entry.current();
    const newest = timeMs(state?.lastEventAt);
    if (!state || newest === undefined) return { pages: 0, shipped: 0 };
    // Never before the window's `since`: shipped gids older than that are no longer known.
    let from = Math.max(startedAt.getTime() - this.o.windowMs, timeMs(windowOf(state).since) ?? 0);
    // Nor inside a backfill window still pending: that window reads it (and ships what it finds
    // there); once it is done, the next re-scan covers what is still within ASANA_LATE_WINDOW.
    for (const w of state.backfill ?? []) from = Math.max(from, timeMs(w.endAt) ?? from);
    // The stream is still behind the window (a backlog): the stream itself will read all of it.
    if (from > newest) return { pages: 0, shipped: 0 };
    const to = newest + 1;

    const query: AuditLogQuery = { ...filterQuery(this.o.workspaceGid, this.o.filters), startAt: new Date(from).toISOString(), endAt: new Date(to).toISOString() };
    this.o.log.debug('re-scanning the late-event window', { stream: this.o.entry.key, startAt: query.startAt, endAt: query.endAt });

    let pages = 0;
    let shipped = 0;
    let offset: string | undefined;
    let restarted = false;
    for (;;) {
      if (signal.aborted) throw new AbortedError();
      let page: AuditLogResult;
      try {
        page = await this.o.api.getAuditLogPage({ ...query, offset }, signal);
      } catch (err) {
        if (!(err instanceof AsanaRequestError)) throw err;
        // Asana refused the re-scan's query (a 4xx other than the token's): the stream itself goes
        // on; the re-scan is tried again next interval, and says so loudly meanwhile.
        this.o.log.error(`the late-event re-scan failed: ${err.message}; late events are not shipped until it succeeds (next try in ${formatDuration(this.o.intervalMs)})`, {
          stream: this.o.entry.key,
          code: err.code,
        });
        break;
      }
      if (page.kind === 'offset-refused') {
        // The pass is idempotent (shipped gids are skipped): start it over once; else try next time.
        if (restarted) {
          this.o.log.warn('Asana refused the late-event re-scan offset twice; the window is re-read at the next re-scan', { stream: this.o.entry.key, reason: page.message });
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
          key: this.o.entry.key,
          workspaceGid: this.o.workspaceGid,
          received: page.data.length,
          shipped: late.length,
          lastEventAt: this.o.entry.current()?.lastEventAt,
        });
      }
      const next = page.next_page?.offset ?? undefined;
      if (!next || next === offset) break;
      offset = next;
    }

    if (shipped > 0) {
      this.o.log.info(`shipped ${shipped} late audit events (recorded by Asana after the stream had passed their time)`, {
        stream: this.o.entry.key,
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
    // The window as it is now: what the stream's backfill workers committed meanwhile included.
    const window = this.o.entry.current()?.shippedWindow;
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

  /**
   * Export, wait for the acknowledgement, then commit the gids into the window: merged into the
   * stream's state as it is then, so what its other cursors committed meanwhile is kept.
   */
  private async ship(events: AuditLogEvent[], observedAt: Date, signal: AbortSignal): Promise<void> {
    const records = events.map((e) => mapAuditLogEvent(e, observedAt));
    const shipper = this.o.shipper;
    await shipper.ship(shipper.batch(records), signal, () => this.commitShipped(events, observedAt));
  }

  private commitShipped(events: AuditLogEvent[], observedAt: Date): Promise<void> {
    return this.o.entry.change((state) => {
      const boundary = state.lastEventAt;
      const atBoundary = events.filter((e) => createdAtOf(e) === boundary).map((e) => gidOf(e) as string);
      const next: StreamState = {
        ...state,
        shippedWindow: recordShipped(windowOf(state), events, observedAt, this.o.windowMs),
        eventsShipped: state.eventsShipped + events.length,
        updatedAt: observedAt.toISOString(),
      };
      if (atBoundary.length > 0) next.lastEventGids = [...(state.lastEventGids ?? []), ...atBoundary];
      return next;
    });
  }

  /** A quiet stream's window still shrinks: commit the pruning when it drops anything. */
  private async commitPruned(at: Date): Promise<void> {
    await this.o.entry.change((state) => {
      const window = state.shippedWindow;
      if (!window || !hasExpired(window, at, this.o.windowMs)) return undefined;
      return { ...state, shippedWindow: pruneWindow(window, at, this.o.windowMs) };
    });
  }
}
