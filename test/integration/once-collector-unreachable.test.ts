import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { usePipeline } from '../helpers/pipeline.ts';
import { spawnCli } from '../helpers/receiver.ts';

/** `once` is a job (a CronJob, a first check): it must end when the collector never answers. */
describe('once against a collector that never answers', () => {
  const pipeline = usePipeline({ sim: { backlog: 250, seed: 5 } });

  it('stops with exit 1 after ASANA_ONCE_COLLECTOR_WAIT, one warning per attempt, nothing committed', async () => {
    const run = spawnCli(['once'], pipeline.env({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1', ASANA_ONCE_COLLECTOR_WAIT: '3s', OTEL_METRICS_EXPORTER: 'none' }));
    const { code } = await run.exit;
    expect(code).toBe(1);
    const lines = run.stderr().split('\n').concat(run.stdout().split('\n')).filter((l) => l.trim().startsWith('{')).map((l) => JSON.parse(l) as { level: string; message: string; attempt?: number });
    const fatal = lines.find((l) => l.level === 'error');
    expect(fatal?.message).toMatch(/unavailable for .*giving up after 3s/);
    expect(fatal?.message).toContain('ASANA_ONCE_COLLECTOR_WAIT');
    // One warning per attempt, however many windows wait for the collector.
    const attempts = lines.filter((l) => l.level === 'warn' && /unavailable: .*attempt \d+/.test(l.message)).map((l) => /attempt (\d+)/.exec(l.message)![1]);
    expect(attempts.length).toBeGreaterThan(0);
    expect(new Set(attempts).size).toBe(attempts.length);
    // Nothing was acknowledged, so no position moved past an event.
    if (existsSync(pipeline.stateFile)) {
      const state = JSON.parse(readFileSync(pipeline.stateFile, 'utf8')) as { streams: Record<string, { eventsShipped: number; lastEventAt?: string }> };
      for (const s of Object.values(state.streams)) {
        expect(s.eventsShipped).toBe(0);
        expect(s.lastEventAt).toBeUndefined();
      }
    }
  }, 60_000);
});
