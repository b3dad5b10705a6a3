/**
 * `npm run bench`: the receiver against a serial OpenTelemetry-SDK poller (bench/baseline.ts), side
 * by side in one run, each in its own process against its own simulated Asana domain
 * (src/simulator/main.ts) and its own loopback OTLP sink (bench/sink.ts), also separate processes.
 *
 *   npm run bench -- [--runs 3] [--cpu-backlog 100000] [--latency-backlog 30000] [--idle-ms 35000]
 *                    [--only cpu,latency,sdk-batch,idle] [--shapes even,dense-recent,burst] [--no-write]
 *
 * Scenarios:
 *   cpu        100,000 events, no added latency, no request budget: events/s, CPU ms per 1,000 events,
 *              peak RSS (each contender's own process.resourceUsage().maxRSS). The receiver runs with
 *              the container image's environment (MALLOC_ARENA_MAX); also once more with V8's default
 *              heap heuristics (without src/heap.ts) and once with glibc's default arenas, for comparison.
 *   latency    150 ms per API call and Asana's budget of 1,500 requests/min (the simulator enforces
 *              it over 60 s and over 1 s windows), once per history shape (src/simulator/history.ts)
 *              over 88 days, a first run from 88 days + 1 h ago: even; dense-recent (90% of the events
 *              in the last day); burst (80% within one hour in the middle). Wall time, share of the
 *              budget used, 429s drawn, and the physical limit: how much faster than the serial
 *              poller the budget allows at all (its requests at the full budget vs its wall time).
 *   sdk-batch  the SDK's default BatchLogRecordProcessor on the cpu backlog: records emitted vs
 *              records the sink received; in run 1 also against a collector answering in 50 ms,
 *              with the receiver on the same slow collector (backpressure, memory).
 *   idle       `run` on a caught-up state with the default 30 s poll interval: CPU share of a core.
 * Medians over --runs runs; contenders alternate which goes first. The figures go to stdout and
 * to bench/results/latest.md.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { build, built, fmt, getJson, median, ROOT, startChild } from './lib.ts';

const { values: opts } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    'cpu-backlog': { type: 'string', default: '100000' },
    'latency-backlog': { type: 'string', default: '30000' },
    'idle-ms': { type: 'string', default: '35000' },
    only: { type: 'string', default: 'cpu,latency,sdk-batch,idle' },
    shapes: { type: 'string', default: 'even,dense-recent,burst' },
    'no-write': { type: 'boolean', default: false },
  },
});
const RUNS = Number(opts.runs);
const CPU_BACKLOG = Number(opts['cpu-backlog']);
const LATENCY_BACKLOG = Number(opts['latency-backlog']);
const IDLE_MS = Number(opts['idle-ms']);
const ONLY = new Set(opts.only.split(','));
const SHAPES = opts.shapes.split(',').filter(Boolean);
/** Asana: 1500 requests per minute per token on paid plans. */
const ASANA_RPM = 1500;
const LATENCY_MS = 150;
/** The slow collector of the SDK batch comparison: each export answered after this long. */
const SLOW_SINK_MS = 50;
/**
 * The environment the container image gives the receiver (Dockerfile ENV) that changes how it runs:
 * fewer glibc malloc arenas. The receiver is measured as the image runs it; the CPU-bound scenario
 * also runs it once without, as a row of its own (test/unit/dockerfile.test.ts keeps the two in step).
 */
export const CONTAINER_MALLOC_ENV = { MALLOC_ARENA_MAX: '2' } as const;
/** The CPU-bound backlog spans a week: long enough that the receiver backfills it in parallel time slices. */
const SPAN_MS = 7 * 86_400_000;
/** The latency-bound histories span 88 days: a first run reads nearly all of Asana's 90-day retention. */
const SHAPE_SPAN_MS = 88 * 86_400_000;

type Contender = 'baseline' | 'receiver';
/** Every process the benchmark can measure against a simulator and a sink. */
type Who = Contender | 'receiver-v8-defaults' | 'receiver-glibc-defaults' | 'sdk-batch';
interface RunResult {
  events: number;
  wallMs: number;
  cpuMs: number;
  maxRssKb: number;
  received: number;
  distinct: number;
  requests?: number;
  rateLimited?: number;
}

