/**
 * CPU-bound: a backlog of 100,000 events over a week, no added latency, no request budget, once per
 * history shape (src/simulator/history.ts): even, and dense-recent (90% of the events in the last
 * day). Events/s, CPU ms per 1,000 events and peak RSS (each contender's own
 * process.resourceUsage().maxRSS) of the serial SDK poller and of the receiver, which runs with the
 * container image's environment (its malloc settings). On the first shape the receiver also runs
 * once started without them, as outside the container (it restarts itself with them,
 * src/malloc-env.ts), and, for comparison, once with V8's default heap heuristics (without
 * src/heap.ts) and once with glibc's default malloc settings.
 *
 * The simulated Asana and the sink share the machine's cores with the receiver, so the receiver can
 * go no faster than all the cores busy with its own CPU per event and theirs: the machine's limit,
 * reported beside the speed-up (as the latency scenario reports the request budget's), with the
 * receiver's CPU split into its JavaScript thread and the helper threads (V8's compilers and GC,
 * libuv's pool), and the time its JavaScript thread was ready to run but waited for a core.
 */
import { availableParallelism } from 'node:os';
import { fmt, median } from '../lib.ts';
import { m, paired, type Section } from '../report.ts';
import { check, CONTAINER_MALLOC_ENV, cpuPerK, GLIBC_DEFAULT_ARENAS, log, rate, rssMb, runContender, SPAN_MS, UNLIMITED_RPM, type RunResult, type Setup } from './contender.ts';

type CpuWho = 'baseline' | 'receiver' | 'receiver-outside' | 'receiver-v8-defaults' | 'receiver-glibc-defaults';
/** The issue's target: the receiver makes at least this many times the serial poller's events/s. */
const SPEEDUP_TARGET = 2;
/** Peak RSS target of the CPU-bound receiver. */
const RSS_TARGET_MB = 128;

/** Events/s with every core of the machine busy with the receiver's CPU per event and the servers'. */
export function machineLimitRate(x: RunResult, cores = availableParallelism()): number {
  return (cores * 1000 * x.events) / (x.cpuMs + x.serversCpuMs);
}

/** The share of the machine's limit a run reached (0–1). */
export function limitShare(x: RunResult, cores = availableParallelism()): number {
  return rate(x) / machineLimitRate(x, cores);
}

/**
 * The receiver's CPU ms per 1,000 events (all its threads) with which it would make `speedup` times
 * the baseline's events/s, reaching the same share of the machine's limit as it did in this run:
 * what the target leaves the receiver to spend.
 */
export function cpuBudgetPerK(receiver: RunResult, baseline: RunResult, speedup: number, cores = availableParallelism()): number {
  const share = limitShare(receiver, cores);
  const serversPerK = receiver.serversCpuMs / (receiver.events / 1000);
  return (share * cores * 1_000_000) / (speedup * rate(baseline)) - serversPerK;
}

/** ms per 1,000 events of a receiver's per-run time, NaN when the run did not measure it (off Linux). */
const perK = (ms: number | undefined, x: RunResult): number => (ms === undefined ? Number.NaN : ms / (x.events / 1000));

export class CpuScenario {
  private readonly results: Record<string, Record<CpuWho, RunResult[]>>;

  private readonly backlog: number;
  private readonly shapes: string[];

  constructor(backlog: number, shapes: string[]) {
    this.backlog = backlog;
    this.shapes = shapes;
    this.results = Object.fromEntries(shapes.map((s) => [s, { baseline: [], receiver: [], 'receiver-outside': [], 'receiver-v8-defaults': [], 'receiver-glibc-defaults': [] }]));
  }

  /** The simulator's arguments for this backlog of `shape` in run `run` (its seed). */
  simArgs(run: number, shape = 'even'): string[] {
    return ['--backlog', String(this.backlog), '--span', String(SPAN_MS), '--shape', shape, '--seed', String(run)];
  }

  /** The receiver's results on the first shape (even by default): the rows of other scenarios cite them. */
  receiverRuns(): RunResult[] {
    return this.results[this.shapes[0] ?? 'even']?.receiver ?? [];
  }

  /**
   * One run of every shape. `flip` alternates who goes first; `afterFirstReceiver` runs in the
   * servers of the first shape's receiver, after it (the idle measurement).
   */
  async run(run: number, flip: <T>(xs: T[]) => T[], afterFirstReceiver?: Setup['after']): Promise<void> {
    for (const [i, shape] of this.shapes.entries()) {
      const contenders: CpuWho[] = i === 0 ? ['baseline', 'receiver', 'receiver-outside', 'receiver-v8-defaults', 'receiver-glibc-defaults'] : ['baseline', 'receiver'];
      for (const who of flip(contenders)) {
        const r = await runContender(who, { simArgs: this.simArgs(run, shape), rpm: UNLIMITED_RPM, after: i === 0 && who === 'receiver' ? afterFirstReceiver : undefined });
        check(r, this.backlog, `cpu/${shape}/${who}`);
        this.results[shape]![who].push(r);
        log(`run ${run} cpu ${shape} ${who}: ${fmt(rate(r))} events/s, ${fmt(r.cpuMs)} ms CPU, ${fmt(rssMb(r))} MB`);
      }
    }
  }

