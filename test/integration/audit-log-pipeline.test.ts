import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { openFileStateStore } from '../../src/state/store.ts';
import { captureLogger, runOnce } from '../helpers/receiver.ts';
import { usePipeline } from '../helpers/pipeline.ts';

/**
 * The pipeline end to end, in-process: the simulated Asana domain over real HTTP, the real client,
 * stream, mapping, OTLP export and state file, and a loopback collector that decodes what arrives.
 */
describe('audit log → OTLP, end to end', () => {
  const pipeline = usePipeline({ sim: { backlog: 1234, seed: 7 } });

  const uids = () => pipeline.collector.records.map((r) => r.attributes['log.record.uid'] as string);

  it.each(['http/protobuf', 'http/json'])('ships every event of a multi-page history exactly once (%s)', async (protocol) => {
    const { log } = captureLogger();
    const shipped = await runOnce(pipeline.config({ OTEL_EXPORTER_OTLP_PROTOCOL: protocol }), log);

    expect(shipped).toBe(1234);
    expect(uids()).toEqual(pipeline.sim.events.map((e) => e.gid)); // every one, once, in Asana's order
    const first = pipeline.collector.records[0]!;
    const event = pipeline.sim.events[0]!;
    expect(first.eventName).toBe(`asana.audit.${event.event_type}`);
    expect(JSON.parse(first.body as string)).toEqual(event);
    expect(first.timeUnixNano).toBe(BigInt(Date.parse(event.created_at)) * 1_000_000n);
    expect(first.resource['service.name']).toBe('asana');
    expect(first.resource['asana.workspace.gid']).toBe(pipeline.sim.workspaceGid);
    expect(first.scope.name).toBe('asana-otel-receiver');
  });

  it('a second once ships nothing; later events ship on the next run', async () => {
    const config = pipeline.config();
    const { log } = captureLogger();
    expect(await runOnce(config, log)).toBe(1234);
    expect(await runOnce(config, log)).toBe(0);
    expect(pipeline.collector.records).toHaveLength(1234);

    const later = pipeline.sim.generate(150);
    expect(await runOnce(config, log)).toBe(150);
    expect(uids().slice(1234)).toEqual(later.map((e) => e.gid));
    expect(new Set(uids()).size).toBe(1384);
  });

  it('events sharing one created_at across page boundaries are neither skipped nor repeated', async () => {
    const at = new Date(Date.now() - 60_000).toISOString();
    const tied = pipeline.sim.add(Array.from({ length: 250 }, () => ({ created_at: at, event_type: 'team_member_removed', event_category: 'access_control' })));
    const { log } = captureLogger();
    await runOnce(pipeline.config(), log);
    const got = uids();
    expect(new Set(got).size).toBe(got.length);
    for (const e of tied) expect(got).toContain(e.gid);
    expect(got).toHaveLength(1234 + 250);
  });

  it('the collector refusing requests for a while loses nothing and the cursor waits', async () => {
    pipeline.collector.failNext(6, 503);
    pipeline.collector.resetNext(2);
    const { log, lines } = captureLogger('warn');
    const shipped = await runOnce(pipeline.config(), log);
    expect(shipped).toBe(1234);
    expect(uids()).toEqual(pipeline.sim.events.map((e) => e.gid));
    expect(lines().some((l) => l.includes('attempt'))).toBe(true);
  });

  it('a permanent rejection (400) stops with a clear error and does not move the cursor', async () => {
    const { log } = captureLogger();
    const config = pipeline.config();
    // Ship the backlog, then make the next page's export fail permanently.
    await runOnce(config, log);
    const before = JSON.parse(await readFile(pipeline.stateFile, 'utf8')) as unknown;
    pipeline.sim.generate(10);
    pipeline.collector.failNext(1, 400, { body: 'bad data' });
    await expect(runOnce(config, log)).rejects.toMatchObject({ code: 'ERR_EXPORT_REJECTED', exitCode: 5 });
    expect(JSON.parse(await readFile(pipeline.stateFile, 'utf8'))).toEqual(before);
    // Once the collector accepts again, the same 10 events ship.
    expect(await runOnce(config, log)).toBe(10);
  });

  it('Asana 5xx, HTML pages, truncated JSON and resets are retried without loss', async () => {
    pipeline.sim.failNext(1, { status: 500 });
    pipeline.sim.failNext(1, { kind: 'html' });
    pipeline.sim.failNext(1, { kind: 'truncated' });
    pipeline.sim.failNext(1, { kind: 'reset' });
    pipeline.sim.failNext(1, { status: 503 });
    const { log, lines } = captureLogger('warn');
    expect(await runOnce(pipeline.config(), log)).toBe(1234);
    expect(uids()).toEqual(pipeline.sim.events.map((e) => e.gid));
    expect(lines().join('\n')).toContain('6 sad squid snuggle softly'); // Asana's error phrase is surfaced
  });

  it('honours 429 Retry-After before the next request', async () => {
    pipeline.sim.failNext(1, { status: 429, retryAfter: 1 });
    const { log } = captureLogger();
    await runOnce(pipeline.config(), log);
    const reqs = pipeline.sim.requests;
    const i = reqs.findIndex((r) => r.status === 429);
    expect(i).toBeGreaterThanOrEqual(0);
    // Several time windows are read at once: requests already sent when the 429 came back still
    // arrive right after it. Nothing is sent after it until Retry-After has passed, by any window.
    const later = reqs.slice(i + 1).filter((r) => r.at - reqs[i]!.at > 200);
    expect(later.length).toBeGreaterThan(0);
    expect(later[0]!.at - reqs[i]!.at).toBeGreaterThanOrEqual(1000);
    expect(reqs.slice(i + 1).length - later.length).toBeLessThan(8); // at most the other windows' requests in flight
    expect(uids()).toHaveLength(1234);
  });

  it('commits a position a restart resumes from', async () => {
    const { log } = captureLogger();
    await runOnce(pipeline.config(), log);
    const store = await openFileStateStore(pipeline.stateFile, { lock: false });
    const entries = store.entries();
    await store.close();
    expect(entries).toHaveLength(1);
    const [key, state] = entries[0]!;
    expect(key).toBe(`audit_log/${pipeline.sim.workspaceGid}`);
    expect(state.eventsShipped).toBe(1234);
    expect(state.lastEventAt).toBe(pipeline.sim.events.at(-1)!.created_at);
    expect(state.offset).toBeTruthy();
  });
});
