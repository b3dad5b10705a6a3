import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import type { HealthReport } from '../../src/telemetry/stream-status.ts';
import { envFor, spawnCli, tempStateFile, waitFor, type CliRun } from '../helpers/receiver.ts';
import { usePipeline } from '../helpers/pipeline.ts';

/** /healthz and /readyz of `run`, as a probe sees them: the real CLI in a child process. */
describe('health endpoint', () => {
  let run: CliRun | undefined;

  const pipeline = usePipeline({ sim: { backlog: 400, seed: 9 } });
  afterEach(async () => {
    if (run && run.child.exitCode === null) {
      run.child.kill('SIGTERM');
      await run.exit;
    }
    run = undefined;
  });

  /** The start-up line names the health URL (ASANA_HEALTH_ADDR=127.0.0.1:0 picks a free port). */
  async function healthUrl(r: CliRun): Promise<string> {
    let url: string | undefined;
    await waitFor(() => {
      url = /"health":"(http:\/\/127\.0\.0\.1:\d+)\/healthz/.exec(r.stderr())?.[1];
      return url !== undefined || r.child.exitCode !== null;
    }, 'the start-up line');
    if (!url) throw new Error(`no health URL; stderr: ${r.stderr()}`);
    return url;
  }

  async function get(url: string): Promise<{ status: number; body: HealthReport; type: string }> {
    const res = await request(url);
    return { status: res.statusCode, body: (await res.body.json()) as HealthReport, type: String(res.headers['content-type']) };
  }

  it('/readyz is 503 until the first poll succeeds, then 200 with the position per stream; /healthz 200 throughout', async () => {
    // The first Asana request hangs for a while: the receiver is up but has not polled yet.
    // The second is answered 503 and retried.
    pipeline.sim.failNext(1, { kind: 'hang', ms: 3_000 });
    pipeline.sim.failNext(1, { status: 503 });
    run = spawnCli(['run'], pipeline.env());
    const url = await healthUrl(run);

    const early = await get(`${url}/readyz`);
    expect(early.status).toBe(503);
    expect(early.type).toContain('application/json');
    expect(early.body.status).toBe('not_ready');
    expect(early.body.streams).toEqual([expect.objectContaining({ key: `audit_log/${pipeline.sim.workspaceGid}`, state: 'starting', ready: false, reason: 'no successful poll yet' })]);
    expect((await get(`${url}/healthz`)).status).toBe(200);

    await waitFor(() => pipeline.collector.records.length === 400, 'the backlog to ship');
    let ready: Awaited<ReturnType<typeof get>> | undefined;
    await waitFor(() => {
      void get(`${url}/readyz`).then((r) => (ready = r));
      return ready?.status === 200 && ready.body.streams[0]!.caughtUp;
    }, 'readiness');
    const stream = ready!.body.streams[0]!;
    expect(stream).toMatchObject({
      key: `audit_log/${pipeline.sim.workspaceGid}`,
      workspaceGid: pipeline.sim.workspaceGid,
      stream: 'audit_log',
      state: 'running',
      ready: true,
      alive: true,
      lastEventAt: pipeline.sim.events.at(-1)!.created_at,
      eventsReceived: 400,
      recordsExported: 400,
    });
    expect(stream.lagSeconds).toBeGreaterThanOrEqual(0);
    expect(Date.parse(stream.lastSuccessAt!)).toBeGreaterThan(Date.now() - 60_000);
    // The 503 was retried away: the body still says what went wrong last, with a code.
    expect(stream.lastError).toMatchObject({ code: 'ERR_ASANA_UNAVAILABLE', message: expect.stringContaining('Asana answered HTTP 503') });

    const live = await get(`${url}/healthz`);
    expect(live.status).toBe(200);
    expect(live.body.status).toBe('ok');
    expect((await request(`${url}/metrics`)).statusCode).toBe(404);

    run.child.kill('SIGTERM');
    expect((await run.exit).code).toBe(0);
    // Stopped with the process.
    await expect(request(`${url}/healthz`)).rejects.toThrow();
  }, 40_000);

  it('one workspace refused: /readyz 503 names it with its error code, /healthz stays 200, the other keeps shipping', async () => {
    const FORBIDDEN = '1299999999999999';
    run = spawnCli(['run'], pipeline.env({ ASANA_WORKSPACE_GID: `${pipeline.sim.workspaceGid},${FORBIDDEN}` }));
    const url = await healthUrl(run);
    await waitFor(() => pipeline.collector.records.length === 400, 'the good workspace to ship its backlog');

    let body: HealthReport | undefined;
    await waitFor(() => {
      void get(`${url}/readyz`).then((r) => (body = r.body));
      return body?.streams.find((s) => s.workspaceGid === pipeline.sim.workspaceGid)?.caughtUp === true;
    }, 'the good stream to catch up');
    const ready = await get(`${url}/readyz`);
    expect(ready.status).toBe(503);
    const bad = ready.body.streams.find((s) => s.workspaceGid === FORBIDDEN)!;
    expect(bad).toMatchObject({ state: 'failed', ready: false, alive: true, lastError: { code: 'ERR_ASANA_FORBIDDEN' } });
    expect(bad.reason).toMatch(/^stopped on ERR_ASANA_FORBIDDEN: Asana denied access to the audit log of workspace 1299999999999999/);
    expect(ready.body.streams.find((s) => s.workspaceGid === pipeline.sim.workspaceGid)).toMatchObject({ ready: true, state: 'running' });
    expect((await get(`${url}/healthz`)).status).toBe(200);

    // The process runs on: new events of the good workspace still arrive.
    const later = pipeline.sim.generate(25);
    await waitFor(() => pipeline.collector.records.length === 425, 'live events after the failure');
    expect(pipeline.collector.records.slice(400).map((r) => r.attributes['log.record.uid'])).toEqual(later.map((e) => e.gid));
    expect(run.child.exitCode).toBeNull();
    expect(run.stderr()).toMatch(/stream audit_log\/1299999999999999 stopped: .*the other streams go on/);
  }, 40_000);

  it('every workspace refused: run stops with exit 3', async () => {
    run = spawnCli(['run'], pipeline.env({ ASANA_WORKSPACE_GID: '1299999999999998,1299999999999999' }));
    expect((await run.exit).code).toBe(3);
    expect(run.stderr()).toContain('2 of 2 streams stopped');
  });

  it('a health address in use stops start-up with exit 2 and says which variable to change', async () => {
    const first = spawnCli(['run'], pipeline.env());
    try {
      const port = new URL(await healthUrl(first)).port;
      run = spawnCli(['run'], envFor(pipeline.sim, pipeline.collector, await tempStateFile(), { ASANA_HEALTH_ADDR: `127.0.0.1:${port}` }));
      expect((await run.exit).code).toBe(2);
      expect(run.stderr()).toMatch(/cannot serve the health endpoint: 127\.0\.0\.1:\d+ is already in use.*ASANA_HEALTH_ADDR/);
    } finally {
      first.child.kill('SIGTERM');
      await first.exit;
    }
  });
});
