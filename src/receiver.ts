import { AsanaClient, type AsanaApi } from './asana/client.ts';
import { pacedRequestsPerMinute, RateLimiter } from './asana/rate-limiter.ts';
import { resolveStartAt, type Config } from './config/index.ts';
import { AbortedError, AsanaRequestError, CredentialsError, ReceiverError, StreamsFailedError } from './errors.ts';
import { createLogSink } from './export/sink.ts';
import { createProxyDispatcher } from './net/proxy.ts';
import type { Dispatcher } from './undici.ts';
import { buildResource } from './export/resource.ts';
import type { LogSink } from './export/types.ts';
import type { DeliveryPolicy } from './export/shipper.ts';
import type { Logger } from './log.ts';
import { openFileStateStore } from './state/store.ts';
import type { StateStore } from './state/types.ts';
import { AuditLogStream } from './streams/audit-log/stream.ts';
import { EventStream } from './streams/events.ts';
import { sliceConcurrency } from './streams/audit-log/planner.ts';
import type { PageReport, Stream } from './streams/types.ts';
import { observedSink, type ReceiverObserver } from './telemetry/telemetry.ts';

/** What each stream gets from the receiver besides its own settings. */
interface StreamHooks {
  sink: LogSink;
  onPage: (report: PageReport) => void;
  onCaughtUp: ((key: string) => void) | undefined;
}

export interface ReceiverDeps {
  /** Defaults to the OTLP sink (HTTP or gRPC) built from config.otlp. */
  sink?: LogSink;
  /** Defaults to the undici Asana client. */
  api?: AsanaApi;
  onPage?: (report: PageReport) => void;
  /** Retry delay per attempt, for the Asana client and the exporter (tests shorten it). */
  backoff?: (attempt: number) => number;
  /** How exports are acknowledged (partial success, how long to wait for the collector): export/shipper.ts. */
  delivery?: DeliveryPolicy;
  /** Sees every stream's life: responses, export attempts, commits, failures. */
  observer?: ReceiverObserver;
}

/**
 * Wiring: one state store (locked), one token budget, one sink, and a stream per workspace and
 * enabled stream (audit_log, workspace_events), plus one per ASANA_EVENT_RESOURCES entry
 * (resource_events). Streams run concurrently and share the token's request budget, served first
 * come, first served (RateLimiter), so a busy stream cannot starve another. An error confined to
 * one stream stops that stream only; an error that concerns them all stops them all (see all()).
 */
export class Receiver {
  readonly streams: Stream[];
  private readonly store: StateStore;
  private readonly sink: LogSink;
  private readonly client?: AsanaClient;
  private readonly dispatcher?: Dispatcher;
  private readonly log: Logger;
  private readonly observer: ReceiverObserver | undefined;

  private constructor(streams: Stream[], store: StateStore, sink: LogSink, log: Logger, client?: AsanaClient, observer?: ReceiverObserver, dispatcher?: Dispatcher) {
    this.streams = streams;
    this.store = store;
    this.sink = sink;
    this.log = log;
    this.client = client;
    this.observer = observer;
    this.dispatcher = dispatcher;
  }

  static async create(config: Config, log: Logger, deps: ReceiverDeps = {}): Promise<Receiver> {
    const store = await openFileStateStore(config.stateFile, {
      onWarning: (message: string) => log.warn(message, { stateFile: config.stateFile }),
    });
    // One budget for every stream and workspace of the token, with a little left unused (rate-limiter.ts).
    const limiter = new RateLimiter(pacedRequestsPerMinute(config.asana.maxRequestsPerMinute));
    const observer = deps.observer;
    // Asana through the proxy the environment names (HTTPS_PROXY, NO_PROXY); closed by close().
    const dispatcher = deps.api ? undefined : createProxyDispatcher({ keepAliveTimeout: 30_000, connections: 16 });
    const client = dispatcher
      ? new AsanaClient({
          dispatcher,
          apiUrl: config.asana.apiUrl,
          token: config.asana.token,
          limiter,
          log,
          backoff: deps.backoff,
          onResponse: observer && ((status, info) => observer.apiResponse(status, info)),
        })
      : undefined;
    const api = deps.api ?? client!;
    const sink = deps.sink ?? (await createLogSink(config.otlp));
    const streams: Stream[] = [];
    const resourceOf = (workspaceGid: string) =>
      buildResource({ serviceName: config.serviceName, resourceAttributes: config.resourceAttributes, workspaceGid });
    const common = { api, store, pollIntervalMs: config.asana.pollIntervalMs, log, backoff: deps.backoff, delivery: deps.delivery };
    /**
     * Builds one stream with its hooks: its view of the sink reports export attempts under its key,
     * commits and catch-ups go to the observer (health, metrics, progress) and to deps.onPage.
     */
    const observe = (kind: string, workspaceGid: string, startsAt: string | undefined, build: (hooks: StreamHooks) => Stream): Stream => {
      let key = '';
      const stream = build({
        sink: observer ? observedSink(sink, () => key, observer) : sink,
        onPage: (report) => {
          observer?.pageCommitted(report);
          deps.onPage?.(report);
        },
        onCaughtUp: observer && ((k) => observer.caughtUp(k)),
      });
      key = stream.key;
      const saved = store.get(key);
      observer?.streamRegistered({ key, stream: kind, workspaceGid, lastEventAt: saved?.lastEventAt, startsAt: saved?.startAt ?? startsAt });
      return stream;
    };
    for (const workspaceGid of config.asana.workspaceGids) {
      if (config.asana.streams.includes('audit_log')) {
        const resource = resourceOf(workspaceGid);
        const { lateWindowMs, lateRescanIntervalMs, auditFilters: filters } = config.asana;
        streams.push(
          observe('audit_log', workspaceGid, resolveStartAt(config.asana.startAt, new Date()).toISOString(), (hooks) =>
            new AuditLogStream({
              ...common, ...hooks, resource, workspaceGid, filters, startAt: config.asana.startAt,
              // Late events: the stream re-scans its trailing window between polls (late-rescan.ts).
              lateWindowMs, lateRescanIntervalMs,
              // Enough time windows read at once to use the token's budget (streams/audit-log/planner.ts).
              slices: sliceConcurrency(config.asana.maxRequestsPerMinute),
            }),
          ),
        );
      }
      if (config.asana.streams.includes('workspace_events')) {
        streams.push(
          observe('workspace_events', workspaceGid, undefined, (hooks) =>
            new EventStream({ ...common, ...hooks, source: 'workspace_events', resource: resourceOf(workspaceGid), workspaceGid }),
          ),
        );
      }
    }
    if (config.asana.streams.includes('resource_events')) {
      for (const { workspaceGid, resourceGid } of config.asana.eventResources) {
        streams.push(
          observe('resource_events', workspaceGid, undefined, (hooks) =>
            new EventStream({ ...common, ...hooks, source: 'resource_events', resource: resourceOf(workspaceGid), workspaceGid, resourceGid }),
          ),
        );
      }
    }
    return new Receiver(streams, store, sink, log, client, observer, dispatcher);
  }

