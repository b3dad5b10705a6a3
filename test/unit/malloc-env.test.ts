import { describe, expect, it } from 'vitest';
import { MALLOC_ENV, mallocRestart, type ProcessStart } from '../../src/malloc-env.ts';

const start = (over: Partial<ProcessStart> = {}): ProcessStart => ({
  platform: 'linux',
  env: { PATH: '/usr/bin', ASANA_TOKEN: 't' },
  execPath: '/usr/bin/node',
  execArgv: ['--enable-source-maps'],
  argv: ['/usr/bin/node', '/app/dist/cli.js', 'run', '--config', 'a.yaml'],
  canExec: true,
  hasIpcChannel: false,
  ...over,
});

describe('the malloc-settings restart', () => {
  it('restarts a process started without them with the same node, flags, script, arguments and environment, plus the settings', () => {
    expect(mallocRestart(start())).toEqual({
      file: '/usr/bin/node',
      args: ['/usr/bin/node', '--enable-source-maps', '/app/dist/cli.js', 'run', '--config', 'a.yaml'],
      env: { PATH: '/usr/bin', ASANA_TOKEN: 't', MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '131072', MALLOC_TRIM_THRESHOLD_: '131072' },
    });
    expect(MALLOC_ENV).toEqual({ MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '131072', MALLOC_TRIM_THRESHOLD_: '131072' });
  });

  it.each([
    ['MALLOC_ARENA_MAX', { MALLOC_ARENA_MAX: '8' }, { MALLOC_ARENA_MAX: '8', MALLOC_MMAP_THRESHOLD_: '131072', MALLOC_TRIM_THRESHOLD_: '131072' }],
    ['MALLOC_ARENA_MAX, empty', { MALLOC_ARENA_MAX: '' }, { MALLOC_ARENA_MAX: '', MALLOC_MMAP_THRESHOLD_: '131072', MALLOC_TRIM_THRESHOLD_: '131072' }],
    ['MALLOC_MMAP_THRESHOLD_', { MALLOC_MMAP_THRESHOLD_: '1048576' }, { MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '1048576', MALLOC_TRIM_THRESHOLD_: '131072' }],
    ['two of them', { MALLOC_ARENA_MAX: '4', MALLOC_TRIM_THRESHOLD_: '0' }, { MALLOC_ARENA_MAX: '4', MALLOC_MMAP_THRESHOLD_: '131072', MALLOC_TRIM_THRESHOLD_: '0' }],
    ['GLIBC_TUNABLES without a malloc tunable', { GLIBC_TUNABLES: 'glibc.pthread.rseq=0' }, { GLIBC_TUNABLES: 'glibc.pthread.rseq=0', ...MALLOC_ENV }],
  ])("keeps the user's own %s and adds the others", (_, own, env) => {
    expect(mallocRestart(start({ env: own }))?.env).toEqual(env);
  });

  it('leaves the process as it is where a restart cannot help or would lose something', () => {
    const cases: Array<[string, Partial<ProcessStart>]> = [
      ['the user set all three', { env: { ...MALLOC_ENV, MALLOC_ARENA_MAX: '8' } }],
      ['the restarted process itself (no second restart)', { env: mallocRestart(start())!.env }],
      ["a malloc tunable in GLIBC_TUNABLES: glibc's settings are the user's", { env: { GLIBC_TUNABLES: 'glibc.malloc.arena_max=4' } }],
      ['a malloc tunable after another one', { env: { GLIBC_TUNABLES: 'glibc.pthread.rseq=0:glibc.malloc.trim_threshold=0' } }],
      ['not Linux (no glibc)', { platform: 'darwin' }],
      ['node without process.execve', { canExec: false }],
      ['an IPC channel to the parent, which a new image would lose', { hasIpcChannel: true }],
    ];
    for (const [why, over] of cases) expect(mallocRestart(start(over)), why).toBeUndefined();
  });

  it('drops environment entries without a value', () => {
    expect(mallocRestart(start({ env: { A: 'x', B: undefined } }))?.env).toEqual({ A: 'x', ...MALLOC_ENV });
  });
});
