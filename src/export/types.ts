import type { Resource } from '@opentelemetry/resources';
import type { MappedRecord } from '../mapping/types.ts';

/** Outcome of one export attempt, as data (otel-js ExportResponse habit): the transport never throws. */
export type ExportOutcome =
  | { kind: 'ok'; /** records the collector reported as rejected in a partial success */ rejectedRecords: number; message?: string }
  | { kind: 'retryable'; reason: string; /** from the collector's Retry-After, when it sent one */ retryAfterMs?: number }
  | { kind: 'rejected'; status: number; reason: string };

export interface LogBatch {
  resource: Resource;
  records: MappedRecord[];
}

/** Where records go: an OTLP/HTTP endpoint, or the demo's console. */
export interface LogSink {
  /** Where records go, for messages (a URL without credentials or query), if anywhere. */
  readonly target?: string;
  /** One attempt. Resolves with the outcome; rejects only with AbortedError on shutdown. */
  export(batch: LogBatch, signal?: AbortSignal): Promise<ExportOutcome>;
  shutdown(): Promise<void>;
}
