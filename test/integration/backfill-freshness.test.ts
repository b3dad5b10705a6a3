import { readFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AsanaClient, type AsanaApi } from '../../src/asana/client.ts';
import { RateLimiter } from '../../src/asana/rate-limiter.ts';
import { AbortedError } from '../../src/errors.ts';
import { createOtlpLogSink } from '../../src/export/otlp.ts';
import type { ExportOutcome, LogBatch, LogSink } from '../../src/export/types.ts';
import { Receiver } from '../../src/receiver.ts';
import type { StreamState } from '../../src/state/types.ts';
import { captureLogger, fastBackoff, waitFor } from '../helpers/receiver.ts';
import { usePipeline } from '../helpers/pipeline.ts';

/**
 * `run` during a long first backfill, with the late-event re-scan on (the default): the live tail
 * is polled every ASANA_POLL_INTERVAL and the trailing window re-scanned every
 * ASANA_LATE_RESCAN_INTERVAL while the older time windows are still being read — and the tail, the
 * backfill workers and the re-scan all commit the one state entry without losing each other's
 * changes. Here a backfill is made "long" by holding its windows back, not by waiting for hours.
 */
const MIN = 60_000;
const DAY = 86_400_000;

/**
 * Asana (the simulator, through the real client) with the backfill windows' calls held until
 * released. A backfill window ends at least an hour ago (the live tail covers at least the last
 * hour, slices.ts); the re-scan's end_at is just after the newest shipped event, minutes ago.
 */
function holdingBackfill(client: AsanaClient): AsanaApi & { release: () => void } {
  let released = false;
  const isBackfill = (endAt: string | undefined) => endAt !== undefined && Date.parse(endAt) < Date.now() - 60 * MIN;
  return {
    release: () => {
      released = true;
    },
    getAuditLogPage: async (query, signal) => {
      while (isBackfill(query.endAt) && !released) {
        if (signal?.aborted) throw new AbortedError();
        await new Promise((r) => setTimeout(r, 20));
      }
      return client.getAuditLogPage(query, signal);
    },
    getEvents: (query, signal) => client.getEvents(query, signal),
  };
}

/** The OTLP sink to the collector, holding back each export `hold` picks until the test releases it. */
function holdingSink(inner: LogSink): LogSink & { hold: (uids: string[]) => boolean; held: Array<{ uids: string[]; release: () => void }>; releaseAll: () => void } {
  const sink = {
    hold: (_uids: string[]) => false,
    held: [] as Array<{ uids: string[]; release: () => void }>,
    releaseAll(): void {
      sink.hold = () => false;
      for (const h of sink.held.splice(0)) h.release();
    },
    // No encode(): batches arrive as LogBatch, whose records the test can read.
    async export(batch: LogBatch, signal?: AbortSignal): Promise<ExportOutcome> {
      const uids = batch.records.map((r) => String(r.attributes['log.record.uid']));
      if (sink.hold(uids)) {
        await new Promise<void>((resolve, reject) => {
          sink.held.push({ uids, release: resolve });
          signal?.addEventListener('abort', () => reject(new AbortedError()), { once: true });
        });
      }
      return inner.export(batch, signal);
    },
    shutdown: () => inner.shutdown(),
  };
  return sink;
}

