/**
 * `npm run bench`: the receiver against a serial OpenTelemetry-SDK poller (bench/baseline.ts), side
 * by side in one run, each in its own process against its own simulated Asana domain
 * (src/simulator/main.ts) and its own loopback OTLP sink (bench/sink.ts), also separate processes
 * (bench/scenarios/contender.ts).
 *
 *   npm run bench -- [--runs 3] [--cpu-backlog 100000] [--cpu-shapes even,dense-recent]
 *                    [--latency-backlog 30000] [--shapes even,dense-recent,burst] [--idle-ms 35000]
 *                    [--large-events 1500] [--large-kb 200,400]
 *                    [--only cpu,latency,sdk-batch,idle,large] [--no-write]
 *
 * Scenarios, one module each in bench/scenarios/:
 *   cpu        cpu.ts: 100,000 events, no added latency, no request budget, per --cpu-shapes:
 *              events/s, CPU ms per 1,000 events, peak RSS; the receiver also started without its
 *              malloc settings (outside the container), and with V8's and glibc's defaults, on the
 *              first shape.
 *   latency    latency.ts: 150 ms per API call and Asana's budget of 1,500 requests/min, per --shapes
 *              over 88 days: wall time, share of the budget used, 429s, the physical limit.
 *   sdk-batch  sdk-batch.ts: the SDK's default BatchLogRecordProcessor on the cpu backlog, records
 *              lost; in run 1 also against a collector answering in 50 ms, beside the receiver.
 *   idle       idle.ts: `run` on a caught-up state with the default 30 s poll interval: CPU share.
 *   large      large.ts: 1,500 events of 200 KB and of 400 KB (bench/large-asana.ts): the receiver's
 *              peak RSS against the Kubernetes example's memory limit, every event arrived.
 * Medians over --runs runs; contenders alternate which goes first. The figures go to stdout and
 * to bench/results/latest.md (bench/report.ts).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { build, ROOT } from './lib.ts';
import { markdown, table, targetLines, type Section } from './report.ts';
import { log } from './scenarios/contender.ts';
import { CpuScenario } from './scenarios/cpu.ts';
import { IdleScenario } from './scenarios/idle.ts';
import { LargeScenario } from './scenarios/large.ts';
import { LatencyScenario } from './scenarios/latency.ts';
import { SdkBatchScenario } from './scenarios/sdk-batch.ts';

const { values: opts } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    'cpu-backlog': { type: 'string', default: '100000' },
    'cpu-shapes': { type: 'string', default: 'even,dense-recent' },
    'latency-backlog': { type: 'string', default: '30000' },
    shapes: { type: 'string', default: 'even,dense-recent,burst' },
    'idle-ms': { type: 'string', default: '35000' },
    'large-events': { type: 'string', default: '1500' },
    'large-kb': { type: 'string', default: '200,400' },
    only: { type: 'string', default: 'cpu,latency,sdk-batch,idle,large' },
    'no-write': { type: 'boolean', default: false },
  },
});
const RUNS = Number(opts.runs);
const CPU_BACKLOG = Number(opts['cpu-backlog']);
const ONLY = new Set(opts.only.split(','));
const list = (s: string) => s.split(',').filter(Boolean);

const cpu = new CpuScenario(CPU_BACKLOG, list(opts['cpu-shapes']));
const latency = new LatencyScenario(Number(opts['latency-backlog']), list(opts.shapes));
const sdkBatch = new SdkBatchScenario(CPU_BACKLOG, (run) => cpu.simArgs(run));
const idle = new IdleScenario(Number(opts['idle-ms']));
const large = new LargeScenario(Number(opts['large-events']), list(opts['large-kb']).map(Number));

build();
const started = Date.now();
for (let run = 1; run <= RUNS; run++) {
  // Who goes first alternates, so neither always runs on a machine just warmed up by the other.
  const flip = <T>(xs: T[]): T[] => (run % 2 ? xs : [...xs].reverse());
  const measureIdle = ONLY.has('idle') && run === 1;
  if (ONLY.has('cpu')) await cpu.run(run, flip, measureIdle ? idle.after : undefined);
  else if (measureIdle) await idle.runAlone(cpu.simArgs(run), CPU_BACKLOG);
  if (ONLY.has('latency')) await latency.run(run, flip);
  if (ONLY.has('sdk-batch')) await sdkBatch.run(run);
  if (ONLY.has('large')) await large.run(run);
}

const sections: Section[] = [cpu.report(), latency.report(), sdkBatch.report(cpu.receiverRuns()), idle.report(), large.report()].filter((s) => s.rows.length);
const notes = ['Each contender, the Asana stand-in and the OTLP sink run in separate processes; every run checks that each event arrived.'];
process.stdout.write(`\n${table(sections)}\n\n${targetLines(sections)}\n`);
if (!opts['no-write']) {
  await writeFile(join(ROOT, 'bench/results/latest.md'), markdown(sections, RUNS, Date.now() - started, notes), 'utf8');
  log('written to bench/results/latest.md');
}
