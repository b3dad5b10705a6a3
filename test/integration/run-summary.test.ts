import { describe, expect, it } from 'vitest';
import { runReceiver } from '../../src/run.ts';
import { usePipeline } from '../helpers/pipeline.ts';
import { captureLogger, waitFor } from '../helpers/receiver.ts';

/** A healthy `run` is visibly healthy: it says now and then what it shipped and how far behind each stream is. */
describe('run logs a shipped summary', () => {
  const pipeline = usePipeline({ sim: { backlog: 300, seed: 11 } });

  it('reports the records shipped and each stream lag at info, on its interval', async () => {
    const { log, lines } = captureLogger('info');
    const stop = new AbortController();
    const summaries = () => lines().map((l) => JSON.parse(l) as { message: string; shippedTotal?: number; streams?: Record<string, { lagSeconds: number | null }> }).filter((l) => l.message.startsWith('shipped '));
    const running = runReceiver('run', pipeline.config({ OTEL_METRICS_EXPORTER: 'none', ASANA_HEALTH_ADDR: 'off' }), log, { summaryIntervalMs: 400, stop: stop.signal });
    try {
      await waitFor(() => summaries().some((s) => s.shippedTotal === 300), 'a summary counting every shipped record', 20_000);
    } finally {
      stop.abort('test: done');
    }
    expect(await running).toBe(0);
    const last = summaries().find((s) => s.shippedTotal === 300)!;
    expect(last.message).toMatch(/^shipped \d+ records in the last 400ms \(300 since start\); audit_log\/\S+ lag \S+, (caught up|reading)/);
    expect(Object.values(last.streams ?? {})[0]?.lagSeconds).not.toBeNull();
  }, 30_000);
});
