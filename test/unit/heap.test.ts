import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { heapTunedByUser, YOUNG_GENERATION_BYTES, youngGenerationSize, youngGrowthFactor } from '../../src/heap.ts';
import { MALLOC_ENV } from '../../src/malloc-env.ts';

describe('heap settings', () => {
  it('are left alone when node was given heap options of its own', () => {
    expect(heapTunedByUser([], undefined)).toBe(false);
    expect(heapTunedByUser(['--enable-source-maps'], '--trace-warnings')).toBe(false);
    expect(heapTunedByUser(['--max-old-space-size=200'], undefined)).toBe(true);
    expect(heapTunedByUser([], '--max_semi_space_size=4 --trace-warnings')).toBe(true);
    expect(heapTunedByUser(['--heap-growing-percent=0'], undefined)).toBe(true);
  });

  it("read the young generation's size as the power of two below a reading, and grow it to the target in whole factors", () => {
    const MB = 2 ** 20;
    const sizes: Array<[reading: number, size: number]> = [
      [2 * MB, 2 * MB], // V8's initial new space
      [3.8 * MB, 2 * MB], // read mid-collection: pages beyond the capacity
      [8 * MB, 8 * MB],
      [8.75 * MB, 8 * MB],
      [0, 0],
      [Number.NaN, 0],
    ];
    for (const [reading, size] of sizes) expect(youngGenerationSize(reading), `${reading}`).toBe(size);
    const factors: Array<[size: number, target: number, factor: number]> = [
      [2 * MB, 8 * MB, 4], // one step to the target
      [4 * MB, 8 * MB, 2],
      [8 * MB, 8 * MB, 1], // there: held
      [16 * MB, 8 * MB, 1], // past it (grown before): never grown further
      [0, 8 * MB, 1], // no reading
    ];
    for (const [size, target, factor] of factors) expect(youngGrowthFactor(size, target), `${size} -> ${target}`).toBe(factor);
  });

  it('hold a busy young generation at YOUNG_GENERATION_BYTES once grown, and at its initial size before', () => {
    // Pages of short-lived objects with some survivors, as a receiver at work allocates them.
    const script = `
      const heap = await import(${JSON.stringify(join(import.meta.dirname, '../../src/heap.ts'))});
      const v8 = await import('node:v8');
      const newSpace = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size;
      // The new space's size after each round; its median is the capacity (a reading taken around a
      // collection can be a page or two larger).
      const work = async (rounds) => {
        const sizes = [];
        let keep = [];
        for (let r = 0; r < rounds; r++) {
          for (let i = 0; i < 20000; i++) { keep.push({ i, s: 'x' + i }); if (keep.length > 30000) keep = []; }
          await new Promise((res) => setImmediate(res));
          sizes.push(newSpace());
        }
        return sizes.sort((a, b) => a - b)[sizes.length >> 1];
      };
      const before = await work(60);
      heap.growYoungGeneration();
      const after = await work(200);
      console.log(JSON.stringify({ before, after }));`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const { before, after } = JSON.parse(r.stdout) as { before: number; after: number };
    expect(before).toBeLessThan(YOUNG_GENERATION_BYTES);
    expect(after).toBe(YOUNG_GENERATION_BYTES);
  });

  it('are flags this Node knows (V8 only warns about unknown ones, and ignores them)', () => {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', `await import(${JSON.stringify(join(import.meta.dirname, '../../src/heap.ts'))}); const a = []; for (let i = 0; i < 2e5; i++) a.push({ i }); console.log(a.length)`], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe('200000');
    expect(r.stderr).toBe('');
  });
});

/**
 * Runs `node src/cli.ts ...args` with a load hook (module.registerHooks) that records every module
 * loaded, and which of them were loaded before heap.ts set the GC flags (v8.setFlagsFromString,
 * wrapped for the child only).
 */
