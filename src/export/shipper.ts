import type { Resource } from '@opentelemetry/resources';
import { AbortedError, ExportRejectedError, ExportUnavailableError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { mapGap, type Gap } from '../mapping/gap.ts';
import type { MappedRecord } from '../mapping/types.ts';
import { backoffDelay, sleep } from '../retry.ts';
import { formatDuration } from '../duration.ts';
import { nextAttempt, Outage } from './deliver.ts';

/** A delay in log lines: the two largest units ("1m30s", "4s", "250ms"). */
const formatDelay = (ms: number) => formatDuration(Math.round(ms), { units: 2 });
import { recordCount, type EncodedBatch, type LogBatch, type LogSink } from './types.ts';

/**
 * One stream's way out: "export, wait for the collector's acknowledgement, then commit", written
 * once. Every stream ships its pages and its gap records here, and hands over the commit that the
 * acknowledgement allows; a crash between the two re-ships the batch (same log.record.uid), never
 * skips it.
 */

export type DeliverLog = (level: 'warn' | 'info', msg: string, meta: Record<string, unknown>) => void;

/** The setting that opts in to committing a page the collector stored only in part. */
export const ACCEPT_PARTIAL_SUCCESS_VARIABLE = 'ASANA_ACCEPT_PARTIAL_SUCCESS';

/** How a stream's exports treat a collector that is away or drops records. */
export interface DeliveryPolicy {
  /**
   * Commit a page the collector stored only in part (OTLP partial success), recording the rejected
   * records as a `collector_rejected` gap. Default false: the page stays uncommitted and the
   * stream stops with ExportRejectedError (exit 5), so nothing is lost unannounced.
   */
  acceptPartialSuccess?: boolean;
  /**
   * Stop with ExportUnavailableError once the collector has been unreachable (retryable answers
   * only) for this long; unset: wait out any outage (`run`). `once` sets ONCE_GIVE_UP_AFTER_MS.
   */
  giveUpAfterMs?: number;
}

export interface DeliverOptions extends DeliveryPolicy {
  signal?: AbortSignal;
  log?: DeliverLog;
  /** Delay before retry number `attempt` (1-based); defaults to backoffDelay. Tests inject a tiny one. */
  backoff?: (attempt: number) => number;
  /** The outage this export is part of (a stream's exports share one); default: its own. */
  outage?: Outage;
}

/** What the collector did with an acknowledged batch: a partial success reports rejected records. */
export interface Delivered {
  attempts: number;
  rejectedRecords: number;
  /** The collector's message about the rejected records ('' when it gave none). */
  message?: string;
}

/**
 * The collector stayed unreachable longer than the bound a job waits (`once`): nothing past the
 * last acknowledged page was committed.
 */
/**
 * The exporter's one retry wrapper (otel-js RetryingTransport habit): resolves only once the
 * collector acknowledged the batch, so the caller can then — and only then — commit its cursor.
 *   - retryable: retried (an audit trail must survive a collector's bad hour), with capped
 *     exponential backoff from src/retry.ts, or the collector's Retry-After when it sent one;
 *     forever, or until the outage lasted `giveUpAfterMs`: ExportUnavailableError;
 *   - partial success: final, never resent (https://opentelemetry.io/docs/specs/otlp/#partial-success-1).
 *     By default ExportRejectedError naming the collector's message and ACCEPT_PARTIAL_SUCCESS_VARIABLE;
 *     with `acceptPartialSuccess`, resolves with the rejected count for the caller to record;
 *   - rejected: ExportRejectedError. Skipping the page would lose events, so the stream stops;
 *   - shutdown (signal): AbortedError, promptly, even in the middle of a backoff wait.
 * Logs name the target, the attempt and the wait; never header values (they may hold API keys).
 */
export async function exportUntilAcknowledged(
  sink: LogSink & { readonly target?: string },
  batch: LogBatch | EncodedBatch,
  opts: DeliverOptions = {},
): Promise<Delivered> {
  const { signal, log } = opts;
  const backoff = opts.backoff ?? ((attempt: number) => backoffDelay(attempt));
  const outage = opts.outage ?? new Outage();
  const target = sink.target;
  const where = target ? `collector at ${target}` : 'the collector';
  const records = recordCount(batch);

  for (let attempt = 1; ; attempt++) {
    if (signal?.aborted) throw new AbortedError();
    const outcome = await sink.export(batch, signal);

    if (outcome.kind === 'ok' || outcome.kind === 'partial') {
      outage.ended();
      if (attempt > 1) {
        log?.('info', `${where} accepted the batch after ${attempt} attempts`, { target, attempts: attempt, records });
      }
      const rejected = outcome.rejectedRecords;
      const message = outcome.message ?? '';
      if (rejected <= 0) return { attempts: attempt, rejectedRecords: 0 };
      if (!opts.acceptPartialSuccess) {
        throw new ExportRejectedError(
          200,
          `${where} stored only part of a batch of ${records} records and rejected ${rejected} ` +
            `(OTLP partial success): ${message || 'no reason given'}. The cursor was not advanced, so nothing is lost; ` +
            'fix the cause on the collector and restart to send the page again (the records it stored arrive twice, with the same log.record.uid), ' +
            `or set ${ACCEPT_PARTIAL_SUCCESS_VARIABLE}=true to commit such pages and record each rejection as a collector_rejected gap`,
        );
      }
      return { attempts: attempt, rejectedRecords: rejected, message };
    }

    if (outcome.kind === 'rejected') {
      throw new ExportRejectedError(
        outcome.status,
        `${where} rejected a batch of ${records} records` +
          (outcome.status > 0 ? ` with HTTP ${outcome.status}` : '') +
          `: ${outcome.reason}. The cursor was not advanced, so no event is skipped; ` +
          'fix the cause and restart to resume from the same place',
      );
    }

    const { warn, lastedMs } = outage.failed(attempt, Date.now());
    const next = nextAttempt(lastedMs, outcome.retryAfterMs ?? backoff(attempt), opts.giveUpAfterMs);
    if (next.giveUp) {
      throw new ExportUnavailableError(
        `${where} unavailable for ${formatDelay(lastedMs)} (${outcome.reason}); giving up after ${formatDelay(opts.giveUpAfterMs ?? 0)}. ` +
          'Nothing past the last acknowledged page was committed: the next run resumes from there. ' +
          'Start the collector, or point OTEL_EXPORTER_OTLP_ENDPOINT (or OTEL_EXPORTER_OTLP_LOGS_ENDPOINT) at it; ASANA_ONCE_COLLECTOR_WAIT sets how long `once` waits',
      );
    }
    if (warn) {
      const why = outcome.retryAfterMs !== undefined ? ' (as the collector asked)' : '';
      log?.('warn', `${where} unavailable: ${outcome.reason}; attempt ${attempt}, retrying in ${formatDelay(next.waitMs)}${why}; the cursor stays where it is`, {
        target,
        attempt,
        delayMs: next.waitMs,
        retryAfter: outcome.retryAfterMs !== undefined,
        reason: outcome.reason,
        records,
      });
    }
    await sleep(next.waitMs, signal);
  }
}

/** A gap as a stream reports it: the shipper adds which stream it is. */
export type StreamGap = Omit<Gap, 'source' | 'stream'>;

export interface ShipperOptions extends DeliveryPolicy {
  sink: LogSink;
  resource: Resource;
  log: Logger;
  /** The stream name (audit_log, workspace_events, resource_events): a gap's asana.event.source. */
  source: string;
  /** The stream's state key: every log line's `stream`, and a gap's asana.receiver.stream. */
  stream: string;
  /** Retry delay per attempt (default: the capped exponential backoff). */
  backoff?: (attempt: number) => number;
  /** Extra fields of every log line about this shipper's exports (e.g. lateRescan: true). */
  logMeta?: Record<string, unknown>;
}

/** What a commit after the acknowledgement does; it runs only once the collector accepted. */
export type Commit = () => Promise<void>;

export class Shipper {
  private readonly o: ShipperOptions;
  private readonly log: DeliverLog;
  /** One outage for every export of this stream in flight: one warning per attempt, one bound. */
  private readonly outage = new Outage();

  constructor(opts: ShipperOptions) {
    this.o = opts;
    this.log = (level, msg, meta) => opts.log.log(level, msg, { stream: opts.stream, ...opts.logMeta, ...meta });
  }

  /** The records as a batch of this stream's resource. */
  batch(records: MappedRecord[]): LogBatch {
    return { resource: this.o.resource, records };
  }

  /**
   * Exports `batch` until the collector acknowledges it, then runs `commit`. No batch (a page with
   * nothing new to ship): only the commit. With `gap` (what the page's commit leaves out), its
   * record is shipped after the batch, and acknowledged before the commit. A partial success
   * accepted by the policy is a gap too.
   */
  async ship(batch: LogBatch | EncodedBatch | undefined, signal: AbortSignal, commit?: Commit, gap?: StreamGap): Promise<void> {
    const gaps: StreamGap[] = [];
    if (batch !== undefined && recordCount(batch) > 0) {
      const delivered = await this.deliver(batch, signal);
      if (delivered.rejectedRecords > 0) gaps.push(this.rejectionGap(recordCount(batch), delivered));
    }
    if (gap) gaps.push(gap);
    for (const [i, g] of gaps.entries()) await this.shipGap(g, new Date(), signal, i === gaps.length - 1 ? (commit ?? noCommit) : noCommit);
    if (gaps.length === 0) await commit?.();
  }

  /**
   * A gap is a record, not silence: one `asana.receiver.gap` record naming this stream, a warning
   * in the log, and the commit of the position past the gap only after the record's acknowledgement
   * (a crash in between re-sends the record, never skips it).
   */
  async shipGap(gap: StreamGap, at: Date, signal: AbortSignal, commit: Commit): Promise<void> {
    const full: Gap = { ...gap, source: this.o.source, stream: this.o.stream };
    this.o.log.warn(`${gap.reason.replaceAll('_', ' ')}: ${gap.message}`, {
      stream: this.o.stream,
      gapReason: gap.reason,
      gapStart: validIso(gap.start),
      gapEnd: validIso(gap.end),
    });
    const delivered = await this.deliver(this.batch([mapGap(full, at)]), signal);
    if (delivered.rejectedRecords > 0) {
      // Not another gap record for it: the collector would drop that the same way.
      this.o.log.warn(`the collector rejected the gap record too: ${delivered.message || 'no reason given'}`, { stream: this.o.stream, gapReason: gap.reason });
    }
    await commit();
  }

  private deliver(batch: LogBatch | EncodedBatch, signal: AbortSignal): Promise<Delivered> {
    const { backoff, acceptPartialSuccess, giveUpAfterMs } = this.o;
    return exportUntilAcknowledged(this.o.sink, batch, { signal, backoff, acceptPartialSuccess, giveUpAfterMs, log: this.log, outage: this.outage });
  }

  /** The records a collector rejected in a partial success it was allowed to make. */
  private rejectionGap(records: number, delivered: Delivered): StreamGap {
    const where = this.o.sink.target ? `the collector at ${this.o.sink.target}` : 'the collector';
    return {
      reason: 'collector_rejected',
      message:
        `${where} stored ${records - delivered.rejectedRecords} of ${records} records of a page and rejected ${delivered.rejectedRecords} ` +
        `(OTLP partial success): ${delivered.message || 'no reason given'}. The rejected records are stored nowhere; ` +
        `the page was committed because ${ACCEPT_PARTIAL_SUCCESS_VARIABLE} is on`,
    };
  }
}

const noCommit: Commit = () => Promise.resolve();

function validIso(d: Date | undefined): string | undefined {
  return d && !Number.isNaN(d.getTime()) ? d.toISOString() : undefined;
}
