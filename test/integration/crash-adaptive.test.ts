import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AsanaSimulator, Prng } from '../../src/simulator/index.ts';
import { sliceConcurrency } from '../../src/streams/audit-log/planner.ts';
import { startOtlpCollector, type OtlpCollector } from '../helpers/otlp-collector.ts';
import { redeliveriesPerKill, runKilledAtRandomPoints } from '../helpers/kill-loop.ts';
import { envFor, tempStateFile } from '../helpers/receiver.ts';

/**
 * The receiver killed with SIGKILL at random points during an adaptive backfill — a first run over
 * 85 days whose events sit mostly in a one-hour burst and in the last day, so cursors split what
 * they have left while they read it — again and again, then run to the end. Kills land mid-page,
 * mid-export, mid-commit and between a split's commit and the first read of its windows. The kill
 * points come from a seeded PRNG; the seed is in every failure message (CRASH_SEED=… repeats it).
 */
const DAY = 86_400_000;
const BACKLOG = 20_000;
const KILLS = 20;
const PAGE = 100;
const RPM = 1500;

describe('SIGKILL at random points during an adaptive backfill (splits included)', () => {
  let sim: AsanaSimulator;
  let collector: OtlpCollector;
  beforeAll(async () => {
    // Half the events in a burst, half dense in the last day: two simulators' shapes in one domain.
    sim = await AsanaSimulator.start({ backlog: BACKLOG / 2, backlogSpanMs: 80 * DAY, backlogShape: 'burst', seed: 47, latencyMs: 2 });
    sim.generate(BACKLOG / 2, { from: new Date(Date.now() - DAY), to: new Date() });
    collector = await startOtlpCollector();
  });
  afterAll(async () => {
    await sim.close();
    await collector.close();
  });

  it(`${KILLS} kills: nothing lost, at most one page per window being read re-delivered per kill`, async () => {
    const seed = Number(process.env.CRASH_SEED ?? Date.now() % 1_000_000_007);
    const rng = new Prng(seed);
    const env = envFor(sim, collector, await tempStateFile(), { ASANA_START_AT: '85d', ASANA_MAX_REQUESTS_PER_MINUTE: String(RPM), LOG_LEVEL: 'debug' });
    // Cursors read at once: each holds at most one acknowledged page whose commit a kill can cut off.
    const perKill = sliceConcurrency(RPM) * PAGE;
    const uid = (i: number) => collector.records[i]!.attributes['log.record.uid'] as string;
    const { runs, kills, stderr } = await runKilledAtRandomPoints({
      env, rng, seed, records: () => collector.records.length, runs: KILLS, maxRecords: 1_200, maxDelayMs: 600,
    });
    const splits = stderr.flatMap((text) => text.split('\n')).filter((l) => l.includes('split where the events are')).length;

    expect(kills, `seed ${seed}`).toBeGreaterThan(KILLS / 2);
    expect(splits, `the backfill really split (seed ${seed})`).toBeGreaterThan(0);
    // Nothing lost.
    const got = new Set(collector.records.map((_, i) => uid(i)));
    expect(got.size, `seed ${seed}`).toBe(BACKLOG);
    expect(got).toEqual(new Set(sim.events.map((e) => e.gid)));
    // Each kill causes at most the page each cursor had in flight to be delivered again, later.
    const { perKill: caused, withinRuns } = redeliveriesPerKill(runs, uid);
    for (const [i, again] of caused.entries()) {
      expect(again, `the kill of run ${i} caused ${again} re-deliveries (${withinRuns} more sent twice within a run; seed ${seed})`).toBeLessThanOrEqual(perKill);
    }
    expect(collector.records.length - BACKLOG, `seed ${seed}`).toBeLessThanOrEqual(perKill * kills);
  }, 180_000);
});
