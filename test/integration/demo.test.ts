import { describe, expect, it } from 'vitest';
import { startOtlpCollector } from '../helpers/otlp-collector.ts';
import { spawnCli } from '../helpers/receiver.ts';

describe('demo', () => {
  it('says the data is simulated, then prints records within seconds and stops cleanly', async () => {
    const run = spawnCli(['demo', '--for', '4s', '--backlog', '120', '--rate', '5'], {});
    const { code } = await run.exit;
    expect(code).toBe(0);
    const firstLogLine = run.stderr().split('\n')[0]!;
    expect(firstLogLine).toContain('SIMULATED DATA');
    const records = run.stdout().split('\n').filter((l) => l.includes('asana.audit.'));
    expect(records.length).toBeGreaterThanOrEqual(120); // the backlog, then live events
  });

  it('exports over OTLP instead when an endpoint is set', async () => {
    const collector = await startOtlpCollector();
    try {
      const run = spawnCli(['demo', '--for', '3s', '--backlog', '80', '--rate', '0'], { OTEL_EXPORTER_OTLP_ENDPOINT: collector.url });
      expect((await run.exit).code).toBe(0);
      expect(collector.records).toHaveLength(80);
      expect(new Set(collector.records.map((r) => r.attributes['log.record.uid'])).size).toBe(80);
      expect(run.stdout()).not.toContain('asana.audit.');
    } finally {
      await collector.close();
    }
  });
});
