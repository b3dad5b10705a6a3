import type { Resource } from '@opentelemetry/resources';
import { PAGE_LIMIT, type AuditLogApi } from '../../asana/client.ts';
import type { AuditLogEvent, AuditLogQuery } from '../../asana/types.ts';
import { AbortedError } from '../../errors.ts';
import type { Shipper, StreamGap } from '../../export/shipper.ts';
import { encodedBytes, type EncodedBatch, type LogBatch, type LogSink } from '../../export/types.ts';
import type { Logger } from '../../log.ts';
import { mapAuditLogEvent } from '../../mapping/audit-log.ts';
import { refusedOffsetResume } from '../resume.ts';
import { timeMs, type ShippedRef } from '../shipped-window.ts';
import type { CatchUpResult, PageReport } from '../types.ts';
import { advance, cursorOf, queryFor, skipShipped, TAIL, withEnd, withoutOffset, type Cursor } from './cursor.ts';
import type { StateEntry } from './entry.ts';
import { ByteBudget, PageQueue } from './page-queue.ts';
import { pastInstant, unpageableInstant } from './unpageable.ts';

/**
 * Pages of one window fetched and not yet committed, at most, the one being exported included:
 * the next pages are fetched while the current one is mapped and exported, and a slow collector
 * stops the fetching (backpressure) instead of filling memory.
 */
export const PIPELINE_DEPTH = 2;

export interface PipelineOptions {
  api: AuditLogApi;
  entry: StateEntry;
  shipper: Shipper;
  /** Encodes a page ahead of its export, when it can. */
  sink: LogSink;
  resource: Resource;
  /** The stream's filters: every query of its cursors carries them. */
  base: AuditLogQuery;
  workspaceGid: string;
  log: Logger;
  now: () => Date;
  /** ASANA_LATE_WINDOW: shipped gids within it are recorded for the late-event re-scan. */
  lateWindowMs?: number;
  onPage?: (report: PageReport) => void;
}

/** How reading one cursor ended. */
export type DrainEnd =
  /** Asana answered an empty page: the cursor is caught up (a window is done and gone). */
  | { kind: 'caught-up' }
  /** `afterPage` asked to stop after a committed page (pages fetched ahead are dropped). */
  | { kind: 'stopped' }
  /** Asana refused the offset and the cursor holds no time to resume from. */
  | { kind: 'unresumable'; reason: string };

/** A page once it is committed, as the split decision (split.ts) sees it. */
export interface CommittedPage {
  /** Events Asana returned, and the created_at of the first and the last. */
  received: number;
  firstAt: string | undefined;
  lastAt: string | undefined;
  /** The cursor as committed after the page. */
  cursor: Cursor;
}

/** What afterPage learns beyond the page. */
export interface ReadAhead {
  /** The newest shipped-to-be instant of the pages fetched so far (the page's own, or a later one). */
  lastEventAt(): string | undefined;
  /** The spans (first to last created_at, ms) of the full pages committed before this one in this read, newest last, at most 2. */
  earlierSpansMs: readonly number[];
}

type Item =
  | ({ kind: 'page'; batch: LogBatch | EncodedBatch | undefined; shipped: number; observedAt: Date; refs: ShippedRef[]; gap?: StreamGap } & CommittedPage)
  | { kind: 'end'; cursor: Cursor; offsetChanged: boolean; observedAt: Date }
  | { kind: 'unresumable'; reason: string }
  | { kind: 'error'; error: unknown };

/**
 * One cursor read as a bounded pipeline: a fetcher follows the offsets, maps and encodes each page,
 * up to PIPELINE_DEPTH pages ahead, while earlier pages are exported, acknowledged by the collector
 * and only then committed, strictly in order: the offset of page n is committed after pages ≤ n
 * were acknowledged, and one export per cursor is in flight. A crash or shutdown before a commit
 * re-fetches that page on the next start: at-least-once, at most one page of duplicates per cursor,
 * carrying the same log.record.uid.
 */
