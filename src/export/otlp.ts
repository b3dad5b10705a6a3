import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { request, type Dispatcher, type EnvHttpProxyAgent } from '../undici.ts';
import type { ConnectionOptions } from 'node:tls';
import { createProxyDispatcher, proxyFor, proxySettings } from '../net/proxy.ts';
import { errorCode, tlsConnectOptions, type OtlpSignal } from '../net/tls.ts';
import { probeTlsAlert } from '../net/tls-probe.ts';
import { alertAfterClose, classifyTransportFailure, type TransportEvidence } from '../net/transport-failure.ts';
import type { OtlpConfig } from '../config/index.ts';
import { deadline } from '../deadline.ts';
import { AbortedError } from '../errors.ts';
import { PACKAGE_NAME, PACKAGE_VERSION } from '../version.ts';
import { classifyExportResponse, MAX_RESPONSE_BYTES, safeUrl } from './classify.ts';
import { encodeLogsRequest, estimate } from './protobuf.ts';
import { toReadableLogRecords } from './records.ts';
import { recordCount, type EncodedBatch, type ExportOutcome, type LogBatch, type LogSink } from './types.ts';

/**
 * OTLP/HTTP log transport: one POST per export() call, and the outcome as data.
 *
 * Deliberately not the SDK's LoggerProvider -> BatchLogRecordProcessor -> OTLPLogExporter path:
 * the processor drops records when its queue is full, forceFlush resolves after a failed export,
 * and the exporter gives up retrying after ~10 s. Here the otlp-transformer serializers build the
 * exact bytes (protobuf: encodeLogsRequest, the same bytes faster), undici sends them, and only the
 * collector's 2xx counts as delivered. Retrying is the caller's business (deliver.ts), so that a page
 * is retried as a whole until acknowledged; a batch is encoded once, and its retries send the same
 * bytes again.
 */

/** Idle keep-alive sockets are closed after this; collectors' own idle timeouts are usually longer. */
export const KEEP_ALIVE_TIMEOUT_MS = 30_000;
/**
 * Exports are sequential per time slice of a stream (streams/audit-log/ reads up to 8 cursors at
 * once, several streams share one sink): enough sockets that no slice waits for another's.
 */
export const MAX_CONNECTIONS = 16;
/** shutdown() lets an in-flight request finish for this long, then destroys the sockets. */
export const SHUTDOWN_GRACE_MS = 2_000;

const gzipAsync = promisify(gzip);

export interface OtlpLogSink extends LogSink {
  /** Where records go, safe to log: scheme, host and path only (no credentials, no query). */
  readonly target: string;
  /** Sends an export request with no records and returns the collector's answer (`validate`). */
  probe(signal?: AbortSignal): Promise<ProbeOutcome>;
}

/** A probe has no records to reject: a partial success to it is a refusal. */
export type ProbeOutcome = Exclude<ExportOutcome, { kind: 'partial' }>;