  report(): Section {
    const section: Section = {
      rows: [],
      targets: [],
      description: [
        `CPU-bound: ${fmt(this.backlog)} events over 7 days, per history shape (${this.shapes.join(', ')}; dense-recent: 90% in the last day), no added latency, no request budget.`,
        `The receiver runs with the container image's malloc settings (Dockerfile: ${Object.entries(CONTAINER_MALLOC_ENV).map(([k, v]) => `${k}=${v}`).join(' ')}); "started without the malloc settings": as outside the container, where it restarts itself with them (src/malloc-env.ts); "glibc's default malloc settings": ${GLIBC_DEFAULT_ARENAS} arenas (8 per core) and glibc's adjusting thresholds, for comparison.`,
        `"V8's default heap heuristics": the receiver without the GC settings of src/heap.ts, for comparison.`,
      ],
    };
    for (const shape of this.shapes) {
      const { baseline: b, receiver: r, 'receiver-outside': o, 'receiver-v8-defaults': v, 'receiver-glibc-defaults': g } = this.results[shape]!;
      if (!r.length || !b.length) continue;
      const name = `CPU-bound, ${shape}`;
      const speedup = paired(r, b, rate);
      section.rows.push([name, 'events/s', fmt(m(b, rate)), fmt(m(r, rate)), `${fmt(speedup, 2)}×`]);
      section.rows.push([name, 'CPU ms per 1,000 events', fmt(m(b, cpuPerK), 1), fmt(m(r, cpuPerK), 1), `${fmt(paired(b, r, cpuPerK), 2)}× less`]);
      section.rows.push([name, 'peak RSS (MB)', fmt(m(b, rssMb)), fmt(m(r, rssMb)), '']);
      section.rows.push([
        name,
        `the machine's limit: events/s with its ${availableParallelism()} cores busy with the receiver's, the simulator's and the sink's CPU per event (share reached)`,
        '',
        `${fmt(m(r, (x) => machineLimitRate(x)))} (${fmt(m(r, (x) => limitShare(x) * 100))}%)`,
        `${fmt(median(r.map((x, i) => machineLimitRate(x) / rate(b[i] as RunResult))), 2)}×`,
      ]);
      section.rows.push([
        name,
        `receiver's CPU ms per 1,000 events: JavaScript thread · helper threads · JavaScript thread waiting for a core (in the ratio column: the CPU ms in all that ${SPEEDUP_TARGET}× would leave it, at the same share of the limit)`,
        '',
        `${fmt(m(r, (x) => perK(x.mainThreadCpuMs, x)), 1)} · ${fmt(m(r, (x) => perK(x.mainThreadCpuMs === undefined ? undefined : x.cpuMs - x.mainThreadCpuMs, x)), 1)} · ${fmt(m(r, (x) => perK(x.mainThreadWaitMs, x)), 1)}`,
        `${fmt(median(r.map((x, i) => cpuBudgetPerK(x, b[i] as RunResult, SPEEDUP_TARGET))), 1)}`,
      ]);
      if (v.length) {
        section.rows.push([`${name}, receiver with V8's default heap heuristics`, 'events/s · CPU ms per 1,000 · peak RSS', '', `${fmt(m(v, rate))} · ${fmt(m(v, cpuPerK), 1)} · ${fmt(m(v, rssMb))} MB`, `${fmt(paired(v, b, rate), 2)}×`]);
      }
      if (o.length) {
        section.rows.push([`${name}, receiver started without the malloc settings (outside the container)`, 'events/s · CPU ms per 1,000 · peak RSS', '', `${fmt(m(o, rate))} · ${fmt(m(o, cpuPerK), 1)} · ${fmt(m(o, rssMb))} MB`, `${fmt(paired(o, b, rate), 2)}×`]);
      }
      if (g.length) {
        section.rows.push([`${name}, receiver with glibc's default malloc settings (${GLIBC_DEFAULT_ARENAS} arenas)`, 'events/s · CPU ms per 1,000 · peak RSS', '', `${fmt(m(g, rate))} · ${fmt(m(g, cpuPerK), 1)} · ${fmt(m(g, rssMb))} MB`, `${fmt(paired(g, b, rate), 2)}×`]);
      }
      const perRun = r.map((x, i) => fmt(rate(x) / rate(b[i] as RunResult), 2)).join(', ');
      section.targets.push([`${name}: receiver ≥ ${SPEEDUP_TARGET}× the baseline's events/s (median of per-run ratios ${fmt(speedup, 2)}×: ${perRun})`, speedup >= SPEEDUP_TARGET]);
      const maxRss = Math.max(...r.map(rssMb));
      section.targets.push([`${name}: receiver peak RSS < ${RSS_TARGET_MB} MB (median ${fmt(m(r, rssMb))} MB, max ${fmt(maxRss)} MB)`, maxRss < RSS_TARGET_MB]);
      if (o.length) {
        // Outside the container too: started without the image's malloc settings.
        const maxOutside = Math.max(...o.map(rssMb));
        section.targets.push([`${name}: receiver peak RSS < ${RSS_TARGET_MB} MB started without the malloc settings, as outside the container (median ${fmt(m(o, rssMb))} MB, max ${fmt(maxOutside)} MB)`, maxOutside < RSS_TARGET_MB]);
      }
    }
    return section;
  }
}
