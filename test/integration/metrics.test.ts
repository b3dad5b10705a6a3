import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { runReceiver } from '../../src/run.ts';
import { METRIC } from '../../src/telemetry/metrics.ts';
import { type CollectedMetricsRequest, type OtlpCollector } from '../helpers/otlp-collector.ts';
import { captureLogger, fastBackoff } from '../helpers/receiver.ts';
import { usePipeline } from '../helpers/pipeline.ts';

/** The receiver's own metrics, as the loopback collector decodes them from /v1/metrics. */

type Obj = Record<string, unknown>;
interface Point {
  attributes: Record<string, unknown>;
  value: number;
  kind: 'sum' | 'gauge';
  monotonic?: boolean;
}

function attrs(kvs: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of (kvs as Array<{ key: string; value: Obj }>) ?? []) {
    const v = kv.value;
    out[kv.key] = v.stringValue ?? (v.intValue !== undefined ? Number(v.intValue) : v.doubleValue ?? v.boolValue);
  }
  return out;
}

/** The data points of one metric in one export request (protobuf or JSON, as decoded by the helper). */
function points(req: CollectedMetricsRequest, name: string): Point[] {
  const out: Point[] = [];
  for (const rm of ((req.request as Obj).resourceMetrics as Obj[]) ?? []) {
    for (const sm of (rm.scopeMetrics as Obj[]) ?? []) {
      for (const m of (sm.metrics as Obj[]) ?? []) {
        if (m.name !== name) continue;
        const data = (m.sum ?? m.gauge) as Obj;
        for (const dp of (data.dataPoints as Obj[]) ?? []) {
          const p: Point = { attributes: attrs(dp.attributes), value: Number(dp.asDouble ?? dp.asInt ?? 0), kind: m.sum ? 'sum' : 'gauge' };
          if (m.sum) p.monotonic = Boolean((m.sum as Obj).isMonotonic);
          out.push(p);
        }
      }
    }
  }
  return out;
}

function resourceOf(req: CollectedMetricsRequest): Record<string, unknown> {
  const rm = ((req.request as Obj).resourceMetrics as Obj[])[0]!;
  return attrs((rm.resource as Obj).attributes);
}

/** Cumulative sums: the last request holds the totals. */
function total(collector: OtlpCollector, name: string, where: Record<string, unknown> = {}): number {
  const last = collector.metricRequests.at(-1);
  if (!last) return 0;
  return points(last, name)
    .filter((p) => Object.entries(where).every(([k, v]) => p.attributes[k] === v))
    .reduce((n, p) => n + p.value, 0);
}

