import type { Resource } from '@opentelemetry/resources';
import type { MappedRecord } from '../mapping/types.ts';

/** Outcome of one export attempt, as data (otel-js ExportResponse habit): the transport never throws. */
export type ExportOutcome =
  | { kind: 'ok'; /** 0 from the OTLP sinks: a partial success is `partial` */ rejectedRecords: number; /** a warning the collector sent along */ message?: string }
  /**
   * A 2xx reporting rejected records (https://opentelemetry.io/docs/specs/otlp/#partial-success-1):
   * the collector stored the others and will never store these; the spec says not to resend.
   * Not an acknowledgement of the page: the shipper decides (export/shipper.ts).
   */
  | { kind: 'partial'; rejectedRecords: number; /** the collector's error_message, scrubbed, one line ('' when it gave none) */ message: string }
  | { kind: 'retryable'; reason: string; /** from the collector's Retry-After, when it sent one */ retryAfterMs?: number }
  | { kind: 'rejected'; status: number; reason: string };

export interface LogBatch {
  resource: Resource;
  records: MappedRecord[];
}

/** A batch its sink encoded ahead of the export (LogSink.encode): the request body, nothing else. */
export interface EncodedBatch {
  readonly body: Uint8Array;
  readonly recordCount: number;
}

/** Records in a batch, encoded or not. */
export function recordCount(batch: LogBatch | EncodedBatch): number {
  return 'records' in batch ? batch.records.length : batch.recordCount;
}

/** The bytes of a batch's encoded request body; 0 for a batch not encoded ahead (its size is not known). */
export function encodedBytes(batch: LogBatch | EncodedBatch | undefined): number {
  return batch === undefined || 'records' in batch ? 0 : batch.body.byteLength;
}

/** Where records go: an OTLP/HTTP endpoint, or the demo's console. */
export interface LogSink {
  /** Where records go, for messages (a URL without credentials or query), if anywhere. */
  readonly target?: string;
  /**
   * Optional: encodes a batch ahead of its export. A page fetched ahead then waits as one compact
   * request body instead of thousands of small objects, and every retry sends the same bytes.
   * export() accepts what it returns.
   */
  encode?(batch: LogBatch): Promise<EncodedBatch>;
  /** One attempt. Resolves with the outcome; rejects only with AbortedError on shutdown. */
  export(batch: LogBatch | EncodedBatch, signal?: AbortSignal): Promise<ExportOutcome>;
  shutdown(): Promise<void>;
}
