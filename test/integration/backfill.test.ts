import { readFile, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { StreamState } from '../../src/state/types.ts';
import { sliceConcurrency } from '../../src/streams/audit-log/planner.ts';
import { captureLogger, runOnce, spawnCli, waitFor } from '../helpers/receiver.ts';
import { usePipeline } from '../helpers/pipeline.ts';

const DAY = 86_400_000;
const PAGE = 100;

/**
 * Backfilling a history spread over days in parallel time windows, as users run it: several
 * cursors in flight at once, each committed on its own, resumed after kill -9.
 */
describe('parallel backfill of a long history', () => {
  const pipeline = usePipeline({ sim: { backlog: 6000, backlogSpanMs: 5 * DAY, seed: 11, latencyMs: 3 } });

  const uids = () => pipeline.collector.records.map((r) => r.attributes['log.record.uid'] as string);
  const state = async () => {
    const file = JSON.parse(await readFile(pipeline.stateFile, 'utf8')) as { version: number; streams: Record<string, StreamState> };
    return file.streams[`audit_log/${pipeline.sim.workspaceGid}`]!;
  };

  it('kill -9 several times mid-backfill, then a final run: every event arrives, duplicates bounded by the pages in flight', async () => {
    // A budget of 50 requests/s (5,000 events/s at most) leaves time to kill each run mid-backlog.
    const env = pipeline.env({ ASANA_START_AT: '6d', ASANA_MAX_REQUESTS_PER_MINUTE: '3000' });
    // Cursors read at once for this budget: each has at most one acknowledged-but-uncommitted page.
    const inFlightPerKill = sliceConcurrency(Number(env.ASANA_MAX_REQUESTS_PER_MINUTE)) * PAGE;
    const kills = 3;
    for (let k = 1; k <= kills; k++) {
      const run = spawnCli(['once'], env);
      const target = pipeline.collector.records.length + 1200;
      await waitFor(() => pipeline.collector.records.length >= target, `run ${k} to ship more records`);
      run.child.kill('SIGKILL');
      expect((await run.exit).signal).toBe('SIGKILL');
      const s = await state();
      // It really was killed mid-backfill, with several windows being read.
      expect(s.backfill?.length ?? 0).toBeGreaterThan(1);
      if (k === 1) expect(s.backfill!.filter((w) => w.eventsShipped > 0).length + (s.eventsShipped > 0 ? 1 : 0)).toBeGreaterThan(1);
    }
    expect(pipeline.collector.records.length).toBeLessThan(6000 + kills * inFlightPerKill);

    const last = spawnCli(['once'], env);
    expect((await last.exit).code).toBe(0);

    const got = uids();
    const all = pipeline.sim.events.map((e) => e.gid);
    expect(new Set(got)).toEqual(new Set(all)); // nothing lost
    expect(got.length - all.length).toBeLessThanOrEqual(kills * inFlightPerKill);
    const done = await state();
    expect(done.backfill).toBeUndefined(); // every window finished and left the state
    expect(done.lastEventAt).toBe(pipeline.sim.events.at(-1)!.created_at);

    const again = spawnCli(['once'], env);
    expect((await again.exit).code).toBe(0);
    expect(pipeline.collector.records.length).toBe(got.length); // and a later run re-sends nothing
  });

  it('ships every event once, each window in Asana order, the newest window becoming the live tail', async () => {
    const { log, lines } = captureLogger();
    const config = pipeline.config({ ASANA_START_AT: '6d' });
    expect(await runOnce(config, log)).toBe(6000);
    const got = uids();
    expect(got).toHaveLength(6000);
    expect(new Set(got).size).toBe(6000);
    // Several windows really were read at once: their records arrived interleaved.
    const order = new Map(pipeline.sim.events.map((e, i) => [e.gid, i]));
    const positions = got.map((g) => order.get(g)!);
    const inversions = positions.filter((p, i) => i > 0 && p < positions[i - 1]!).length;
    expect(inversions).toBeGreaterThan(0);
    expect(lines().some((l) => l.includes('backfillWindows'))).toBe(true);

    // Live events after the backfill ship on the next run, through the tail.
    const later = pipeline.sim.generate(250);
    expect(await runOnce(config, log)).toBe(250);
    expect(uids().slice(6000)).toEqual(later.map((e) => e.gid));
  });

  it('the state stays version 1: an older receiver reads it and follows the live tail', async () => {
    const env = pipeline.env({ ASANA_START_AT: '6d' });
    const run = spawnCli(['once'], env);
    await waitFor(() => pipeline.collector.records.length >= 1000, 'records to flow');
    run.child.kill('SIGKILL');
    await run.exit;
    const file = JSON.parse(await readFile(pipeline.stateFile, 'utf8')) as { version: number; streams: Record<string, StreamState> };
    expect(file.version).toBe(1);
    const s = file.streams[`audit_log/${pipeline.sim.workspaceGid}`]!;
    // The fields version 1 always had still describe one resumable cursor: the live tail's.
    expect(typeof s.startAt).toBe('string');
    expect(Date.parse(s.startAt!)).toBeGreaterThan(Date.now() - 6 * DAY);
    expect(s.eventsShipped).toBeGreaterThan(0);
    for (const w of s.backfill!) expect(Date.parse(w.endAt)).toBeLessThanOrEqual(Date.parse(s.startAt!));

    // state show says what is left to backfill.
    const show = spawnCli(['state', 'show'], env);
    expect((await show.exit).code).toBe(0);
    expect(show.stdout()).toMatch(new RegExp(`backfilling ${s.backfill!.length} older time windows in parallel`));
    const json = spawnCli(['state', 'show', '--json'], env);
    await json.exit;
    const shown = JSON.parse(json.stdout()) as { streams: Array<{ backfill: unknown[]; eventsShipped: number }> };
    expect(shown.streams[0]!.backfill).toHaveLength(s.backfill!.length);
    expect(shown.streams[0]!.eventsShipped).toBe(s.eventsShipped);
  });

  it('a tail that is days behind (a state from before backfill windows) is split and caught up without loss', async () => {
    // What an older receiver left: one cursor, far behind, no caughtUpAt, no windows.
    const first = pipeline.sim.events.slice(0, 300);
    const key = `audit_log/${pipeline.sim.workspaceGid}`;
    const old: StreamState = {
      stream: 'audit_log',
      workspaceGid: pipeline.sim.workspaceGid,
      filters: {},
      startAt: new Date(Date.parse(first[0]!.created_at) - 1000).toISOString(),
      lastEventAt: first.at(-1)!.created_at,
      lastEventGid: first.at(-1)!.gid,
      lastEventGids: first.filter((e) => e.created_at === first.at(-1)!.created_at).map((e) => e.gid),
      eventsShipped: 300,
      updatedAt: new Date().toISOString(),
    };
    await writeFile(pipeline.stateFile, JSON.stringify({ version: 1, streams: { [key]: old } }), 'utf8');
    const { log, lines } = captureLogger();
    expect(await runOnce(pipeline.config(), log)).toBe(5700);
    const got = uids();
    expect(new Set(got)).toEqual(new Set(pipeline.sim.events.slice(300).map((e) => e.gid)));
    expect(got).toHaveLength(5700);
    expect(lines().some((l) => l.includes('far behind'))).toBe(true);
    expect((await state()).eventsShipped).toBe(6000);
  });
});