function loadsOf(args: string[], env: Record<string, string> = {}): { status: number | null; stderr: string; beforeFlags: string[]; all: string[] } {
  const hook = `
    import { registerHooks, syncBuiltinESMExports } from 'node:module';
    import { writeSync } from 'node:fs';
    const v8 = process.getBuiltinModule('node:v8');
    const loaded = [];
    let beforeFlags;
    const set = v8.setFlagsFromString;
    v8.setFlagsFromString = (f) => { beforeFlags ??= [...loaded]; return set(f); };
    syncBuiltinESMExports();
    registerHooks({ load(url, context, next) { loaded.push(url); return next(url, context); } });
    process.on('exit', () => writeSync(3, JSON.stringify({ beforeFlags: beforeFlags ?? null, all: loaded })));`;
  const r = spawnSync(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(hook)}`, join(import.meta.dirname, '../../src/cli.ts'), ...args], {
    encoding: 'utf8',
    // The malloc settings set: no restart (src/malloc-env.ts), which would close the report's fd 3.
    env: { PATH: process.env.PATH ?? '', ...MALLOC_ENV, ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
  });
  const out = JSON.parse(String(r.output[3])) as { beforeFlags: string[] | null; all: string[] };
  const ours = (urls: string[]) => urls.filter((u) => u.startsWith('file:')).map((u) => (u.includes('/node_modules/') ? `node_modules/${/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(u)?.[1]}` : u.slice(u.lastIndexOf('/src/') + 1)));
  return { status: r.status, stderr: r.stderr, beforeFlags: ours(out.beforeFlags ?? []), all: [...new Set(ours(out.all))] };
}

describe('what the CLI loads, and when', () => {
  it('sets the GC flags before the receiver is loaded: only cli.ts and the settings modules (heap.ts, wasm-compile.ts) come first', () => {
    // `once` without a token: the receiver's module graph is loaded, then the configuration fails.
    const r = loadsOf(['once']);
    expect(r.stderr).toContain('ASANA_TOKEN');
    expect(r.status).toBe(2);
    expect(r.beforeFlags).toEqual(['src/cli.ts', 'src/heap.ts', 'src/wasm-compile.ts']);
    expect(r.all).toEqual(expect.arrayContaining(['src/run.ts', 'node_modules/valibot', 'node_modules/winston']));
  });

  it('`--help` and `--version` load no runtime dependency and no command', () => {
    for (const args of [['--help'], ['--version'], ['once', '--help']]) {
      const r = loadsOf(args);
      expect(r.status, r.stderr).toBe(0);
      expect(r.all.filter((m) => m.startsWith('node_modules/'))).toEqual([]);
      expect(r.all).not.toContain('src/run.ts');
    }
  });

  it('`once` loads neither `validate`, `demo` and the simulator, nor the state commands', () => {
    const r = loadsOf(['once']);
    expect(r.all.filter((m) => /^src\/(validate|demo|simulator\/|cli\/state-command|state\/admin)/.test(m))).toEqual([]);
  });
});

describe('memory footprint of what is loaded', () => {
  it("loads neither undici's entry point (fetch, WebSocket, caches) nor Node's bundled undici", () => {
    // What `run` loads, in a fresh process: src/undici.ts requires only the Agent and the request API,
    // and node:http is taken through getBuiltinModule (its ESM namespace would load Node's undici).
    const script = `
      await import(${JSON.stringify(join(import.meta.dirname, '../../src/run.ts'))});
      const { createRequire } = await import('node:module');
      const require = createRequire(${JSON.stringify(join(import.meta.dirname, '../../package.json'))});
      const loaded = Object.keys(require.cache);
      console.log(JSON.stringify({
        agent: loaded.some((p) => p.endsWith('/undici/lib/dispatcher/agent.js')),
        entry: loaded.some((p) => p.endsWith('/undici/index.js')),
        fetch: loaded.some((p) => p.includes('/undici/lib/web/fetch/')),
        nodeUndici: process.moduleLoadList.some((m) => m.includes('deps/undici')),
      }));`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ agent: true, entry: false, fetch: false, nodeUndici: false });
  });
});
