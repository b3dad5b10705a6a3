import type { Resource } from '@opentelemetry/resources';
import type { AuditLogApi } from '../../asana/client.ts';
import { resolveStartAt, type AuditLogFilters, type StartAt } from '../../config/index.ts';
import { AbortedError } from '../../errors.ts';
import { Shipper, type DeliveryPolicy } from '../../export/shipper.ts';
import type { LogSink } from '../../export/types.ts';
import type { Logger } from '../../log.ts';
import { sleep } from '../../retry.ts';
import { streamKey } from '../../state/key.ts';
import type { StateStore, StreamState } from '../../state/types.ts';
import { LateRescan } from '../late-rescan.ts';
import { hasRead, latest, resumeAfterRefusedOffset, resumeWithinRetention, type ResumeContext } from '../resume.ts';
import type { CatchUpResult, PageReport, Stream } from '../types.ts';
import { cursorOf, filterQuery, TAIL } from './cursor.ts';
import { StateEntry } from './entry.ts';
import { CursorPipeline, type CommittedPage, type ReadAhead } from './pipeline.ts';
import { firstState, resliceTail, tailIsBehind } from './planner.ts';
import { splitBounds, splitCursor, splitRange } from './split.ts';
import { Supervisor } from './supervisor.ts';

export interface AuditLogStreamOptions {
  api: AuditLogApi;
  store: StateStore;
  sink: LogSink;
  resource: Resource;
  workspaceGid: string;
  filters: AuditLogFilters;
  /** How exports are acknowledged: partial success accepted or not, how long `once` waits (export/shipper.ts). */
  delivery?: DeliveryPolicy;
  startAt: StartAt;
  pollIntervalMs: number;
  log: Logger;
  now?: () => Date;
  /**
   * Time windows read at once (planner.ts: sliceConcurrency of the token's budget). Default 1: one
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
 * The audit log stream of one workspace (GET /workspaces/{gid}/audit_log_events,
 * https://developers.asana.com/reference/getauditlogevents): its lifecycle. Every response carries
 * next_page.offset once the filters matched anything, even when there is nothing new, so an empty
 * `data` — not a missing next_page — means caught up; polling again later with the latest offset
 * returns what was recorded since.
 *
 * The parts, one file each: planner.ts cuts a long history into time windows (a first run, and a
 * tail far behind); entry.ts is the one writer of the stream's state entry, where every window and
 * changed bound is committed before anything is read from it; pipeline.ts reads one cursor
 * (cursor.ts) page by page, ships each page (export/shipper.ts) and commits it after the
 * acknowledgement; supervisor.ts runs the backfill workers beside the live tail.
 *
 * The newest window is the live tail and keeps being polled; up to `slices` cursors are read at
 * once (the tail's slice reads backfill windows while the tail is caught up, supervisor.ts), paced
 * by the shared rate limiter. With ASANA_LATE_WINDOW, the late-event re-scan
 * (late-rescan.ts) runs in the live tail's loop, between two polls, while the backfill goes on.
 */
export class AuditLogStream implements Stream {
  readonly key: string;
  private readonly o: AuditLogStreamOptions;
  private readonly now: () => Date;
  private readonly slices: number;
  private readonly entry: StateEntry;
  private readonly shipper: Shipper;
  private readonly pipeline: CursorPipeline;
  private readonly supervisor: Supervisor;
  /** The late-event re-scan, when ASANA_LATE_WINDOW is on. */
  private readonly rescan: LateRescan | undefined;

