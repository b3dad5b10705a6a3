import { describe, expect, it } from 'vitest';
import { arenaRestart, MALLOC_ARENA_MAX, type ProcessStart } from '../../src/malloc-arenas.ts';

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

describe('the malloc-arena restart', () => {
  it('restarts a process started without MALLOC_ARENA_MAX with the same node, flags, script, arguments and environment, plus MALLOC_ARENA_MAX', () => {
    expect(arenaRestart(start())).toEqual({
      file: '/usr/bin/node',
      args: ['/usr/bin/node', '--enable-source-maps', '/app/dist/cli.js', 'run', '--config', 'a.yaml'],
      env: { PATH: '/usr/bin', ASANA_TOKEN: 't', MALLOC_ARENA_MAX },
    });
    expect(MALLOC_ARENA_MAX).toBe('2');
  });

  it('leaves the process as it is where a restart cannot help or would lose something', () => {
    const cases: Array<[string, Partial<ProcessStart>]> = [
      ['the user set it', { env: { MALLOC_ARENA_MAX: '8' } }],
      ['the user set it empty', { env: { MALLOC_ARENA_MAX: '' } }],
      ['the restarted process itself (no second restart)', { env: arenaRestart(start())!.env }],
      ['not Linux (no glibc)', { platform: 'darwin' }],
      ['node without process.execve', { canExec: false }],
      ['an IPC channel to the parent, which a new image would lose', { hasIpcChannel: true }],
    ];
    for (const [why, over] of cases) expect(arenaRestart(start(over)), why).toBeUndefined();
  });

  it('drops environment entries without a value', () => {
    expect(arenaRestart(start({ env: { A: 'x', B: undefined } }))?.env).toEqual({ A: 'x', MALLOC_ARENA_MAX });
  });
});
