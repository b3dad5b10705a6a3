import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { CLI, ROOT } from '../helpers/receiver.ts';

/**
 * Runs the CLI with a preloaded module that prints one line each time a node process image starts
 * (its pid and its malloc settings): a restart shows as two lines with the same pid.
 */
function starts(args: string[], env: Record<string, string>): Promise<{ lines: string[]; code: number | null }> {
  const probe = `data:text/javascript,process.stderr.write('START '+process.pid+' '+['MALLOC_ARENA_MAX','MALLOC_MMAP_THRESHOLD_','MALLOC_TRIM_THRESHOLD_'].map(k=>process.env[k]??'-').join('/')+' '+(process.env.MARKER??'-')+'\\n')`;
  const child = spawn(process.execPath, ['--import', probe, CLI, ...args], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', MARKER: 'kept', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, lines: err.split('\n').filter((l) => l.startsWith('START ')).map((l) => l.replace(String(child.pid), 'PID')) })));
}

describe.skipIf(process.platform !== 'linux')('malloc settings outside the container', () => {
  it('a command that processes events, started without the malloc settings, restarts itself once with them: same pid, node flags, arguments and environment', async () => {
    // No ASANA_TOKEN: `once` stops at the configuration, after the restart.
    const { lines, code } = await starts(['once'], {});
    expect(lines).toEqual(['START PID -/-/- kept', 'START PID 2/131072/131072 kept']);
    expect(code, 'the restarted process ran the command: a configuration error').toBe(2);
  }, 30_000);

  it("keeps the user's own values, and does not restart commands that process no events", async () => {
    expect((await starts(['once'], { MALLOC_ARENA_MAX: '8' })).lines).toEqual(['START PID 8/-/- kept', 'START PID 8/131072/131072 kept']);
    expect((await starts(['once'], { MALLOC_ARENA_MAX: '8', MALLOC_MMAP_THRESHOLD_: '65536', MALLOC_TRIM_THRESHOLD_: '0' })).lines).toEqual(['START PID 8/65536/0 kept']);
    expect((await starts(['once'], { GLIBC_TUNABLES: 'glibc.malloc.arena_max=4' })).lines).toEqual(['START PID -/-/- kept']);
    expect((await starts(['--help'], {})).lines).toEqual(['START PID -/-/- kept']);
    expect((await starts(['validate', '--help'], {})).lines).toEqual(['START PID -/-/- kept']);
  }, 30_000);
});