  constructor(opts: AuditLogStreamOptions) {
    this.o = opts;
    this.now = opts.now ?? (() => new Date());
    this.slices = Math.max(1, Math.floor(opts.slices ?? 1));
    // The live tail is one of the slices; the others read backfill windows.
    this.supervisor = new Supervisor(this.slices - 1);
    this.key = streamKey({ stream: 'audit_log', workspaceGid: opts.workspaceGid, filters: opts.filters });
    this.entry = new StateEntry(this.key, opts.store, opts.lateWindowMs);
    const shipping = { ...opts.delivery, sink: opts.sink, resource: opts.resource, log: opts.log, source: 'audit_log', stream: this.key, backoff: opts.backoff };
    this.shipper = new Shipper(shipping);
    this.pipeline = new CursorPipeline({
      api: opts.api, entry: this.entry, shipper: this.shipper, sink: opts.sink, resource: opts.resource,
      base: filterQuery(opts.workspaceGid, opts.filters), workspaceGid: opts.workspaceGid, log: opts.log, now: this.now,
      lateWindowMs: opts.lateWindowMs, onPage: opts.onPage,
    });
    if (opts.lateWindowMs && opts.lateWindowMs > 0 && opts.lateRescanIntervalMs !== undefined) {
      // The re-scan reads and commits this stream's state through its entry, never the store.
      this.rescan = new LateRescan({
        api: opts.api, entry: this.entry, shipper: new Shipper({ ...shipping, logMeta: { lateRescan: true } }), workspaceGid: opts.workspaceGid,
        filters: opts.filters, log: opts.log, windowMs: opts.lateWindowMs, intervalMs: opts.lateRescanIntervalMs, now: opts.now, onPage: opts.onPage,
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
      await this.supervisor.supervise(signal, async (ctl) => {
        for (;;) {
          await this.prepare(ctl.signal);
          this.startBackfill(ctl, totals);
          if ((await this.readTail(ctl, totals)) === 'behind') continue;
          if (!this.supervisor.busy) this.caughtUp(totals);
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
   * Reads every cursor until Asana answers it with an empty page, and re-scans the late-event
   * window when due (the first time always: `once` re-scans too) once the live tail is caught up,
   * beside the backfill windows still being read; every shipped page is committed.
   */
  async catchUp(signal: AbortSignal): Promise<CatchUpResult> {
    const totals = { pages: 0, shipped: 0 };
    await this.supervisor.supervise(signal, async (ctl) => {
      for (;;) {
        await this.prepare(ctl.signal);
        this.startBackfill(ctl, totals);
        if ((await this.readTail(ctl, totals)) === 'caught-up') break;
      }
      // The live tail is caught up: its late-event window is re-scanned while the backfill windows,
      // all older than the tail's range, finish (the re-scan leaves pending windows' time to them).
      const rescan = this.rescan?.isDue() ? this.rescan.run(ctl.signal) : undefined;
      const [, late] = await Promise.all([this.supervisor.settled(), rescan]);
      if (late) add(totals, late);
    });
    this.caughtUp(totals);
    return totals;
  }

  private caughtUp(totals: CatchUpResult): void {
    this.o.onCaughtUp?.(this.key);
    this.o.log.debug('audit log caught up', { stream: this.key, ...totals });
  }

  /**
   * Loads the state, commits the windows of a first run, or re-slices a tail that is far behind.
   * Between catch-ups (no backfill running) a read position older than Asana's 90-day retention
   * resumes at the oldest event (resume.ts).
   */
  private async prepare(signal: AbortSignal): Promise<void> {
    const now = this.now();
    if (this.entry.current() === undefined) {
      const existing = this.entry.load();
      // Nothing read means nothing to resume: a plan no page was read from follows ASANA_START_AT as it is now.
      if (existing === undefined || !hasRead(existing)) return this.firstRun(now);
      this.resuming(existing);
    }
    if (this.supervisor.busy) return;
    await resumeWithinRetention(this.resumeContext(), this.entry.current() as StreamState, signal);
    const from = this.entry.current()?.lastEventAt;
    let windows = 0;
    await this.entry.change((current) => {
      const next = resliceTail(current, now, this.slices);
      windows = next?.backfill?.length ?? 0;
      return next;
    });
    if (windows === 0) return;
    this.o.log.info(`the live tail is far behind: reading what it has left in ${windows + 1} time windows in parallel`, {
      stream: this.key,
      from,
      slices: this.slices,
    });
  }

  /** Says that the saved position, not ASANA_START_AT, decides where the stream goes on. */
  private resuming(saved: StreamState): void {
    const pending = saved.backfill?.length ?? 0;
    this.o.log.info('audit log stream resumes from its saved position; ASANA_START_AT does not apply (`state reset` starts it over from ASANA_START_AT)', {
      stream: this.key,
      lastEventAt: saved.lastEventAt,
      eventsShipped: saved.eventsShipped,
      ...(pending > 0 ? { backfillWindows: pending } : {}),
    });
    if (pending > 0) this.o.log.info(`resuming the backfill of ${pending} older time windows`, { stream: this.key, windows: pending });
  }

  /** First run: the start and every window are committed before anything is read. */
  private async firstRun(now: Date): Promise<void> {
    const from = resolveStartAt(this.o.startAt, now).toISOString();
    const first = firstState({ workspaceGid: this.o.workspaceGid, filters: this.o.filters, from, now, slices: this.slices });
    await this.entry.change(() => first);
    const windows = first.backfill?.length ?? 0;
    this.o.log.info('audit log stream has no saved position; starting from ASANA_START_AT', {
      stream: this.key,
      startAt: from,
      ...(windows > 0 ? { backfillWindows: windows, slices: this.slices, tailStartAt: first.startAt } : {}),
    });
  }

  /** Starts the backfill workers over the pending windows, oldest first, if not running. */
  private startBackfill(ctl: AbortController, totals: CatchUpResult): void {
    const windows = this.entry.current()?.backfill ?? [];
    if (this.supervisor.busy || windows.length === 0) return;
    this.supervisor.start(ctl, windows.map((w) => w.startAt), this.windowReader(ctl, totals));
  }

  /** How a worker reads one window: to its end, which a split may move closer while it reads. */
  private windowReader(ctl: AbortController, totals: CatchUpResult): (id: string) => Promise<void> {
    return async (id) => {
      await this.pipeline.drain(id, ctl.signal, totals, (page, ahead) => this.trySplit(id, page, ahead, ctl, totals));
    };
  }

  /**
   * After a committed page of cursor `id`: splits what it has left when idle workers can take a part
   * (split.ts), committing the new bounds and windows before the workers read them. A window is cut
   * after the pages its fetcher already read (they hold only events before the cut and ship as they
   * are) and goes on within its new bounds; the live tail is cut at its committed position and
   * stops (true): its pages fetched ahead are dropped, they belong to the first new window.
   */
  private async trySplit(id: string, page: CommittedPage, ahead: ReadAhead, ctl: AbortController, totals: CatchUpResult): Promise<boolean> {
    const idle = this.supervisor.idle;
    if (idle === 0) return false;
    const at = this.now();
    const added = await this.entry.split((state) => {
      const cursor = cursorOf(state, id);
      if (!cursor) return undefined;
      const position = id === TAIL ? cursor.lastEventAt : latest(cursor.lastEventAt, ahead.lastEventAt());
      const bounds = splitBounds(id, { received: page.received, firstAt: page.firstAt, lastAt: page.lastAt, earlierSpansMs: ahead.earlierSpansMs, position, idle, ...splitRange(id, cursor.endAt, at) });
      return bounds && splitCursor(state, id, bounds, at);
    });
    if (added.length === 0) return false;
    if (this.o.log.isDebugEnabled()) this.o.log.debug('audit log cursor split where the events are', { stream: this.key, cursor: id === TAIL ? 'live tail' : id, windows: added });
    this.supervisor.start(ctl, added, this.windowReader(ctl, totals));
    return id === TAIL;
  }

  /**
   * Reads the live tail until Asana answers an empty page ('caught-up'), in its own slice, which it
   * lends to the backfill workers once caught up. It stops early ('behind')
   * after a split of what it has left, or once no backfill is running and it is far behind:
   * prepare() then re-slices it. A refused offset with no time to resume from ships a gap record
   * and restarts the tail at ASANA_START_AT.
   */
  private async readTail(ctl: AbortController, totals: CatchUpResult): Promise<'caught-up' | 'behind'> {
    const behind = () => this.slices > 1 && !this.supervisor.busy && tailIsBehind(this.entry.current() as StreamState, this.now().getTime());
    this.supervisor.reclaimTailSlice();
    const end = await this.pipeline.drain(TAIL, ctl.signal, totals, async (page, ahead) => (await this.trySplit(TAIL, page, ahead, ctl, totals)) || behind());
    if (end.kind === 'caught-up') {
      // Until its next read, the tail's slice reads backfill windows (supervisor.ts).
      this.supervisor.lendTailSlice();
      return 'caught-up';
    }
    if (end.kind === 'unresumable') await resumeAfterRefusedOffset(this.resumeContext(), this.entry.current() as StreamState, end.reason, ctl.signal);
    return 'behind';
  }

  private resumeContext(): ResumeContext {
    return { entry: this.entry, shipper: this.shipper, log: this.o.log, startAt: this.o.startAt, now: this.now };
  }
}

function add(totals: CatchUpResult, more: CatchUpResult): void {
  totals.pages += more.pages;
  totals.shipped += more.shipped;
}
