import { AsanaClient, type AsanaApi } from './asana/client.ts';
import { pacedRequestsPerMinute, RateLimiter } from './asana/rate-limiter.ts';
import type { Config } from './config.ts';
import { AbortedError } from './errors.ts';
import { createOtlpLogSink } from './export/otlp.ts';
import { buildResource } from './export/resource.ts';
import type { LogSink } from './export/types.ts';
import type { Logger } from './log.ts';
import { openFileStateStore } from './state/file-store.ts';
import type { StateStore } from './state/types.ts';
import { AuditLogStream } from './streams/audit-log.ts';
import { sliceConcurrency } from './streams/slices.ts';
import type { PageReport, Stream } from './streams/types.ts';

export interface ReceiverDeps {
  /** Defaults to an OTLP/HTTP sink built from config.otlp. */
  sink?: LogSink;
  /** Defaults to the undici Asana client. */
  api?: AsanaApi;
  onPage?: (report: PageReport) => void;
  /** Retry delay per attempt, for the Asana client and the exporter (tests shorten it). */
  backoff?: (attempt: number) => number;
}

/**
 * Wiring: one state store (locked), one token budget, one sink, and a stream per workspace and
 * enabled stream. Streams run concurrently; the first fatal error stops them all.
 */
export class Receiver {
  readonly streams: Stream[];
  private readonly store: StateStore;
  private readonly sink: LogSink;
  private readonly client?: AsanaClient;
  private readonly log: Logger;

  private constructor(streams: Stream[], store: StateStore, sink: LogSink, log: Logger, client?: AsanaClient) {
    this.streams = streams;
    this.store = store;
    this.sink = sink;
    this.log = log;
    this.client = client;
  }

  static async create(config: Config, log: Logger, deps: ReceiverDeps = {}): Promise<Receiver> {
    const store = await openFileStateStore(config.stateFile, {
      onWarning: (message: string) => log.warn(message, { stateFile: config.stateFile }),
    });
    // One budget for every stream and workspace of the token, with a little left unused (rate-limiter.ts).
    const limiter = new RateLimiter(pacedRequestsPerMinute(config.asana.maxRequestsPerMinute));
    const client = deps.api
      ? undefined
      : new AsanaClient({ apiUrl: config.asana.apiUrl, token: config.asana.token, limiter, log, backoff: deps.backoff });
    const api = deps.api ?? client!;
    const sink = deps.sink ?? createOtlpLogSink(config.otlp);
    const streams: Stream[] = [];
    for (const workspaceGid of config.asana.workspaceGids) {
      if (config.asana.streams.includes('audit_log')) {
        streams.push(
          new AuditLogStream({
            api,
            store,
            sink,
            resource: buildResource({ serviceName: config.serviceName, resourceAttributes: config.resourceAttributes, workspaceGid }),
            workspaceGid,
            filters: config.asana.auditFilters,
            startAt: config.asana.startAt,
            pollIntervalMs: config.asana.pollIntervalMs,
            // Enough time windows read at once to use the token's budget (streams/slices.ts).
            slices: sliceConcurrency(config.asana.maxRequestsPerMinute),
            log,
            onPage: deps.onPage,
            backoff: deps.backoff,
          }),
        );
      }
    }
    return new Receiver(streams, store, sink, log, client);
  }

  /** Where records go, for the start-up line. */
  get target(): string {
    return this.sink.target ?? 'stdout';
  }

  /** Every stream until caught up (an empty page); resolves with the number of records shipped. */
  async once(signal: AbortSignal): Promise<number> {
    const results = await this.all(signal, (s, inner) => s.catchUp(inner));
    return results.reduce((n, r) => n + r.shipped, 0);
  }

  /** Polls forever; resolves after shutdown (signal aborted). */
  async run(signal: AbortSignal): Promise<void> {
    await this.all(signal, (s, inner) => s.run(inner));
  }

  /** Runs every stream; the first failure aborts the others, then is rethrown. */
  private async all<T>(signal: AbortSignal, fn: (s: Stream, inner: AbortSignal) => Promise<T>): Promise<T[]> {
    const inner = new AbortController();
    const onAbort = () => inner.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    let firstError: unknown;
    try {
      const settled = await Promise.allSettled(
        this.streams.map((s) =>
          fn(s, inner.signal).catch((err: unknown) => {
            if (!(err instanceof AbortedError) && firstError === undefined) {
              firstError = err;
              inner.abort();
            }
            throw err;
          }),
        ),
      );
      if (firstError !== undefined) throw firstError;
      if (signal.aborted) throw new AbortedError();
      return settled.map((r) => (r as PromiseFulfilledResult<T>).value);
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.sink.shutdown(), this.client?.close()]);
    await this.store.close();
    this.log.debug('receiver closed');
  }
}
