import { describe, expect, it } from 'vitest';
import { StreamsFailedError } from '../../src/errors.ts';
import { runReceiver } from '../../src/run.ts';
import { openFileStateStore } from '../../src/state/store.ts';
import { captureLogger, fastBackoff, runOnce } from '../helpers/receiver.ts';
import { usePipeline } from '../helpers/pipeline.ts';

/**
 * Several workspaces in one process. The simulated token reads one workspace; for any other the
 * simulator answers 403, as Asana does for a workspace the token cannot access.
 */
describe('several workspaces in one process', () => {
  const FORBIDDEN = '1299999999999999';

  const pipeline = usePipeline({ sim: { backlog: 1500, seed: 5 } });

  const uids = () => pipeline.collector.records.map((r) => r.attributes['log.record.uid'] as string);

  it('once: a 403 on one workspace stops only that stream; the other ships everything, then once exits 3', async () => {
    const { log, lines } = captureLogger();
    const config = pipeline.config({ ASANA_WORKSPACE_GID: `${FORBIDDEN},${pipeline.sim.workspaceGid}` });
    const err = await runOnce(config, log).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(StreamsFailedError);
    expect(err).toMatchObject({ exitCode: 3, code: 'ERR_STREAMS_FAILED', failures: [{ key: `audit_log/${FORBIDDEN}`, code: 'ERR_ASANA_FORBIDDEN', exitCode: 3 }] });
    expect((err as Error).message).toMatch(/^1 of 2 streams stopped \(audit_log\/1299999999999999: ERR_ASANA_FORBIDDEN\); the other streams caught up, shipping 1500 records/);

    // The other stream shipped every event, once, in order, although its sibling had failed.
    expect(uids()).toEqual(pipeline.sim.events.map((e) => e.gid));
    const stopped = lines().map((l) => JSON.parse(l) as { level: string; message: string; stream?: string; code?: string }).find((l) => l.level === 'error');
    expect(stopped).toMatchObject({ stream: `audit_log/${FORBIDDEN}`, code: 'ERR_ASANA_FORBIDDEN' });
    expect(stopped!.message).toMatch(/^stream audit_log\/1299999999999999 stopped: Asana denied access .*; the other streams go on$/);

    // One state key each; the failed stream only pinned its start, so a fixed token resumes it there.
    const store = await openFileStateStore(pipeline.stateFile, { lock: false });
    const state = Object.fromEntries(store.entries());
    await store.close();
    expect(state[`audit_log/${pipeline.sim.workspaceGid}`]).toMatchObject({ eventsShipped: 1500 });
    expect(state[`audit_log/${FORBIDDEN}`]).toMatchObject({ eventsShipped: 0 });
    expect(state[`audit_log/${FORBIDDEN}`]!.offset).toBeUndefined();
  });

  it('once through runReceiver exits with the failed stream\'s code after the others finished', async () => {
    const { log, lines } = captureLogger();
    const config = pipeline.config({ ASANA_WORKSPACE_GID: `${pipeline.sim.workspaceGid},${FORBIDDEN}`, OTEL_METRICS_EXPORTER: 'none' });
    expect(await runReceiver('once', config, log, { backoff: fastBackoff })).toBe(3);
    expect(pipeline.collector.records).toHaveLength(1500);
    expect(lines().at(-1)).toContain('1 of 2 streams stopped');
  });

  it('a refused token (401) concerns every stream: the process stops with exit 3 as before', async () => {
    const { log } = captureLogger();
    const config = pipeline.config({ ASANA_WORKSPACE_GID: `${pipeline.sim.workspaceGid},${FORBIDDEN}`, ASANA_TOKEN: 'not-the-token' });
    await expect(runOnce(config, log)).rejects.toMatchObject({ code: 'ERR_ASANA_UNAUTHORIZED', exitCode: 3 });
    expect(pipeline.collector.records).toHaveLength(0);
  });

  it('the collector rejecting records concerns every stream: all stop, exit 5', async () => {
    pipeline.collector.failNext(1, 400, { body: 'bad data' });
    const { log } = captureLogger();
    const config = pipeline.config({ ASANA_WORKSPACE_GID: `${pipeline.sim.workspaceGid},${FORBIDDEN}` });
    await expect(runOnce(config, log)).rejects.toMatchObject({ code: 'ERR_EXPORT_REJECTED', exitCode: 5 });
    expect(pipeline.collector.records).toHaveLength(0);
  });

  it('a lone workspace keeps its own error and exit code', async () => {
    const { log } = captureLogger();
    const config = pipeline.config({ ASANA_WORKSPACE_GID: FORBIDDEN });
    await expect(runOnce(config, log)).rejects.toMatchObject({ code: 'ERR_ASANA_FORBIDDEN', exitCode: 3 });
  });
});
