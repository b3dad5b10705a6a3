import { copyFile, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { ActivityEvent } from '../../src/asana/types.ts';
import { openFileStateStore } from '../../src/state/store.ts';
import type { StreamState } from '../../src/state/types.ts';
import type { CollectedRecord } from '../helpers/otlp-decode.ts';
import { captureLogger, runOnce } from '../helpers/receiver.ts';
import { startPipeline, usePipeline } from '../helpers/pipeline.ts';

/**
 * The event streams end to end, in-process: the simulated Asana domain over real HTTP (sync tokens,
 * has_more pages, expiry), the real client, streams, mapping, OTLP export and state file, and a
 * loopback collector that decodes what arrives.
 */

async function stateOf(stateFile: string): Promise<Map<string, StreamState>> {
  const store = await openFileStateStore(stateFile, { lock: false });
  try {
    return new Map(store.entries());
  } finally {
    await store.close();
  }
}

const bodies = (records: CollectedRecord[]) => records.filter((r) => r.eventName !== 'asana.receiver.gap').map((r) => JSON.parse(r.body as string) as ActivityEvent);
const gaps = (records: CollectedRecord[]) => records.filter((r) => r.eventName === 'asana.receiver.gap');

describe('workspace events → OTLP, end to end', () => {
  const pipeline = usePipeline({ sim: { seed: 11, activityBacklog: 300 } });

  const config = (extra: Record<string, string> = {}) => pipeline.config({ ASANA_STREAMS: 'workspace_events', ...extra });
  const KEY = () => `workspace_events/${pipeline.sim.workspaceGid}`;

  it('the first run starts the stream now: earlier activity is not shipped, and the log says why', async () => {
    const { log, lines } = captureLogger();
    expect(await runOnce(config(), log)).toBe(0);
    expect(pipeline.collector.records).toHaveLength(0);
    expect(lines().join('\n')).toContain("Asana's event streams offer nothing from before the first sync token");
    const calls = pipeline.sim.requests.filter((r) => r.path.endsWith('/events'));
    expect(calls[0]).toMatchObject({ status: 412, query: {} });
    expect(calls[1]?.status).toBe(200);
    expect((await stateOf(pipeline.stateFile)).get(KEY())?.sync).toBeTruthy();
  });

  it('events after the first sync ship exactly once, in order, across has_more pages; a second once re-sends nothing', async () => {
    const { log } = captureLogger();
    await runOnce(config(), log);
    const later = pipeline.sim.generateActivity(2345);
    expect(await runOnce(config(), log)).toBe(2345);
    expect(bodies(pipeline.collector.records)).toEqual(later);
    const pages = pipeline.sim.requests.filter((r) => r.path.endsWith('/events') && r.status === 200);
    expect(pages.length).toBe(1 + 3); // the first sync, then 1000 + 1000 + 345 (has_more, has_more, done)

    expect(await runOnce(config(), log)).toBe(0);
    expect(pipeline.collector.records).toHaveLength(2345);

    const first = pipeline.collector.records[0]!;
    const event = later[0]!;
    expect(first.eventName).toBe(`asana.event.${event.resource!.resource_type}.${event.action}`);
    expect(first.attributes['asana.event.source']).toBe('workspace_events');
    expect(first.timeUnixNano).toBe(BigInt(Date.parse(event.created_at!)) * 1_000_000n);
    expect(first.resource['asana.workspace.gid']).toBe(pipeline.sim.workspaceGid);
    const state = (await stateOf(pipeline.stateFile)).get(KEY())!;
    expect(state.eventsShipped).toBe(2345);
    expect(state.lastEventAt).toBe(later.at(-1)!.created_at);
  });

  it('an expired sync token yields exactly one gap record, and the stream goes on', async () => {
    const { log, lines } = captureLogger();
    await runOnce(config(), log);
    const before = pipeline.sim.generateActivity(10);
    expect(await runOnce(config(), log)).toBe(10);
    const syncAt = (await stateOf(pipeline.stateFile)).get(KEY())!.syncAt!;

    pipeline.sim.expireSyncTokens();
    pipeline.sim.generateActivity(5); // recorded while the token was dead: lost to the receiver, as at Asana
    const t = Date.now();
    expect(await runOnce(config(), log)).toBe(0);
    const gap = gaps(pipeline.collector.records);
    expect(gap).toHaveLength(1);
    expect(gap[0]).toMatchObject({ severityText: 'WARN', severityNumber: 13 });
    expect(gap[0]!.attributes).toMatchObject({
      'asana.event.source': 'workspace_events',
      'asana.gap.reason': 'sync_token_expired',
      'asana.gap.start': syncAt,
      'asana.receiver.stream': KEY(),
    });
    expect(Date.parse(gap[0]!.attributes['asana.gap.end'] as string)).toBeGreaterThanOrEqual(t - 5);
    expect(lines().some((l) => l.includes('"level":"warn"') && l.includes('are lost'))).toBe(true);

    const after = pipeline.sim.generateActivity(7);
    expect(await runOnce(config(), log)).toBe(7);
    expect(gaps(pipeline.collector.records)).toHaveLength(1);
    expect(bodies(pipeline.collector.records)).toEqual([...before, ...after]);
  });

  it('the gap record is acknowledged before the fresh token is committed', async () => {
    const { log } = captureLogger();
    await runOnce(config(), log);
    const saved = (await stateOf(pipeline.stateFile)).get(KEY())!;
    pipeline.sim.expireSyncTokens();
    pipeline.collector.failNext(1, 400, { body: 'rejected' });
    await expect(runOnce(config(), log)).rejects.toMatchObject({ code: 'ERR_EXPORT_REJECTED' });
    expect((await stateOf(pipeline.stateFile)).get(KEY())!.sync).toBe(saved.sync); // not moved past the gap
    expect(pipeline.collector.records).toHaveLength(0);

    expect(await runOnce(config(), log)).toBe(0);
    expect(gaps(pipeline.collector.records)).toHaveLength(1); // said once it could be said
    expect((await stateOf(pipeline.stateFile)).get(KEY())!.sync).not.toBe(saved.sync);
  });

  it('a page replayed after a crash (token not yet committed) carries the same log.record.uid', async () => {
    const { log } = captureLogger();
    await runOnce(config(), log);
    await copyFile(pipeline.stateFile, `${pipeline.stateFile}.before`);
    pipeline.sim.generateActivity(50);
    expect(await runOnce(config(), log)).toBe(50);
    const firstUids = pipeline.collector.records.map((r) => r.attributes['log.record.uid']);

    // As if the process died after the export but before the commit.
    await copyFile(`${pipeline.stateFile}.before`, pipeline.stateFile);
    expect(await runOnce(config(), log)).toBe(50);
    const replayUids = pipeline.collector.records.slice(50).map((r) => r.attributes['log.record.uid']);
    expect(replayUids).toEqual(firstUids);
    expect(new Set(firstUids).size).toBeGreaterThan(45); // distinct events, distinct uids
  });

  it('Asana 5xx, 429 and truncated answers on the events endpoint are retried without loss', async () => {
    const { log } = captureLogger();
    await runOnce(config(), log);
    const later = pipeline.sim.generateActivity(1500);
    pipeline.sim.failNext(1, { status: 500 });
    pipeline.sim.failNext(1, { kind: 'truncated' });
    pipeline.sim.failNext(1, { status: 429, retryAfter: 1 });
    expect(await runOnce(config(), log)).toBe(1500);
    expect(bodies(pipeline.collector.records)).toEqual(later);
  });

  it('no workspace-events access: exits 3 with a message naming the plan and the stream to remove', async () => {
    await pipeline.replaceSim({ workspaceEvents: false });
    const { log } = captureLogger();
    const err = await runOnce(config(), log).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ERR_ASANA_FORBIDDEN', exitCode: 3 });
    expect((err as Error).message).toContain('Enterprise+');
    expect((err as Error).message).toContain('remove workspace_events from ASANA_STREAMS');
  });

  it('audit log and workspace events together: each its own cursor, every event shipped', async () => {
    await pipeline.replaceSim({ seed: 12, backlog: 640 });
    const { log } = captureLogger();
    const both = { ASANA_STREAMS: 'audit_log,workspace_events' };
    expect(await runOnce(config(both), log)).toBe(640);
    const activity = pipeline.sim.generateActivity(1200);
    pipeline.sim.generate(30);
    expect(await runOnce(config(both), log)).toBe(1230);
    const audit = pipeline.collector.records.filter((r) => r.attributes['asana.event.source'] === 'audit_log');
    expect(audit.map((r) => r.attributes['log.record.uid'])).toEqual(pipeline.sim.events.map((e) => e.gid));
    expect(bodies(pipeline.collector.records.filter((r) => r.attributes['asana.event.source'] === 'workspace_events'))).toEqual(activity);
    expect([...(await stateOf(pipeline.stateFile)).keys()].sort()).toEqual([`audit_log/${pipeline.sim.workspaceGid}`, `workspace_events/${pipeline.sim.workspaceGid}`]);
  });
});

describe('resource events → OTLP, end to end', () => {
  const pipeline = usePipeline({ sim: { seed: 21 } });

  it('one cursor per resource; each ships exactly the events that reach it, once', async () => {
    const [p1, p2] = pipeline.sim.activityResources.projects.map((p) => p.gid);
    const goal = pipeline.sim.activityResources.goals[0]!.gid;
    const config = pipeline.config({ ASANA_STREAMS: 'resource_events', ASANA_EVENT_RESOURCES: `${p1},${p2},${goal}` });
    const { log } = captureLogger();
    expect(await runOnce(config, log)).toBe(0);
    const start = new Map([p1!, p2!, goal].map((g) => [g, pipeline.sim.activityOf(g).length]));

    pipeline.sim.generateActivity(260, { projectGid: p1 }); // more than two pages of 100
    pipeline.sim.generateActivity(40, { projectGid: p2 });
    pipeline.sim.generateActivity(400); // everywhere: some of it reaches these resources too
    const expected = [p1!, p2!, goal].flatMap((g) => pipeline.sim.activityOf(g).slice(start.get(g)));
    expect(await runOnce(config, log)).toBe(expected.length);

    const got = bodies(pipeline.collector.records).map((e) => JSON.stringify(e)).sort();
    expect(got).toEqual(expected.map((e) => JSON.stringify(e)).sort());
    expect(pipeline.collector.records.every((r) => r.attributes['asana.event.source'] === 'resource_events')).toBe(true);
    const keys = [...(await stateOf(pipeline.stateFile)).keys()].sort();
    expect(keys).toEqual([p1!, p2!, goal].map((g) => `resource_events/${pipeline.sim.workspaceGid}?resource=${g}`).sort());

    expect(await runOnce(config, log)).toBe(0);
    expect(pipeline.collector.records).toHaveLength(expected.length);
  });

  it('a token that aged out for one resource: one gap record naming it, the other resource goes on', async () => {
    // A simulated clock for the token lifetime (1 h here; Asana: at most 24 h).
    let skewMs = 0;
    await pipeline.replaceSim({ seed: 21, syncTokenTtlMs: 3_600_000, now: () => Date.now() + skewMs });
    const [p1, p2] = pipeline.sim.activityResources.projects.map((p) => p.gid);
    const both = pipeline.config({ ASANA_STREAMS: 'resource_events', ASANA_EVENT_RESOURCES: `${p1},${p2}` });
    const onlyP2 = pipeline.config({ ASANA_STREAMS: 'resource_events', ASANA_EVENT_RESOURCES: `${p2}` });
    const { log } = captureLogger();
    await runOnce(both, log);
    skewMs = 50 * 60_000;
    await runOnce(onlyP2, log); // p2's token is renewed, p1's is not
    skewMs = 70 * 60_000; // p1's token is now 70 min old, p2's 20 min

    const p2Events = pipeline.sim.generateActivity(20, { projectGid: p2 });
    expect(await runOnce(both, log)).toBe(20);
    const gap = gaps(pipeline.collector.records);
    expect(gap).toHaveLength(1);
    expect(gap[0]!.attributes['asana.receiver.stream']).toBe(`resource_events/${pipeline.sim.workspaceGid}?resource=${p1}`);
    expect(bodies(pipeline.collector.records)).toEqual(p2Events);
  });

  it('a resource that does not exist stops with an error naming ASANA_EVENT_RESOURCES', async () => {
    const config = pipeline.config({ ASANA_STREAMS: 'resource_events', ASANA_EVENT_RESOURCES: '1' });
    const { log } = captureLogger();
    const err = await runOnce(config, log).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ERR_ASANA_REQUEST', exitCode: 1 });
    expect((err as Error).message).toContain('ASANA_EVENT_RESOURCES');
    expect((err as Error).message).toContain('resource 1');
  });
});

describe('audit log: an offset Asana refuses with no shipped event time to resume from', () => {
  it('restarts from the stream start, ships everything once, and reports no gap (nothing was lost)', async () => {
    const pipeline = await startPipeline({ sim: { seed: 5, backlog: 150 } });
    const { sim, collector, stateFile } = pipeline;
    try {
      const key = `audit_log/${sim.workspaceGid}`;
      const startAt = new Date(Date.now() - 7 * 86_400_000).toISOString();
      // A saved offset Asana no longer accepts, from a stream that never shipped an event.
      await writeFile(
        stateFile,
        JSON.stringify({
          version: 1,
          streams: {
            [key]: { stream: 'audit_log', workspaceGid: sim.workspaceGid, filters: {}, offset: 'expired-offset', offsetStartAt: startAt, startAt, eventsShipped: 0, updatedAt: startAt },
          },
        }),
      );
      const { log, lines } = captureLogger();
      expect(await runOnce(pipeline.config(), log)).toBe(150);
      expect(collector.records.map((r) => r.attributes['log.record.uid'])).toEqual(sim.events.map((e) => e.gid));
      expect(gaps(collector.records)).toHaveLength(0);
      expect(lines().some((l) => l.includes("re-reads from its start"))).toBe(true);
    } finally {
      await pipeline.close();
    }
  });
});
