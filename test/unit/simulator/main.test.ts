import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const MAIN = fileURLToPath(new URL('../../../src/simulator/main.ts', import.meta.url));

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

async function startChild(args: string[]): Promise<{ child: ChildProcess; info: { url: string; token: string; workspaceGid: string } }> {
  const child = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const [line] = (await once(lines, 'line')) as [string];
  lines.close();
  return { child, info: JSON.parse(line) as { url: string; token: string; workspaceGid: string } };
}

describe('simulator main (standalone process)', () => {
  it('prints its address as one JSON line, serves the backlog and exits 0 on SIGTERM', async () => {
    const { child, info } = await startChild(['--backlog', '250', '--seed', '3', '--port', '0', '--token', 'child-token']);
    expect(info).toMatchObject({ token: 'child-token', workspaceGid: '1200000000000001' });
    expect(info.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/1\.0$/);

    let offset: string | undefined;
    let total = 0;
    for (;;) {
      const q = new URLSearchParams({ limit: '100' });
      if (offset) q.set('offset', offset);
      const res = await fetch(`${info.url}/workspaces/${info.workspaceGid}/audit_log_events?${q}`, { headers: { authorization: `Bearer ${info.token}` } });
      expect(res.status).toBe(200);
      const page = (await res.json()) as { data: unknown[]; next_page: { offset: string } | null };
      if (page.data.length === 0) break;
      total += page.data.length;
      offset = page.next_page?.offset;
    }
    expect(total).toBe(250);

    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
  });

  it('rejects bad arguments with exit code 2', async () => {
    const child = spawn(process.execPath, [MAIN, '--rpm', 'lots'], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const [code] = await once(child, 'exit');
    expect(code).toBe(2);
    expect(stderr).toContain('--rpm');
  });

  it('lays out the backlog in the shape asked for (--shape burst: 80% in one hour)', async () => {
    const { child, info } = await startChild(['--backlog', '500', '--span', String(10 * 86_400_000), '--shape', 'burst']);
    const times: number[] = [];
    let offset: string | undefined;
    for (;;) {
      const q = new URLSearchParams({ limit: '100' });
      if (offset) q.set('offset', offset);
      const res = await fetch(`${info.url}/workspaces/${info.workspaceGid}/audit_log_events?${q}`, { headers: { authorization: `Bearer ${info.token}` } });
      const page = (await res.json()) as { data: Array<{ created_at: string }>; next_page: { offset: string } | null };
      if (page.data.length === 0) break;
      for (const e of page.data) times.push(Date.parse(e.created_at));
      offset = page.next_page?.offset;
    }
    expect(times).toHaveLength(500);
    const sorted = times.toSorted((a, b) => a - b);
    // The densest hour holds the burst.
    let best = 0;
    for (let i = 0, j = 0; i < sorted.length; i++) {
      while ((sorted[i] as number) - (sorted[j] as number) >= 3_600_000) j++;
      best = Math.max(best, i - j + 1);
    }
    expect(best / 500).toBeGreaterThanOrEqual(0.8);
    child.kill('SIGTERM');
    await once(child, 'exit');
  });

  it('refuses an unknown --shape with exit code 2, naming the shapes', async () => {
    const child = spawn(process.execPath, [MAIN, '--shape', 'lumpy'], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const [code] = await once(child, 'exit');
    expect(code).toBe(2);
    expect(stderr).toContain('even, dense-recent, burst, weekday');
  });
});
