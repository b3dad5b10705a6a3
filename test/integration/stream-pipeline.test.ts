import { writeFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AsanaClient } from '../../src/asana/client.ts';
import { RateLimiter } from '../../src/asana/rate-limiter.ts';
import { buildResource } from '../../src/export/resource.ts';
import { recordCount, type ExportOutcome, type LogSink } from '../../src/export/types.ts';
import { openFileStateStore } from '../../src/state/store.ts';
import type { StateStore, StreamState } from '../../src/state/types.ts';
import { PIPELINE_DEPTH } from '../../src/streams/audit-log/pipeline.ts';
import { AuditLogStream } from '../../src/streams/audit-log/stream.ts';
import { AsanaSimulator } from '../../src/simulator/index.ts';
import { captureLogger, runOnce, tempStateFile, waitFor } from '../helpers/receiver.ts';
import { usePipeline } from '../helpers/pipeline.ts';

/** A collector that acknowledges each export only when the test says so. */
function heldSink(): LogSink & { held: Array<{ records: number; ack: () => void }> } {
  const held: Array<{ records: number; ack: () => void }> = [];
  return {
    held,
    export: (batch) =>
      new Promise<ExportOutcome>((resolve) => held.push({ records: recordCount(batch), ack: () => resolve({ kind: 'ok', rejectedRecords: 0 }) })),
    shutdown: async () => {},
  };
}

describe('one cursor as a bounded pipeline', () => {
  let sim: AsanaSimulator;
  let store: StateStore;
  let stateFile: string;

  beforeEach(async () => {
    sim = await AsanaSimulator.start({ backlog: 650, seed: 4 });
    stateFile = await tempStateFile();
    store = await openFileStateStore(stateFile);
  });
  afterEach(async () => {
    await store.close();
    await sim.close();
  });

  it('fetches ahead while a page is exported, stops when the collector is slow, commits only acknowledged pages, in order', async () => {
    const { log } = captureLogger();
    const api = new AsanaClient({ apiUrl: sim.url, token: sim.token, limiter: new RateLimiter(600_000), log });
    const sink = heldSink();
    const stream = new AuditLogStream({
      api,
      store,
      sink,
      resource: buildResource({ resourceAttributes: {}, workspaceGid: sim.workspaceGid }),
      workspaceGid: sim.workspaceGid,
      filters: {},
      startAt: { kind: 'ago', ms: 86_400_000 },
      pollIntervalMs: 1_000,
      log,
    });
    const committed = () => store.get(stream.key)?.eventsShipped ?? 0;
    const pageRequests = () => sim.requests.filter((r) => r.path.endsWith('/audit_log_events')).length;
    const done = stream.catchUp(new AbortController().signal);

    await waitFor(() => sink.held.length === 1, 'the first export');
    await waitFor(() => pageRequests() === PIPELINE_DEPTH, 'the next page to be fetched meanwhile');
    await new Promise((r) => setTimeout(r, 300));
    // Backpressure: with the collector holding the first page, no further page is fetched …
    expect(pageRequests()).toBe(PIPELINE_DEPTH);
    // … and nothing is committed before the acknowledgement.
    expect(committed()).toBe(0);
    expect(sink.held).toHaveLength(1); // one export in flight per cursor

    for (let page = 1; page <= 7; page++) {
      await waitFor(() => sink.held.length === page, `export ${page}`);
      expect(committed()).toBe((page - 1) * 100); // pages before it, all of them, and no more
      sink.held[page - 1]!.ack();
      await waitFor(() => committed() === Math.min(650, page * 100), `page ${page} committed`);
    }
    expect(await done).toEqual({ pages: 7, shipped: 650 });
    expect(sink.held.map((h) => h.records)).toEqual([100, 100, 100, 100, 100, 100, 50]);
    expect(store.get(stream.key)!.lastEventAt).toBe(sim.events.at(-1)!.created_at);
    await api.close();
  });
});

describe('resuming at an instant shared by more than a page of events', () => {
  const pipeline = usePipeline({ sim: { backlog: 500, seed: 8 } });

  it('ships each event of that instant once, on the offsets that follow too', async () => {
    // 250 events at one millisecond, of which the first 120 were shipped before a restart that
    // has to resume with start_at (no usable offset).
    const at = new Date(Date.now() - 3_600_000).toISOString();
    pipeline.sim.add(Array.from({ length: 250 }, () => ({ created_at: at, event_type: 'task_deleted', event_category: 'deletion' })));
    const tied = pipeline.sim.events.filter((e) => e.created_at === at);
    const shippedBefore = tied.slice(0, 120);
    const key = `audit_log/${pipeline.sim.workspaceGid}`;
    const resumed: StreamState = {
      stream: 'audit_log',
      workspaceGid: pipeline.sim.workspaceGid,
      filters: {},
      startAt: new Date(Date.now() - 86_400_000).toISOString(),
      lastEventAt: at,
      lastEventGid: shippedBefore.at(-1)!.gid,
      lastEventGids: shippedBefore.map((e) => e.gid),
      eventsShipped: 120,
      updatedAt: new Date().toISOString(),
    };
    await writeFile(pipeline.stateFile, JSON.stringify({ version: 1, streams: { [key]: resumed } }), 'utf8');
    const { log } = captureLogger();
    const expected = pipeline.sim.events.filter((e) => e.created_at > at || (e.created_at === at && !shippedBefore.includes(e)));
    expect(await runOnce(pipeline.config(), log)).toBe(expected.length);
    const got = pipeline.collector.records.map((r) => r.attributes['log.record.uid'] as string);
    expect(got).toEqual(expected.map((e) => e.gid));
  });
});
