import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../src/retry.ts';
import { PIPELINE_DEPTH } from '../../src/streams/audit-log/pipeline.ts';
import { captureLogger, runOnce } from '../helpers/receiver.ts';
import { usePipelineStartedByTest } from '../helpers/pipeline.ts';

/**
 * An hour-long collector outage, on a short scale: the collector refuses every export for as many
 * attempts as the real retry schedule (1 s doubling to 60 s) needs to fill an hour; the injected
 * backoff records the delay the real schedule would have waited and waits 2 ms instead.
 */
const HOUR = 3_600_000;
/** The real schedule, with its jitter at the midpoint so the attempt count is fixed. */
const realDelay = (attempt: number) => backoffDelay(attempt, () => 0.5);

describe('collector outage', () => {
  const pipeline = usePipelineStartedByTest();

  it('an hour of refusals: one page retried, no more pages fetched than the pipeline holds, the cursor stays, then everything once', async () => {
    // A history shorter than two backfill windows: one cursor (the live tail) reads it, so the
    // bound below is exactly the pipeline's depth (slices.ts, audit-log.ts PIPELINE_DEPTH).
    await pipeline.start({ sim: { backlog: 1_500, seed: 51, backlogSpanMs: 30 * 60_000 } });
    const stateFile = pipeline.stateFile;

    let attempts = 0;
    for (let waited = 0; waited < HOUR; ) waited += realDelay(++attempts);
    pipeline.collector.failNext(attempts, 503, { body: 'collector restarting' });

    let simulatedMs = 0;
    const asanaRequestsAt: number[] = [];
    const stateDuringOutage: string[] = [];
    const backoff = (attempt: number) => {
      simulatedMs += realDelay(attempt);
      asanaRequestsAt.push(pipeline.sim.requests.length);
      if (attempt === Math.floor(attempts / 2)) stateDuringOutage.push(readFileSync(stateFile, 'utf8'));
      return 2;
    };
    const { log, lines } = captureLogger('info');
    const heapBefore = process.memoryUsage().heapUsed;
    expect(await runOnce(pipeline.config({ ASANA_START_AT: '1h' }), log, { backoff })).toBe(1_500);

    expect(simulatedMs).toBeGreaterThanOrEqual(HOUR);
    expect(asanaRequestsAt).toHaveLength(attempts);
    // Bounded memory: during the outage no further page is fetched from Asana than the pipeline holds…
    expect(new Set(asanaRequestsAt)).toEqual(new Set([PIPELINE_DEPTH]));
    // …and every retry carries the same one page, not a growing backlog.
    const refused = pipeline.collector.requests.filter((r) => r.status === 503);
    expect(refused).toHaveLength(attempts);
    expect(new Set(refused.map((r) => r.recordCount))).toEqual(new Set([100]));
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(64 * 1024 * 1024);
    // The cursor did not move while the page was unacknowledged.
    const mid = JSON.parse(stateDuringOutage[0]!) as { streams: Record<string, { offset?: string; eventsShipped: number }> };
    expect(mid.streams[`audit_log/${pipeline.sim.workspaceGid}`]).toMatchObject({ eventsShipped: 0 });
    expect(mid.streams[`audit_log/${pipeline.sim.workspaceGid}`]!.offset).toBeUndefined();

    // Then nothing lost, nothing twice, in order.
    expect(pipeline.collector.records.map((r) => r.attributes['log.record.uid'])).toEqual(pipeline.sim.events.map((e) => e.gid));

    // The logs say what it waits for: the collector's URL, the attempt, that the cursor stays.
    const waiting = lines().filter((l) => l.includes('unavailable'));
    expect(waiting).toHaveLength(attempts);
    const last = JSON.parse(waiting.at(-1)!) as { message: string; target: string; attempt: number };
    expect(last.message).toContain(`collector at ${pipeline.collector.logsUrl} unavailable`);
    expect(last.message).toContain(`attempt ${attempts}`);
    expect(last.message).toContain('the cursor stays where it is');
    expect(last.attempt).toBe(attempts);
    expect(lines().some((l) => l.includes(`accepted the batch after ${attempts + 1} attempts`))).toBe(true);
  });
});
