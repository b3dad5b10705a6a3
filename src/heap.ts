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
 * - The young generation keeps its initial size (no semi-space growth): pages are short-lived, a
 *   large nursery only postpones collecting them.
 * - A full collection runs once the old generation has grown by half of what survived the last one
 *   (V8 otherwise lets it grow up to 4x on large machines).
 *
 * Cost: more frequent collections — 5-30% more CPU per event in the CPU-bound benchmark (it varied
 * between runs; bench/results/latest.md shows both), for a peak RSS of ~125 MB instead of ~275 MB.
 * At Asana's own rate (1500 requests/min, 2,500 events/s at most) that is well under a tenth of
 * one core either way.
 *
 * Both are read by V8 at each collection, so setting them at run time takes effect (unlike the
 * --max-*-space-size limits, which only a command-line flag can set). Whoever tunes the heap
 * themselves — any heap size or growth option on the node command line or in NODE_OPTIONS — keeps
 * their own settings: then none of this is applied.
 */
import { setFlagsFromString } from 'node:v8';

export const GC_FLAGS = ['--semi-space-growth-factor=1', '--heap-growing-percent=50'] as const;

const HEAP_OPTION = /--(max|min|initial)[-_](semi|old)[-_]space[-_]size|--max[-_]heap[-_]size|--heap[-_]growing[-_]percent|--semi[-_]space[-_]growth[-_]factor/;

/** Whether node was started with heap options of its own (then they are left alone). */
export function heapTunedByUser(execArgv: readonly string[], nodeOptions: string | undefined): boolean {
  return [...execArgv, nodeOptions ?? ''].some((arg) => HEAP_OPTION.test(arg));
}

if (!heapTunedByUser(process.execArgv, process.env['NODE_OPTIONS'])) for (const flag of GC_FLAGS) setFlagsFromString(flag);
