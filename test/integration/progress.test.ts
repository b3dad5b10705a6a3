import { describe, expect, it } from 'vitest';
import { runReceiver } from '../../src/run.ts';
import { captureLogger, fastBackoff } from '../helpers/receiver.ts';
import { usePipeline } from '../helpers/pipeline.ts';

/** A backfill through the whole pipeline reports its progress in the log (no terminal here). */
describe('backfill progress', () => {

  // 20 pages at 60 ms each, spread over the last 6 hours: a backfill that takes a moment.
  const pipeline = usePipeline({ sim: { backlog: 2000, seed: 8, latencyMs: 60 } });

  it('once without a terminal: progress log lines with events, rate, position and ETA, then caught up', async () => {
    const { log, lines } = captureLogger();
    const config = pipeline.config({ OTEL_METRICS_EXPORTER: 'none' });
    expect(await runReceiver('once', config, log, { backoff: fastBackoff, progressLogIntervalMs: 200 })).toBe(0);
    const parsed = lines().map((l) => JSON.parse(l) as Record<string, unknown>);
    const progress = parsed.filter((l) => String(l.message).startsWith('backfill: '));
    expect(progress.length).toBeGreaterThanOrEqual(2);
    for (const p of progress) {
      expect(p.message).toMatch(/^backfill: \d+% · [\d,]+ events · [\d.,]+\/s · \S+ behind · ETA \S+$/);
      expect(p).toMatchObject({ events: expect.any(Number), eventsPerSecond: expect.any(Number), behindSeconds: expect.any(Number), streams: 1 });
    }
    const counts = progress.map((p) => p.events as number);
    expect(counts).toEqual([...counts].sort((a, b) => a - b)); // it only moves forward
    expect(counts.at(-1)).toBeGreaterThan(0);
    expect(progress.some((p) => typeof p.etaSeconds === 'number')).toBe(true);
    // The last line is the summary, after the progress lines.
    expect(parsed.at(-1)).toMatchObject({ message: 'caught up', shipped: 2000 });
  });
});
