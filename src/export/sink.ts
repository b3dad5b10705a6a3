import type { OtlpConfig } from '../config/index.ts';
import { tlsConnectOptions } from '../net/tls.ts';
import type { ExportOutcome, LogSink } from './types.ts';
import { createOtlpLogSink } from './otlp.ts';

/**
 * The log sink config.otlp asks for: OTLP/gRPC when OTEL_EXPORTER_OTLP_PROTOCOL=grpc (grpc.ts,
 * loaded only then, so an HTTP receiver never loads @grpc/grpc-js), OTLP/HTTP otherwise (otlp.ts).
 */
export interface ConfiguredLogSink extends LogSink {
  /** Where records go, safe to log. */
  readonly target: string;
  /** An export request with no records (`validate`). */
  probe(signal?: AbortSignal): Promise<ExportOutcome>;
}

export async function createLogSink(cfg: OtlpConfig): Promise<ConfiguredLogSink> {
  if (cfg.protocol !== 'grpc') return createOtlpLogSink(cfg);
  const { createGrpcLogSink } = await import('./grpc.ts');
  return createGrpcLogSink({
    url: grpcUrl(cfg.url, cfg.insecure),
    headers: cfg.headers,
    compression: cfg.compression,
    timeoutMs: cfg.timeoutMs,
    insecure: cfg.insecure,
    tls: tlsConnectOptions(cfg.tls, 'logs'),
  });
}

/**
 * A gRPC endpoint as a URL: host:port without a scheme is plaintext when OTEL_EXPORTER_OTLP_INSECURE
 * is true, TLS otherwise (https://opentelemetry.io/docs/specs/otel/protocol/exporter/).
 */
export function grpcUrl(endpoint: string, insecure: boolean): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(endpoint)) return endpoint;
  return `${insecure ? 'http' : 'https'}://${endpoint}`;
}
