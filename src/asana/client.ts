import { Agent, request, type Dispatcher } from '../undici.ts';
import { formatDuration } from '../duration.ts';
import { deadline } from '../deadline.ts';
import { AbortedError, AsanaRequestError, AsanaUnavailableError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { backoffDelay, sleep } from '../retry.ts';
import { PACKAGE_NAME, PACKAGE_VERSION } from '../version.ts';
import { declaredLength, readBodyText } from './body-text.ts';
import { classifyAsanaResponse, parseAuditLogPage, parseEventsPage, type AsanaOutcome, type RequestContext } from './classify.ts';
import type { RateLimiter } from './rate-limiter.ts';
import type { AuditLogPage, AuditLogQuery, AuditLogResult, EventsQuery, EventsResult } from './types.ts';
import { asanaTransportOutcome } from './transport.ts';

/** Asana: the maximum page size of the audit log endpoint. */
export const PAGE_LIMIT = 100;
/** One request may take this long before it is abandoned and retried. */
export const REQUEST_TIMEOUT_MS = 30_000;

/**
 * What the audit-log streams depend on: one page per call, retried until it succeeds or cannot; a
 * refused offset is an answer (data), not an error. Rejects only with a fatal ReceiverError (the
 * token, a request Asana will never accept) or AbortedError on shutdown.
 */
export interface AuditLogApi {
  getAuditLogPage(query: AuditLogQuery, signal?: AbortSignal): Promise<AuditLogResult>;
}

/** What the event streams depend on. */
export interface EventsApi {
  /** One events page, or Asana's 412 with a fresh sync token (as data: the first call always gets it). */
  getEvents(query: EventsQuery, signal?: AbortSignal): Promise<EventsResult>;
}

/** The whole Asana API the receiver uses. */
export interface AsanaApi extends AuditLogApi, EventsApi {}

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

/** What the retry loop ends with when it does not throw: a value, or a refusal the caller acts on. */
type Answer<T> = Exclude<AsanaOutcome<T>, { kind: 'retry' } | { kind: 'fatal' }>;

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

  /** Without an offset there is none to refuse: the answer is a page. */
  getAuditLogPage(query: AuditLogQuery & { offset?: undefined }, signal?: AbortSignal): Promise<Extract<AuditLogResult, { kind: 'page' }>>;
  getAuditLogPage(query: AuditLogQuery, signal?: AbortSignal): Promise<AuditLogResult>;
  async getAuditLogPage(query: AuditLogQuery, signal?: AbortSignal): Promise<AuditLogResult> {
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
    const answer = await this.getWithRetry(path, ctx, parseAuditLogPage, signal);
    if (answer.kind === 'ok') return { kind: 'page', ...answer.value };
    if (answer.kind === 'bad-offset' && query.offset) {
      return { kind: 'offset-refused', message: `Asana refused the saved offset for the ${ctx.what}: ${answer.message}` };
    }
    throw unexpected(answer, ctx);
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
    const answer = await this.getWithRetry(query_ ? `${path}?${query_}` : path, ctx, parseEventsPage, signal);
    if (answer.kind === 'ok') return { kind: 'page', ...answer.value };
    if (answer.kind === 'sync-refused') return { kind: 'sync-refused', sync: answer.sync, message: answer.message };
    throw unexpected(answer, ctx);
  }

  async close(): Promise<void> {
    if (this.ownsDispatcher) await this.dispatcher.close();
  }

  /** Retries until Asana answers something other than "try again"; a fatal answer is thrown. */
  private async getWithRetry<T>(path: string, ctx: RequestContext, parse: (body: string) => T | string, signal?: AbortSignal): Promise<Answer<T>> {
    const backoff = this.opts.backoff ?? ((n: number) => backoffDelay(n));
    for (let attempt = 1; ; attempt++) {
      await this.opts.limiter.acquire(signal);
      const outcome = await this.attempt(path, ctx, parse, signal);
      switch (outcome.kind) {
        case 'ok':
          if (attempt > 1) this.opts.log.info('Asana request succeeded after retries', { what: ctx.what, attempts: attempt });
          return outcome;
        case 'fatal':
          throw outcome.error;
        case 'bad-offset':
        case 'sync-refused':
          return outcome;
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
      // Read into one buffer and decoded right here, in the same turn as the parse (body-text.ts): a
      // page's text then lives only while it is parsed, and dies young; its bytes are freed at once.
      const bodyText = await readBodyText(res.body, declaredLength(res.headers['content-length']));
      const outcome = classifyAsanaResponse(res.statusCode, res.headers, bodyText, ctx, parse);
      this.observe(res.statusCode, ctx, outcome);
      return outcome;
    } catch (err) {
      if (signal?.aborted) throw new AbortedError();
      const transport = timeout.expired() ? undefined : asanaTransportOutcome(err, this.opts.apiUrl);
      if (transport?.kind === 'fatal') {
        this.observe('error', ctx, transport);
        return transport;
      }
      const reason = transport?.reason ?? `no answer from Asana within ${formatDuration(this.opts.timeoutMs ?? REQUEST_TIMEOUT_MS, { units: 2 })}`;
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
 * A refusal the endpoint has no use for — a refused offset where none was sent, a 412 with a sync
 * token from an endpoint that takes none — is a request Asana will not accept as sent: fatal.
 */
function unexpected(answer: Answer<unknown>, ctx: RequestContext): AsanaRequestError {
  if (answer.kind === 'sync-refused') return new AsanaRequestError(412, `Asana answered 412 Precondition Failed for the ${ctx.what}: ${answer.message}`);
  return new AsanaRequestError(400, `Asana rejected the request for the ${ctx.what} with HTTP 400: ${answer.kind === 'bad-offset' ? answer.message : 'unexpected answer'}`);
}
