import type { ResponseInfo } from '../asana/client.ts';
import type { Config } from '../config/index.ts';
import { recordCount, type EncodedBatch, type ExportOutcome, type LogBatch, type LogSink } from '../export/types.ts';
import type { Logger } from '../log.ts';
import { GAP_EVENT_NAME } from '../mapping/attributes.ts';
import type { PageReport } from '../streams/types.ts';
import { createSelfMetrics, NO_METRICS, type SelfMetrics } from './metrics.ts';
import { Progress } from '../progress/tracker.ts';
import type { TtyLine } from '../progress/tty-line.ts';
import { StreamStatusBoard } from './stream-status.ts';
import { ShippedSummary } from './summary.ts';

/**
 * What the receiver tells the outside world about its streams. The receiver calls these hooks;
 * nothing here can fail a stream or slow it down (each hook only updates memory).
 */
export interface ReceiverObserver {
  /** A stream exists; `lastEventAt` is its saved position, `startsAt` where it resumes without one. */
  streamRegistered(info: { key: string; stream: string; workspaceGid: string; lastEventAt?: string; startsAt?: string }): void;
  /** Every Asana response (or network error), as the client saw it. */
  apiResponse(status: number | 'error', info: ResponseInfo): void;
  /** Every export attempt of a stream and its outcome. */
  exportAttempt(key: string, batch: LogBatch | EncodedBatch, outcome: ExportOutcome): void;
  /** A page was exported, acknowledged and committed. */
  pageCommitted(report: PageReport): void;
  caughtUp(key: string): void;
  /** The stream stopped on `error`; `confined`: the other streams go on. */
  streamFailed(key: string, error: unknown, confined: boolean): void;
}

/** A stream's view of the shared sink: the same sink, with each attempt reported to the observer. */
export function observedSink(sink: LogSink, key: () => string, observer: ReceiverObserver): LogSink {
  return {
    get target() {
      return sink.target;
    },
    // Pre-encoding (LogSink.encode) stays available through the observed view.
    ...(sink.encode ? { encode: (batch: LogBatch) => sink.encode!(batch) } : {}),
    async export(batch, signal) {
      const outcome = await sink.export(batch, signal);
      observer.exportAttempt(key(), batch, outcome);
      return outcome;
    },
    // The shared sink is shut down once, by the receiver.
    shutdown: () => Promise.resolve(),
  };
}

export interface TelemetryOptions {
  mode: 'run' | 'once';
  /** On a terminal, the progress bar's line; else progress goes to the log. */
  line?: TtyLine;
  /** Tests: the progress log interval. */
  progressLogIntervalMs?: number;
  /** Tests: how often `run` logs its shipped summary (summary.ts). */
  summaryIntervalMs?: number;
}

/**
 * The one observer of a receiver process: the stream status board (/healthz, /readyz), the
 * self-telemetry metrics and the backfill progress, all fed from the same hooks.
 */
export class Telemetry implements ReceiverObserver {
  readonly board: StreamStatusBoard;
  readonly progress: Progress;
  /** `run` only: a job (`once`) ends with its own summary line. */
  private readonly summary: ShippedSummary | undefined;
  private metrics: SelfMetrics = NO_METRICS;
  private readonly config: Config;
  private readonly log: Logger;

  constructor(config: Config, log: Logger, opts: TelemetryOptions) {
    this.config = config;
    this.log = log;
    this.board = new StreamStatusBoard({ pollIntervalMs: config.asana.pollIntervalMs });
    const progress: ConstructorParameters<typeof Progress>[0] = { mode: opts.mode, pollIntervalMs: config.asana.pollIntervalMs, log };
    if (opts.line) progress.line = opts.line;
    if (opts.progressLogIntervalMs !== undefined) progress.logIntervalMs = opts.progressLogIntervalMs;
    this.progress = new Progress(progress);
    if (opts.mode === 'run') this.summary = new ShippedSummary({ log, reports: () => this.board.reports(), intervalMs: opts.summaryIntervalMs });
  }

  /** Starts the metric reader and the progress timer (after the streams are registered). */
  start(): void {
    if (this.config.metrics) {
      this.metrics = createSelfMetrics(this.config.metrics, {
        board: this.board,
        log: this.log,
        resourceAttributes: this.config.resourceAttributes,
      });
    }
    this.progress.start();
    this.summary?.start();
  }

  /** Stops the progress output and sends the last metrics (bounded: metrics never hold up an exit). */
  async shutdown(): Promise<void> {
    this.progress.stop();
    this.summary?.stop();
    // The last export shows the streams as they ended their work, not as "stopped".
    const metrics = this.metrics;
    this.metrics = NO_METRICS;
    await metrics.shutdown();
    this.board.stopped();
  }

  streamRegistered(info: { key: string; stream: string; workspaceGid: string; lastEventAt?: string; startsAt?: string }): void {
    this.board.register(info);
    this.progress.register(info.key, info.lastEventAt ?? info.startsAt);
  }

  apiResponse(status: number | 'error', info: ResponseInfo): void {
    this.metrics.apiResponse(status, info);
    for (const key of this.board.keysOfWorkspace(info.workspaceGid)) {
      if (info.outcome === 'retry') {
        this.board.problem(key, info.rateLimited ? 'ERR_ASANA_RATE_LIMITED' : 'ERR_ASANA_UNAVAILABLE', info.reason ?? `Asana answered ${status}`);
      } else {
        this.board.activity(key);
      }
    }
  }

  exportAttempt(key: string, batch: LogBatch | EncodedBatch, outcome: ExportOutcome): void {
    const meta = this.board.meta(key);
    if (meta) {
      // Gap records are never pre-encoded (only audit pages are), so an encoded batch holds none.
      const gaps = 'records' in batch ? batch.records.reduce((n, r) => (r.eventName === GAP_EVENT_NAME ? n + 1 : n), 0) : 0;
      this.metrics.exportAttempt(meta, recordCount(batch), gaps, outcome);
    }
    if (outcome.kind === 'retryable') this.board.problem(key, 'ERR_EXPORT_UNAVAILABLE', outcome.reason);
    else if (outcome.kind === 'rejected') this.board.problem(key, 'ERR_EXPORT_REJECTED', outcome.reason);
    else this.board.activity(key);
  }

  pageCommitted(report: PageReport): void {
    this.board.pageCommitted(report.key, report.received, report.shipped, report.lastEventAt);
    this.progress.pageCommitted(report.key, report.shipped, report.lastEventAt);
    this.summary?.shipped(report.shipped);
    const meta = this.board.meta(report.key);
    if (meta) this.metrics.pageCommitted(meta, report.received);
  }

  caughtUp(key: string): void {
    this.board.caughtUp(key);
    this.progress.caughtUp(key);
  }

  streamFailed(key: string, error: unknown, confined: boolean): void {
    this.board.failed(key, (error ?? {}) as { code?: unknown; message?: unknown }, confined);
    this.progress.ended(key);
  }
}