export class CursorPipeline {
  private readonly o: PipelineOptions;
  /** Encoded pages in flight across this stream's windows (page-queue.ts STREAM_BYTE_BUDGET). */
  private readonly budget = new ByteBudget();

  constructor(opts: PipelineOptions) {
    this.o = opts;
  }

  /**
   * Reads the cursor `id` names (TAIL or a window's startAt) until Asana answers an empty page, or
   * `afterPage` says to stop after a committed page (it may have changed the cursor's bounds: a
   * split; the pages fetched ahead under the old ones are dropped, and re-read within the new).
   */
  async drain(id: string, signal: AbortSignal, totals: CatchUpResult, afterPage?: (page: CommittedPage, ahead: ReadAhead) => boolean | Promise<boolean>): Promise<DrainEnd> {
    if (signal.aborted) throw new AbortedError();
    const ctl = new AbortController();
    const queue = new PageQueue<Item>(PIPELINE_DEPTH, ctl.signal, { budget: this.budget, sizeOf: (i) => (i.kind === 'page' ? encodedBytes(i.batch) : undefined), firstPageAlways: id === TAIL });
    const onAbort = () => ctl.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    const ahead = { at: undefined as string | undefined };
    let spans: number[] = [];
    const fetching = this.fetch(id, queue, ctl.signal, ahead);
    try {
      for (;;) {
        const item = await queue.peek();
        if (item.kind === 'error') throw item.error;
        if (item.kind === 'unresumable') return { kind: 'unresumable', reason: item.reason };
        if (item.kind === 'end') {
          await this.finish(id, item);
          return { kind: 'caught-up' };
        }
        await this.o.shipper.ship(item.batch, ctl.signal, () => this.o.entry.commitPage(id, item.cursor, item.shipped, item.observedAt, item.refs), item.gap);
        queue.remove();
        totals.pages++;
        totals.shipped += item.shipped;
        this.report(id, item);
        if (await afterPage?.(item, { lastEventAt: () => ahead.at, earlierSpansMs: spans })) return { kind: 'stopped' };
        const span = fullPageSpanMs(item);
        if (span !== undefined) spans = [...spans, span].slice(-2);
      }
    } finally {
      ctl.abort(); // pages fetched ahead and not committed are dropped: they are re-read next time
      signal.removeEventListener('abort', onAbort);
      await fetching;
    }
  }

  private report(id: string, item: Extract<Item, { kind: 'page' }>): void {
    const { entry, log } = this.o;
    this.o.onPage?.({
      stream: 'audit_log',
      key: entry.key,
      workspaceGid: this.o.workspaceGid,
      received: item.received,
      shipped: item.shipped,
      lastEventAt: item.cursor.lastEventAt,
      backfill: id !== TAIL,
    });
    // Checked first: winston formats a line (redaction, JSON) even when its level is off.
    if (log.isDebugEnabled()) {
      log.debug('audit log page shipped', {
        stream: entry.key,
        ...(id !== TAIL ? { window: id } : {}),
        events: item.shipped,
        lastEventAt: item.cursor.lastEventAt,
      });
    }
  }

  /** An empty page: the tail keeps its newest offset; a backfill window is done and leaves the state. */
  private async finish(id: string, item: Extract<Item, { kind: 'end' }>): Promise<void> {
    if (id === TAIL) return this.o.entry.tailCaughtUp(item.cursor, item.offsetChanged, item.observedAt);
    const done = await this.o.entry.finishWindow(id, item.observedAt);
    // An empty window is routine (a split or an up-front plan over a quiet time): debug only.
    const line = { stream: this.o.entry.key, window: `${id} – ${item.cursor.endAt}`, events: done.eventsShipped, windowsLeft: done.windowsLeft };
    if (done.eventsShipped > 0) this.o.log.info('backfill window done', line);
    else if (this.o.log.isDebugEnabled()) this.o.log.debug('backfill window done', line);
  }

