import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { JsonMetricsSerializer, ProtobufMetricsSerializer } from '@opentelemetry/otlp-transformer';
import type { Resource } from '@opentelemetry/resources';
import type { PushMetricExporter, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { request, type Dispatcher } from '../undici.ts';
import { createProxyDispatcher } from '../net/proxy.ts';
import { tlsConnectOptions } from '../net/tls.ts';
import type { MetricsConfig } from '../config/index.ts';
import { safeUrl } from '../export/classify.ts';
import { networkFailure, requestHeaders } from '../export/otlp.ts';

/**
 * The receiver's own metrics over OTLP/HTTP: the SDK's PeriodicExportingMetricReader collects, the
 * otlp-transformer serializers encode (protobuf or JSON, as OTEL_EXPORTER_OTLP_PROTOCOL says), and
 * undici POSTs with the configured headers and compression — the same stack as the logs.
 *
 * Metrics may be lost, logs may not, so this path is kept apart from log shipping: its own
 * connection (one socket, never the log sink's pool), no retries (the next interval sends
 * cumulative values again), a timeout, and failures reported through `onResult` only. Requests go
 * through the proxy the environment names, with the OTEL_EXPORTER_OTLP_METRICS_* TLS files.
 *
 * OTLP/gRPC is not implemented for metrics: with protocol grpc nothing is sent and every export
 * reports GRPC_METRICS_UNSUPPORTED (logs over gRPC are not affected).
 */

export const GRPC_METRICS_UNSUPPORTED =
  "the receiver's own metrics are not sent over OTLP/gRPC: set OTEL_EXPORTER_OTLP_METRICS_PROTOCOL=http/protobuf (and OTEL_EXPORTER_OTLP_METRICS_ENDPOINT to the collector's OTLP/HTTP port), or OTEL_METRICS_EXPORTER=none";

/** The dispatcher of a metrics exporter: one socket, the proxy from the environment, the metrics TLS files. */
function metricsDispatcher(cfg: MetricsConfig, keepAliveTimeout?: number): Dispatcher {
  return createProxyDispatcher({ tls: tlsConnectOptions(cfg.tls, 'metrics'), connections: 1, ...(keepAliveTimeout ? { keepAliveTimeout } : {}) });
}

const gzipAsync = promisify(gzip);

export type MetricsPostResult = { ok: true } | { ok: false; reason: string };

export interface OtlpMetricExporter extends PushMetricExporter {
  readonly target: string;
}

export function createOtlpMetricExporter(cfg: MetricsConfig, opts: { onResult?: (result: MetricsPostResult) => void } = {}): OtlpMetricExporter {
  const agent = metricsDispatcher(cfg, 30_000);
  const inFlight = new Set<AbortController>();
  let closed = false;

  async function send(metrics: ResourceMetrics): Promise<MetricsPostResult> {
    const controller = new AbortController();
    inFlight.add(controller);
    try {
      return await postMetrics(cfg, metrics, { dispatcher: agent, signal: controller.signal });
    } finally {
      inFlight.delete(controller);
    }
  }

  return {
    target: safeUrl(cfg.url),
    export(metrics: ResourceMetrics, resultCallback: (result: ExportResult) => void): void {
      if (closed) return resultCallback({ code: ExportResultCode.FAILED, error: new Error('metrics exporter shut down') });
      void send(metrics).then((result) => {
        opts.onResult?.(result);
        resultCallback(result.ok ? { code: ExportResultCode.SUCCESS } : { code: ExportResultCode.FAILED, error: new Error(result.reason) });
      });
    },
    async forceFlush(): Promise<void> {},
    async shutdown(): Promise<void> {
      closed = true;
      for (const c of inFlight) c.abort();
      await agent.destroy().catch(() => undefined);
    },
  };
}

/**
 * One OTLP/HTTP metrics request; never throws. `validate` uses it with an empty ResourceMetrics
 * to ask whether the endpoint accepts our metrics at all.
 */
export async function postMetrics(
  cfg: MetricsConfig,
  metrics: ResourceMetrics,
  opts: { dispatcher?: Dispatcher; signal?: AbortSignal } = {},
): Promise<MetricsPostResult> {
  if (cfg.protocol === 'grpc') return { ok: false, reason: GRPC_METRICS_UNSUPPORTED };
  // One request without a dispatcher of the caller's (`validate`): its own, closed after the answer.
  let own: Dispatcher | undefined;
  const timeout = AbortSignal.timeout(cfg.timeoutMs);
  try {
    const serializer = cfg.protocol === 'http/json' ? JsonMetricsSerializer : ProtobufMetricsSerializer;
    const bytes = serializer.serializeRequest(metrics) ?? new Uint8Array(0);
    const body = cfg.compression === 'gzip' ? await gzipAsync(bytes) : bytes;
    own = opts.dispatcher ? undefined : metricsDispatcher(cfg);
    const res = await request(cfg.url, {
      method: 'POST',
      headers: requestHeaders(cfg),
      body,
      signal: opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout,
      dispatcher: opts.dispatcher ?? (own as Dispatcher),
    });
    const text = await res.body.text();
    if (res.statusCode >= 200 && res.statusCode < 300) return { ok: true };
    const detail = res.headers['content-type']?.toString().includes('protobuf') ? '' : text.replace(/\s+/g, ' ').trim().slice(0, 200);
    return { ok: false, reason: `HTTP ${res.statusCode}${detail ? `: ${detail}` : ''}` };
  } catch (err) {
    const failure = networkFailure(err, { target: safeUrl(cfg.url), expired: timeout.aborted, timeoutMs: cfg.timeoutMs, signal: 'metrics', clientCertificate: cfg.tls.clientCertificate !== undefined });
    return { ok: false, reason: failure.reason };
  } finally {
    await own?.close().catch(() => undefined);
  }
}

/** An empty ExportMetricsServiceRequest for `resource` (the collector answers it like any other). */
export function emptyResourceMetrics(resource: Resource): ResourceMetrics {
  return { resource, scopeMetrics: [] };
}

