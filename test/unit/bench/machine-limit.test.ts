import { describe, expect, it } from 'vitest';
import { cpuBudgetPerK, machineLimitRate } from '../../../bench/scenarios/cpu.ts';
import { rate, type RunResult } from '../../../bench/scenarios/contender.ts';

const run = (r: Partial<RunResult>): RunResult => ({ events: 100_000, wallMs: 4_000, cpuMs: 3_000, maxRssKb: 0, received: 0, distinct: 0, serversCpuMs: 2_000, ...r });

describe("the CPU-bound scenario's machine limit", () => {
  it.each([
    // 5 s of CPU in all for 100,000 events: 20,000 events/s per core.
    ['two cores', run({}), 2, 40_000],
    ['one core', run({}), 1, 20_000],
    ['servers that cost nothing', run({ serversCpuMs: 0 }), 2, 66_667],
  ])('%s', (_name, receiver, cores, limit) => {
    expect(machineLimitRate(receiver, cores)).toBeCloseTo(limit, 0);
  });

  it('leaves the receiver the CPU per event that makes the speed-up at the share of the limit it reached', () => {
    const receiver = run({}); // 25,000 events/s: 62.5% of its 40,000 limit
    const baseline = run({ wallMs: 20_000 / 3 }); // 15,000 events/s
    const budget = cpuBudgetPerK(receiver, baseline, 2, 2);
    expect(budget).toBeCloseTo(0.625 * 2_000_000 / 30_000 - 20, 6);
    // A receiver that spends exactly that, at the same share of its own limit, makes 2× the baseline.
    const lean = run({ cpuMs: budget * 100 });
    expect(0.625 * machineLimitRate(lean, 2)).toBeCloseTo(2 * rate(baseline), 6);
  });

  it('leaves nothing when the servers alone use up the target', () => {
    expect(cpuBudgetPerK(run({}), run({ wallMs: 1_000 }), 2, 2)).toBeLessThan(0);
  });
});
