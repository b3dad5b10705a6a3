import { AbortedError, ExportRejectedError } from '../errors.ts';
import { backoffDelay, sleep } from '../retry.ts';
import { recordCount, type EncodedBatch, type LogBatch, type LogSink } from './types.ts';

/**
 * The exporter's one retry wrapper (otel-js RetryingTransport habit): resolves only once the
 * collector acknowledged the batch, so the caller can then — and only then — commit its cursor.
 *   - retryable: retried forever (an audit trail must survive a collector's bad hour), with capped
 *     exponential backoff from src/retry.ts, or the collector's Retry-After when it sent one;
 *   - rejected: ExportRejectedError. Skipping the page would lose events, so the stream stops;
 *   - shutdown (signal): AbortedError, promptly, even in the middle of a backoff wait.
 * Logs name the target, the attempt and the wait; never header values (they may hold API keys).
 */

export type DeliverLog = (level: 'warn' | 'info', msg: string, meta: Record<string, unknown>) => void;

export interface DeliverOptions {
  signal?: AbortSignal;
  log?: DeliverLog;
  /** Delay before retry number `attempt` (1-based); defaults to backoffDelay. Tests inject a tiny one. */
  backoff?: (attempt: number) => number;
}

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

/** 250 -> "250ms", 4000 -> "4s", 1500 -> "1.5s", 90000 -> "1m30s". */
export function formatDelay(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${Math.round(ms / 100) / 10}s`;
  const s = Math.round(ms / 1000);
  return s % 60 === 0 ? `${s / 60}m` : `${Math.floor(s / 60)}m${s % 60}s`;
}