async function withServers<T>(
  simArgs: string[],
  sinkArgs: string[],
  fn: (sim: { url: string; token: string; workspaceGid: string; statsUrl: string }, sinkUrl: string) => Promise<T>,
): Promise<T> {
  const sim = startChild(built('src/simulator/main.ts'), simArgs);
  const sink = startChild(built('bench/sink.ts'), sinkArgs);
  try {
    const s = (await sim.firstLine) as { url: string; token: string; workspaceGid: string };
    const k = (await sink.firstLine) as { url: string };
    return await fn({ ...s, statsUrl: `${new URL(s.url).origin}/_simulator/stats` }, k.url);
  } finally {
    await Promise.all([sim.stop(), sink.stop()]);
  }
}

function receiverEnv(sim: { url: string; token: string; workspaceGid: string }, sinkUrl: string, stateFile: string, startAt: string, rpm: number): Record<string, string> {
  return {
    ASANA_TOKEN: sim.token,
    ASANA_WORKSPACE_GID: sim.workspaceGid,
    ASANA_API_URL: sim.url,
    ASANA_STATE_FILE: stateFile,
    ASANA_START_AT: startAt,
    ASANA_MAX_REQUESTS_PER_MINUTE: String(rpm),
    OTEL_EXPORTER_OTLP_ENDPOINT: sinkUrl,
    LOG_LEVEL: 'warn',
  };
}

interface Scenario {
  simArgs: string[];
  /** The backlog's span: both contenders start an hour before it. Default SPAN_MS. */
  spanMs?: number;
  /** The budget the receiver is configured with (the simulator enforces its own, if any). */
  rpm: number;
  sinkDelayMs?: number;
  /** Runs in the same servers after the contender, with its environment (the idle measurement). */
  after?: (env: Record<string, string>) => Promise<void>;
}

