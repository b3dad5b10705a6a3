import type { Resource } from '@opentelemetry/resources';
import type { AuditLogApi } from '../asana/client.ts';
import { OffsetRejectedError } from '../asana/client.ts';
import type { AuditLogEvent, AuditLogQuery } from '../asana/types.ts';
import { resolveStartAt, type AuditLogFilters, type StartAt } from '../config.ts';
import { AbortedError } from '../errors.ts';
import { exportUntilAcknowledged } from '../export/deliver.ts';
import type { LogSink } from '../export/types.ts';
import type { Logger } from '../log.ts';
import { mapAuditLogEvent } from '../mapping/audit-log.ts';
import { sleep } from '../retry.ts';
import { streamKey } from '../state/key.ts';
import type { StateStore, StreamState } from '../state/types.ts';
import { caughtUpNeedsRefresh, latest, resumeAfterRefusedOffset, resumeWithinRetention, type ResumeContext } from './resume.ts';
import { createdAtOf, gidOf, hasShipped, recordShipped, timeMs, windowOf } from './shipped-window.ts';
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
  /** Called after each page is committed (progress, self-telemetry). */
  onPage?: (report: PageReport) => void;
  /** Retry delay per attempt for exports (default: the capped exponential backoff). */
  backoff?: (attempt: number) => number;
  /** Called when the stream is caught up (an empty page). */
  onCaughtUp?: (key: string) => void;
  /** ASANA_LATE_WINDOW: shipped gids within it are recorded for the late-event re-scan; 0 or unset: none. */
  lateWindowMs?: number;
}

/**
 * The audit log stream of one workspace: owns its cursor and Asana's paging rules.
 *
 * Asana (GET /workspaces/{gid}/audit_log_events): events come oldest first; every response carries
 * next_page.offset once the filters matched anything, even when there is nothing new, so an empty
 * `data` — not a missing next_page — means caught up. Polling again later with the latest offset
 * returns what was recorded since.
 *
 * One page at a time: fetch, map, export, wait for the collector's acknowledgement, and only then
 * commit the page's next offset. A crash or shutdown before the commit re-fetches that page on the
 * next start: at-least-once, with at most one page of duplicates carrying the same log.record.uid.
 */
export class AuditLogStream implements Stream {
  readonly key: string;
  private readonly o: AuditLogStreamOptions;
  private readonly now: () => Date;

  constructor(opts: AuditLogStreamOptions) {
    this.o = opts;
    this.now = opts.now ?? (() => new Date());
    this.key = streamKey({ stream: 'audit_log', workspaceGid: opts.workspaceGid, filters: opts.filters });
  }

  /** Polls forever: catch up, pause ASANA_POLL_INTERVAL, repeat. Returns on shutdown. */
  async run(signal: AbortSignal): Promise<void> {
    try {
      for (;;) {
        await this.catchUp(signal);
        await sleep(this.o.pollIntervalMs, signal);
      }
    } catch (err) {
      if (err instanceof AbortedError) return;
      throw err;
    }
  }

  /** Pages until Asana answers with an empty page; every shipped page is committed. */
  async catchUp(signal: AbortSignal): Promise<CatchUpResult> {
    let state = await resumeWithinRetention(this.resumeContext(), await this.initialState(), signal);
    let pages = 0;
    let shipped = 0;
    for (;;) {
      if (signal.aborted) throw new AbortedError();
      const query = this.queryFor(state);
      let page;
      try {
        page = await this.o.api.getAuditLogPage(query, signal);
      } catch (err) {
        if (err instanceof OffsetRejectedError && state.offset) {
          // The offset expired or was refused: resume from the newest shipped instant instead
          // (start_at is inclusive; the gids already shipped are skipped), or report a gap (resume.ts).
          state = await resumeAfterRefusedOffset(this.resumeContext(), state, err.message, signal);
          continue;
        }
        throw err;
      }
      const observedAt = this.now();
      const nextOffset = page.next_page?.offset ?? undefined;
      const fresh = this.skipAlreadyShipped(state, query, page.data);

      if (page.data.length === 0 || (fresh.length === 0 && (!nextOffset || nextOffset === state.offset))) {
        // Caught up. Keep the newest offset Asana handed out, so the next poll starts there.
        const newOffset = Boolean(nextOffset) && nextOffset !== state.offset;
        if (newOffset || caughtUpNeedsRefresh(state, observedAt)) {
          state = {
            ...state,
            ...(newOffset ? { offset: nextOffset, offsetStartAt: query.startAt } : {}),
            caughtUpAt: observedAt.toISOString(),
            updatedAt: observedAt.toISOString(),
          };
          await this.o.store.commit(this.key, state);
        }
        this.o.onCaughtUp?.(this.key);
        this.o.log.debug('audit log caught up', { stream: this.key, pages, shipped });
        return { pages, shipped };
      }

      if (fresh.length > 0) {
        const records = fresh.map((event) => mapAuditLogEvent(event, observedAt));
        await exportUntilAcknowledged(this.o.sink, { resource: this.o.resource, records }, {
          signal,
          backoff: this.o.backoff,
          log: (level, msg, meta) => this.o.log.log(level, msg, { stream: this.key, ...meta }),
        });
      }

      state = this.advance(state, fresh, nextOffset, query.startAt, observedAt);
      await this.o.store.commit(this.key, state);
      pages++;
      shipped += fresh.length;
      this.o.onPage?.({
        stream: 'audit_log',
        key: this.key,
        workspaceGid: this.o.workspaceGid,
        received: page.data.length,
        shipped: fresh.length,
        lastEventAt: state.lastEventAt,
      });
      this.o.log.debug('audit log page shipped', { stream: this.key, events: fresh.length, lastEventAt: state.lastEventAt });
      if (!nextOffset) {
        // No offset to follow (Asana sent next_page: null after data): the next poll resumes from
        // lastEventAt with start_at, skipping the gids already shipped at that instant.
        return { pages, shipped };
      }
    }
  }

