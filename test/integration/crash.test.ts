import { describe, expect, it } from 'vitest';
import { Prng } from '../../src/simulator/index.ts';
import { redeliveriesPerKill, runKilledAtRandomPoints } from '../helpers/kill-loop.ts';
import { envFor, tempStateFile } from '../helpers/receiver.ts';
import { usePipelineForAll } from '../helpers/pipeline.ts';
import { sliceConcurrency } from '../../src/streams/audit-log/planner.ts';

/**
 * The receiver killed with SIGKILL at random points over a large backlog, again and again — at
 * start-up, mid-page, mid-export, mid-commit, during the late re-scan — then run to the end. The
 * kill points come from a seeded PRNG; the seed is in every failure message (CRASH_SEED=… repeats it).
 */
const BACKLOG = 20_000;
const KILLS = 12;
const PAGE = 100;
/**
 * A kill can cut off one acknowledged, not yet committed page per cursor being read; the dense
 * backlog is split into windows read side by side (streams/audit-log/split.ts), so up to one page
 * per cursor read at once.
 */
const PER_KILL = sliceConcurrency(60_000) * PAGE;

describe('SIGKILL at random points over a large backlog', () => {
  const pipeline = usePipelineForAll({ sim: { backlog: BACKLOG, seed: 31 } });

  it(`${KILLS} kills: nothing lost, duplicates bounded by one page per cursor per kill`, async () => {
    const seed = Number(process.env.CRASH_SEED ?? Date.now() % 1_000_000_007);
    const rng = new Prng(seed);
    const env = envFor(pipeline.sim, pipeline.collector, await tempStateFile());
    const uid = (i: number) => pipeline.collector.records[i]!.attributes['log.record.uid'] as string;
    // Most kills after some records arrived (mid-export, mid-commit, mid-re-scan), some after a short
    // time (start-up: config, lock take-over, first request).
    const { runs, kills } = await runKilledAtRandomPoints({
      env, rng, seed, records: () => pipeline.collector.records.length, runs: KILLS, maxRecords: 1_500, maxDelayMs: 500,
    });

    // Nothing lost.
    const got = new Set(pipeline.collector.records.map((_, i) => uid(i)));
    expect(got.size, `seed ${seed}`).toBe(BACKLOG);
    expect(got).toEqual(new Set(pipeline.sim.events.map((e) => e.gid)));
    // Each kill causes at most the page each cursor had in flight to be delivered again, later.
    const { perKill: caused, withinRuns } = redeliveriesPerKill(runs, uid);
    for (const [i, again] of caused.entries()) {
      expect(again, `the kill of run ${i} caused ${again} re-deliveries (${withinRuns} more sent twice within a run; seed ${seed})`).toBeLessThanOrEqual(PER_KILL);
    }
    expect(pipeline.collector.records.length - BACKLOG, `seed ${seed}`).toBeLessThanOrEqual(PER_KILL * kills);
    expect(kills, `seed ${seed}`).toBeGreaterThanOrEqual(8);
  }, 120_000);
});
