import { expect } from 'vitest';
import type { Prng } from '../../src/simulator/index.ts';
import { spawnCli, waitFor } from './receiver.ts';

export interface KillLoopOptions {
  env: Record<string, string>;
  rng: Prng;
  /** For failure messages: CRASH_SEED=… repeats a run. */
  seed: number;
  /** Records the collector holds so far. */
  records: () => number;
  /** At most this many killed runs before the last one. */
  runs: number;
  /** A kill lands after up to this many more records arrived (most kills) … */
  maxRecords: number;
  /** … or after up to this many ms (start-up: config, lock take-over, first request). */
  maxDelayMs: number;
}

export interface KillLoopResult {
  /** [first record index, end index) of each run, the final one included. */
  runs: Array<[number, number]>;
  kills: number;
  /** What each run wrote to stderr, the final one included. */
  stderr: string[];
}

/**
 * `once` in a child process, killed with SIGKILL at a random point again and again (until a run
 * finishes by itself), then run to the end. Every killed run died of the signal; every other exited 0.
 */
export async function runKilledAtRandomPoints(o: KillLoopOptions): Promise<KillLoopResult> {
  const runs: Array<[number, number]> = [];
  const stderr: string[] = [];
  let kills = 0;
  for (let k = 0; k < o.runs; k++) {
    const from = o.records();
    const child = spawnCli(['once'], o.env);
    let exited = false;
    void child.exit.then(() => (exited = true));
    const t0 = Date.now();
    const byRecords = o.rng.chance(0.75);
    const target = from + o.rng.int(1, o.maxRecords);
    const delay = o.rng.int(20, o.maxDelayMs);
    await waitFor(() => exited || (byRecords ? o.records() >= target : Date.now() - t0 >= delay), `kill point ${k} (seed ${o.seed})`, 30_000);
    const finished = exited;
    if (!finished) {
      child.child.kill('SIGKILL');
      const { signal } = await child.exit;
      expect(signal, `run ${k} (seed ${o.seed})`).toBe('SIGKILL');
      kills++;
    } else {
      expect((await child.exit).code, `run ${k} exited by itself (seed ${o.seed}): ${child.stderr()}`).toBe(0);
    }
    stderr.push(child.stderr());
    runs.push([from, o.records()]);
    if (finished) break;
  }
  const from = o.records();
  const last = spawnCli(['once'], o.env);
  expect((await last.exit).code, `final run (seed ${o.seed}): ${last.stderr()}`).toBe(0);
  stderr.push(last.stderr());
  runs.push([from, o.records()]);
  return { runs, kills, stderr };
}

/**
 * How many deliveries each run's kill caused later: a record a later run delivered again was
 * acknowledged and not committed by the run that delivered it last before. A window pending but
 * not read in the next run keeps its page uncommitted until a later run reads it, so the
 * re-deliveries of one restart can stem from several kills; each kill accounts for at most one page
 * per cursor it read. A record sent twice within one run (an export retried after its answer was
 * lost, e.g. timed out on a loaded machine) is no kill's doing: those are counted apart.
 */
export function redeliveriesPerKill(runs: ReadonlyArray<[number, number]>, uid: (i: number) => string): { perKill: number[]; withinRuns: number } {
  const lastRun = new Map<string, number>();
  const perKill = runs.map(() => 0);
  let withinRuns = 0;
  runs.forEach(([a, b], run) => {
    for (let j = a; j < b; j++) {
      const before = lastRun.get(uid(j));
      if (before === run) withinRuns++;
      else if (before !== undefined) perKill[before]!++;
      lastRun.set(uid(j), run);
    }
  });
  return { perKill, withinRuns };
}
