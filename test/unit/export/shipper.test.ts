import { SeverityNumber } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OtlpConfig } from '../../../src/config/index.ts';
import { AbortedError, ExportRejectedError } from '../../../src/errors.ts';
import { ExportUnavailableError } from '../../../src/errors.ts';
import { exportUntilAcknowledged, Shipper, type ShipperOptions } from '../../../src/export/shipper.ts';
import { createOtlpLogSink, type OtlpLogSink } from '../../../src/export/otlp.ts';
import { buildResource } from '../../../src/export/resource.ts';
import type { ExportOutcome, LogBatch, LogSink } from '../../../src/export/types.ts';
import { startOtlpCollector, type OtlpCollector } from '../../helpers/otlp-collector.ts';
import { captureLogger } from '../../helpers/receiver.ts';

const SECRET = 'api-key-0123456789abcdef';

function batch(n: number): LogBatch {
  return {
    resource: buildResource({ resourceAttributes: {}, workspaceGid: '1111' }),
    records: Array.from({ length: n }, (_, i) => ({
      hrTime: [1714555800 + i, 0],
      hrTimeObserved: [1714555900, 0],
      severityNumber: SeverityNumber.INFO,
      severityText: 'INFO',
      eventName: 'asana.audit.task_deleted',
      body: { gid: String(i) },
      attributes: { 'log.record.uid': String(i) },
    })),
  };
}

type Logged = { level: 'warn' | 'info'; msg: string; meta: Record<string, unknown> };

let collector: OtlpCollector;
let sink: OtlpLogSink;
let logged: Logged[];
const log = (level: 'warn' | 'info', msg: string, meta: Record<string, unknown>) => void logged.push({ level, msg, meta });
const tiny = () => 5;

beforeEach(async () => {
  collector = await startOtlpCollector();
  const cfg: OtlpConfig = {
    url: collector.logsUrl,
    protocol: 'http/protobuf',
    headers: { 'x-api-key': SECRET },
    compression: 'gzip',
    timeoutMs: 300,
    endpointIsDefault: false,
    tls: {},
    insecure: false,
  };
  sink = createOtlpLogSink(cfg);
  logged = [];
});
afterEach(async () => {
  await sink.shutdown();
  await collector.close();
});

