import type { ConnectionOptions } from 'node:tls';
import { AbortedError } from '../errors.ts';
import { PACKAGE_NAME, PACKAGE_VERSION } from '../version.ts';
import { decodeProtobufResponse } from './response.ts';
import { grpcStatusOutcome } from './grpc-status.ts';
import { encodeLogsRequest } from './protobuf.ts';
import type { EncodedBatch, ExportOutcome, LogBatch, LogSink } from './types.ts';
import { errorCode, tlsCodeOfMessage } from '../net/tls.ts';
import { alertAfterClose, classifyTransportFailure } from '../net/transport-failure.ts';
import type { ProxyEnv } from '../net/proxy.ts';
import { collectorMessage } from './classify.ts';
import { grpcRoute } from './grpc-route.ts';
import { probeTlsAlert } from '../net/tls-probe.ts';

/**
 * OTLP/gRPC log transport (https://opentelemetry.io/docs/specs/otlp/#otlpgrpc): one unary
 * LogsService/Export call per export(), the project's own protobuf bytes passed through (identity
 * serializers), the outcome as data. @grpc/grpc-js is imported on the first sink created, so a
 * receiver on OTLP/HTTP never loads it.
 *
 * Plaintext for an http:// endpoint, TLS for https:// (with the CA, client key and certificate from
 * the tls connect options). OTEL_EXPORTER_OTLP_INSECURE only decides the scheme of an endpoint given
 * without one (sink.ts grpcUrl), as the spec defines it: "This option only applies to OTLP/gRPC when
 * an endpoint is provided without the http or https scheme"
 * (https://opentelemetry.io/docs/specs/otel/protocol/exporter/). Routed as grpc-route.ts decides.
 */

export const EXPORT_PATH = '/opentelemetry.proto.collector.logs.v1.LogsService/Export';

export interface GrpcSinkConfig {
  url: string;
  headers: Record<string, string>;
  compression: 'gzip' | 'none';
  timeoutMs: number;
  insecure: boolean;
  /** From net/tls.ts tlsConnectOptions: ca, key, cert as PEM buffers. */
  tls?: ConnectionOptions;
  /** The proxy variables (grpc-route.ts); process.env when not given. */
  env?: ProxyEnv;
}

export interface GrpcLogSink extends LogSink {
  readonly target: string;
  /** An Export call with no records (`validate`). */
  probe(signal?: AbortSignal): Promise<ExportOutcome>;
}

/**
 * Whether the channel is plaintext, per the spec: an http:// endpoint. `insecure` applies only to an
 * endpoint without a scheme, which grpcUrl (sink.ts) has already turned into http:// or https://.
 */
