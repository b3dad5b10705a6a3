import { writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { spawnCli, waitFor } from '../helpers/receiver.ts';
import { usePipeline } from '../helpers/pipeline.ts';
import { sliceConcurrency } from '../../src/streams/audit-log/planner.ts';

/** The real CLI as a user runs it: a child process, signals, exit codes, everything it prints. */
describe('the CLI as a process', () => {
  const TOKEN = '0/marker-token-7f3a9c2e1b5d/DO-NOT-LEAK';

  const pipeline = usePipeline({ sim: { backlog: 3000, seed: 3, token: TOKEN, latencyMs: 5 } });

  const uids = () => pipeline.collector.records.map((r) => r.attributes['log.record.uid'] as string);

  it('kill -9 in the middle of a backlog, then a restart: nothing lost, duplicates bounded by one page per cursor', async () => {
    const env = pipeline.env();
    const first = spawnCli(['once'], env);
    await waitFor(() => pipeline.collector.records.length >= 700, 'the first pages to arrive');
    first.child.kill('SIGKILL');
    expect((await first.exit).signal).toBe('SIGKILL');
    const beforeRestart = pipeline.collector.records.length;
    expect(beforeRestart).toBeLessThan(3000); // it really died mid-backlog

    const second = spawnCli(['once'], env);
    expect((await second.exit).code).toBe(0);

    const got = uids();
    const all = pipeline.sim.events.map((e) => e.gid);
    expect(new Set(got)).toEqual(new Set(all)); // nothing lost
    // At most the one page in flight per cursor: the backlog is read in windows side by side.
    expect(got.length - all.length).toBeLessThanOrEqual(sliceConcurrency(60_000) * 100);

    const third = spawnCli(['once'], env);
    expect((await third.exit).code).toBe(0);
    expect(pipeline.collector.records.length).toBe(got.length); // and a later run re-sends nothing
  });

  // The token never appears in any output: test/integration/secrets.test.ts.

  it('a refused token exits 3 with a message naming ASANA_TOKEN and ships nothing', async () => {
    const run = spawnCli(['once'], pipeline.env({ ASANA_TOKEN: 'wrong-token' }));
    expect((await run.exit).code).toBe(3);
    expect(run.stderr()).toMatch(/ASANA_TOKEN/);
    expect(pipeline.collector.records).toHaveLength(0);
  });

  it('bad configuration exits 2 and names every variable to fix at once', async () => {
    const run = spawnCli(['once'], { ASANA_WORKSPACE_GID: 'not-a-gid', ASANA_POLL_INTERVAL: 'often', ASANA_STATE_FILE: pipeline.stateFile });
    expect((await run.exit).code).toBe(2);
    const err = run.stderr();
    expect(err).toContain('ASANA_TOKEN');
    expect(err).toContain('ASANA_WORKSPACE_GID');
    expect(err).toContain('ASANA_POLL_INTERVAL');
  });

  it('SIGTERM during run: exits 0 within 10 s, and the next run resumes without loss', async () => {
    const env = pipeline.env();
    const run = spawnCli(['run'], env);
    await waitFor(() => pipeline.collector.records.length >= 500, 'records to flow');
    const t0 = Date.now();
    run.child.kill('SIGTERM');
    expect((await run.exit).code).toBe(0);
    expect(Date.now() - t0).toBeLessThan(10_000);

    const again = spawnCli(['once'], env);
    expect((await again.exit).code).toBe(0);
    expect(new Set(uids())).toEqual(new Set(pipeline.sim.events.map((e) => e.gid)));
  });

  it('a second process on the same state file is refused (exit 4)', async () => {
    const env = pipeline.env();
    const run = spawnCli(['run'], env);
    await waitFor(() => pipeline.collector.records.length > 0, 'the first receiver to start');
    const second = spawnCli(['once'], env);
    expect((await second.exit).code).toBe(4);
    expect(second.stderr()).toContain(pipeline.stateFile);
    run.child.kill('SIGTERM');
    expect((await run.exit).code).toBe(0);
  });

  it('a corrupt state file stops start-up naming the file and state reset; nothing restarts from scratch', async () => {
    await writeFile(pipeline.stateFile, '{"version":1,"streams":{"audit_log/1', 'utf8');
    const run = spawnCli(['once'], pipeline.env());
    expect((await run.exit).code).toBe(4);
    expect(run.stderr()).toContain(pipeline.stateFile);
    expect(run.stderr()).toContain('state reset');
    expect(pipeline.collector.records).toHaveLength(0);
  });

  it('state show reports each position; state reset needs a flag and then forgets it', async () => {
    const env = pipeline.env();
    expect((await spawnCli(['once'], env).exit).code).toBe(0);

    const show = spawnCli(['state', 'show', '--json'], env);
    expect((await show.exit).code).toBe(0);
    const shown = JSON.parse(show.stdout()) as { streams: Array<{ key: string; lastEventAt: string; eventsShipped: number; lagSeconds: number }> };
    expect(shown.streams).toHaveLength(1);
    expect(shown.streams[0]).toMatchObject({ key: `audit_log/${pipeline.sim.workspaceGid}`, lastEventAt: pipeline.sim.events.at(-1)!.created_at, eventsShipped: 3000 });

    const bare = spawnCli(['state', 'reset'], env);
    expect((await bare.exit).code).toBe(2);

    const reset = spawnCli(['state', 'reset', '--stream', `audit_log/${pipeline.sim.workspaceGid}`], env);
    expect((await reset.exit).code).toBe(0);
    const after = spawnCli(['state', 'show', '--json'], env);
    await after.exit;
    expect((JSON.parse(after.stdout()) as { streams: unknown[] }).streams).toHaveLength(0);
  });
});
