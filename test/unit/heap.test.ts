import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { heapTunedByUser } from '../../src/heap.ts';

describe('heap settings', () => {
  it('are left alone when node was given heap options of its own', () => {
    expect(heapTunedByUser([], undefined)).toBe(false);
    expect(heapTunedByUser(['--enable-source-maps'], '--trace-warnings')).toBe(false);
    expect(heapTunedByUser(['--max-old-space-size=200'], undefined)).toBe(true);
    expect(heapTunedByUser([], '--max_semi_space_size=4 --trace-warnings')).toBe(true);
    expect(heapTunedByUser(['--heap-growing-percent=0'], undefined)).toBe(true);
  });

  it('are flags this Node knows (V8 only warns about unknown ones, and ignores them)', () => {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', `await import(${JSON.stringify(join(import.meta.dirname, '../../src/heap.ts'))}); const a = []; for (let i = 0; i < 2e5; i++) a.push({ i }); console.log(a.length)`], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe('200000');
    expect(r.stderr).toBe('');
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
