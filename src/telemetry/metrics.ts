import { randomUUID } from 'node:crypto';
import type { Attributes, Counter } from '@opentelemetry/api';
import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { ATTR_ERROR_TYPE, ATTR_HTTP_RESPONSE_STATUS_CODE, ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import type { ResponseInfo } from '../asana/client.ts';
import type { MetricsConfig } from '../config/index.ts';
import type { ExportOutcome } from '../export/types.ts';
import type { Logger } from '../log.ts';
import { ATTR_ASANA_EVENT_SOURCE } from '../mapping/attributes.ts';
import { PACKAGE_NAME, PACKAGE_VERSION } from '../version.ts';
import { createOtlpMetricExporter, type MetricsPostResult } from './otlp-metrics.ts';
import type { StreamStatusBoard } from './stream-status.ts';

/**
 * Self-telemetry: the receiver's own OpenTelemetry metrics (README "Self-telemetry" lists each).
 * Names follow the OTel conventions: a `asana_receiver.` namespace, dot-separated, no `_total`
 * suffix, UCUM units with `{annotations}` for counts; attributes are the semantic-convention ones
 * (http.response.status_code, error.type) or the receiver's own (asana.event.source,
 * asana.workspace.gid), all of low cardinality.
 */

export const METRIC = {
  eventsReceived: 'asana_receiver.events.received',
  recordsExported: 'asana_receiver.records.exported',
  recordsDropped: 'asana_receiver.records.dropped',
  exportFailures: 'asana_receiver.export.failures',
  apiRequests: 'asana_receiver.api.requests',
  apiRateLimited: 'asana_receiver.api.rate_limited',
  apiRetries: 'asana_receiver.api.retries',
  gaps: 'asana_receiver.gaps',
  lag: 'asana_receiver.lag',
  streamReady: 'asana_receiver.stream.ready',
} as const;

export const ATTR_ASANA_WORKSPACE_GID = 'asana.workspace.gid';
/** semconv (incubating) `service.instance.id`, copied as semconv asks. */
const ATTR_SERVICE_INSTANCE_ID = 'service.instance.id';
/** service.name of the metrics: they describe this receiver, not Asana (the records' `asana`). */
export const METRICS_SERVICE_NAME = PACKAGE_NAME;
/** shutdown() waits this long for the final export, then drops it: metrics never hold up an exit. */
export const METRICS_SHUTDOWN_GRACE_MS = 3_000;

export interface StreamMeta {
  stream: string;
  workspaceGid: string;
}

export interface SelfMetrics {
  apiResponse(status: number | 'error', info: ResponseInfo): void;
  pageCommitted(meta: StreamMeta, received: number): void;
  exportAttempt(meta: StreamMeta, records: number, gapRecords: number, outcome: ExportOutcome): void;
  shutdown(): Promise<void>;
}

export const NO_METRICS: SelfMetrics = {
  apiResponse() {},
  pageCommitted() {},
  exportAttempt() {},
  async shutdown() {},
};

export function metricsResource(resourceAttributes: Record<string, string>): Resource {
  const { [ATTR_SERVICE_NAME]: _recordsServiceName, ...rest } = resourceAttributes;
  return resourceFromAttributes({
    ...rest,
    [ATTR_SERVICE_NAME]: METRICS_SERVICE_NAME,
    [ATTR_SERVICE_VERSION]: PACKAGE_VERSION,
    [ATTR_SERVICE_INSTANCE_ID]: randomUUID(),
  });
}

export function createSelfMetrics(cfg: MetricsConfig, opts: { board: StreamStatusBoard; log: Logger; resourceAttributes: Record<string, string> }): SelfMetrics {
  const { board, log } = opts;
  let failing = false;
  const exporter = createOtlpMetricExporter(cfg, {
    // One warning when exports start failing, one line when they recover: never a line per interval.
    onResult: (result: MetricsPostResult) => {
      if (!result.ok && !failing) {
        failing = true;
        log.warn(
          `cannot export the receiver's own metrics to ${exporter.target}: ${result.reason}. Metrics are dropped until it works again; ` +
            'log shipping is not affected. Point OTEL_EXPORTER_OTLP_METRICS_ENDPOINT at a collector, or set OTEL_METRICS_EXPORTER=none',
          { code: 'ERR_METRICS_EXPORT', target: exporter.target },
        );
      } else if (result.ok && failing) {
        failing = false;
        log.info(`exporting the receiver's own metrics to ${exporter.target} works again`, { target: exporter.target });
      }
    },
  });
  const reader = new PeriodicExportingMetricReader({
    exporter,
    exportIntervalMillis: cfg.intervalMs,
    exportTimeoutMillis: Math.min(cfg.timeoutMs, cfg.intervalMs),
  });
  const provider = new MeterProvider({ resource: metricsResource(opts.resourceAttributes), readers: [reader] });
  const meter = provider.getMeter(PACKAGE_NAME, PACKAGE_VERSION);

  const counter = (name: string, unit: string, description: string): Counter => meter.createCounter(name, { unit, description });
  const eventsReceived = counter(METRIC.eventsReceived, '{event}', 'Asana events received in pages that were shipped and committed');
  const recordsExported = counter(METRIC.recordsExported, '{record}', 'Log records the collector acknowledged');
  const recordsDropped = counter(METRIC.recordsDropped, '{record}', 'Log records the collector acknowledged but dropped (OTLP partial success)');
  const exportFailures = counter(METRIC.exportFailures, '{request}', 'Export requests that failed: error.type retryable (retried) or rejected (stream stopped)');
  const apiRequests = counter(METRIC.apiRequests, '{request}', 'Asana API requests, by response status');
  const apiRateLimited = counter(METRIC.apiRateLimited, '{request}', 'Asana API requests answered 429 (the token budget pauses for Retry-After)');
  const apiRetries = counter(METRIC.apiRetries, '{request}', 'Asana API requests that are retried (429, 5xx, timeouts, network errors, unreadable bodies)');
  const gaps = counter(METRIC.gaps, '{gap}', 'asana.receiver.gap records exported: a range of events known to be lost');

  const attrs = (m: StreamMeta): Attributes => ({ [ATTR_ASANA_EVENT_SOURCE]: m.stream, [ATTR_ASANA_WORKSPACE_GID]: m.workspaceGid });

  meter
    .createObservableGauge(METRIC.lag, { unit: 's', description: 'Now minus the created_at of the newest exported event, per stream' })
    .addCallback((result) => {
      const now = Date.now();
      for (const r of board.reports()) {
        if (r.lastEventAt === null) continue;
        const at = Date.parse(r.lastEventAt);
        if (!Number.isNaN(at)) result.observe(Math.max(0, (now - at) / 1000), attrs(r));
      }
    });
  meter
    .createObservableGauge(METRIC.streamReady, { unit: '1', description: '1 when the stream is ready as /readyz defines it, else 0' })
    .addCallback((result) => {
      for (const r of board.reports()) result.observe(r.ready ? 1 : 0, attrs(r));
    });

  return {
    apiResponse(status, info) {
      const a: Attributes = { [ATTR_ASANA_WORKSPACE_GID]: info.workspaceGid };
      apiRequests.add(1, status === 'error' ? { ...a, [ATTR_ERROR_TYPE]: 'network' } : { ...a, [ATTR_HTTP_RESPONSE_STATUS_CODE]: status });
      if (status === 429) apiRateLimited.add(1, a);
      if (info.outcome === 'retry') apiRetries.add(1, a);
    },
    pageCommitted(meta, received) {
      eventsReceived.add(received, attrs(meta));
    },
    exportAttempt(meta, records, gapRecords, outcome) {
      const a = attrs(meta);
      if (outcome.kind === 'ok' || outcome.kind === 'partial') {
        // A partial success stored the others; the rejected ones are dropped, whether or not the
        // stream then commits the page (export/shipper.ts DeliveryPolicy).
        recordsExported.add(records - outcome.rejectedRecords, a);
        if (outcome.rejectedRecords > 0) recordsDropped.add(outcome.rejectedRecords, a);
        if (gapRecords > 0) gaps.add(gapRecords, a);
      } else {
        exportFailures.add(1, { ...a, [ATTR_ERROR_TYPE]: outcome.kind });
      }
    },
    async shutdown() {
      // The final export (useful for `once`) gets a short grace; then the request is abandoned.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        provider.shutdown().catch(() => undefined),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, METRICS_SHUTDOWN_GRACE_MS);
          timer.unref();
        }),
      ]);
      clearTimeout(timer);
      await exporter.shutdown();
    },
  };
}
