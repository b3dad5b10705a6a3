import type { Resource } from '@opentelemetry/resources';
import { AbortedError, ExportRejectedError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { mapGap, type Gap } from '../mapping/gap.ts';
import type { MappedRecord } from '../mapping/types.ts';
import { backoffDelay, sleep } from '../retry.ts';
import { formatDelay } from './deliver.ts';
import { recordCount, type EncodedBatch, type LogBatch, type LogSink } from './types.ts';

/**
 * One stream's way out: "export, wait for the collector's acknowledgement, then commit", written
 * once. Every stream ships its pages and its gap records here, and hands over the commit that the
 * acknowledgement allows; a crash between the two re-ships the batch (same log.record.uid), never
 * skips it.
 */

export type DeliverLog = (level: 'warn' | 'info', msg: string, meta: Record<string, unknown>) => void;

export interface DeliverOptions {
  signal?: AbortSignal;
  log?: DeliverLog;
  /** Delay before retry number `attempt` (1-based); defaults to backoffDelay. Tests inject a tiny one. */
  backoff?: (attempt: number) => number;
}

/**
 * The exporter's one retry wrapper (otel-js RetryingTransport habit): resolves only once the
 * collector acknowledged the batch, so the caller can then — and only then — commit its cursor.
 *   - retryable: retried forever (an audit trail must survive a collector's bad hour), with capped
 *     exponential backoff from src/retry.ts, or the collector's Retry-After when it sent one;
 *   - rejected: ExportRejectedError. Skipping the page would lose events, so the stream stops;
 *   - shutdown (signal): AbortedError, promptly, even in the middle of a backoff wait.
 * Logs name the target, the attempt and the wait; never header values (they may hold API keys).
 */
export async function exportUntilAcknowledged(
  sink: LogSink & { readonly target?: string },
  batch: LogBatch | EncodedBatch,
  opts: DeliverOptions = {},
): Promise<{ attempts: number; rejectedRecords: number }> {
  const { signal, log } = opts;
  const backoff = opts.backoff ?? ((attempt: number) => backoffDelay(attempt));
  const target = sink.target;
  const where = target ? `collector at ${target}` : 'the collector';
  const records = recordCount(batch);

  for (let attempt = 1; ; attempt++) {
    if (signal?.aborted) throw new AbortedError();
    const outcome = await sink.export(batch, signal);

    if (outcome.kind === 'ok') {
      if (attempt > 1) {
        log?.('info', `${where} accepted the batch after ${attempt} attempts`, { target, attempts: attempt, records });
      }
      if (outcome.rejectedRecords > 0) {
        // A partial success is final (OTLP spec: the client must not resend); all we can do is say so.
        log?.('warn', `${where} accepted the batch but dropped ${outcome.rejectedRecords} of ${records} records: ${outcome.message ?? 'no reason given'}`, {
          target,
          records,
          rejectedRecords: outcome.rejectedRecords,
          reason: outcome.message,
        });
      }
      return { attempts: attempt, rejectedRecords: outcome.rejectedRecords };
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

    const delayMs = Math.max(0, outcome.retryAfterMs ?? backoff(attempt));
    const why = outcome.retryAfterMs !== undefined ? ' (as the collector asked)' : '';
    log?.('warn', `${where} unavailable: ${outcome.reason}; attempt ${attempt}, retrying in ${formatDelay(delayMs)}${why}; the cursor stays where it is`, {
      target,
      attempt,
      delayMs,
      retryAfter: outcome.retryAfterMs !== undefined,
      reason: outcome.reason,
      records,
    });
    await sleep(delayMs, signal);
  }
}

/** A gap as a stream reports it: the shipper adds which stream it is. */
export type StreamGap = Omit<Gap, 'source' | 'stream'>;

export interface ShipperOptions {
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
   * nothing new to ship): only the commit.
   */
  async ship(batch: LogBatch | EncodedBatch | undefined, signal: AbortSignal, commit?: Commit): Promise<void> {
    if (batch !== undefined && recordCount(batch) > 0) {
      await exportUntilAcknowledged(this.o.sink, batch, { signal, backoff: this.o.backoff, log: this.log });
    }
    await commit?.();
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
    await this.ship(this.batch([mapGap(full, at)]), signal, commit);
  }
}

function validIso(d: Date | undefined): string | undefined {
  return d && !Number.isNaN(d.getTime()) ? d.toISOString() : undefined;
}
