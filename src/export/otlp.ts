import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { JsonLogsSerializer, ProtobufLogsSerializer } from '@opentelemetry/otlp-transformer';
import { Agent, request, type Dispatcher } from 'undici';
import type { OtlpConfig } from '../config.ts';
import { AbortedError } from '../errors.ts';
import { PACKAGE_NAME, PACKAGE_VERSION } from '../version.ts';
import { classifyExportResponse, partialSuccessOutcome, safeUrl, statusMessageFromProtobuf } from './classify.ts';
import { toReadableLogRecords } from './records.ts';
import type { ExportOutcome, LogBatch, LogSink } from './types.ts';

/**
 * OTLP/HTTP log transport: one POST per export() call, and the outcome as data.
 *
 * Deliberately not the SDK's LoggerProvider -> BatchLogRecordProcessor -> OTLPLogExporter path:
 * the processor drops records when its queue is full, forceFlush resolves after a failed export,
 * and the exporter gives up retrying after ~10 s. Here the otlp-transformer serializers build the
 * exact bytes, undici sends them, and only the collector's 2xx counts as delivered. Retrying is
 * the caller's business (deliver.ts), so that a page is retried as a whole until acknowledged.
 */

/** Idle keep-alive sockets are closed after this; collectors' own idle timeouts are usually longer. */
export const KEEP_ALIVE_TIMEOUT_MS = 30_000;
/** Exports are sequential per stream; a few sockets cover several streams sharing one sink. */
export const MAX_CONNECTIONS = 4;
/** shutdown() lets an in-flight request finish for this long, then destroys the sockets. */
export const SHUTDOWN_GRACE_MS = 2_000;

const gzipAsync = promisify(gzip);

export interface OtlpLogSink extends LogSink {
  /** Where records go, safe to log: scheme, host and path only (no credentials, no query). */
  readonly target: string;
  /** Sends an export request with no records and returns the collector's answer (`validate`). */
  probe(signal?: AbortSignal): Promise<ExportOutcome>;
}

