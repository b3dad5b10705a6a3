import { spawn } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runValidate } from '../../src/validate.ts';
import { ROOT, spawnCli } from '../helpers/receiver.ts';
import { usePipeline } from '../helpers/pipeline.ts';

/** `validate` against the simulated Asana domain and a loopback collector, as an admin runs it. */
describe('validate', () => {
  const TOKEN = '0/validate-marker-token-51c9e/DO-NOT-LEAK';

  const pipeline = usePipeline({ sim: { backlog: 20, seed: 11, token: TOKEN } });

  async function validate(extra: Record<string, string> = {}): Promise<{ code: number; lines: string[] }> {
    const lines: string[] = [];
    const code = await runValidate({ env: pipeline.env(extra), write: (l) => lines.push(l), asanaBackoff: () => 20 });
    for (const l of lines) expect(l).not.toContain(TOKEN);
    return { code, lines };
  }

  it('a good setup: every check passes, exit 0, and nothing is shipped or moved', async () => {
    const run = spawnCli(['validate'], pipeline.env({ ASANA_WORKSPACE_GID: pipeline.sim.workspaceGid }));
    expect((await run.exit).code).toBe(0);
    const lines = run.stdout().trim().split('\n');
    expect(lines).toEqual([
      expect.stringMatching(/^✓ configuration: workspace 1200000000000001, streams audit_log, Asana API http:\/\/127\.0\.0\.1:\d+\/api\/1\.0$/),
      `✓ Asana, audit log of workspace ${pipeline.sim.workspaceGid} (direct): the token is accepted, events readable`,
      `✓ state file ${pipeline.stateFile}: not there yet, its directory is writable (the first run creates it)`,
      `✓ OTLP logs endpoint ${pipeline.collector.logsUrl} (http/protobuf, direct): accepts an empty export`,
      `✓ OTLP metrics endpoint ${pipeline.collector.metricsUrl} (direct): accepts an empty export`,
      'all checks passed',
    ]);
    expect(run.stdout() + run.stderr()).not.toContain(TOKEN);
    // One request per workspace, of one event; one empty export per signal; no position written.
    expect(pipeline.sim.requests.map((r) => r.query.limit)).toEqual(['1']);
    expect(pipeline.collector.requests.map((r) => r.path).sort()).toEqual(['/v1/logs', '/v1/metrics']);
    expect(pipeline.collector.records).toHaveLength(0);
    expect(await readdir(dirname(pipeline.stateFile))).toEqual([]); // no state, no lock, no probe left behind
  });

  it('an existing state file is read and checked, and left exactly as it was', async () => {
    const content = `${JSON.stringify({ version: 1, streams: { [`audit_log/${pipeline.sim.workspaceGid}`]: { stream: 'audit_log', workspaceGid: pipeline.sim.workspaceGid, filters: {}, offset: 'abc', eventsShipped: 7, updatedAt: '2025-01-01T00:00:00.000Z' } } }, null, 2)}\n`;
    await writeFile(pipeline.stateFile, content);
    const { code, lines } = await validate();
    expect(code).toBe(0);
    expect(lines).toContain(`✓ state file ${pipeline.stateFile}: readable and writable, 1 stream position`);
    expect(await readFile(pipeline.stateFile, 'utf8')).toBe(content);
    expect(await readdir(dirname(pipeline.stateFile))).toEqual(['state.json']);
  });

  it('a wrong token: ✗ naming ASANA_TOKEN, exit 3, and the token is never printed', async () => {
    const { code, lines } = await validate({ ASANA_TOKEN: `${TOKEN}-revoked` });
    expect(code).toBe(3);
    const asana = lines.find((l) => l.includes('Asana, audit log'))!;
    expect(asana).toMatch(/^✗ Asana, audit log of workspace 1200000000000001 \(direct\): Asana refused the token \(401 Not Authorized.*Check ASANA_TOKEN or ASANA_TOKEN_FILE/);
    expect(lines.at(-1)).toBe('1 of 5 checks failed');
    expect(lines.join('\n')).not.toContain('DO-NOT-LEAK');
  });

  it('each workspace is checked: one the token cannot read is named with the fix', async () => {
    const { code, lines } = await validate({ ASANA_WORKSPACE_GID: `${pipeline.sim.workspaceGid},999` });
    expect(code).toBe(3);
    expect(lines).toContain(`✓ Asana, audit log of workspace ${pipeline.sim.workspaceGid} (direct): the token is accepted, events readable`);
    expect(lines.find((l) => l.includes('workspace 999 '))).toMatch(/^✗ .*403 Forbidden.*check ASANA_WORKSPACE_GID \(999\)/);
  });

  it('Asana failing for a while is retried a bounded number of times, then reported', async () => {
    pipeline.sim.failNext(10, { status: 503 });
    const { code, lines } = await validate();
    expect(code).toBe(1);
    expect(lines.find((l) => l.includes('Asana, audit log'))).toMatch(/^✗ .*after 3 attempts: Asana answered HTTP 503.*Fix: check ASANA_API_URL/);
    expect(pipeline.sim.requests).toHaveLength(3);
  });

  it('an unreachable collector: ✗ with the fix, exit 1', async () => {
    await pipeline.collector.close();
    const { code, lines } = await validate();
    expect(code).toBe(1);
    expect(lines.find((l) => l.startsWith('✗ OTLP logs endpoint'))).toMatch(/unreachable or unavailable: .*ECONNREFUSED.*Fix: start the collector, or point OTEL_EXPORTER_OTLP_ENDPOINT/);
    expect(lines.find((l) => l.startsWith('✗ OTLP metrics endpoint'))).toMatch(/OTEL_METRICS_EXPORTER=none/);
    expect(lines.at(-1)).toBe('2 of 5 checks failed');
  });

  it('a collector that rejects exports (401): exit 5, naming the headers to fix', async () => {
    pipeline.collector.failNext(1, 401, { body: 'missing api key' });
    const { code, lines } = await validate({ OTEL_METRICS_EXPORTER: 'none' });
    expect(code).toBe(5);
    expect(lines.find((l) => l.startsWith('✗ OTLP logs endpoint'))).toMatch(/rejected an empty export: HTTP 401.*missing api key.*OTEL_EXPORTER_OTLP_HEADERS/);
    expect(lines).toContain('· OTLP metrics: off (OTEL_METRICS_EXPORTER=none)');
  });

  it('an unwritable state path: ✗ naming the file and ASANA_STATE_FILE, exit 4', async () => {
    // A path below a regular file: no user (root included) can create it.
    const blocker = join(dirname(pipeline.stateFile), 'not-a-directory');
    await writeFile(blocker, 'x');
    const bad = join(blocker, 'state.json');
    const { code, lines } = await validate({ ASANA_STATE_FILE: bad });
    expect(code).toBe(4);
    expect(lines.find((l) => l.includes('state file'))).toMatch(new RegExp(`^✗ state file ${bad}: cannot create the directory .*ASANA_STATE_FILE`));
  });

  it('a corrupt state file: ✗ naming state reset, exit 4', async () => {
    await writeFile(pipeline.stateFile, '{"version":1,"str');
    const { code, lines } = await validate();
    expect(code).toBe(4);
    expect(lines.find((l) => l.includes('state file'))).toMatch(/^✗ .*is not a valid checkpoint.*state reset/);
  });

  it('a state file in use by a running receiver is reported, and its lock is left alone', async () => {
    const holder = spawn(process.execPath, [join(ROOT, 'test/helpers/state-lock-holder.ts'), pipeline.stateFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      await new Promise<void>((resolve, reject) => {
        holder.stdout.on('data', (c: Buffer) => c.toString().includes('locked') && resolve());
        holder.once('exit', () => reject(new Error('the lock holder exited')));
      });
      const lockBefore = await readFile(`${pipeline.stateFile}.lock`, 'utf8');
      const { code, lines } = await validate();
      expect(code).toBe(4);
      expect(lines.find((l) => l.includes('state file'))).toMatch(new RegExp(`^✗ state file ${pipeline.stateFile}: .*in use by another asana-otel-receiver \\(pid ${holder.pid} `));
      expect(await readFile(`${pipeline.stateFile}.lock`, 'utf8')).toBe(lockBefore);
    } finally {
      holder.kill('SIGTERM');
      await new Promise((r) => holder.once('exit', r));
    }
  });

  it('bad configuration: every problem, exit 2, nothing else is tried', async () => {
    const { code, lines } = await validate({ ASANA_WORKSPACE_GID: 'abc', ASANA_POLL_INTERVAL: 'often' });
    expect(code).toBe(2);
    expect(lines[0]).toBe('✗ configuration: 2 problems');
    expect(lines.join('\n')).toMatch(/ASANA_WORKSPACE_GID.*\n.*ASANA_POLL_INTERVAL/);
    expect(pipeline.sim.requests).toHaveLength(0);
    expect(pipeline.collector.requests).toHaveLength(0);
  });
});
