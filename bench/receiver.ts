/**
 * The receiver under measurement, in its own process, configured by the environment exactly as a
 * user configures it:
 *
 *   node bench/receiver.ts once           what `asana-otel-receiver once` runs (runReceiver)
 *   node bench/receiver.ts idle MS        `run` on a caught-up state: CPU over MS after a 3 s warm-up
 *
 * Prints one JSON line: {events, wallMs, cpuMs, mainThreadCpuMs, mainThreadWaitMs, maxRssKb, exitCode}
 * (idle: {idleMs, cpuMs, maxRssKb}). Wall time and CPU are measured from the start of the work, after
 * the modules are loaded; cpuMs is the whole process's, mainThreadCpuMs its JavaScript thread's (the
 * rest is V8's compiler and GC helpers and libuv's pool), mainThreadWaitMs the time that thread was
 * ready to run but waited for a core (Linux).
 */
// As src/cli.ts does: the receiver's GC and WebAssembly-compiler settings first, and its modules
// only after they are set (static imports would all be loaded before heap.ts runs, growing the
// young generation); started without the container image's malloc settings, it restarts itself
// with them first, as src/cli/main.ts does for `once`.
import { growYoungGeneration } from '../src/heap.ts';
import '../src/wasm-compile.ts';
import { applyMallocEnv } from '../src/malloc-env.ts';

applyMallocEnv();

const { threadTimesOf } = await import('./thread-times.ts');
const { loadConfig } = await import('../src/config/index.ts');
const { AbortedError } = await import('../src/errors.ts');
const { createLogger } = await import('../src/log.ts');
const { Receiver } = await import('../src/receiver.ts');
const { runReceiver } = await import('../src/run.ts');
growYoungGeneration(); // as src/cli/main.ts does for run and once

const [mode, arg] = process.argv.slice(2);
const config = loadConfig(process.env);
const log = createLogger(config.log);
const report = (fields: Record<string, unknown>) => process.stdout.write(`${JSON.stringify({ ...fields, maxRssKb: process.resourceUsage().maxRSS })}\n`);

if (mode === 'once') {
  let events = 0;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const main0 = threadTimesOf(process.pid);
  const exitCode = await runReceiver('once', config, log, { onPage: (p) => (events += p.shipped) });
  const cpu = process.cpuUsage(cpu0);
  const main = threadTimesOf(process.pid);
  report({
    events,
    wallMs: performance.now() - t0,
    cpuMs: (cpu.user + cpu.system) / 1000,
    userMs: cpu.user / 1000,
    mainThreadCpuMs: main.cpuMs - main0.cpuMs,
    mainThreadWaitMs: main.waitMs - main0.waitMs,
    exitCode,
  });
} else if (mode === 'idle') {
  const idleMs = Number(arg);
  const receiver = await Receiver.create(config, log);
  const stop = new AbortController();
  const running = receiver.run(stop.signal);
  await new Promise((r) => setTimeout(r, 3_000));
  const cpu0 = process.cpuUsage();
  await new Promise((r) => setTimeout(r, idleMs));
  const cpu = process.cpuUsage(cpu0);
  stop.abort();
  await running.catch((err: unknown) => {
    if (!(err instanceof AbortedError)) throw err; // a shutdown ends run() with AbortedError
  });
  await receiver.close();
  report({ idleMs, cpuMs: (cpu.user + cpu.system) / 1000 });
} else {
  process.stderr.write('usage: node bench/receiver.ts once | idle MS\n');
  process.exit(2);
}
