import { Agent, request, type Dispatcher } from 'undici';
import { deadline } from '../deadline.ts';
import { AbortedError, AsanaRequestError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { backoffDelay, sleep } from '../retry.ts';
import { PACKAGE_NAME, PACKAGE_VERSION } from '../version.ts';
import { classifyAsanaResponse, parseAuditLogPage, type AsanaOutcome, type RequestContext } from './classify.ts';
import type { RateLimiter } from './rate-limiter.ts';
import type { AuditLogPage, AuditLogQuery } from './types.ts';

/** Asana: the maximum page size of the audit log endpoint. */
export const PAGE_LIMIT = 100;
/** One request may take this long before it is abandoned and retried. */
export const REQUEST_TIMEOUT_MS = 30_000;

/** What the streams depend on: one page per call, retried until it succeeds or cannot. */
export interface AsanaApi {
  getAuditLogPage(query: AuditLogQuery, signal?: AbortSignal): Promise<AuditLogPage>;
}

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
  /** Observes every response status (self-telemetry). */
  onResponse?: (status: number | 'error') => void;
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
    params.set('limit', String(PAGE_LIMIT));
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
        case 'retry': {
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
      const bodyText = await res.body.text();
      this.opts.onResponse?.(res.statusCode);
      return classifyAsanaResponse(res.statusCode, res.headers, bodyText, ctx, parse);
    } catch (err) {
      if (signal?.aborted) throw new AbortedError();
      this.opts.onResponse?.('error');
      const reason = timeout.expired()
        ? `no answer from Asana within ${Math.round((this.opts.timeoutMs ?? REQUEST_TIMEOUT_MS) / 1000)}s`
        : `cannot reach Asana at ${this.opts.apiUrl}: ${describeNetworkError(err)}`;
      return { kind: 'retry', reason, rateLimited: false };
    } finally {
      timeout.done();
    }
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
