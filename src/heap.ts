/**
 * Garbage-collector settings for a long-running receiver, applied once at start-up: the only static
 * import of the CLI (src/cli.ts), which loads everything else afterwards. Loading the receiver's
 * modules first would let the young generation grow (to 16 MB) before these settings could hold it,
 * and V8 does not shrink it back while the process is busy.
 *
 * V8 sizes its heap for throughput on the machine it finds: on a host with gigabytes free, a busy
 * receiver let its young generation grow to 128 MB and its old generation to several times the live
 * data, reaching 280-300 MB of RSS while its live data stayed under 25 MB (npm run bench). Two
 * heuristics keep the heap near what is live, measured on the benchmark's 100,000-event backlog:
 *
 * - The young generation is held at YOUNG_GENERATION_BYTES (V8's new space, both semi-spaces), not
 *   V8's 32 MB: pages are short-lived, a large nursery only postpones collecting them. It starts at
 *   V8's initial size and stays there while modules load; growYoungGeneration(), called once the
 *   command's modules are loaded, lets it grow to that size and no further. Measured on the
 *   CPU-bound backlog (bench/results/memory.md): held at its initial 2 MB the receiver took about a
 *   fifth more CPU per event than at 8 MB, for 4-6 MB less RSS; 32 MB saved no CPU over 8 MB and cost
 *   20 MB more RSS.
 * - A full collection runs once the old generation has grown by half of what survived the last one
 *   (V8 otherwise lets it grow up to 4x on large machines).
 *
 * Cost: more frequent collections than V8's defaults, for a peak RSS of ~120 MB instead of ~175 MB
 * (npm run bench, CPU-bound rows). At Asana's own rate (1500 requests/min, 2,500 events/s at most)
 * that is well under a tenth of one core either way.
 *
 * Both are read by V8 at each collection, so setting them at run time takes effect (unlike the
 * --max-*-space-size limits, which only a command-line flag can set): the young generation's size is
 * steered through its growth factor, which V8 applies when it grows the new space (by that factor,
 * up to its maximum) after enough of it survived a collection. Whoever tunes the heap themselves —
 * any heap size or growth option on the node command line or in NODE_OPTIONS — keeps their own
 * settings: then none of this is applied.
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';

export const GC_FLAGS = ['--semi-space-growth-factor=1', '--heap-growing-percent=50'] as const;

const HEAP_OPTION = /--(max|min|initial)[-_](semi|old)[-_]space[-_]size|--max[-_]heap[-_]size|--heap[-_]growing[-_]percent|--semi[-_]space[-_]growth[-_]factor/;

/** Whether node was started with heap options of its own (then they are left alone). */
export function heapTunedByUser(execArgv: readonly string[], nodeOptions: string | undefined): boolean {
  return [...execArgv, nodeOptions ?? ''].some((arg) => HEAP_OPTION.test(arg));
}

/** The young generation's size (V8's new_space, as v8.getHeapSpaceStatistics reports it) once grown: a power of two. */
export const YOUNG_GENERATION_BYTES = 8 * 2 ** 20;

/**
 * The young generation's size from a reading of its space_size: V8 grows it from its initial 2 MB by
 * the (whole) growth factor set here, always a power of two, so its size is one too; a reading taken
 * around a collection can be up to a few pages larger, and is rounded down.
 */
export function youngGenerationSize(spaceSize: number): number {
  return spaceSize >= 1 ? 2 ** Math.floor(Math.log2(spaceSize)) : 0;
}

/** The growth factor that takes a young generation of `size` (a power of two) to `target`, or 1 once there. */
export function youngGrowthFactor(size: number, target: number): number {
  if (!(size > 0) || size >= target) return 1;
  return Math.max(1, Math.floor(target / size));
}

const tuned = heapTunedByUser(process.execArgv, process.env['NODE_OPTIONS']);
if (!tuned) for (const flag of GC_FLAGS) setFlagsFromString(flag);

let growing = false;

/**
 * Lets the young generation grow to YOUNG_GENERATION_BYTES, for a command that processes events
 * (run, once, demo), once its modules are loaded. After each collection the growth factor is set for
 * the size reached (the largest reading so far: a smaller one is a reading taken mid-collection), so
 * V8's next growth lands on the target; once there the factor is 1 for good and collections are no
 * longer watched. Does nothing when the user tuned the heap.
 */
export function growYoungGeneration(): void {
  if (tuned || growing) return;
  growing = true;
  let size = 0;
  let factor = 1;
  const steer = (): boolean => {
    const reading = getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0;
    size = Math.max(size, youngGenerationSize(reading));
    const next = youngGrowthFactor(size, YOUNG_GENERATION_BYTES);
    if (next !== factor) setFlagsFromString(`--semi-space-growth-factor=${next}`);
    factor = next;
    return size >= YOUNG_GENERATION_BYTES;
  };
  if (steer()) return;
  const observer = new PerformanceObserver(() => {
    if (steer()) observer.disconnect();
  });
  observer.observe({ entryTypes: ['gc'] });
}