  /** Where records go, for the start-up line. */
  get target(): string {
    return this.sink.target ?? 'stdout';
  }

  /**
   * Every stream until caught up (an empty page); resolves with the number of records shipped.
   * A stream that fails on its own does not stop the others; once they are done, it is reported.
   */
  async once(signal: AbortSignal): Promise<number> {
    const { results, failures } = await this.all(signal, (s, inner) => s.catchUp(inner));
    const shipped = results.reduce((n, r) => n + r.shipped, 0);
    if (failures.length > 0) throw this.failure(failures, `the other streams caught up, shipping ${shipped} records`);
    return shipped;
  }

  /** Polls forever; resolves after shutdown (signal aborted). Stops early only when every stream failed. */
  async run(signal: AbortSignal): Promise<void> {
    const { failures } = await this.all(signal, (s, inner) => s.run(inner));
    if (failures.length > 0) throw this.failure(failures, 'no stream is left running');
  }

  // --- one workspace's failure does not stop the others ---

  /**
   * Runs every stream. An error confined to one stream (isConfinedToStream) stops that stream: it is
   * logged with its key and workspace, the observer marks it failed (/readyz), and the others go on.
   * Any other error concerns every stream (the token refused, the state file, the collector rejecting
   * records, a bug): it aborts them all and is rethrown. Shutdown (signal) throws AbortedError.
   */
  private async all<T>(
    signal: AbortSignal,
    fn: (s: Stream, inner: AbortSignal) => Promise<T>,
  ): Promise<{ results: T[]; failures: Array<{ key: string; error: ReceiverError }> }> {
    const inner = new AbortController();
    const onAbort = () => inner.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    let fatal: { error: unknown } | undefined;
    const results: T[] = [];
    const failures: Array<{ key: string; error: ReceiverError }> = [];
    try {
      await Promise.all(
        this.streams.map(async (s) => {
          try {
            results.push(await fn(s, inner.signal));
          } catch (err) {
            if (err instanceof AbortedError) return;
            const confined = isConfinedToStream(err);
            this.observer?.streamFailed(s.key, err, confined);
            if (confined) {
              failures.push({ key: s.key, error: err });
              if (this.streams.length > 1) {
                const others = failures.length < this.streams.length ? '; the other streams go on' : '';
                this.log.error(`stream ${s.key} stopped: ${err.message}${others}`, { stream: s.key, code: err.code });
              }
              return;
            }
            if (fatal === undefined) {
              fatal = { error: err };
              inner.abort();
            }
          }
        }),
      );
      if (fatal !== undefined) throw fatal.error;
      if (signal.aborted) throw new AbortedError();
      return { results, failures };
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  /** The error to end with: a lone stream's own error, else a summary naming each failed stream. */
  private failure(failures: Array<{ key: string; error: ReceiverError }>, others: string): ReceiverError {
    if (failures.length === 1 && this.streams.length === 1) return failures[0]!.error;
    return new StreamsFailedError(
      failures.map((f) => ({ key: f.key, code: f.error.code, exitCode: f.error.exitCode })),
      this.streams.length,
      failures.length < this.streams.length ? others : undefined,
    );
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.sink.shutdown(), this.client?.close(), this.dispatcher?.close()]);
    await this.store.close();
    this.log.debug('receiver closed');
  }
}

/**
 * Errors about one stream's own access or request — Asana refusing that workspace (403), not knowing
 * it (404), or rejecting that stream's query (another 4xx) — stop that stream only. A 401 means the
 * token itself was refused: every stream would fail the same way, so it stops the process.
 */
export function isConfinedToStream(err: unknown): err is ReceiverError {
  if (err instanceof CredentialsError) return err.status === 403;
  return err instanceof AsanaRequestError;
}
