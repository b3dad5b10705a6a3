import { readFile, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { ASANA_RETENTION_MS } from '../../src/config/index.ts';
import type { StreamState } from '../../src/state/types.ts';
import { captureLogger, runOnce } from '../helpers/receiver.ts';
import { usePipelineStartedByTest } from '../helpers/pipeline.ts';

/**
 * Where a stream resumes when its saved position cannot be used as is: Asana refused the offset
 * (expired or invalid), or the state is older than Asana's 90-day retention. Nothing is lost that
 * can be recovered, and what cannot be is reported as an `asana.receiver.gap` record.
 */
const DAY = 86_400_000;
const pipeline = usePipelineStartedByTest();

const key = () => `audit_log/${pipeline.sim.workspaceGid}`;
const events = () => pipeline.collector.records.filter((r) => r.eventName !== 'asana.receiver.gap');
const gaps = () => pipeline.collector.records.filter((r) => r.eventName === 'asana.receiver.gap');
const uids = () => events().map((r) => r.attributes['log.record.uid'] as string);
async function savedState(): Promise<StreamState> {
  return (JSON.parse(await readFile(pipeline.stateFile, 'utf8')) as { streams: Record<string, StreamState> }).streams[key()]!;
}
async function writeState(state: Partial<StreamState>): Promise<void> {
  const full = { stream: 'audit_log', workspaceGid: pipeline.sim.workspaceGid, filters: {}, eventsShipped: 0, updatedAt: new Date().toISOString(), ...state };
  await writeFile(pipeline.stateFile, JSON.stringify({ version: 1, streams: { [key()]: full } }), 'utf8');
}

describe('a refused offset', () => {
  it('expiring between polls: resumes from the last shipped time, nothing lost, nothing repeated', async () => {
    let now = Date.now();
    await pipeline.start({ sim: { backlog: 300, seed: 21, offsetTtlMs: 60_000, now: () => now } });
    const { log, lines } = captureLogger();
    const config = pipeline.config();
    expect(await runOnce(config, log)).toBe(300);
    now += 5 * 60_000; // the saved offset is now 5 minutes old: expired
    const later = pipeline.sim.generate(40);
    expect(await runOnce(config, log)).toBe(40);
    expect(pipeline.sim.requests.some((r) => r.status === 400)).toBe(true);
    expect(lines().some((l) => l.includes('Asana refused the saved offset; resuming from the last shipped event time'))).toBe(true);
    expect(uids()).toEqual([...pipeline.sim.events.slice(0, 300), ...later].map((e) => e.gid));
    expect(gaps()).toHaveLength(0);
  });

  it('expiring again and again in the middle of a backlog, even inside same-millisecond bursts: every event exactly once', async () => {
    // The simulator's clock jumps 2 minutes every 8 readings: the offsets issued before a jump (60 s TTL) expire.
    let ticks = 0;
    const t0 = Date.now() - 3_600_000;
    const clock = () => {
      ticks++;
      return t0 + ticks + Math.floor(ticks / 8) * 120_000;
    };
    await pipeline.start({ sim: { backlog: 2_000, backlogSpanMs: 3_000, seed: 22, offsetTtlMs: 60_000, now: clock } });
    const { log } = captureLogger('warn');
    expect(await runOnce(pipeline.config(), log)).toBe(2_000);
    const refused = pipeline.sim.requests.filter((r) => r.status === 400).length;
    expect(refused).toBeGreaterThan(3);
    expect(uids()).toEqual(pipeline.sim.events.map((e) => e.gid));
  });

  it('before anything was shipped: re-reads from the stream start, no gap', async () => {
    await pipeline.start({ sim: { backlog: 150, seed: 23 } });
    const start = new Date(Date.now() - 7 * DAY).toISOString();
    await writeState({ offset: 'not-an-offset-asana-gave', offsetStartAt: start, startAt: start });
    const { log } = captureLogger();
    expect(await runOnce(pipeline.config(), log)).toBe(150);
    expect(uids()).toEqual(pipeline.sim.events.map((e) => e.gid));
    expect(gaps()).toHaveLength(0);
  });

  it('with no time to resume from: a gap record (offset_unresumable) first, acknowledged, then a fresh start', async () => {
    await pipeline.start({ sim: { backlog: 120, seed: 24 } });
    await writeState({ offset: 'not-an-offset-asana-gave' });
    const { log, lines } = captureLogger();
    const before = Date.now();
    expect(await runOnce(pipeline.config({ ASANA_START_AT: '7d' }), log)).toBe(120);
    expect(pipeline.collector.records[0]!.eventName).toBe('asana.receiver.gap'); // the gap comes before the events
    expect(gaps()).toHaveLength(1);
    const gap = gaps()[0]!;
    expect(gap.severityText).toBe('WARN');
    expect(gap.attributes['asana.gap.reason']).toBe('offset_unresumable');
    expect(gap.attributes['asana.gap.start']).toBeUndefined(); // unknown
    const end = Date.parse(gap.attributes['asana.gap.end'] as string);
    expect(Math.abs(end - (before - 7 * DAY))).toBeLessThan(60_000);
    expect(uids()).toEqual(pipeline.sim.events.map((e) => e.gid));
    expect((await savedState()).startAt).toBe(gap.attributes['asana.gap.end']);
    expect(lines().some((l) => l.includes('offset unresumable'))).toBe(true);

    expect(await runOnce(pipeline.config(), log)).toBe(0);
    expect(gaps()).toHaveLength(1); // reported once
  });

  it('the gap record is not lost when the collector refuses it: the old position is kept until it is acknowledged', async () => {
    await pipeline.start({ sim: { backlog: 50, seed: 25 } });
    await writeState({ offset: 'not-an-offset-asana-gave' });
    const before = await readFile(pipeline.stateFile, 'utf8');
    pipeline.collector.failNext(1, 400, { body: 'no' });
    const { log } = captureLogger();
    await expect(runOnce(pipeline.config(), log)).rejects.toMatchObject({ code: 'ERR_EXPORT_REJECTED' });
    expect(await readFile(pipeline.stateFile, 'utf8')).toBe(before);
    expect(await runOnce(pipeline.config(), log)).toBe(50);
    expect(gaps()).toHaveLength(1);
  });
});

describe("Asana's 90-day retention", () => {
  it('a state older than 90 days resumes at the oldest available event and reports the gap', async () => {
    const now = Date.now();
    await pipeline.start({ sim: { seed: 26 } });
    const lastShipped = new Date(now - 100 * DAY).toISOString();
    // Events Asana would have deleted, then ones it still has.
    pipeline.sim.generate(30, { from: new Date(now - 99 * DAY), to: new Date(now - 91 * DAY) });
    const kept = pipeline.sim.generate(60, { from: new Date(now - 89 * DAY), to: new Date(now - DAY) });
    await writeState({ offset: 'offset-from-100-days-ago', lastEventAt: lastShipped, lastEventGids: ['1'], eventsShipped: 5000, updatedAt: lastShipped, startAt: new Date(now - 101 * DAY).toISOString() });
    const { log, lines } = captureLogger();
    expect(await runOnce(pipeline.config(), log)).toBe(60);

    expect(pipeline.collector.records[0]!.eventName).toBe('asana.receiver.gap');
    const gap = gaps()[0]!;
    expect(gap.attributes['asana.gap.reason']).toBe('retention_exceeded');
    expect(gap.attributes['asana.gap.start']).toBe(lastShipped);
    const end = Date.parse(gap.attributes['asana.gap.end'] as string);
    expect(Math.abs(end - (now - ASANA_RETENTION_MS))).toBeLessThan(60_000);
    expect(String(gap.body)).toContain("older than Asana's 90-day audit-log retention");
    // It asked from the new start, never with the stale offset.
    expect(pipeline.sim.requests.some((r) => r.query.offset === 'offset-from-100-days-ago')).toBe(false);
    expect(pipeline.sim.requests[0]!.query.start_at).toBe(gap.attributes['asana.gap.end']);
    // Every kept event once (backfill windows are read in parallel: in order within a window only).
    expect([...uids()].sort()).toEqual(kept.map((e) => e.gid).sort());
    expect(lines().some((l) => l.includes('retention exceeded'))).toBe(true);

    const state = (await savedState()) as Awaited<ReturnType<typeof savedState>> & { backfill?: Array<{ startAt: string }> };
    // Every cursor (the tail and any backfill window) reads from the new start on, none from before it.
    const gapEnd = Date.parse(gap.attributes['asana.gap.end'] as string);
    for (const start of [state.startAt, ...(state.backfill ?? []).map((w) => w.startAt)]) expect(Date.parse(start!)).toBeGreaterThanOrEqual(gapEnd);
    expect(state.eventsShipped).toBe(5060);
    expect(await runOnce(pipeline.config(), log)).toBe(0);
    expect(gaps()).toHaveLength(1);
  });

  it('a quiet stream that was caught up recently is not a gap, however old its last event', async () => {
    const now = Date.now();
    await pipeline.start({ sim: { seed: 27 } });
    const [old] = pipeline.sim.generate(1, { from: new Date(now - 120 * DAY) });
    await writeState({ offset: 'refused-offset', lastEventAt: old!.created_at, lastEventGids: [old!.gid], eventsShipped: 1, caughtUpAt: new Date(now - 3_600_000).toISOString() });
    const fresh = pipeline.sim.generate(3);
    const { log } = captureLogger();
    expect(await runOnce(pipeline.config(), log)).toBe(3);
    expect(gaps()).toHaveLength(0);
    expect(uids()).toEqual(fresh.map((e) => e.gid));
  });

  it('a first run with ASANA_START_AT beyond 90 days is the user\'s choice: a warning, no gap record', async () => {
    await pipeline.start({ sim: { backlog: 20, seed: 28 } });
    const { log } = captureLogger();
    const config = pipeline.config({ ASANA_START_AT: '120d' });
    expect(config.warnings?.some((w) => w.includes('more than 90 days'))).toBe(true);
    expect(await runOnce(config, log)).toBe(20);
    expect(gaps()).toHaveLength(0);
  });

  it('a caught-up stream refreshes caughtUpAt, so its position stays provable', async () => {
    await pipeline.start({ sim: { backlog: 20, seed: 29 } });
    const { log } = captureLogger();
    await runOnce(pipeline.config(), log);
    const state = await savedState();
    expect(Date.now() - Date.parse(state.caughtUpAt!)).toBeLessThan(60_000);
  });
});
