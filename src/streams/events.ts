import type { Resource } from '@opentelemetry/resources';
import type { EventsApi } from '../asana/client.ts';
import type { EventsPage, EventsTarget } from '../asana/types.ts';
import { SYNC_TOKEN_LIFETIME_MS, SYNC_TOKEN_WARN_AGE_MS } from '../config/index.ts';
import { formatDuration } from '../duration.ts';
import { AbortedError } from '../errors.ts';
import { Shipper, type DeliveryPolicy } from '../export/shipper.ts';
import type { LogSink } from '../export/types.ts';
import type { Logger } from '../log.ts';
import { mapActivityEvent, type ActivitySource } from '../mapping/events.ts';
import { backoffDelay, sleep } from '../retry.ts';
import { streamKey } from '../state/key.ts';
import type { StateStore, StreamState } from '../state/types.ts';
import type { CatchUpResult, PageReport, Stream } from './types.ts';

export interface EventStreamOptions {
  api: EventsApi;
  store: StateStore;
  sink: LogSink;
  resource: Resource;
  /** workspace_events: the workspace's stream; resource_events: the stream of `resourceGid`. */
  source: ActivitySource;
  workspaceGid: string;
  /** Required for resource_events: the project, task, portfolio or goal to follow. */
  resourceGid?: string;
  pollIntervalMs: number;
  log: Logger;
  now?: () => Date;
  /** Called after each committed page that held events. */
  onPage?: (report: PageReport) => void;
  /** Retry delay per attempt for exports (default: the capped exponential backoff). */
  backoff?: (attempt: number) => number;
  /** Called when the stream is caught up (has_more false). */
  onCaughtUp?: (key: string) => void;
  /** Partial successes and collector outages (export/shipper.ts); default: stop on a partial success, wait out outages. */
  delivery?: DeliveryPolicy;
}

/**
 * An Asana event stream, followed with sync tokens: the workspace's (GET /workspaces/{gid}/events,
 * Enterprise+) or one resource's (GET /events?resource=<gid>). Owns its cursor — the sync token —
 * and Asana's rules for it (https://developers.asana.com/reference/getevents,
 * https://developers.asana.com/reference/getworkspaceevents):
 *
 * - The first call without a token answers 412 Precondition Failed with a fresh token. The stream
 *   starts there: Asana offers no events from before the first token.
 * - Each answer carries the next token; `has_more: true` (more than 1000 events for a workspace,
 *   100 for a resource) means "ask again at once"; otherwise the stream is caught up and polls
 *   again after ASANA_POLL_INTERVAL.
 * - "Re-requesting the current sync token is generally safe, and will always return the same
 *   results": a page's token is committed only after the collector acknowledged the page, so a
 *   crash or shutdown re-reads at most that page, with the same log.record.uid per event.
 * - "Sync tokens always expire after 24 hours, but may expire sooner": a 412 for a saved token means
 *   the events since it are lost. That gap becomes a record (`asana.receiver.gap`, reason
 *   `sync_token_expired`), exported and acknowledged before the fresh token is committed, and a
 *   warning in the log; then the stream goes on from the fresh token.
 */
export class EventStream implements Stream {
  readonly key: string;
  private readonly o: EventStreamOptions;
  private readonly now: () => Date;
  private readonly target: EventsTarget;
  private readonly label: string;
  private readonly shipper: Shipper;
  private checkedTokenAge = false;