describe('exportUntilAcknowledged', () => {
  it('delivers on the first attempt without logging', async () => {
    expect(await exportUntilAcknowledged(sink, batch(2), { log, backoff: tiny })).toEqual({ attempts: 1, rejectedRecords: 0 });
    expect(collector.records).toHaveLength(2);
    expect(logged).toEqual([]);
  });

  it('survives a collector that fails several ways, then delivers exactly once', async () => {
    collector.failNext(2, 503, { body: 'memory limiter' });
    collector.resetNext(1);
    collector.hangNext(1, 5_000); // longer than timeoutMs
    collector.failNext(1, 500);
    const result = await exportUntilAcknowledged(sink, batch(3), { log, backoff: tiny });

    expect(result).toEqual({ attempts: 6, rejectedRecords: 0 });
    expect(collector.records.map((r) => r.attributes['log.record.uid'])).toEqual(['0', '1', '2']);
    expect(collector.requests.map((r) => r.status)).toEqual([503, 503, null, null, 500, 200]);

    const warns = logged.filter((l) => l.level === 'warn');
    expect(warns.map((w) => w.meta['attempt'])).toEqual([1, 2, 3, 4, 5]);
    expect(warns[0]?.msg).toBe(
      `collector at ${collector.logsUrl} unavailable: HTTP 503 Service Unavailable: memory limiter; attempt 1, retrying in 5ms; the cursor stays where it is`,
    );
    expect(warns[3]?.msg).toContain('no answer within 300 ms');
    expect(warns[0]?.meta).toMatchObject({ target: collector.logsUrl, attempt: 1, delayMs: 5, records: 3, retryAfter: false });
    expect(logged.at(-1)).toMatchObject({ level: 'info', msg: `collector at ${collector.logsUrl} accepted the batch after 6 attempts` });
    expect(JSON.stringify(logged)).not.toContain(SECRET);
  });

  it('passes the attempt number to the backoff', async () => {
    collector.failNext(3, 502);
    const asked: number[] = [];
    await exportUntilAcknowledged(sink, batch(1), { backoff: (a) => (asked.push(a), 1) });
    expect(asked).toEqual([1, 2, 3]);
  });

  it("Retry-After wins over the backoff", async () => {
    collector.failNext(1, 429, { retryAfter: '0' });
    const started = Date.now();
    await exportUntilAcknowledged(sink, batch(1), { log, backoff: () => 60_000 });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(logged[0]?.msg).toContain('retrying in 0s (as the collector asked)');
    expect(logged[0]?.meta).toMatchObject({ delayMs: 0, retryAfter: true });
  });

  it('400 -> ExportRejectedError naming the status, the reason and the cursor', async () => {
    collector.failNext(1, 400, { body: 'field time_unix_nano out of range' });
    const err = await exportUntilAcknowledged(sink, batch(4), { log, backoff: tiny }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExportRejectedError);
    const e = err as ExportRejectedError;
    expect(e.code).toBe('ERR_EXPORT_REJECTED');
    expect(e.status).toBe(400);
    expect(e.exitCode).toBe(5);
    expect(e.message).toContain('rejected a batch of 4 records with HTTP 400');
    expect(e.message).toContain('field time_unix_nano out of range');
    expect(e.message).toContain('cursor was not advanced');
    expect(e.message).not.toContain(SECRET);
    expect(collector.requests).toHaveLength(1);
  });

  it('401 after retries -> ExportRejectedError', async () => {
    collector.failNext(1, 503);
    collector.failNext(1, 401);
    await expect(exportUntilAcknowledged(sink, batch(1), { backoff: tiny })).rejects.toMatchObject({ name: 'ExportRejectedError', status: 401 });
  });

  it('a partial success is final: by default ExportRejectedError (exit 5) naming the message and the opt-in, never resent', async () => {
    collector.partialSuccessNext(1, 'too old');
    const err = await exportUntilAcknowledged(sink, batch(2), { log, backoff: tiny }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExportRejectedError);
    const e = err as ExportRejectedError;
    expect(e.exitCode).toBe(5);
    expect(e.message).toContain('stored only part of a batch of 2 records and rejected 1 (OTLP partial success): too old');
    expect(e.message).toContain('cursor was not advanced');
    expect(e.message).toContain('ASANA_ACCEPT_PARTIAL_SUCCESS=true');
    expect(collector.requests).toHaveLength(1);
  });

  it('a partial success with acceptPartialSuccess: resolves with the count and the message, not resent', async () => {
    collector.partialSuccessNext(1, 'too old');
    expect(await exportUntilAcknowledged(sink, batch(2), { log, backoff: tiny, acceptPartialSuccess: true })).toEqual({
      attempts: 1,
      rejectedRecords: 1,
      message: 'too old',
    });
    expect(collector.requests).toHaveLength(1);
  });

  it('giveUpAfterMs: an unreachable collector ends in ExportUnavailableError (exit 1) after the bound, one warning per attempt', async () => {
    const unreachable = createOtlpLogSink({ url: 'http://127.0.0.1:1/v1/logs', protocol: 'http/protobuf', headers: {}, compression: 'none', timeoutMs: 300, endpointIsDefault: false, tls: {}, insecure: false });
    const started = Date.now();
    const err = await exportUntilAcknowledged(unreachable, batch(1), { log, backoff: () => 40, giveUpAfterMs: 300 }).catch((e: unknown) => e);
    await unreachable.shutdown();
    expect(err).toBeInstanceOf(ExportUnavailableError);
    const e = err as ExportUnavailableError;
    expect(e.exitCode).toBe(1);
    expect(e.code).toBe('ERR_EXPORT_UNAVAILABLE');
    expect(e.message).toContain('collector at http://127.0.0.1:1/v1/logs unavailable for');
    expect(e.message).toContain('ECONNREFUSED');
    expect(e.message).toContain('giving up after 300ms');
    expect(e.message).toContain('the next run resumes from there');
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(Date.now() - started).toBeLessThan(3_000);
    const warns = logged.filter((l) => l.level === 'warn');
    expect(warns.length).toBeGreaterThan(1);
    expect(warns.map((w) => w.meta['attempt'])).toEqual(warns.map((_, i) => i + 1));
  });

  it('without giveUpAfterMs the outage is waited out however long it lasts', async () => {
    collector.failNext(12, 503);
    expect(await exportUntilAcknowledged(sink, batch(1), { backoff: () => 30 })).toEqual({ attempts: 13, rejectedRecords: 0 });
  });

  it('shutdown during a backoff wait -> AbortedError promptly', async () => {
    collector.failNext(1_000, 503);
    const ac = new AbortController();
    const started = Date.now();
    const pending = exportUntilAcknowledged(sink, batch(1), { signal: ac.signal, log, backoff: () => 60_000 });
    await collector.waitForRequests(1);
    setTimeout(() => ac.abort(), 100);
    await expect(pending).rejects.toBeInstanceOf(AbortedError);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(collector.requests).toHaveLength(1);
  });

  it('shutdown during a Retry-After wait -> AbortedError promptly', async () => {
    collector.failNext(1, 503, { retryAfter: '120' });
    const ac = new AbortController();
    const pending = exportUntilAcknowledged(sink, batch(1), { signal: ac.signal, backoff: tiny });
    setTimeout(() => ac.abort(), 100);
    const started = Date.now();
    await expect(pending).rejects.toBeInstanceOf(AbortedError);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('an aborted signal -> AbortedError before any request', async () => {
    await expect(exportUntilAcknowledged(sink, batch(1), { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(AbortedError);
    expect(collector.requests).toHaveLength(0);
  });

  it('works with any LogSink (without a target it says "the collector")', async () => {
    const outcomes: ExportOutcome[] = [{ kind: 'retryable', reason: 'busy' }, { kind: 'ok', rejectedRecords: 0 }];
    const fake: LogSink = { export: async () => outcomes.shift() ?? { kind: 'ok', rejectedRecords: 0 }, shutdown: async () => {} };
    expect(await exportUntilAcknowledged(fake, batch(1), { log, backoff: tiny })).toEqual({ attempts: 2, rejectedRecords: 0 });
    expect(logged[0]?.msg).toBe('the collector unavailable: busy; attempt 1, retrying in 5ms; the cursor stays where it is');
  });
});

describe('Shipper: export until acknowledged, then commit', () => {
  /** A sink answering `outcomes` in turn (then ok), writing what happens into `journal`. */
  function journaling(journal: string[], outcomes: ExportOutcome[] = []): LogSink {
    return {
      export: async (b) => {
        const outcome = outcomes.shift() ?? { kind: 'ok', rejectedRecords: 0 };
        journal.push(`export ${(b as LogBatch).records.length} -> ${outcome.kind}`);
        return outcome;
      },
      shutdown: async () => undefined,
    };
  }
  const shipperOf = (sink: LogSink, log = captureLogger().log, policy: Partial<ShipperOptions> = {}) =>
    new Shipper({ sink, resource: buildResource({ resourceAttributes: {}, workspaceGid: '1111' }), log, source: 'audit_log', stream: 'audit_log/1111', backoff: tiny, ...policy });
  const partial: ExportOutcome = { kind: 'partial', rejectedRecords: 2, message: 'log record too large' };
  const commit = (journal: string[]) => async () => void journal.push('commit');

  it.each([
    { name: 'acknowledged at once', outcomes: [] as ExportOutcome[], expected: ['export 2 -> ok', 'commit'] },
    { name: 'after the collector was unavailable', outcomes: [{ kind: 'retryable', reason: 'busy' }] as ExportOutcome[], expected: ['export 2 -> retryable', 'export 2 -> ok', 'commit'] },
  ])('commits only after the acknowledgement: $name', async ({ outcomes, expected }) => {
    const journal: string[] = [];
    await shipperOf(journaling(journal, [...outcomes])).ship(batch(2), new AbortController().signal, commit(journal));
    expect(journal).toEqual(expected);
  });

  it('a rejected batch is never committed', async () => {
    const journal: string[] = [];
    const rejected: ExportOutcome = { kind: 'rejected', status: 400, reason: 'bad' };
    await expect(shipperOf(journaling(journal, [rejected])).ship(batch(1), new AbortController().signal, commit(journal))).rejects.toBeInstanceOf(ExportRejectedError);
    expect(journal).toEqual(['export 1 -> rejected']);
  });

  it('a partial success, by default: the page is not committed and the stream stops (exit 5)', async () => {
    const journal: string[] = [];
    const err = await shipperOf(journaling(journal, [partial])).ship(batch(3), new AbortController().signal, commit(journal)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExportRejectedError);
    expect((err as ExportRejectedError).exitCode).toBe(5);
    expect((err as Error).message).toContain('log record too large');
    expect(journal).toEqual(['export 3 -> partial']);
  });

  it('a partial success with acceptPartialSuccess: a collector_rejected gap record (count, message, stream), acknowledged, then the commit', async () => {
    const journal: string[] = [];
    const batches: LogBatch[] = [];
    const sink = journaling(journal, [partial]);
    const recording: LogSink = { ...sink, target: 'http://127.0.0.1:4318/v1/logs', export: (b, s) => (batches.push(b as LogBatch), sink.export(b, s)) };
    const { log, lines } = captureLogger();
    await shipperOf(recording, log, { acceptPartialSuccess: true }).ship(batch(3), new AbortController().signal, commit(journal));
    expect(journal).toEqual(['export 3 -> partial', 'export 1 -> ok', 'commit']);
    const gap = batches[1]!.records[0]!;
    expect(gap.eventName).toBe('asana.receiver.gap');
    expect(gap.severityText).toBe('WARN');
    expect(gap.attributes).toMatchObject({ 'asana.gap.reason': 'collector_rejected', 'asana.receiver.stream': 'audit_log/1111', 'asana.event.source': 'audit_log' });
    expect(gap.body).toContain('stored 1 of 3 records of a page and rejected 2 (OTLP partial success): log record too large');
    expect(gap.body).toContain('ASANA_ACCEPT_PARTIAL_SUCCESS');
    const warn = lines().find((l) => l.includes('"gapReason":"collector_rejected"'));
    expect(warn).toContain('"level":"warn"');
    expect(warn).toContain('rejected 2');
  });

  it('exports of one stream in flight at once share the outage: one warning per attempt, not one per export', async () => {
    const down: LogSink = { export: async () => ({ kind: 'retryable', reason: 'connect ECONNREFUSED' }), shutdown: async () => undefined };
    const { log, lines } = captureLogger();
    const shipper = shipperOf(down, log, { giveUpAfterMs: 200, backoff: () => 20 });
    const signal = new AbortController().signal;
    const results = await Promise.allSettled([1, 2, 3, 4].map(() => shipper.ship(batch(1), signal)));
    expect(results.every((r) => r.status === 'rejected' && r.reason instanceof ExportUnavailableError)).toBe(true);
    const attempts = lines()
      .filter((l) => l.includes('unavailable: connect ECONNREFUSED'))
      .map((l) => (JSON.parse(l) as { attempt: number }).attempt);
    expect(attempts.length).toBeGreaterThan(1);
    expect(attempts).toEqual(attempts.map((_, i) => i + 1));
  });

  it('nothing to ship (a page of events already shipped): only the commit', async () => {
    const journal: string[] = [];
    const shipper = shipperOf(journaling(journal));
    await shipper.ship(undefined, new AbortController().signal, commit(journal));
    await shipper.ship(shipper.batch([]), new AbortController().signal, commit(journal));
    expect(journal).toEqual(['commit', 'commit']);
  });

  it('a gap record names its stream and source, is logged as a warning, and is acknowledged before the commit', async () => {
    const journal: string[] = [];
    const batches: LogBatch[] = [];
    const sink = journaling(journal);
    const recording: LogSink = { ...sink, export: (b, s) => (batches.push(b as LogBatch), sink.export(b, s)) };
    const { log, lines } = captureLogger();
    const end = new Date('2026-03-01T00:00:00.000Z');
    await shipperOf(recording, log).shipGap({ reason: 'retention_exceeded', end, message: 'lost' }, end, new AbortController().signal, commit(journal));
    expect(journal).toEqual(['export 1 -> ok', 'commit']);
    expect(batches[0]!.records[0]!.attributes).toEqual({
      'asana.event.source': 'audit_log',
      'asana.gap.reason': 'retention_exceeded',
      'asana.receiver.stream': 'audit_log/1111',
      'asana.gap.end': end.toISOString(),
    });
    const warn = lines().find((l) => l.includes('"level":"warn"'))!;
    expect(warn).toContain('retention exceeded: lost');
    expect(warn).toContain('"gapReason":"retention_exceeded"');
  });
});