describe('the live tail and the late-event re-scan during a long backfill (run)', () => {
  let client: AsanaClient;
  let api: ReturnType<typeof holdingBackfill>;
  let sink: ReturnType<typeof holdingSink>;
  let stop: AbortController;
  let running: Promise<void> | undefined;
  let receiver: Receiver | undefined;

  const pipeline = usePipeline({ sim: { backlog: 3000, backlogSpanMs: 3 * DAY, seed: 21 } });
  beforeEach(async () => {
    // Three days of history (backfill windows), plus recent events for the live tail and its window.
    pipeline.sim.generate(20, { from: new Date(Date.now() - 20 * MIN), to: new Date(Date.now() - MIN) });
    const { log } = captureLogger();
    client = new AsanaClient({ apiUrl: pipeline.sim.url, token: pipeline.sim.token, limiter: new RateLimiter(600_000), log, backoff: fastBackoff });
    api = holdingBackfill(client);
    sink = holdingSink(
      createOtlpLogSink({ url: pipeline.collector.logsUrl, protocol: 'http/protobuf', headers: {}, compression: 'none', timeoutMs: 5_000, endpointIsDefault: false, tls: {}, insecure: false }),
    );
    const config = pipeline.config({ ASANA_START_AT: '3d', ASANA_POLL_INTERVAL: '1s', ASANA_LATE_RESCAN_INTERVAL: '1s' });
    receiver = await Receiver.create(config, log, { api, sink, backoff: fastBackoff });
    stop = new AbortController();
    running = receiver.run(stop.signal);
  });
  afterEach(async () => {
    stop.abort();
    sink.releaseAll();
    api.release();
    await running?.catch(() => undefined);
    await receiver?.close();
    await client.close();
  });

  const uids = () => pipeline.collector.records.map((r) => r.attributes['log.record.uid'] as string);
  const shipped = (gids: string[]) => gids.every((g) => uids().includes(g));
  const state = async (): Promise<StreamState | undefined> => {
    try {
      const file = JSON.parse(await readFile(pipeline.stateFile, 'utf8')) as { streams: Record<string, StreamState> };
      return file.streams[`audit_log/${pipeline.sim.workspaceGid}`];
    } catch {
      return undefined; // not written yet
    }
  };
  async function stateWhen(check: (s: StreamState) => boolean, what: string, timeoutMs = 10_000): Promise<StreamState> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const s = await state();
      if (s && check(s)) return s;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  /** An event Asana records now, a minute before the newest one the tail shipped: behind its offset. */
  const recordLateBehind = (lastEventAt: string) => {
    const delay = Date.now() - Date.parse(lastEventAt) + MIN;
    expect(delay, 'the late event is inside the 30-minute late window').toBeLessThan(25 * MIN);
    return pipeline.sim.recordLate(1, { minDelayMs: delay, maxDelayMs: delay })[0]!;
  };
  /** The re-scan's calls: end_at just after the newest shipped event (backfill windows end an hour ago or more). */
  const rescans = () => pipeline.sim.requests.filter((r) => r.query.end_at !== undefined && Date.parse(r.query.end_at) > Date.now() - 60 * MIN).length;

  /** Stops the receiver and checks the whole run: every event exactly once, the state complete. */
  async function stopAndCheck(): Promise<void> {
    // The collector has the last page before its commit is written: let that commit land first
    // (a count lost to a bug never gets there, and fails the checks below after the wait).
    // A window that shipped its last event is done only at its next, empty page: wait for that too
    // (a window that never ends fails the checks below after the wait).
    await stateWhen((s) => s.eventsShipped >= pipeline.sim.events.length && !s.backfill?.length, 'the last commits', 10_000).catch(() => undefined);
    stop.abort();
    await running!.catch((err: unknown) => {
      if (!(err instanceof AbortedError)) throw err;
    });
    const got = uids();
    expect(got.length - new Set(got).size, 'duplicates').toBe(0);
    expect(new Set(got)).toEqual(new Set(pipeline.sim.events.map((e) => e.gid)));
    const s = (await state())!;
    expect(s.backfill).toBeUndefined();
    expect(s.eventsShipped).toBe(pipeline.sim.events.length);
    expect(s.lastEventAt).toBe(pipeline.sim.events.at(-1)!.created_at);
  }

  it('ships live events every poll and late ones every re-scan before the backfill windows are done', async () => {
    const caughtUp = await stateWhen((s) => s.caughtUpAt !== undefined, 'the live tail to catch up');
    expect(caughtUp.backfill?.length ?? 0).toBeGreaterThan(1);

    const live = pipeline.sim.generate(3).map((e) => e.gid);
    const late = recordLateBehind(caughtUp.lastEventAt!).gid;
    await waitFor(() => shipped(live), 'the live events, while the backfill windows wait', 8_000);
    await waitFor(() => shipped([late]), 'the late event, found by a re-scan while the backfill windows wait', 8_000);
    const during = await stateWhen((s) => s.shippedWindow?.gids[late] !== undefined, 'the re-scan to commit the late event');
    // The backfill really was still in progress: no window was read, all of them are still pending.
    expect(during.backfill).toHaveLength(caughtUp.backfill!.length);
    expect(during.backfill!.every((w) => w.eventsShipped === 0)).toBe(true);

    api.release();
    await waitFor(() => new Set(uids()).size === pipeline.sim.events.length, 'the backfill to finish');
    await stopAndCheck();
  });

  it('a re-scan committing between backfill and tail commits loses none of their window entries, counts or cursor moves', async () => {
    const caughtUp = await stateWhen((s) => s.caughtUpAt !== undefined, 'the live tail to catch up');
    const tailStart = Date.parse(caughtUp.startAt!);
    const backfillGids = new Set(pipeline.sim.events.filter((e) => Date.parse(e.created_at) < tailStart).map((e) => e.gid));
    const late = recordLateBehind(caughtUp.lastEventAt!).gid;
    // Backfill pages and the re-scan's page wait at the collector until released, one by one.
    sink.hold = (batch) => batch.some((u) => backfillGids.has(u) || u === late);
    api.release();
    const heldBackfill = () => sink.held.filter((h) => !h.uids.includes(late));
    await waitFor(() => sink.held.some((h) => h.uids.includes(late)), 'the re-scan to export the late event', 8_000);
    await waitFor(() => heldBackfill().length >= 2, 'backfill pages exported meanwhile');

    // A backfill page is acknowledged and committed while the re-scan's export is in flight …
    const shippedBefore = (await state())!.eventsShipped;
    heldBackfill()[0]!.release();
    await stateWhen((s) => s.eventsShipped > shippedBefore, 'the backfill page to be committed');
    // … a live event waits for the tail's next poll …
    const live = pipeline.sim.generate(1)[0]!.gid;
    // … then the re-scan's page is acknowledged and committed, and after it more backfill pages.
    sink.held.find((h) => h.uids.includes(late))!.release();
    await stateWhen((s) => s.shippedWindow?.gids[late] !== undefined, 'the re-scan to commit the late event');
    const afterRescan = (await state())!.eventsShipped;
    heldBackfill().at(-1)!.release();
    await stateWhen((s) => s.eventsShipped > afterRescan, 'a backfill page committed after the re-scan');
    sink.releaseAll();
    await waitFor(() => new Set(uids()).size === pipeline.sim.events.length, 'every event, the live one included');
    expect(shipped([live])).toBe(true);

    // Two more re-scans over the window: had a later commit dropped the late gid from it, they would ship it again.
    const passes = rescans();
    await waitFor(() => rescans() >= passes + 2, 'two more re-scans', 8_000);
    const s = (await state())!;
    expect(s.shippedWindow!.gids[late]).toBeDefined();
    expect(s.shippedWindow!.gids[live]).toBeDefined();
    await stopAndCheck();
  });
});