export function isPlaintext(url: string, insecure: boolean): boolean {
  if (/^https:\/\//i.test(url)) return false;
  if (/^http:\/\//i.test(url)) return true;
  return insecure;
}

/** host:port of the endpoint (the path of an OTLP/gRPC URL is not used). */
export function grpcAddress(url: string): string {
  const u = new URL(url);
  return `${u.hostname.includes(':') ? `[${u.hostname}]` : u.hostname}:${u.port || (u.protocol === 'http:' ? '80' : '443')}`;
}

export async function createGrpcLogSink(cfg: GrpcSinkConfig): Promise<GrpcLogSink> {
  const grpc = await import('@grpc/grpc-js');
  const tls = cfg.tls ?? {};
  const plaintext = isPlaintext(cfg.url, cfg.insecure);
  const credentials = plaintext
    ? grpc.credentials.createInsecure()
    : grpc.credentials.createSsl(toBuffer(tls.ca), toBuffer(tls.key), toBuffer(tls.cert));
  const address = grpcAddress(cfg.url);
  const target = `${plaintext ? 'http' : 'https'}://${address}`;
  const route = grpcRoute(address, target, cfg.env);
  const client = new grpc.Client(route.target, credentials, {
    ...route.options,
    'grpc.primary_user_agent': `${PACKAGE_NAME}/${PACKAGE_VERSION}`,
    ...(cfg.compression === 'gzip' ? { 'grpc.default_compression_algorithm': 2 } : {}),
  });
  const via = route.proxy ? ` via proxy ${route.proxy}` : '';
  let closed = false;

  /**
   * UNAVAILABLE without an answer from the collector: a TLS failure with a known cause is permanent
   * (net/transport-failure.ts); a TLS connection closed without the alert grpc-js passes on gets one
   * diagnostic handshake (net/tls-probe.ts, direct routes only) to read it.
   */
  async function unavailable(details: string, retryAfterMs: number | undefined): Promise<ExportOutcome> {
    const evidence = { code: tlsCodeIn(details), text: details, tls: !plaintext, clientCertificate: tls.cert !== undefined };
    const alertCode = await alertAfterClose(evidence, async () => (route.proxy ? undefined : probeTlsAlert(target, tls, { alpn: 'h2' })));
    const verdict = classifyTransportFailure(alertCode ? { ...evidence, code: alertCode } : evidence);
    if (verdict.kind === 'tls') return { kind: 'rejected', status: 0, reason: `TLS to ${target} failed: ${verdict.failure.message}` };
    const hint = verdict.kind === 'closed-after-handshake' && verdict.hint ? `; ${verdict.hint}` : '';
    if (!via && !hint) return grpcStatusOutcome(grpc.status.UNAVAILABLE, details, retryAfterMs);
    const proxyHint = via ? ` (is the proxy reachable, and does it allow CONNECT to ${address}?)` : '';
    return { kind: 'retryable', reason: `gRPC UNAVAILABLE from ${target}${via}: ${collectorMessage(details) || 'no connection'}${hint}${proxyHint}` };
  }

  function call(body: Uint8Array, signal?: AbortSignal): Promise<ExportOutcome> {
    if (closed || signal?.aborted) return Promise.reject(new AbortedError());
    const metadata = new grpc.Metadata();
    for (const [k, v] of Object.entries(cfg.headers)) metadata.set(k.toLowerCase(), v);
    return new Promise<ExportOutcome>((resolve, reject) => {
      const onAbort = () => c.cancel();
      const c = client.makeUnaryRequest<Uint8Array, Buffer>(
        EXPORT_PATH,
        (b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength),
        (b) => b,
        body,
        metadata,
        { deadline: Date.now() + cfg.timeoutMs },
        (err, response) => {
          signal?.removeEventListener('abort', onAbort);
          if (closed || signal?.aborted) return reject(new AbortedError());
          if (!err) return resolve(response && response.length > 0 ? decodeResponse(response) : { kind: 'ok', rejectedRecords: 0 });
          if (err.code === grpc.status.DEADLINE_EXCEEDED) return resolve({ kind: 'retryable', reason: `no answer within ${cfg.timeoutMs} ms (OTEL_EXPORTER_OTLP_TIMEOUT)` });
          if (err.code === grpc.status.UNAVAILABLE) return void unavailable(err.details, retryDelayMs(err.metadata?.get('grpc-status-details-bin')[0])).then(resolve, reject);
          resolve(grpcStatusOutcome(err.code, err.details, retryDelayMs(err.metadata?.get('grpc-status-details-bin')[0])));
        },
      );
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  return {
    target,
    async export(batch: LogBatch | EncodedBatch, signal?: AbortSignal): Promise<ExportOutcome> {
      if (closed || signal?.aborted) throw new AbortedError();
      const n = 'records' in batch ? batch.records.length : batch.recordCount;
      if (n === 0) return { kind: 'ok', rejectedRecords: 0 };
      let body: Uint8Array;
      try {
        body = 'records' in batch ? encodeLogsRequest(batch) : batch.body;
      } catch (err) {
        return { kind: 'rejected', status: 0, reason: `could not encode the batch as OTLP protobuf: ${err instanceof Error ? err.message : String(err)}` };
      }
      return call(body, signal);
    },
    async encode(batch: LogBatch): Promise<EncodedBatch> {
      return { body: encodeLogsRequest(batch), recordCount: batch.records.length };
    },
    probe(signal?: AbortSignal): Promise<ExportOutcome> {
      return call(new Uint8Array(0), signal);
    },
    shutdown(): Promise<void> {
      closed = true;
      client.close();
      return Promise.resolve();
    },
  };
}

/** A PEM connect option (string, Buffer, or a list of them) as the one Buffer grpc-js takes. */
function toBuffer(v: unknown): Buffer | null {
  if (v === undefined) return null;
  if (Buffer.isBuffer(v)) return v;
  if (typeof v === 'string') return Buffer.from(v);
  if (Array.isArray(v)) return Buffer.concat(v.map((x: unknown) => toBuffer(x) ?? Buffer.alloc(0)));
  return null;
}

/** grpc-js puts the OpenSSL code of a failed handshake only into the details text. */
function tlsCodeIn(details: string): string | undefined {
  const m = /\b(ERR_[A-Z0-9_]+|[A-Z]+(?:_[A-Z0-9]+){2,})\b/.exec(details);
  return m?.[1] ?? tlsCodeOfMessage(details) ?? errorCode(details);
}

/** ExportLogsServiceResponse bytes -> ok, or the partial success it reports (export/response.ts). */
function decodeResponse(bytes: Buffer): ExportOutcome {
  const decoded = decodeProtobufResponse(bytes, 'logs');
  if (!decoded.ok) return { kind: 'retryable', reason: `the collector answered OK with bytes that are not an ExportLogsServiceResponse (${decoded.why})` };
  const { rejected, message } = decoded.response;
  if (rejected > 0) return { kind: 'partial', rejectedRecords: rejected, message };
  return { kind: 'ok', rejectedRecords: 0, ...(message ? { message } : {}) };
}

/**
 * RetryInfo's delay from the google.rpc.Status in `grpc-status-details-bin`, when the collector sent
 * one (https://opentelemetry.io/docs/specs/otlp/#otlpgrpc-throttling).
 */
export function retryDelayMs(details: unknown): number | undefined {
  if (!(details instanceof Uint8Array)) return undefined;
  try {
    // Status { repeated Any details = 3 }, Any { type_url = 1; value = 2 }, RetryInfo { Duration retry_delay = 1 }, Duration { seconds = 1; nanos = 2 }
    for (const any of fields(details, 3)) {
      if (!(any instanceof Uint8Array)) continue;
      const type = field(any, 1);
      if (!(type instanceof Uint8Array) || !new TextDecoder().decode(type).endsWith('google.rpc.RetryInfo')) continue;
      const info = field(any, 2);
      const duration = info instanceof Uint8Array ? field(info, 1) : undefined;
      if (!(duration instanceof Uint8Array)) return 0;
      const s = field(duration, 1);
      const ns = field(duration, 2);
      return Number(typeof s === 'bigint' ? s : 0n) * 1000 + Math.floor(Number(typeof ns === 'bigint' ? ns : 0n) / 1e6);
    }
  } catch {
    return undefined;
  }
  return undefined;
}

type FieldValue = bigint | Uint8Array;

function field(buf: Uint8Array, num: number): FieldValue | undefined {
  return fields(buf, num)[0];
}

/** The values of field `num` in a protobuf message: varints as bigint, length-delimited as bytes. */
function fields(buf: Uint8Array, num: number): FieldValue[] {
  const out: FieldValue[] = [];
  let i = 0;
  const varint = (): bigint => {
    let v = 0n;
    for (let shift = 0n; ; shift += 7n) {
      if (i >= buf.length) throw new Error('truncated');
      const b = buf[i++] as number;
      v |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return v;
    }
  };
  while (i < buf.length) {
    const key = Number(varint());
    const wire = key & 7;
    let value: FieldValue;
    if (wire === 0) value = varint();
    else if (wire === 2) {
      const len = Number(varint());
      value = buf.subarray(i, i + len);
      i += len;
    } else if (wire === 1) (i += 8), (value = 0n);
    else if (wire === 5) (i += 4), (value = 0n);
    else throw new Error('unsupported wire type');
    if (key >>> 3 === num) out.push(value);
  }
  return out;
}