  /**
   * Follows the offsets of one cursor, PIPELINE_DEPTH pages ahead of the commits at most, and
   * records in `ahead` the newest instant of the pages it queued. Never rejects.
   */
  private async fetch(id: string, queue: PageQueue<Item>, signal: AbortSignal, ahead: { at: string | undefined }): Promise<void> {
    try {
      let cursor = this.committed(id);
      for (;;) {
        await queue.waitForSpace();
        // The window's bounds as committed now: a page is never read beyond them.
        cursor = withEnd(cursor, this.committed(id).endAt);
        // One page per call: the parsed page lives in that call only, not in this loop's frame
        // while it waits for room (it would be kept alive, and promoted by the GC, for nothing).
        const item = await this.fetchPage(cursor, id, signal);
        if (item === undefined) {
          cursor = withoutOffset(cursor);
          continue;
        }
        // The window was split while the page was being read: its events past the new end belong
        // to another window. Read again within the new bounds.
        if (item.kind === 'page' && this.committed(id).endAt !== cursor.endAt) continue;
        queue.push(item);
        if (item.kind === 'end' || item.kind === 'unresumable') return;
        cursor = item.cursor;
        ahead.at = cursor.lastEventAt;
      }
    } catch (error) {
      // After the pages fetched before it: those are still shipped and committed first.
      queue.push({ kind: 'error', error });
    }
  }

  /** The cursor `id` names, as committed in the stream's state entry. */
  private committed(id: string): Cursor {
    const state = this.o.entry.current();
    const cursor = state && cursorOf(state, id);
    if (!cursor) throw new Error(`backfill window ${id} is not in the state of ${this.o.entry.key}`);
    return cursor;
  }

  /** The page after `cursor`, mapped and encoded; undefined when Asana refused a resumable offset. */
  private async fetchPage(cursor: Cursor, id: string, signal: AbortSignal): Promise<Exclude<Item, { kind: 'error' }> | undefined> {
    const query = queryFor(this.o.base, cursor);
    const page = await this.o.api.getAuditLogPage(query, signal);
    if (page.kind === 'offset-refused') {
      // The offset expired or was refused: resume by time when the cursor has one (resume.ts).
      const resumed = refusedOffsetResume(cursor);
      if (!resumed) return { kind: 'unresumable', reason: page.message };
      this.o.log.warn(resumed.message, { stream: this.o.entry.key, ...(id !== TAIL ? { window: id } : {}), startAt: resumed.startAt, reason: page.message });
      return undefined;
    }
    const observedAt = this.o.now();
    const nextOffset = page.next_page?.offset ?? undefined;
    const fresh = skipShipped(cursor, page.data, this.o.entry.current()?.shippedWindow);
    const stuckAt = unpageableInstant(page.data, nextOffset, query, PAGE_LIMIT);

    if (page.data.length === 0 || (stuckAt === undefined && fresh.length === 0 && (!nextOffset || nextOffset === cursor.offset))) {
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
    const past = stuckAt === undefined ? undefined : pastInstant(next, stuckAt);
    const batch = await this.prepareBatch(fresh, observedAt);
    const firstAt = page.data[0]?.created_at;
    const lastAt = page.data.at(-1)?.created_at;
    return { kind: 'page', batch, shipped: fresh.length, received: page.data.length, firstAt: str(firstAt), lastAt: str(lastAt), cursor: past?.cursor ?? next, observedAt, refs, gap: past?.gap };
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
}

/** The time a full page spanned, first to last created_at; undefined for a short page or unreadable times. */
function fullPageSpanMs(page: CommittedPage): number | undefined {
  const first = timeMs(page.firstAt);
  const last = timeMs(page.lastAt);
  return page.received >= PAGE_LIMIT && first !== undefined && last !== undefined ? last - first : undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
