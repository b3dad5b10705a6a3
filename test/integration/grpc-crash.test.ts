import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AsanaSimulator, Prng } from '../../src/simulator/index.ts';
import { sliceConcurrency } from '../../src/streams/audit-log/planner.ts';
import { startGrpcCollector, type GrpcCollector } from '../helpers/grpc-collector.ts';
import { redeliveriesPerKill, runKilledAtRandomPoints } from '../helpers/kill-loop.ts';
import { tempStateFile } from '../helpers/receiver.ts';

/**
 * The receiver exporting over OTLP/gRPC, killed with SIGKILL at random points, then run to the end:
 * a page is committed only after the gRPC call returned OK, so nothing is lost, and a kill re-delivers
 * at most the acknowledged, not yet committed page of each cursor read at once (the bound
 * crash.test.ts holds for OTLP/HTTP). The seed is in every failure message (CRASH_SEED=… repeats it).
 */
const BACKLOG = 5_000;
const KILLS = 6;
const PAGE = 100;
const PER_KILL = sliceConcurrency(60_000) * PAGE;

describe('SIGKILL at random points while exporting over OTLP/gRPC', () => {
  let sim: AsanaSimulator;
  let collector: GrpcCollector;
  beforeAll(async () => {
    sim = await AsanaSimulator.start({ backlog: BACKLOG, seed: 47 });
    collector = await startGrpcCollector();
  });
  afterAll(async () => {
    await Promise.allSettled([sim?.close(), collector?.close()]);
  });

  it(`${KILLS} kills: nothing lost, the same log.record.uid values, duplicates bounded per kill`, async () => {
    const seed = Number(process.env.CRASH_SEED ?? Date.now() % 1_000_000_007);
    const rng = new Prng(seed);
    const env = {
      ASANA_TOKEN: sim.token,
      ASANA_WORKSPACE_GID: sim.workspaceGid,
      ASANA_API_URL: sim.url,
      ASANA_STATE_FILE: await tempStateFile(),
      ASANA_START_AT: '7d',
      ASANA_MAX_REQUESTS_PER_MINUTE: '60000',
      ASANA_HEALTH_ADDR: '127.0.0.1:0',
      OTEL_METRICS_EXPORTER: 'none',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
    };
    const uid = (i: number) => collector.records[i]!.attributes['log.record.uid'] as string;
    const { runs, kills } = await runKilledAtRandomPoints({
      env, rng, seed, records: () => collector.records.length, runs: KILLS, maxRecords: 800, maxDelayMs: 500,
    });

    // Nothing lost, and the uids are the Asana gids: the same values a run without kills ships.
    const got = new Set(collector.records.map((_, i) => uid(i)));
    expect(got.size, `seed ${seed}`).toBe(BACKLOG);
    expect(got).toEqual(new Set(sim.events.map((e) => e.gid)));
    // Each kill causes at most the page each cursor had in flight to be delivered again, later.
    const { perKill: caused, withinRuns } = redeliveriesPerKill(runs, uid);
    for (const [i, again] of caused.entries()) {
      expect(again, `the kill of run ${i} caused ${again} re-deliveries (${withinRuns} more sent twice within a run; seed ${seed})`).toBeLessThanOrEqual(PER_KILL);
    }
    expect(collector.records.length - BACKLOG, `seed ${seed}`).toBeLessThanOrEqual(PER_KILL * kills);
    expect(kills, `seed ${seed}`).toBeGreaterThanOrEqual(3);
    // Every gRPC call the collector answered OK was one the receiver had encoded in full.
    expect(collector.calls.every((c) => c.code === 0), `seed ${seed}`).toBe(true);
  }, 60_000);
});