describe('self-telemetry metrics', () => {

  // A 30-minute history read from ASANA_START_AT=1h: one cursor (no backfill windows), so the
  // request counts below are exact.
  const pipeline = usePipeline({ sim: { backlog: 700, seed: 4, backlogSpanMs: 30 * 60_000 } });

  it.each(['http/protobuf', 'http/json'])('arrive at the collector over OTLP (%s): events, records, API statuses, 429s, retries, failures, lag', async (protocol) => {
    pipeline.sim.failNext(1, { status: 429, retryAfter: 1 });
    pipeline.sim.failNext(1, { status: 500 });
    pipeline.collector.failNext(2, 503);
    const { log } = captureLogger();
    // No late-event re-scan: the request counts below are the main stream's alone.
    const config = pipeline.config({ OTEL_EXPORTER_OTLP_PROTOCOL: protocol, OTEL_METRIC_EXPORT_INTERVAL: '200', ASANA_LATE_WINDOW: '0s', ASANA_START_AT: '1h' });
    expect(await runReceiver('once', config, log, { backoff: fastBackoff })).toBe(0);

    expect(pipeline.collector.records).toHaveLength(700);
    expect(pipeline.collector.metricRequests.length).toBeGreaterThanOrEqual(1); // at least the one sent at exit
    const last = pipeline.collector.metricRequests.at(-1)!;
    expect(last.contentType).toBe(protocol === 'http/json' ? 'application/json' : 'application/x-protobuf');
    expect(resourceOf(last)).toMatchObject({ 'service.name': 'asana-otel-receiver', 'service.version': expect.any(String), 'service.instance.id': expect.any(String) });

    const stream = { 'asana.event.source': 'audit_log', 'asana.workspace.gid': pipeline.sim.workspaceGid };
    expect(total(pipeline.collector, METRIC.eventsReceived, stream)).toBe(700);
    expect(total(pipeline.collector, METRIC.recordsExported, stream)).toBe(700);
    expect(total(pipeline.collector, METRIC.exportFailures, { ...stream, 'error.type': 'retryable' })).toBe(2);
    expect(total(pipeline.collector, METRIC.apiRateLimited)).toBe(1);
    expect(total(pipeline.collector, METRIC.apiRetries)).toBe(2);
    expect(total(pipeline.collector, METRIC.apiRequests, { 'http.response.status_code': 429 })).toBe(1);
    expect(total(pipeline.collector, METRIC.apiRequests, { 'http.response.status_code': 500 })).toBe(1);
    // 7 pages of 100, and the empty page that says "caught up".
    expect(total(pipeline.collector, METRIC.apiRequests, { 'http.response.status_code': 200 })).toBe(8);
    expect(total(pipeline.collector, METRIC.gaps)).toBe(0);
    expect(points(last, METRIC.eventsReceived)[0]).toMatchObject({ kind: 'sum', monotonic: true });

    const lag = points(last, METRIC.lag);
    expect(lag).toHaveLength(1);
    expect(lag[0]).toMatchObject({ kind: 'gauge', attributes: stream });
    const expected = (Date.now() - Date.parse(pipeline.sim.events.at(-1)!.created_at)) / 1000;
    expect(lag[0]!.value).toBeGreaterThan(expected - 30);
    expect(lag[0]!.value).toBeLessThanOrEqual(expected + 1);
    expect(points(last, METRIC.streamReady)).toEqual([expect.objectContaining({ value: 1, attributes: stream })]);
  });

  it('are exported every OTEL_METRIC_EXPORT_INTERVAL while running', async () => {
    const { log } = captureLogger();
    // A slow Asana keeps `once` busy for a while: 15 pages at 100 ms each.
    await pipeline.replaceSim({ backlog: 1500, seed: 4, latencyMs: 100 });
    const config = pipeline.config({ OTEL_METRIC_EXPORT_INTERVAL: '200' });
    expect(await runReceiver('once', config, log, { backoff: fastBackoff })).toBe(0);
    expect(pipeline.collector.metricRequests.length).toBeGreaterThanOrEqual(3);
    const exported = pipeline.collector.metricRequests.map((r) => points(r, METRIC.recordsExported).reduce((n, p) => n + p.value, 0));
    // Cumulative and growing while the backfill went on.
    expect(exported).toEqual([...exported].sort((a, b) => a - b));
    expect(exported.at(-1)).toBe(1500);
  });

  it('a dead metrics endpoint never disturbs log shipping: one warning, every record delivered', async () => {
    const { log, lines } = captureLogger('warn');
    const config = pipeline.config({
      OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'http://127.0.0.1:9/v1/metrics',
      OTEL_METRIC_EXPORT_INTERVAL: '100',
    });
    pipeline.sim.generate(2000);
    expect(await runReceiver('once', config, log, { backoff: fastBackoff })).toBe(0);
    expect(pipeline.collector.records).toHaveLength(2700);
    const warnings = lines().filter((l) => l.includes('ERR_METRICS_EXPORT'));
    expect(warnings.length).toBe(1);
    expect(warnings[0]).toMatch(/cannot export the receiver's own metrics to http:\/\/127\.0\.0\.1:9\/v1\/metrics: .*log shipping is not affected.*OTEL_METRICS_EXPORTER=none/);
  });

  it('a metrics endpoint that never answers does not hold up the exit beyond its short grace', async () => {
    const sockets = new Set<import('node:net').Socket>();
    const silent: Server = createServer(() => undefined); // accepts, never answers
    silent.on('connection', (s) => sockets.add(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const { port } = silent.address() as AddressInfo;
      const { log } = captureLogger();
      const config = pipeline.config({ OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: `http://127.0.0.1:${port}/v1/metrics` });
      expect(await runReceiver('once', config, log, { backoff: fastBackoff })).toBe(0);
      expect(pipeline.collector.records).toHaveLength(700);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((r) => silent.close(r));
    }
  });

  it('OTEL_METRICS_EXPORTER=none: no metrics request at all', async () => {
    const { log } = captureLogger();
    const config = pipeline.config({ OTEL_METRICS_EXPORTER: 'none', OTEL_METRIC_EXPORT_INTERVAL: '100' });
    expect(await runReceiver('once', config, log, { backoff: fastBackoff })).toBe(0);
    expect(pipeline.collector.records).toHaveLength(700);
    expect(pipeline.collector.metricRequests).toHaveLength(0);
    expect(pipeline.collector.requests.every((r) => r.path === '/v1/logs')).toBe(true);
  });
});
