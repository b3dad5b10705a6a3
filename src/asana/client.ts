import { Agent, request, type Dispatcher } from '../undici.ts';
import { deadline } from '../deadline.ts';
import { AbortedError, AsanaRequestError, ExitCode, ReceiverError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { backoffDelay, sleep } from '../retry.ts';
import { PACKAGE_NAME, PACKAGE_VERSION } from '../version.ts';
import { classifyAsanaResponse, parseAuditLogPage, parseEventsPage, type AsanaOutcome, type RequestContext } from './classify.ts';
import type { RateLimiter } from './rate-limiter.ts';
import type { AuditLogPage, AuditLogQuery, EventsQuery, EventsResult } from './types.ts';


/** UTF-8, a byte-order mark skipped (as undici's body.text() does), invalid bytes replaced. */
const UTF8 = new TextDecoder();
/** Asana: the maximum page size of the audit log endpoint. */
export const PAGE_LIMIT = 100;
/** One request may take this long before it is abandoned and retried. */
export const REQUEST_TIMEOUT_MS = 30_000;

/** What the audit-log streams depend on: one page per call, retried until it succeeds or cannot. */
export interface AuditLogApi {
  getAuditLogPage(query: AuditLogQuery, signal?: AbortSignal): Promise<AuditLogPage>;
}

/** What the event streams depend on. */
export interface EventsApi {
  /** One events page, or Asana's 412 with a fresh sync token (as data: the first call always gets it). */
  getEvents(query: EventsQuery, signal?: AbortSignal): Promise<EventsResult>;
}

/** The whole Asana API the receiver uses. */
export interface AsanaApi extends AuditLogApi, EventsApi {}

/** The offset was refused (expired or invalid): the stream must resume another way. */
export class OffsetRejectedError extends AsanaRequestError {
  constructor(message: string) {
    super(400, message, 'ERR_ASANA_OFFSET_REJECTED');
  }
}

export interface AsanaClientOptions {
  apiUrl: string;
  token: string;
  limiter: RateLimiter;
  log: Logger;
  dispatcher?: Dispatcher;
  backoff?: (attempt: number) => number;
  timeoutMs?: number;
  /** Observes every response status (self-telemetry, health): 'error' when no answer came. */
  onResponse?: (status: number | 'error', info: ResponseInfo) => void;
  /**
   * Give up after this many attempts with AsanaUnavailableError (`validate`: a short, bounded check).
   * Default: retry forever, as the receiver must.
   */
  maxAttempts?: number;
}

/** What one attempt came to, for observers. */
export interface ResponseInfo {
  workspaceGid: string;
  outcome: AsanaOutcome<unknown>['kind'];
  /** 429: the whole token's budget is paused. */
  rateLimited: boolean;
  /** Why it is retried, when it is. */
  reason?: string;
}

/** Asana could not be reached or kept failing within `maxAttempts` (only when a bound was set). */
export class AsanaUnavailableError extends ReceiverError {
  constructor(message: string) {
    super('ERR_ASANA_UNAVAILABLE', message, ExitCode.fatal);
  }
}

/**
 * Asana over undici: bearer auth, pooled keep-alive connections, the shared request budget, and
 * the retry loop. Retries go on forever while running (5xx, timeouts, resets, HTML or truncated
 * bodies); 429 waits exactly Retry-After; 401/403 and other client errors are fatal with a message
 * naming what to fix. The token is sent only in the Authorization header and never logged.
 */
export class AsanaClient implements AsanaApi {
  private readonly opts: AsanaClientOptions;
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;

  constructor(opts: AsanaClientOptions) {
    this.opts = opts;
    this.ownsDispatcher = !opts.dispatcher;
    this.dispatcher = opts.dispatcher ?? new Agent({ keepAliveTimeout: 30_000, connections: 16 });
  }

  async getAuditLogPage(query: AuditLogQuery, signal?: AbortSignal): Promise<AuditLogPage> {
    const params = new URLSearchParams();
    params.set('limit', String(query.limit ?? PAGE_LIMIT));
    if (query.startAt) params.set('start_at', query.startAt);
    if (query.endAt) params.set('end_at', query.endAt);
    if (query.eventType) params.set('event_type', query.eventType);
    if (query.actorType) params.set('actor_type', query.actorType);
    if (query.actorGid) params.set('actor_gid', query.actorGid);
    if (query.resourceGid) params.set('resource_gid', query.resourceGid);
    // Always next_page.offset, never next_page.path/uri: those would bypass ASANA_API_URL.
    if (query.offset) params.set('offset', query.offset);
    const path = `/workspaces/${encodeURIComponent(query.workspaceGid)}/audit_log_events?${params}`;
    const ctx: RequestContext = {
      what: `audit log of workspace ${query.workspaceGid}`,
      workspaceGid: query.workspaceGid,
      apiUrl: this.opts.apiUrl,
    };
    return this.getWithRetry(path, ctx, parseAuditLogPage, signal);
  }

  /**
   * GET /workspaces/{gid}/events (Asana: up to 1000 events per call) or GET /events?resource=<gid>
   * (up to 100); `has_more` says whether to ask again at once with the returned token.
   */
  async getEvents(query: EventsQuery, signal?: AbortSignal): Promise<EventsResult> {
    const t = query.target;
    const params = new URLSearchParams();
    let path: string;
    let ctx: RequestContext;
    if (t.kind === 'workspace') {
      if (query.sync) params.set('sync', query.sync);
      path = `/workspaces/${encodeURIComponent(t.workspaceGid)}/events`;
      ctx = {
        what: `workspace events of workspace ${t.workspaceGid}`,
        workspaceGid: t.workspaceGid,
        apiUrl: this.opts.apiUrl,
        hints: {
          forbidden:
            'Workspace events need a service-account token of an Enterprise+ domain (or Enterprise with the Compliance Management add-on); ' +
            `check ASANA_WORKSPACE_GID (${t.workspaceGid}) and the token, or remove workspace_events from ASANA_STREAMS.`,
        },
      };
    } else {
      params.set('resource', t.resourceGid);
      if (query.sync) params.set('sync', query.sync);
      path = '/events';
      ctx = {
        what: `events of resource ${t.resourceGid}`,
        workspaceGid: t.workspaceGid,
        apiUrl: this.opts.apiUrl,
        hints: {
          forbidden: `The token cannot read resource ${t.resourceGid}: give its user or service account access, or remove it from ASANA_EVENT_RESOURCES.`,
          notFound: `Check ASANA_EVENT_RESOURCES: resource ${t.resourceGid} (a project, task, portfolio or goal) does not exist or was deleted; remove it. Also check ASANA_API_URL (${this.opts.apiUrl}).`,
          rejected: `Check ASANA_EVENT_RESOURCES (${t.resourceGid}): it must be the gid of a project, task, portfolio or goal.`,
        },
      };
    }
    const query_ = params.toString();
    try {
      const page = await this.getWithRetry(query_ ? `${path}?${query_}` : path, ctx, parseEventsPage, signal);
      return { kind: 'page', ...page };
    } catch (err) {
      if (err instanceof SyncRefused) return { kind: 'sync-refused', sync: err.sync, message: err.detail };
      throw err;
    }
  }

  async close(): Promise<void> {
    if (this.ownsDispatcher) await this.dispatcher.close();
  }

  private async getWithRetry<T>(path: string, ctx: RequestContext, parse: (body: string) => T | string, signal?: AbortSignal): Promise<T> {
    const backoff = this.opts.backoff ?? ((n: number) => backoffDelay(n));
    for (let attempt = 1; ; attempt++) {
      await this.opts.limiter.acquire(signal);
      const outcome = await this.attempt(path, ctx, parse, signal);
      switch (outcome.kind) {
        case 'ok':
          if (attempt > 1) this.opts.log.info('Asana request succeeded after retries', { what: ctx.what, attempts: attempt });
          return outcome.value;
        case 'fatal':
          throw outcome.error;
        case 'bad-offset':
          throw new OffsetRejectedError(`Asana refused the saved offset for the ${ctx.what}: ${outcome.message}`);
        case 'sync-refused':
          throw new SyncRefused(outcome.sync, outcome.message);
        case 'retry': {
          if (this.opts.maxAttempts !== undefined && attempt >= this.opts.maxAttempts) {
            throw new AsanaUnavailableError(`no usable answer from Asana for the ${ctx.what} after ${attempt} attempts: ${outcome.reason}`);
          }
          const delay = outcome.retryAfterMs ?? backoff(attempt);
          if (outcome.rateLimited) this.opts.limiter.pauseUntil(Date.now() + delay);
          this.opts.log.warn(`${outcome.reason}; retrying in ${Math.round(delay / 100) / 10}s`, {
            what: ctx.what,
            attempt,
            retryInMs: delay,
          });
          await sleep(delay, signal);
        }
      }
    }
  }

  private async attempt<T>(path: string, ctx: RequestContext, parse: (body: string) => T | string, signal?: AbortSignal): Promise<AsanaOutcome<T>> {
    const timeout = deadline(this.opts.timeoutMs ?? REQUEST_TIMEOUT_MS, signal);
    try {
      const res = await request(`${this.opts.apiUrl}${path}`, {
        method: 'GET',
        dispatcher: this.dispatcher,
        signal: timeout.signal,
        headers: {
          authorization: `Bearer ${this.opts.token}`,
          accept: 'application/json',
          'user-agent': `${PACKAGE_NAME}/${PACKAGE_VERSION}`,
        },
      });
      // Read as bytes and decoded right here, in the same turn as the parse: a page's text (60-120 KB
      // of string) then lives only while it is parsed. Resolved by body.text(), it waited for other
      // pages' work, outlived young-generation collections and was promoted: nine tenths of all the
      // memory the old generation had to reclaim in the CPU-bound benchmark.
      const bodyText = UTF8.decode(await res.body.bytes());
      const outcome = classifyAsanaResponse(res.statusCode, res.headers, bodyText, ctx, parse);
      this.observe(res.statusCode, ctx, outcome);
      return outcome;
    } catch (err) {
      if (signal?.aborted) throw new AbortedError();
      const reason = timeout.expired()
        ? `no answer from Asana within ${Math.round((this.opts.timeoutMs ?? REQUEST_TIMEOUT_MS) / 1000)}s`
        : `cannot reach Asana at ${this.opts.apiUrl}: ${describeNetworkError(err)}`;
      const outcome: AsanaOutcome<T> = { kind: 'retry', reason, rateLimited: false };
      this.observe('error', ctx, outcome);
      return outcome;
    } finally {
      timeout.done();
    }
  }

  private observe(status: number | 'error', ctx: RequestContext, outcome: AsanaOutcome<unknown>): void {
    if (!this.opts.onResponse) return;
    const info: ResponseInfo = { workspaceGid: ctx.workspaceGid, outcome: outcome.kind, rateLimited: outcome.kind === 'retry' && outcome.rateLimited };
    if (outcome.kind === 'retry') info.reason = outcome.reason;
    this.opts.onResponse(status, info);
  }
}

/**
 * Carries a 412's fresh token out of the retry loop to getEvents, which returns it as data. Only an
 * endpoint that does not use sync tokens could let it escape: then it is a fatal request error.
 */
class SyncRefused extends AsanaRequestError {
  readonly sync: string;
  readonly detail: string;
  constructor(sync: string, message: string) {
    super(412, `Asana answered 412 Precondition Failed: ${message}`, 'ERR_ASANA_SYNC_REFUSED');
    this.sync = sync;
    this.detail = message;
  }
}

function describeNetworkError(err: unknown): string {
  if (err && typeof err === 'object') {
    const e = err as { code?: unknown; message?: unknown; cause?: { code?: unknown; message?: unknown } };
    const code = e.code ?? e.cause?.code;
    const message = typeof e.message === 'string' ? e.message : String(err);
    return code ? `${String(code)} ${message}` : message;
  }
  return String(err);
}
