/**
 * The baseline the receiver is measured against, in its own process: the poller anyone would write
 * first with the OpenTelemetry SDK.
 *
 *   node bench/baseline.ts --api URL --token T --workspace GID --otlp URL --start-at ISO --mode serial|sdk-batch
 *
 * serial     fetch a page (global fetch, keep-alive), map each event with the receiver's own mapping,
 *            emit it through a LoggerProvider -> BatchLogRecordProcessor -> OTLPLogExporter
 *            (@opentelemetry/exporter-logs-otlp-proto), forceFlush() — one export per page, awaited —
 *            then fetch the next page. A 429 waits its Retry-After.
 * sdk-batch  the SDK's default path: the same loop without the per-page forceFlush, the
 *            BatchLogRecordProcessor with its default settings (queue of 2048 records, exports of
 *            512 every second); one forceFlush + shutdown at the end. The processor drops records
 *            when its queue is full: the sink counts what really arrived.
 *
 * Prints one JSON line: {events, wallMs, cpuMs, maxRssKb}. `events` is what it emitted.
 */
import { parseArgs } from 'node:util';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import type { AuditLogPage } from '../src/asana/types.ts';
import { buildResource } from '../src/export/resource.ts';
import { mapAuditLogEvent } from '../src/mapping/audit-log.ts';
import { PACKAGE_NAME, PACKAGE_VERSION } from '../src/version.ts';

const { values: args } = parseArgs({
  options: {
    api: { type: 'string' },
    token: { type: 'string' },
    workspace: { type: 'string' },
    otlp: { type: 'string' },
    'start-at': { type: 'string' },
    mode: { type: 'string', default: 'serial' },
  },
});
const need = (name: keyof typeof args): string => {
  const v = args[name];
  if (typeof v !== 'string' || v === '') throw new Error(`--${name} is required`);
  return v;
};
const api = need('api');
const token = need('token');
const workspace = need('workspace');
const otlp = need('otlp');
const startAt = need('start-at');
const mode = need('mode');
if (mode !== 'serial' && mode !== 'sdk-batch') throw new Error('--mode is serial or sdk-batch');

const exporter = new OTLPLogExporter({ url: `${otlp}/v1/logs` });
const processor =
  mode === 'serial'
    ? // One page (100 records) per export, flushed by hand: nothing waits in the queue.
      new BatchLogRecordProcessor({ exporter, maxExportBatchSize: 100, maxQueueSize: 1000 })
    : new BatchLogRecordProcessor({ exporter });
const provider = new LoggerProvider({
  resource: buildResource({ resourceAttributes: {}, workspaceGid: workspace }),
  processors: [processor],
});
const logger = provider.getLogger(PACKAGE_NAME, PACKAGE_VERSION);

const t0 = performance.now();
const cpu0 = process.cpuUsage();
let events = 0;
let offset: string | undefined;
for (;;) {
  const params = new URLSearchParams({ limit: '100', start_at: startAt });
  if (offset) params.set('offset', offset);
  const res = await fetch(`${api}/workspaces/${workspace}/audit_log_events?${params}`, {
    headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
  });
  if (res.status === 429) {
    await res.arrayBuffer();
    await new Promise((r) => setTimeout(r, Number(res.headers.get('retry-after') ?? '1') * 1000));
    continue;
  }
  if (!res.ok) throw new Error(`Asana answered ${res.status}: ${await res.text()}`);
  const page = (await res.json()) as AuditLogPage;
  if (page.data.length === 0) break;
  const observedAt = new Date();
  for (const event of page.data) {
    const r = mapAuditLogEvent(event, observedAt);
    logger.emit({
      timestamp: r.hrTime,
      observedTimestamp: r.hrTimeObserved,
      severityNumber: r.severityNumber,
      severityText: r.severityText,
      eventName: r.eventName,
      body: r.body,
      attributes: r.attributes,
    });
  }
  events += page.data.length;
  if (mode === 'serial') await provider.forceFlush();
  offset = page.next_page?.offset ?? undefined;
  if (!offset) break;
}
await provider.forceFlush();
await provider.shutdown();
const cpu = process.cpuUsage(cpu0);
process.stdout.write(
  `${JSON.stringify({
    events,
    wallMs: performance.now() - t0,
    cpuMs: (cpu.user + cpu.system) / 1000,
    maxRssKb: process.resourceUsage().maxRSS,
  })}\n`,
);