export function createOtlpLogSink(cfg: OtlpConfig, opts: { dispatcher?: Dispatcher } = {}): OtlpLogSink {
  // A dispatcher passed in belongs to the caller, who closes it; our own pooled agent is closed by shutdown().
  const pool = new BufferPool();
  const tls = opts.dispatcher ? {} : tlsConnectOptions(cfg.tls, 'logs');
  // Through the proxy the environment names (HTTPS_PROXY, NO_PROXY), with the collector's CA and client certificate.
  const ownAgent = opts.dispatcher
    ? undefined
    : createProxyDispatcher({ tls, keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS, connections: MAX_CONNECTIONS });
  const dispatcher: Dispatcher = opts.dispatcher ?? (ownAgent as EnvHttpProxyAgent);
  const json = cfg.protocol === 'http/json';
  const serialize = async (batch: LogBatch) =>
    json ? (await otlpTransformer()).JsonLogsSerializer.serializeRequest(toReadableLogRecords(batch)) : encodeLogsRequest(batch);
  /** The request body of each batch passed unencoded and still being retried: encoded once. */
  const bodies = new WeakMap<LogBatch, Uint8Array>();

  /** Encoded batches whose body lives in a buffer of the pool, and that buffer. */
  const pooled = new WeakMap<EncodedBatch, Buffer>();

  async function encode(batch: LogBatch): Promise<EncodedBatch> {
    if (json || cfg.compression === 'gzip') {
      const bytes = await serialize(batch);
      if (!bytes) throw new Error('the serializer produced no output');
      return { body: cfg.compression === 'gzip' ? await gzipAsync(bytes) : bytes, recordCount: batch.records.length };
    }
    const buffer = pool.take(estimate(batch));
    const body = encodeLogsRequest(batch, buffer);
    const encoded = { body, recordCount: batch.records.length };
    if (body.buffer === buffer.buffer) pooled.set(encoded, buffer);
    else pool.give(buffer); // it outgrew the pooled buffer
    return encoded;
  }

  /** After the last attempt of an encoded batch: its buffer is free for the next one. */
  function release(batch: LogBatch | EncodedBatch): void {
    if ('records' in batch) return;
    const buffer = pooled.get(batch);
    if (buffer === undefined) return;
    pooled.delete(batch);
    pool.give(buffer);
  }
  const headers = requestHeaders(cfg);
  const target = safeUrl(cfg.url);
  let closed = false;
  let shuttingDown: Promise<void> | undefined;

  async function exportBatch(batch: LogBatch | EncodedBatch, signal?: AbortSignal): Promise<ExportOutcome> {
    if (closed || signal?.aborted) throw new AbortedError();
    if (recordCount(batch) === 0) return { kind: 'ok', rejectedRecords: 0 };

    let body = 'records' in batch ? bodies.get(batch) : batch.body;
    if (body === undefined) {
      try {
        body = (await encode(batch as LogBatch)).body;
      } catch (err) {
        // A bug, not a collector problem: retrying would fail the same way, so stop the stream.
        return { kind: 'rejected', status: 0, reason: `could not encode the batch as OTLP ${cfg.protocol}: ${errorText(err)}` };
      }
    }

    const timeout = deadline(cfg.timeoutMs, signal);
    try {
      const res = await request(cfg.url, { method: 'POST', headers, body, signal: timeout.signal, dispatcher });
      const outcome = interpret(res.statusCode, res.headers, await readResponseBody(res.body));
      if ('records' in batch) {
        if (outcome.kind === 'retryable') bodies.set(batch, body);
        else bodies.delete(batch);
      } else if (outcome.kind !== 'retryable') {
        release(batch);
      }
      return outcome;
    } catch (err) {
      if (closed || signal?.aborted) throw new AbortedError();
      const failure = await diagnosedNetworkFailure(err, { url: cfg.url, tls, target, expired: timeout.expired(), timeoutMs: cfg.timeoutMs, clientCertificate: cfg.tls.clientCertificate !== undefined });
      if (failure.kind === 'retryable' && 'records' in batch) bodies.set(batch, body);
      else if (failure.kind !== 'retryable') release(batch);
      return failure;
    } finally {
      timeout.done();
    }
  }

  /** An export request with no records (`validate`): does the endpoint accept OTLP from us? */
  async function probe(signal?: AbortSignal): Promise<ProbeOutcome> {
    if (closed || signal?.aborted) throw new AbortedError();
    const t = await otlpTransformer();
    const bytes = (json ? t.JsonLogsSerializer : t.ProtobufLogsSerializer).serializeRequest([]) ?? new Uint8Array(0);
    const body = cfg.compression === 'gzip' ? await gzipAsync(bytes) : bytes;
    const timeout = deadline(cfg.timeoutMs, signal);
    try {
      const res = await request(cfg.url, { method: 'POST', headers, body, signal: timeout.signal, dispatcher });
      const outcome = interpret(res.statusCode, res.headers, await readResponseBody(res.body));
      if (outcome.kind !== 'partial') return outcome;
      return { kind: 'rejected', status: res.statusCode, reason: `a partial success rejecting ${outcome.rejectedRecords} records of an empty export: ${outcome.message || 'no reason given'}` };
    } catch (err) {
      if (closed || signal?.aborted) throw new AbortedError();
      return await diagnosedNetworkFailure(err, { url: cfg.url, tls, target, expired: timeout.expired(), timeoutMs: cfg.timeoutMs, clientCertificate: cfg.tls.clientCertificate !== undefined });
    } finally {
      timeout.done();
    }
  }

  function interpret(status: number, resHeaders: Record<string, string | string[] | undefined>, bytes: Uint8Array): ExportOutcome {
    return classifyExportResponse(status, resHeaders, bytes, { url: cfg.url, sent: json ? 'json' : 'protobuf' });
  }

  return {
    target,
    encode,
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
 * otlp-transformer, loaded on first use: the protobuf path needs it only for `validate`'s empty
 * request, and loading it costs some 3 MB of memory that most receivers never use.
 */
let transformer: Promise<typeof import('@opentelemetry/otlp-transformer')> | undefined;
function otlpTransformer(): Promise<typeof import('@opentelemetry/otlp-transformer')> {
  transformer ??= import('@opentelemetry/otlp-transformer');
  return transformer;
}

/**
 * A response body, at most MAX_RESPONSE_BYTES + 1 bytes of it (classify.ts tells a larger one);
 * the rest is not read, and the connection is dropped with it. Shared with the metrics exporter.
 */
export async function readResponseBody(body: AsyncIterable<Uint8Array>, limit = MAX_RESPONSE_BYTES): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    size += chunk.length;
    if (size > limit) break; // leaving the loop destroys the stream
  }
  return Buffer.concat(chunks, Math.min(size, limit + 1));
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

/**
 * A request that got no answer, by net/transport-failure.ts: a TLS failure with a known cause
 * (unknown CA, hostname mismatch, client certificate refused or required) stops with its cause and
 * the variable that fixes it, since retrying cannot help; anything else (refused, reset, timed out)
 * is retried, an https endpoint closing on us without a TLS alert with the mutual TLS hint.
 * `alertCode` is what a diagnostic handshake (net/tls-probe.ts) found when undici reported only
 * "other side closed". Shared with the metrics exporter.
 */
export function networkFailure(err: unknown, ctx: NetworkFailureContext): Extract<ExportOutcome, { kind: 'retryable' | 'rejected' }> {
  if (ctx.expired) return { kind: 'retryable', reason: `no answer within ${ctx.timeoutMs} ms (OTEL_EXPORTER_OTLP_TIMEOUT)` };
  const text = errorText(err);
  const verdict = classifyTransportFailure(evidenceOf(err, ctx));
  if (verdict.kind === 'tls') return { kind: 'rejected', status: 0, reason: `TLS to ${ctx.target} failed: ${verdict.failure.message}` };
  if (verdict.kind === 'closed-after-handshake' && verdict.hint) return { kind: 'retryable', reason: `${text}: ${verdict.hint}` };
  return { kind: 'retryable', reason: text };
}

export interface NetworkFailureContext {
  target: string;
  expired: boolean;
  timeoutMs: number;
  signal?: OtlpSignal;
  clientCertificate?: boolean;
  alertCode?: string;
}

function evidenceOf(err: unknown, ctx: NetworkFailureContext): TransportEvidence {
  return { code: ctx.alertCode ?? errorCode(err), text: errorText(err), tls: ctx.target.startsWith('https:'), clientCertificate: ctx.clientCertificate === true, signal: ctx.signal ?? 'logs' };
}

/**
 * networkFailure, and when it is an https endpoint closing on us without a TLS alert over a direct
 * route, one diagnostic handshake (net/tls-probe.ts) to read the alert undici did not pass on: under
 * TLS 1.3 a collector refusing or requiring a client certificate says so after the client's
 * handshake finished.
 */
export async function diagnosedNetworkFailure(
  err: unknown,
  ctx: NetworkFailureContext & { url: string; tls: ConnectionOptions },
): Promise<ReturnType<typeof networkFailure>> {
  if (ctx.expired) return networkFailure(err, ctx);
  const alertCode = await alertAfterClose(evidenceOf(err, ctx), async () => (proxyFor(ctx.url, proxySettings(process.env)) ? undefined : probeTlsAlert(ctx.url, ctx.tls)));
  return networkFailure(err, alertCode ? { ...ctx, alertCode } : ctx);
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

/**
 * Request bodies are written into recycled buffers: a backfill sends thousands of ~130 KB bodies,
 * and fresh ones for each would leave the GC and malloc a steady stream of large garbage. A buffer
 * comes back once its batch's last attempt is over (acknowledged or rejected); one abandoned at
 * shutdown is simply garbage-collected.
 */
class BufferPool {
  private readonly free: Buffer[] = [];

  take(size: number): Buffer {
    const i = this.free.findIndex((b) => b.length >= size);
    if (i >= 0) return this.free.splice(i, 1)[0] as Buffer;
    // Rounded up, so a slightly larger batch next time still fits.
    return Buffer.allocUnsafeSlow(Math.ceil(size / POOL_BUFFER_STEP) * POOL_BUFFER_STEP);
  }

  give(buffer: Buffer): void {
    if (this.free.length < POOL_MAX_BUFFERS && buffer.length <= POOL_MAX_BUFFER_BYTES) this.free.push(buffer);
  }
}
/** Buffers kept for reuse: two per time slice read at once (one exported, one fetched ahead). */
const POOL_MAX_BUFFERS = 16;
/** Larger bodies (pages of huge events) are not kept. */
const POOL_MAX_BUFFER_BYTES = 1 << 20;
const POOL_BUFFER_STEP = 64 * 1024;
