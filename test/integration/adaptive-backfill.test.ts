import { afterEach, describe, expect, it } from 'vitest';
import type { HistoryShape } from '../../src/simulator/history.ts';
import { openFileStateStore } from '../../src/state/store.ts';
import { captureLogger, runOnce } from '../helpers/receiver.ts';
import { startPipeline, type TestPipeline } from '../helpers/pipeline.ts';

const DAY = 86_400_000;
const EVENTS = 6_000;

/**
 * A first run over a history whose events are not spread evenly (src/simulator/history.ts): the
 * windows planned up front are equal time spans, so the cursors that meet the events split what they
 * have left while they read it, and idle workers take the parts. Every event arrives exactly once.
 */
describe('adaptive backfill: splits where the events are', () => {
  let pipeline: TestPipeline | undefined;
  afterEach(async () => {
    await pipeline?.close();
    pipeline = undefined;
  });

  it.each<HistoryShape>(['dense-recent', 'burst'])('%s: the dense range is split, every event arrives exactly once, a later run re-sends nothing', async (shape) => {
    pipeline = await startPipeline({ sim: { backlog: EVENTS, backlogSpanMs: 80 * DAY, backlogShape: shape, seed: 41, latencyMs: 2 } });
    const p = pipeline;
    const { log, lines } = captureLogger('debug');
    // Asana's 1,500 requests/min: the tail and 7 backfill workers.
    const config = p.config({ ASANA_START_AT: '85d', ASANA_MAX_REQUESTS_PER_MINUTE: '1500' });
    expect(await runOnce(config, log)).toBe(EVENTS);

    const uids = p.collector.records.map((r) => r.attributes['log.record.uid'] as string);
    expect(uids).toHaveLength(EVENTS);
    expect(new Set(uids)).toEqual(new Set(p.sim.events.map((e) => e.gid)));
    const splits = lines().filter((l) => l.includes('split where the events are'));
    expect(splits.length).toBeGreaterThan(0);
    // Windows that held nothing are done at debug level; "backfill window done" at info only with events.
    for (const l of lines().filter((x) => x.includes('"backfill window done"'))) {
      const line = JSON.parse(l) as { level: string; events: number };
      expect(line.level).toBe(line.events > 0 ? 'info' : 'debug');
    }

    const store = await openFileStateStore(p.stateFile, { lock: false });
    const state = store.get(`audit_log/${p.sim.workspaceGid}`)!;
    await store.close();
    expect(state.backfill).toBeUndefined(); // every window, split ones included, finished and left
    expect(state.eventsShipped).toBe(EVENTS);
    expect(state.lastEventAt).toBe(p.sim.events.at(-1)!.created_at);

    expect(await runOnce(config, captureLogger().log)).toBe(0);
    expect(p.collector.records).toHaveLength(EVENTS);
  });
});