  private async initialState(): Promise<StreamState> {
    const existing = this.o.store.get(this.key);
    if (existing) return existing;
    // First run: pin the start so a restart before the first event does not move it.
    const state: StreamState = {
      stream: 'audit_log',
      workspaceGid: this.o.workspaceGid,
      filters: this.o.filters,
      startAt: resolveStartAt(this.o.startAt, this.now()).toISOString(),
      eventsShipped: 0,
      updatedAt: this.now().toISOString(),
    };
    await this.o.store.commit(this.key, state);
    this.o.log.info('audit log stream has no saved position; starting from ASANA_START_AT', {
      stream: this.key,
      startAt: state.startAt,
    });
    return state;
  }

  private resumeContext(): ResumeContext {
    return {
      key: this.key,
      source: 'audit_log',
      store: this.o.store,
      sink: this.o.sink,
      resource: this.o.resource,
      log: this.o.log,
      startAt: this.o.startAt,
      now: this.now,
      backoff: this.o.backoff,
    };
  }

  private queryFor(state: StreamState): AuditLogQuery {
    const f = this.o.filters;
    const query: AuditLogQuery = {
      workspaceGid: this.o.workspaceGid,
      eventType: f.eventType,
      actorType: f.actorType,
      actorGid: f.actorGid,
      resourceGid: f.resourceGid,
    };
    if (state.offset) {
      // The same filters (start_at included) accompany the offset they were issued for.
      query.startAt = state.offsetStartAt ?? state.startAt;
      query.offset = state.offset;
    } else {
      // The later of the two: startAt moves past lastEventAt when Asana's retention was exceeded.
      query.startAt = latest(state.lastEventAt, state.startAt);
    }
    return query;
  }

  /**
   * Resuming with start_at=lastEventAt (inclusive) returns that instant's shipped events again; the
   * late-event window knows every gid shipped recently. Neither is shipped twice.
   */
  private skipAlreadyShipped(state: StreamState, query: AuditLogQuery, events: AuditLogEvent[]): AuditLogEvent[] {
    const window = state.shippedWindow;
    const boundary = !query.offset && state.lastEventAt && state.lastEventGids?.length ? new Set(state.lastEventGids) : undefined;
    if (!window && !boundary) return events;
    return events.filter((e) => {
      const gid = gidOf(e);
      if (gid === undefined) return true;
      if (hasShipped(window, gid)) return false;
      return !(boundary?.has(gid) && createdAtOf(e) === state.lastEventAt);
    });
  }

  private advance(state: StreamState, shipped: AuditLogEvent[], nextOffset: string | undefined, queryStartAt: string | undefined, at: Date): StreamState {
    let lastEventAt = state.lastEventAt;
    let lastEventGids = state.lastEventGids ?? [];
    let lastEventGid = state.lastEventGid;
    for (const e of shipped) {
      // Only a readable, not-future created_at becomes the resume position: a bogus one would skip events.
      const createdAt = createdAtOf(e);
      const t = timeMs(createdAt);
      const gid = gidOf(e);
      if (createdAt === undefined || t === undefined || gid === undefined || t > at.getTime() + MAX_CLOCK_SKEW_MS) continue;
      lastEventGid = gid;
      const current = timeMs(lastEventAt);
      if (current === undefined || t > current) {
        lastEventAt = createdAt;
        lastEventGids = [gid];
      } else if (createdAt === lastEventAt) {
        lastEventGids = [...lastEventGids, gid];
      }
    }
    const next: StreamState = {
      ...state,
      offset: nextOffset,
      offsetStartAt: nextOffset ? queryStartAt : undefined,
      lastEventAt,
      lastEventGid,
      lastEventGids,
      eventsShipped: state.eventsShipped + shipped.length,
      updatedAt: at.toISOString(),
    };
    // Recorded in the same commit as the offset: the late-event re-scan never re-ships this page.
    if (this.o.lateWindowMs) next.shippedWindow = recordShipped(windowOf(state), shipped, at, this.o.lateWindowMs);
    return next;
  }
}