async function runContender(who: Who, sc: Scenario): Promise<RunResult> {
  const dir = await mkdtemp(join(tmpdir(), 'asana-otel-bench-'));
  const startAt = new Date(Date.now() - (sc.spanMs ?? SPAN_MS) - 3_600_000).toISOString();
  try {
    return await withServers(sc.simArgs, sc.sinkDelayMs ? ['--delay', String(sc.sinkDelayMs)] : [], async (sim, sinkUrl) => {
      let child;
      const env = receiverEnv(sim, sinkUrl, join(dir, 'state.json'), startAt, sc.rpm);
      if (who === 'receiver') child = startChild(built('bench/receiver.ts'), ['once'], { ...env, ...CONTAINER_MALLOC_ENV });
      else if (who === 'receiver-glibc-defaults') child = startChild(built('bench/receiver.ts'), ['once'], env);
      // Any heap option on the command line makes src/heap.ts leave V8's own heuristics alone.
      else if (who === 'receiver-v8-defaults') child = startChild(built('bench/receiver.ts'), ['once'], { ...env, ...CONTAINER_MALLOC_ENV }, ['--heap-growing-percent=0']);
      else {
        const mode = who === 'sdk-batch' ? 'sdk-batch' : 'serial';
        child = startChild(built('bench/baseline.ts'), ['--api', sim.url, '--token', sim.token, '--workspace', sim.workspaceGid, '--otlp', sinkUrl, '--start-at', startAt, '--mode', mode]);
      }
      const r = (await child.result) as { events: number; wallMs: number; cpuMs: number; maxRssKb: number; exitCode?: number };
      if (r.exitCode !== undefined && r.exitCode !== 0) throw new Error(`the receiver exited with ${r.exitCode}:\n${child.stderr().slice(-4000)}`);
      const sink = (await getJson(`${sinkUrl}/stats`)) as { records: number; distinct: number };
      const stats = (await getJson(sim.statsUrl)) as { requests: number; byStatus: Record<string, number> };
      if (sc.after) await sc.after(env);
      return { ...r, received: sink.records, distinct: sink.distinct, requests: stats.requests, rateLimited: stats.byStatus['429'] ?? 0 };
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function check(r: RunResult, backlog: number, who: string): void {
  if (r.distinct !== backlog) throw new Error(`${who}: ${r.distinct} distinct events arrived, expected ${backlog}`);
}

const cpu: Record<'baseline' | 'receiver' | 'receiver-v8-defaults' | 'receiver-glibc-defaults', RunResult[]> = {
  baseline: [],
  receiver: [],
  'receiver-v8-defaults': [],
  'receiver-glibc-defaults': [],
};
const latency: Record<string, Record<Contender, RunResult[]>> = Object.fromEntries(SHAPES.map((shape) => [shape, { baseline: [], receiver: [] }]));
const sdkBatch: RunResult[] = [];
let slow: { sdk: RunResult; receiver: RunResult } | undefined;
let idle: { idleMs: number; cpuMs: number } | undefined;
const rate = (x: RunResult) => (x.events / x.wallMs) * 1000;

build();
const started = Date.now();
for (let run = 1; run <= RUNS; run++) {
  // Who goes first alternates, so neither always runs on a machine just warmed up by the other.
  const flip = <T>(xs: T[]): T[] => (run % 2 ? xs : [...xs].reverse());
  const seed = String(run);
  const cpuBacklog = ['--backlog', String(CPU_BACKLOG), '--span', String(SPAN_MS), '--seed', seed];
  if (ONLY.has('cpu') || (ONLY.has('idle') && run === 1)) {
    const contenders = ONLY.has('cpu') ? flip<keyof typeof cpu>(['baseline', 'receiver', 'receiver-v8-defaults', 'receiver-glibc-defaults']) : (['receiver'] as const);
    for (const who of contenders) {
      const measureIdle = ONLY.has('idle') && run === 1 && who === 'receiver';
      const r = await runContender(who, {
        simArgs: cpuBacklog,
        // No budget: as fast as the machine allows (Asana's 1,500/min would cap at 2,500 events/s).
        rpm: 600_000,
        after: measureIdle
          ? async (env) => {
              const child = startChild(built('bench/receiver.ts'), ['idle', String(IDLE_MS)], { ...env, ASANA_POLL_INTERVAL: '30s' });
              idle = (await child.result) as { idleMs: number; cpuMs: number };
            }
          : undefined,
      });
      check(r, CPU_BACKLOG, `cpu/${who}`);
      cpu[who].push(r);
      log(`run ${run} cpu ${who}: ${fmt(rate(r))} events/s, ${fmt(r.cpuMs)} ms CPU, ${fmt(r.maxRssKb / 1024)} MB`);
    }
  }
  if (ONLY.has('latency')) {
    for (const shape of SHAPES) {
      for (const who of flip<Contender>(['baseline', 'receiver'])) {
        const r = await runContender(who, {
          simArgs: ['--backlog', String(LATENCY_BACKLOG), '--span', String(SHAPE_SPAN_MS), '--shape', shape, '--seed', seed, '--latency', String(LATENCY_MS), '--rpm', String(ASANA_RPM), '--burst'],
          spanMs: SHAPE_SPAN_MS,
          rpm: ASANA_RPM,
        });
        check(r, LATENCY_BACKLOG, `latency/${shape}/${who}`);
        latency[shape]![who].push(r);
        log(`run ${run} latency ${shape} ${who}: ${fmt(r.wallMs / 1000, 1)} s, ${r.requests} requests, ${r.rateLimited} 429s`);
      }
    }
  }
  if (ONLY.has('sdk-batch')) {
    const r = await runContender('sdk-batch', { simArgs: cpuBacklog, rpm: 600_000 });
    sdkBatch.push(r);
    log(`run ${run} sdk-batch: emitted ${r.events}, received ${r.received}`);
    if (run === 1) {
      // A collector that takes 50 ms per export (a remote one): the SDK's queue overflows, the receiver slows down.
      const sdk = await runContender('sdk-batch', { simArgs: cpuBacklog, rpm: 600_000, sinkDelayMs: SLOW_SINK_MS });
      const receiver = await runContender('receiver', { simArgs: cpuBacklog, rpm: 600_000, sinkDelayMs: SLOW_SINK_MS });
      check(receiver, CPU_BACKLOG, 'slow-collector/receiver');
      slow = { sdk, receiver };
      log(`run ${run} slow collector: sdk-batch received ${sdk.received} of ${sdk.events}; receiver ${receiver.distinct}, ${fmt(receiver.maxRssKb / 1024)} MB`);
    }
  }
}

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

// ---- report ---------------------------------------------------------------------------------

const rows: string[][] = [];
const targets: Array<[string, boolean]> = [];
const m = (xs: RunResult[], f: (r: RunResult) => number) => median(xs.map(f));
/**
 * The median of the per-run ratios f(a)/f(b): each run's contenders ran back to back on the same
 * machine, so their ratio is what one run measures even when other load comes and goes between runs.
 */
const paired = (a: RunResult[], b: RunResult[], f: (r: RunResult) => number) => median(a.map((x, i) => f(x) / f(b[i] as RunResult)));
const pct = (part: number, whole: number) => `${fmt((part / whole) * 100, 1)}%`;

if (cpu.receiver.length && cpu.baseline.length) {
  const { baseline: b, receiver: r } = cpu;
  const v = cpu['receiver-v8-defaults'];
  const cpuPerK = (x: RunResult) => x.cpuMs / (x.events / 1000);
  const rss = (x: RunResult) => x.maxRssKb / 1024;
  const speedup = paired(r, b, rate);
  rows.push(['CPU-bound', 'events/s', fmt(m(b, rate)), fmt(m(r, rate)), `${fmt(speedup, 2)}×`]);
  rows.push(['CPU-bound', 'CPU ms per 1,000 events', fmt(m(b, cpuPerK), 1), fmt(m(r, cpuPerK), 1), `${fmt(paired(b, r, cpuPerK), 2)}× less`]);
  rows.push(['CPU-bound', 'peak RSS (MB)', fmt(m(b, rss)), fmt(m(r, rss)), '']);
  if (v.length) {
    rows.push(['CPU-bound, receiver with V8\'s default heap heuristics', 'events/s · CPU ms per 1,000 · peak RSS', '', `${fmt(m(v, rate))} · ${fmt(m(v, cpuPerK), 1)} · ${fmt(m(v, rss))} MB`, `${fmt(paired(v, b, rate), 2)}×`]);
  }
  const g = cpu['receiver-glibc-defaults'];
  if (g.length) {
    rows.push(['CPU-bound, receiver with glibc\'s default malloc arenas (no MALLOC_ARENA_MAX)', 'events/s · CPU ms per 1,000 · peak RSS', '', `${fmt(m(g, rate))} · ${fmt(m(g, cpuPerK), 1)} · ${fmt(m(g, rss))} MB`, `${fmt(paired(g, b, rate), 2)}×`]);
  }
  targets.push([`CPU-bound: receiver ≥ 2× the baseline's events/s (median of per-run ratios ${fmt(speedup, 2)}×: ${r.map((x, i) => fmt(rate(x) / rate(b[i] as RunResult), 2)).join(', ')})`, speedup >= 2]);
  targets.push([`CPU-bound: receiver peak RSS < 128 MB (median ${fmt(m(r, rss))} MB, max ${fmt(Math.max(...r.map(rss)))} MB)`, Math.max(...r.map(rss)) < 128]);
}
for (const [shape, { baseline: b, receiver: r }] of Object.entries(latency)) {
  if (!r.length || !b.length) continue;
  const wall = (x: RunResult) => x.wallMs / 1000;
  const share = (x: RunResult) => ((x.requests ?? 0) / ((x.wallMs / 60_000) * ASANA_RPM)) * 100;
  const drawn = (xs: RunResult[]) => Math.max(...xs.map((x) => x.rateLimited ?? 0));
  // The serial poller's requests at the full budget: no reader of this history can be faster.
  const budgetBound = (x: RunResult) => ((x.requests ?? 0) / ASANA_RPM) * 60;
  const limit = median(b.map((x) => wall(x) / budgetBound(x)));
  const faster = paired(b, r, wall);
  const name = `Latency-bound, ${shape}`;
  rows.push([name, 'wall time (s)', fmt(m(b, wall), 1), fmt(m(r, wall), 1), `${fmt(faster, 2)}× faster`]);
  rows.push([name, 'share of the request budget used', `${fmt(m(b, share))}%`, `${fmt(m(r, share))}%`, '']);
  rows.push([name, '429s drawn (most in one run)', fmt(drawn(b)), fmt(drawn(r)), '']);
  rows.push([name, 'physical limit: budget-bound time (s)', fmt(m(b, budgetBound), 1), '', `${fmt(limit, 2)}× at most`]);
  targets.push([`Latency-bound, ${shape}: receiver ≥ 3× faster (${fmt(faster, 2)}×; the budget allows ${fmt(limit, 2)}×)`, faster >= 3]);
  targets.push([`Latency-bound, ${shape}: receiver uses ≥ 85% of the budget (${fmt(m(r, share))}%)`, m(r, share) >= 85]);
  targets.push([`Latency-bound, ${shape}: receiver draws ≤ 3 429s (${drawn(r)})`, drawn(r) <= 3]);
}
if (sdkBatch.length) {
  const dropped = (x: RunResult) => x.events - x.received;
  const recv = cpu.receiver;
  rows.push([
    'SDK default batch path',
    'records lost of those emitted',
    `${fmt(m(sdkBatch, dropped))} of ${fmt(m(sdkBatch, (x) => x.events))} (${pct(m(sdkBatch, dropped), m(sdkBatch, (x) => x.events))})`,
    recv.length ? `${fmt(m(recv, (x) => CPU_BACKLOG - x.distinct))} of ${fmt(CPU_BACKLOG)}` : '–',
    '',
  ]);
}
if (slow) {
  rows.push([
    `SDK default batch path, collector answering in ${SLOW_SINK_MS} ms`,
    'records lost · receiver: peak RSS, events/s',
    `${fmt(slow.sdk.events - slow.sdk.received)} of ${fmt(slow.sdk.events)} (${pct(slow.sdk.events - slow.sdk.received, slow.sdk.events)})`,
    `${fmt(CPU_BACKLOG - slow.receiver.distinct)} of ${fmt(CPU_BACKLOG)} · ${fmt(slow.receiver.maxRssKb / 1024)} MB, ${fmt(rate(slow.receiver))}/s`,
    '',
  ]);
}
if (idle) {
  const share = (idle.cpuMs / idle.idleMs) * 100;
  rows.push(['Idle `run`', `CPU over ${fmt(idle.idleMs / 1000)} s, caught up, 30 s interval`, '', `${fmt(share, 3)}% of a core`, '']);
  targets.push([`Idle run: < 1% of a core (${fmt(share, 3)}%)`, share < 1]);
}
const table = [
  '| scenario | metric | serial SDK baseline | receiver | ratio |',
  '|---|---|---|---|---|',
  ...rows.map((r) => `| ${r.join(' | ')} |`),
].join('\n');
const targetLines = targets.map(([t, ok]) => `- ${ok ? '✓' : '✗'} ${t}`).join('\n');
const cpuModel = cpus()[0]?.model ?? 'unknown CPU';
const md = `# Benchmark results

\`npm run bench\` on ${new Date().toISOString().slice(0, 10)}: ${cpus().length} × ${cpuModel}, Node ${process.version}.
Medians of ${RUNS} run(s) (ratios: the median of each run's ratio); the whole run took ${fmt((Date.now() - started) / 1000)} s.

- CPU-bound: ${fmt(CPU_BACKLOG)} events over 7 days, no added latency, no request budget.
- Latency-bound: ${fmt(LATENCY_BACKLOG)} events over 88 days (a first run from 88 days + 1 h ago), per history shape: even; dense-recent (90% in the last day); burst (80% within one hour in the middle). ${LATENCY_MS} ms per API call, ${ASANA_RPM} requests/min enforced by the simulator (60 s and 1 s windows). Physical limit: the serial poller's requests at the full budget, against its wall time.
- SDK default batch path: the baseline loop without the per-page flush, BatchLogRecordProcessor with its defaults, on the CPU-bound backlog; once more with a collector that answers each export after ${SLOW_SINK_MS} ms.
- The receiver runs with the container image's MALLOC_ARENA_MAX=${CONTAINER_MALLOC_ENV.MALLOC_ARENA_MAX} (Dockerfile); "glibc's default malloc arenas": once more without it, for comparison.
- "V8's default heap heuristics": the receiver without the GC settings of src/heap.ts, for comparison.
- Each contender, the simulated Asana domain and the OTLP sink run in separate processes; every run checks that each event arrived.

${table}

Targets:
${targetLines}
`;
process.stdout.write(`\n${table}\n\n${targetLines}\n`);
if (!opts['no-write']) {
  await writeFile(join(ROOT, 'bench/results/latest.md'), md, 'utf8');
  log('written to bench/results/latest.md');
}
