import { collectorMessage } from './classify.ts';
import type { ExportOutcome } from './types.ts';

/**
 * A gRPC status from the collector -> the export outcome. The OTLP spec
 * (https://opentelemetry.io/docs/specs/otlp/#failures-1) lists the retryable codes: CANCELLED,
 * DEADLINE_EXCEEDED, ABORTED, OUT_OF_RANGE, UNAVAILABLE, DATA_LOSS, and RESOURCE_EXHAUSTED when the
 * server can recover (treated as retryable here: a collector's full queue drains). Every other code
 * is permanent: retrying the same bytes fails the same way. Only OK is delivered.
 */

export const GRPC_CODE_NAMES = [
  'OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND', 'ALREADY_EXISTS',
  'PERMISSION_DENIED', 'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION', 'ABORTED', 'OUT_OF_RANGE',
  'UNIMPLEMENTED', 'INTERNAL', 'UNAVAILABLE', 'DATA_LOSS', 'UNAUTHENTICATED',
] as const;

const RETRYABLE = new Set([1, 4, 8, 10, 11, 14, 15]);

export function grpcCodeName(code: number): string {
  return GRPC_CODE_NAMES[code] ?? `code ${code}`;
}

/**
 * `details` is the status message; `retryAfterMs` the RetryInfo delay, when the collector sent one.
 * A non-OK outcome has status 0 (no HTTP status): the reason names the gRPC code.
 */
export function grpcStatusOutcome(code: number, details: string, retryAfterMs?: number): ExportOutcome {
  if (code === 0) return { kind: 'ok', rejectedRecords: 0 };
  const message = collectorMessage(details);
  const reason = `the collector answered gRPC ${grpcCodeName(code)}${message ? `: ${message}` : ''}`;
  if (RETRYABLE.has(code)) return retryAfterMs !== undefined ? { kind: 'retryable', reason, retryAfterMs } : { kind: 'retryable', reason };
  const fix =
    code === 16 || code === 7 ? ' (check the credentials in OTEL_EXPORTER_OTLP_HEADERS)' : code === 12 ? ' (does the endpoint speak OTLP/gRPC? OTEL_EXPORTER_OTLP_PROTOCOL)' : '';
  return { kind: 'rejected', status: 0, reason: reason + fix };
}
