import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { AbortedError } from '../../src/errors.ts';
import { Receiver } from '../../src/receiver.ts';
import type { StreamState } from '../../src/state/types.ts';
import { captureLogger, fastBackoff, runOnce, waitFor } from '../helpers/receiver.ts';
import { usePipelineStartedByTest } from '../helpers/pipeline.ts';

/**
 * Late events: Asana records some audit events minutes after their created_at, behind the offset the
 * stream already holds. The re-scan of the trailing window must ship each of them exactly once.
 */
const MIN = 60_000;
const pipeline = usePipelineStartedByTest();

const uids = () => pipeline.collector.records.map((r) => r.attributes['log.record.uid'] as string);
const simGids = () => pipeline.sim.events.map((e) => e.gid);
async function savedState(): Promise<StreamState> {
  const file = JSON.parse(await readFile(pipeline.stateFile, 'utf8')) as { streams: Record<string, StreamState> };
  return file.streams[`audit_log/${pipeline.sim.workspaceGid}`]!;
}

describe('late events', () => {
  it('are found by the re-scan and shipped exactly once; the offset alone would miss them', async () => {
    await pipeline.start({ sim: { backlog: 400, backlogSpanMs: 60 * MIN, seed: 11 } });
    const { log, lines } = captureLogger();
    const config = pipeline.config();
    expect(await runOnce(config, log)).toBe(400);

    const late = pipeline.sim.recordLate(25, { minDelayMs: 2 * MIN, maxDelayMs: 15 * MIN });
    const onTime = pipeline.sim.generate(10);
    expect(await runOnce(config, log)).toBe(35);
    const got = uids();
    expect(new Set(got).size).toBe(got.length); // no duplicates
    expect(new Set(got)).toEqual(new Set(simGids())); // nothing lost
    for (const e of [...late, ...onTime]) expect(got).toContain(e.gid);
    expect(lines().some((l) => l.includes('shipped 25 late audit events'))).toBe(true);

    // The re-scan's query: start_at inside the window, end_at just after the newest shipped event.
    const rescans = pipeline.sim.requests.filter((r) => r.query.end_at !== undefined);
    expect(rescans.length).toBeGreaterThan(0);
    const state = await savedState();
    expect(rescans.at(-1)!.query.end_at).toBe(new Date(Date.parse(state.lastEventAt!) + 1).toISOString());
    expect(Date.now() - Date.parse(rescans.at(-1)!.query.start_at!)).toBeLessThanOrEqual(30 * MIN + 5_000);

    // Every late gid is in the saved window; the window holds nothing older than 30 minutes.
    for (const e of late) expect(state.shippedWindow!.gids[e.gid]).toBe(Date.parse(e.created_at));
    const oldest = Math.min(...Object.values(state.shippedWindow!.gids));
    expect(Date.now() - oldest).toBeLessThanOrEqual(30 * MIN + 5_000);
    expect(Object.keys(state.shippedWindow!.gids).length).toBeLessThan(pipeline.sim.events.length);
    expect(state.eventsShipped).toBe(435);

    expect(await runOnce(config, log)).toBe(0);
    expect(pipeline.collector.records).toHaveLength(435);
  });

  it('without the re-scan (ASANA_LATE_WINDOW=0s) the same late events are lost: the control', async () => {
    await pipeline.start({ sim: { backlog: 200, backlogSpanMs: 20 * MIN, seed: 12 } });
    const { log } = captureLogger();
    const config = pipeline.config({ ASANA_LATE_WINDOW: '0s' });
    await runOnce(config, log);
    const late = pipeline.sim.recordLate(5, { minDelayMs: 2 * MIN, maxDelayMs: 5 * MIN });
    expect(await runOnce(config, log)).toBe(0);
    for (const e of late) expect(uids()).not.toContain(e.gid);
    // (No re-scan ran: the late window is empty in the state. Backfill windows also send end_at, so requests are not the sign.)
    expect((await savedState()).shippedWindow).toBeUndefined();
  });

  it('a re-scan that finds nothing new ships nothing and leaves the window and count alone', async () => {
    await pipeline.start({ sim: { backlog: 300, backlogSpanMs: 20 * MIN, seed: 13 } });
    const { log } = captureLogger();
    const config = pipeline.config();
    await runOnce(config, log);
    const before = await savedState();
    const exports = pipeline.collector.requests.length;
    const asked = pipeline.sim.requests.length;
    expect(await runOnce(config, log)).toBe(0);
    expect(pipeline.collector.requests.length).toBe(exports); // not even an empty export
    expect(pipeline.sim.requests.slice(asked).some((r) => r.query.end_at !== undefined)).toBe(true); // it did re-scan
    const after = await savedState();
    expect(after.shippedWindow?.gids).toEqual(before.shippedWindow?.gids);
    expect(after.eventsShipped).toBe(before.eventsShipped);
  });

  it('an event later than the window is a known limit: not found', async () => {
    await pipeline.start({ sim: { backlog: 100, backlogSpanMs: 20 * MIN, seed: 14 } });
    const { log } = captureLogger();
    const config = pipeline.config({ ASANA_LATE_WINDOW: '5m', ASANA_LATE_RESCAN_INTERVAL: '1m' });
    await runOnce(config, log);
    const tooLate = pipeline.sim.recordLate(3, { minDelayMs: 10 * MIN, maxDelayMs: 15 * MIN });
    const inWindow = pipeline.sim.recordLate(3, { minDelayMs: 1 * MIN, maxDelayMs: 3 * MIN });
    expect(await runOnce(config, log)).toBe(3);
    for (const e of inWindow) expect(uids()).toContain(e.gid);
    for (const e of tooLate) expect(uids()).not.toContain(e.gid);
  });

  it('the re-scan commits its gids only after the collector acknowledged them', async () => {
    await pipeline.start({ sim: { backlog: 150, backlogSpanMs: 20 * MIN, seed: 15 } });
    const { log } = captureLogger();
    const config = pipeline.config();
    await runOnce(config, log);
    const before = await savedState();

    const late = pipeline.sim.recordLate(4, { minDelayMs: 2 * MIN, maxDelayMs: 4 * MIN });
    pipeline.collector.failNext(1, 400, { body: 'bad data' });
    await expect(runOnce(config, log)).rejects.toMatchObject({ code: 'ERR_EXPORT_REJECTED', exitCode: 5 });
    const rejected = await savedState();
    for (const e of late) expect(rejected.shippedWindow!.gids[e.gid]).toBeUndefined();
    expect(rejected.eventsShipped).toBe(before.eventsShipped);

    // The collector is flaky, then accepts: shipped once, then committed.
    pipeline.collector.failNext(3, 503);
    expect(await runOnce(config, log)).toBe(4);
    const after = await savedState();
    for (const e of late) expect(after.shippedWindow!.gids[e.gid]).toBeDefined();
    expect(uids().filter((u) => late.some((e) => e.gid === u))).toHaveLength(4);
  });

  it('while running, late live events are shipped every ASANA_LATE_RESCAN_INTERVAL, each once', async () => {
    await pipeline.start({ sim: { backlog: 200, backlogSpanMs: 10 * MIN, seed: 16, late: { fraction: 0.3, maxDelayMs: 1_500 } } });
    const { log } = captureLogger();
    const config = pipeline.config({ ASANA_POLL_INTERVAL: '1s', ASANA_LATE_WINDOW: '1m', ASANA_LATE_RESCAN_INTERVAL: '1s' });
    const receiver = await Receiver.create(config, log, { backoff: fastBackoff });
    const stop = new AbortController();
    const running = receiver.run(stop.signal);
    try {
      pipeline.sim.startLive(40);
      await new Promise((r) => setTimeout(r, 3_000));
      pipeline.sim.stopLive();
      // The last late events are recorded within 1.5 s; then the re-scan must find them.
      await waitFor(() => pipeline.sim.pendingLateEvents === 0, 'the last late events to be recorded', 5_000);
      await waitFor(() => new Set(uids()).size === pipeline.sim.events.length, 'every live event, late ones included', 15_000);
    } finally {
      stop.abort();
      await running.catch((err: unknown) => {
        if (!(err instanceof AbortedError)) throw err;
      });
      await receiver.close();
    }
    const got = uids();
    expect(new Set(got)).toEqual(new Set(simGids()));
    expect(got.length).toBe(new Set(got).size);
    expect(pipeline.sim.events.length).toBeGreaterThan(250);
  });
});