  constructor(opts: EventStreamOptions) {
    if (opts.source === 'resource_events' && !opts.resourceGid) throw new TypeError('resource_events needs a resourceGid');
    this.o = opts;
    this.now = opts.now ?? (() => new Date());
    const resourceGid = opts.source === 'resource_events' ? opts.resourceGid : undefined;
    this.key = streamKey({ stream: opts.source, workspaceGid: opts.workspaceGid, filters: {}, resourceGid });
    this.target =
      resourceGid === undefined
        ? { kind: 'workspace', workspaceGid: opts.workspaceGid }
        : { kind: 'resource', workspaceGid: opts.workspaceGid, resourceGid };
    this.label = resourceGid === undefined ? `workspace events of workspace ${opts.workspaceGid}` : `events of resource ${resourceGid}`;
    this.shipper = new Shipper({ ...opts.delivery, sink: opts.sink, resource: opts.resource, log: opts.log, source: opts.source, stream: this.key, backoff: opts.backoff });
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

  /** Pages until has_more is false; every shipped page is committed after its acknowledgement. */
  async catchUp(signal: AbortSignal): Promise<CatchUpResult> {
    let state = this.o.store.get(this.key);
    if (!this.checkedTokenAge) {
      this.checkedTokenAge = true;
      this.warnIfTokenOld(state);
    }
    let pages = 0;
    let shipped = 0;
    let refusedInARow = 0;
    for (;;) {
      if (signal.aborted) throw new AbortedError();
      const result = await this.o.api.getEvents({ target: this.target, sync: state?.sync }, signal);
      const observedAt = this.now();

      if (result.kind === 'sync-refused') {
        refusedInARow++;
        // A fresh token refused at once is Asana's trouble, not ours: do not hammer it.
        if (refusedInARow > 2) await sleep((this.o.backoff ?? backoffDelay)(refusedInARow - 2), signal);
        state = await this.restart(state, result.sync, result.message, observedAt, signal);
        continue;
      }
      refusedInARow = 0;

      const records = result.data.map((event) => mapActivityEvent(event, this.o.source, observedAt));
      const next = this.advance(state ?? this.fresh(observedAt), result, observedAt);
      const moved = records.length > 0 || next.sync !== state?.sync;
      await this.shipper.ship(this.shipper.batch(records), signal, moved ? () => this.o.store.commit(this.key, next) : undefined);
      state = next;

      if (records.length > 0) {
        pages++;
        shipped += records.length;
        this.o.onPage?.({
          stream: this.o.source,
          key: this.key,
          workspaceGid: this.o.workspaceGid,
          received: result.data.length,
          shipped: records.length,
          lastEventAt: state.lastEventAt,
        });
        this.o.log.debug(`${this.o.source} page shipped`, { stream: this.key, events: records.length, hasMore: result.has_more });
      }
      // has_more with an empty page would loop without progress: take it as caught up.
      if (!result.has_more || result.data.length === 0) {
        this.o.onCaughtUp?.(this.key);
        this.o.log.debug(`${this.o.source} caught up`, { stream: this.key, pages, shipped });
        return { pages, shipped };
      }
    }
  }

  /**
   * A 412 with a fresh token. Without a saved token it is the documented first call: the stream starts
   * now. With one, the saved token expired or was refused: the events since it are lost, and a gap
   * record says so — acknowledged by the collector before the fresh token is committed, so a crash
   * in between emits it again rather than not at all.
   */
  private async restart(state: StreamState | undefined, sync: string, asanaMessage: string, observedAt: Date, signal: AbortSignal): Promise<StreamState> {
    if (state?.sync === undefined) {
      this.o.log.info(
        `${this.label}: no saved sync token, so the stream starts now. Asana's event streams offer nothing from before the first sync token: earlier activity is not shipped`,
        { stream: this.key },
      );
      const first: StreamState = { ...(state ?? this.fresh(observedAt)), sync, syncAt: observedAt.toISOString(), updatedAt: observedAt.toISOString() };
      await this.o.store.commit(this.key, first);
      return first;
    }
    const since = state.syncAt ?? state.updatedAt;
    const start = new Date(since);
    const next: StreamState = { ...state, sync, syncAt: observedAt.toISOString(), updatedAt: observedAt.toISOString() };
    const gap = {
      reason: 'sync_token_expired',
      start: Number.isNaN(start.getTime()) ? undefined : start,
      end: observedAt,
      message:
        `Asana refused the saved sync token of the ${this.label} (${asanaMessage}): the events from ${since} to ${observedAt.toISOString()} ` +
        'cannot be read any more and are lost. Asana keeps sync tokens at most 24 hours, sooner under load; keep the receiver running ' +
        'and ASANA_POLL_INTERVAL short. The stream continues from a fresh token.',
    };
    await this.shipper.shipGap(gap, observedAt, signal, () => this.o.store.commit(this.key, next));
    return next;
  }

  private fresh(at: Date): StreamState {
    const state: StreamState = {
      stream: this.o.source,
      workspaceGid: this.o.workspaceGid,
      filters: {},
      eventsShipped: 0,
      updatedAt: at.toISOString(),
    };
    if (this.target.kind === 'resource') state.resourceGid = this.target.resourceGid;
    return state;
  }

  private advance(state: StreamState, page: EventsPage, at: Date): StreamState {
    let lastEventAt = state.lastEventAt;
    for (const e of page.data) {
      const t = e?.created_at;
      if (typeof t === 'string' && (lastEventAt === undefined || t > lastEventAt)) lastEventAt = t;
    }
    const next: StreamState = {
      ...state,
      sync: page.sync,
      syncAt: at.toISOString(),
      eventsShipped: state.eventsShipped + page.data.length,
      updatedAt: at.toISOString(),
    };
    if (lastEventAt !== undefined) next.lastEventAt = lastEventAt;
    return next;
  }

  /** At start-up: a saved token near or past Asana's 24 h lifetime will probably be refused. */
  private warnIfTokenOld(state: StreamState | undefined): void {
    if (state?.sync === undefined) return;
    const since = state.syncAt ?? state.updatedAt;
    const age = this.now().getTime() - Date.parse(since);
    if (!(age >= SYNC_TOKEN_WARN_AGE_MS)) return;
    const old = `the saved sync token of the ${this.label} is ${formatDuration(Math.round(age / 60_000) * 60_000)} old (received ${since})`;
    this.o.log.warn(
      age >= SYNC_TOKEN_LIFETIME_MS
        ? `${old}: Asana keeps sync tokens at most 24 hours, so it has most likely expired; the events since then are lost and a gap record will say so`
        : `${old}, approaching Asana's 24-hour sync-token lifetime (tokens may expire sooner under load); if it was refused, a gap record will say so`,
      { stream: this.key, tokenAgeMs: age },
    );
  }
}