export function createOtlpLogSink(cfg: OtlpConfig, opts: { dispatcher?: Dispatcher } = {}): OtlpLogSink {
  // A dispatcher passed in belongs to the caller, who closes it; our own pooled agent is closed by shutdown().
  const ownAgent = opts.dispatcher ? undefined : new Agent({ keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS, connections: MAX_CONNECTIONS });
  const dispatcher: Dispatcher = opts.dispatcher ?? (ownAgent as Agent);
  const json = cfg.protocol === 'http/json';
  const serializer = json ? JsonLogsSerializer : ProtobufLogsSerializer;
  const headers = requestHeaders(cfg);
  const target = safeUrl(cfg.logsUrl);
  let closed = false;
  let shuttingDown: Promise<void> | undefined;

  async function exportBatch(batch: LogBatch, signal?: AbortSignal): Promise<ExportOutcome> {
    if (closed || signal?.aborted) throw new AbortedError();
    if (batch.records.length === 0) return { kind: 'ok', rejectedRecords: 0 };

    let bytes: Uint8Array | undefined;
    try {
      bytes = serializer.serializeRequest(toReadableLogRecords(batch));
      if (!bytes) throw new Error('the serializer produced no output');
    } catch (err) {
      // A bug, not a collector problem: retrying would fail the same way, so stop the stream.
      return { kind: 'rejected', status: 0, reason: `could not encode the batch as OTLP ${cfg.protocol}: ${errorText(err)}` };
    }
    return post(bytes, signal);
  }

  /** An export request with no records (`validate`): does the endpoint accept OTLP from us? */
  async function probe(signal?: AbortSignal): Promise<ExportOutcome> {
    if (closed || signal?.aborted) throw new AbortedError();
    return post(serializer.serializeRequest([]) ?? new Uint8Array(0), signal);
  }

  async function post(bytes: Uint8Array, signal?: AbortSignal): Promise<ExportOutcome> {
    let body: Uint8Array;
    try {
      body = cfg.compression === 'gzip' ? await gzipAsync(bytes) : bytes;
    } catch (err) {
      return { kind: 'rejected', status: 0, reason: `could not gzip the batch: ${errorText(err)}` };
    }
    const timeout = AbortSignal.timeout(cfg.timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    try {
      const res = await request(cfg.logsUrl, { method: 'POST', headers, body, signal: combined, dispatcher });
      const bytes = new Uint8Array(await res.body.arrayBuffer());
      return interpret(res.statusCode, res.headers, bytes);
    } catch (err) {
      if (closed || signal?.aborted) throw new AbortedError();
      if (timeout.aborted) return { kind: 'retryable', reason: `no answer within ${cfg.timeoutMs} ms (OTEL_EXPORTER_OTLP_TIMEOUT)` };
      return { kind: 'retryable', reason: errorText(err) };
    }
  }

  function interpret(status: number, resHeaders: Record<string, string | string[] | undefined>, bytes: Uint8Array): ExportOutcome {
    const type = String(resHeaders['content-type'] ?? '').toLowerCase();
    if (status >= 200 && status < 300) {
      // Delivered. A body, if any, is an ExportLogsServiceResponse that may report a partial success.
      if (bytes.length === 0) return { kind: 'ok', rejectedRecords: 0 };
      const isJson = type ? type.includes('json') : json;
      try {
        return partialSuccessOutcome(isJson ? JSON.parse(new TextDecoder().decode(bytes)) : ProtobufLogsSerializer.deserializeResponse(bytes));
      } catch {
        return { kind: 'ok', rejectedRecords: 0 };
      }
    }
    // Errors carry a google.rpc.Status in the request's encoding; proxies answer with text or HTML.
    const text = new TextDecoder().decode(bytes);
    const fromProtobuf = type.includes('protobuf') || (!type && !json) ? statusMessageFromProtobuf(bytes) : undefined;
    return classifyExportResponse(status, resHeaders, fromProtobuf ?? (type.includes('protobuf') ? '' : text), { url: cfg.logsUrl });
  }

  return {
    target,
    export: exportBatch,
    probe,
    shutdown(): Promise<void> {
      closed = true;
      if (!ownAgent) return Promise.resolve();
      shuttingDown ??= Promise.race([
        ownAgent.close(),
        new Promise<void>((resolve) => setTimeout(resolve, SHUTDOWN_GRACE_MS).unref()).then(() => ownAgent.destroy()),
      ]).catch(() => undefined);
      return shuttingDown;
    },
  };
}

/**
 * Configured headers (OTEL_EXPORTER_OTLP_HEADERS) plus ours; ours win on the wire-format ones.
 * Shared by the logs sink and the metrics exporter.
 */
export function requestHeaders(cfg: Pick<OtlpConfig, 'headers' | 'protocol' | 'compression'>): Record<string, string> {
  const out: Record<string, string> = {};
  const ours = new Set(['content-type', 'content-encoding', 'content-length', 'user-agent']);
  for (const [k, v] of Object.entries(cfg.headers)) if (!ours.has(k.toLowerCase())) out[k] = v;
  out['content-type'] = cfg.protocol === 'http/json' ? 'application/json' : 'application/x-protobuf';
  if (cfg.compression === 'gzip') out['content-encoding'] = 'gzip';
  out['user-agent'] = `${PACKAGE_NAME}/${PACKAGE_VERSION}`;
  return out;
}

/** A network error as one line: message and code (undici's, or the socket's in `cause`). No headers, ever. */
export function errorText(err: unknown): string {
  let e = err;
  if (e instanceof AggregateError && e.errors.length > 0) e = e.errors[0];
  if (!(e instanceof Error)) return String(e);
  const cause = e.cause instanceof Error ? e.cause : undefined;
  const code = (e as { code?: unknown }).code ?? (cause as { code?: unknown } | undefined)?.code;
  const message = e.message || cause?.message || e.name;
  return code && !message.includes(String(code)) ? `${message} (${String(code)})` : message;
}
