/**
 * V8's optimizing compiler for WebAssembly, set for a receiver's memory at start-up (src/cli.ts
 * imports this module first, with heap.ts).
 *
 * undici parses HTTP with llhttp compiled to WebAssembly: one large state-machine function. At the
 * first responses V8 optimizes it in the background, and the loop-unrolling phase of that
 * compilation (Turboshaft's LoopUnrollingPhase, seen with heaptrack) takes ~25 MB of compiler memory
 * for a few tens of milliseconds (v8.getHeapStatistics().peak_malloced_memory): at Asana's rate that
 * spike is the process's peak RSS. Without loop unrolling it peaks at ~14 MB, for 2-4 MB less peak
 * RSS at Asana's ceiling and CPU-bound, at the same events/s (bench/results/memory.md). V8 reads the
 * flag when it compiles, so setting it at run time, before the first request, takes effect.
 *
 * Whoever passes a --[no-]wasm-loop-unrolling option of their own to node keeps it.
 */
import { setFlagsFromString } from 'node:v8';

export const WASM_FLAGS = ['--no-wasm-loop-unrolling'] as const;

/** Whether node was started with a loop-unrolling option of its own (then it is left alone). */
export function wasmTunedByUser(execArgv: readonly string[]): boolean {
  return execArgv.some((arg) => /^--(no-)?wasm[-_]loop[-_]unrolling$/.test(arg));
}

if (!wasmTunedByUser(process.execArgv)) for (const flag of WASM_FLAGS) setFlagsFromString(flag);
