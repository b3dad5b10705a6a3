import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { CLI, ROOT, spawnCli, waitFor } from '../helpers/receiver.ts';


function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('demo lifetime', () => {
  it('does not outlive its parent when the parent is killed and passes no signal on (as npm run does)', async () => {
    // The parent stands in for npm: it starts the demo, says its pid, and dies on SIGTERM without forwarding it.
    const parentScript = `
      const { spawn } = require('node:child_process');
      const c = spawn(process.execPath, [${JSON.stringify(CLI)}, 'demo', '--backlog', '20', '--rate', '1'], { stdio: ['ignore', 'inherit', 'inherit'] });
      process.stdout.write('DEMO_PID ' + c.pid + '\\n');
      setInterval(() => {}, 1000);`;
    const parent = spawn(process.execPath, ['-e', parentScript], { cwd: ROOT, env: { PATH: process.env.PATH ?? '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    parent.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    parent.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
    let demoPid = 0;
    try {
      await waitFor(() => /DEMO_PID (\d+)/.test(out), 'the demo pid');
      demoPid = Number(/DEMO_PID (\d+)/.exec(out)?.[1]);
      await waitFor(() => out.includes('asana.audit.'), 'the demo printing records', 30_000);
      parent.kill('SIGTERM');
      await waitFor(() => !alive(demoPid), 'the demo to exit after its parent died', 15_000);
      await waitFor(() => err.includes('is gone; stopping'), 'the demo saying why it stops', 5_000);
    } finally {
      if (parent.exitCode === null && parent.signalCode === null) parent.kill('SIGKILL');
      if (demoPid && alive(demoPid)) process.kill(demoPid, 'SIGKILL');
    }
  }, 60_000);

  it('--for says that the time is up before it stops', async () => {
    const run = spawnCli(['demo', '--for', '2s', '--backlog', '10', '--rate', '0'], {});
    const { code } = await run.exit;
    expect(code).toBe(0);
    expect(run.stderr()).toContain('demo: ran for 2s; stopping');
    expect(run.stderr(), 'nobody sent a signal').not.toContain('SIGTERM');
  }, 30_000);
});
