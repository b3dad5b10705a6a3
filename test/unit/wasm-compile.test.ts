import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WASM_FLAGS, wasmTunedByUser } from '../../src/wasm-compile.ts';

describe("the WebAssembly compiler's settings", () => {
  it('are left alone when node was given a loop-unrolling option of its own', () => {
    expect(wasmTunedByUser([])).toBe(false);
    expect(wasmTunedByUser(['--enable-source-maps', '--wasm-loop-peeling'])).toBe(false);
    expect(wasmTunedByUser(['--wasm-loop-unrolling'])).toBe(true);
    expect(wasmTunedByUser(['--no-wasm-loop-unrolling'])).toBe(true);
    expect(wasmTunedByUser(['--wasm_loop_unrolling'])).toBe(true);
  });

  it("lower the memory V8 takes to optimize undici's HTTP parser", () => {
    // The parser undici compiles (llhttp, WebAssembly), optimized at once (no baseline tier, no lazy
    // compilation) so that the compiler's peak memory is measured deterministically; in a plain
    // JavaScript process, as type stripping compiles WebAssembly of its own.
    const peakKiB = (withSettings: boolean): number => {
      const script = `
        const v8 = await import('node:v8');
        for (const flag of ${JSON.stringify(withSettings ? WASM_FLAGS : [])}) v8.setFlagsFromString(flag);
        const { createRequire } = await import('node:module');
        const require = createRequire(${JSON.stringify(join(import.meta.dirname, '../../package.json'))});
        new WebAssembly.Module(Buffer.from(require('undici/lib/llhttp/llhttp_simd-wasm.js'), 'base64'));
        console.log(Math.round(v8.getHeapStatistics().peak_malloced_memory / 1024));`;
      const r = spawnSync(process.execPath, ['--no-liftoff', '--no-wasm-lazy-compilation', '--input-type=module', '-e', script], { encoding: 'utf8' });
      expect(r.stderr).toBe('');
      return Number(r.stdout.trim());
    };
    const without = peakKiB(false);
    const withSettings = peakKiB(true);
    expect(without, 'the compilation is measured at all').toBeGreaterThan(10_000);
    expect(without - withSettings).toBeGreaterThan(1_000);
  });
});
