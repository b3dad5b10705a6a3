import { describe, expect, it } from 'vitest';
import { summaryLine } from '../../../src/telemetry/summary.ts';

const stream = (key: string, lagSeconds: number | null, caughtUp: boolean, ready = true, reason?: string) => ({ key, lagSeconds, caughtUp, ready, reason });

describe('summaryLine: what `run` says now and then', () => {
  it.each([
    [
      'a busy stream',
      [1234, 5000, 300_000, [stream('audit_log/1', 42, false)]],
      'shipped 1234 records in the last 5m (5000 since start); audit_log/1 lag 42s, reading',
    ],
    [
      'a quiet, caught-up domain',
      [0, 12, 300_000, [stream('audit_log/1', 7200, true), stream('workspace_events/1', null, true)]],
      'shipped 0 records in the last 5m (12 since start); audit_log/1 lag 2h, caught up; workspace_events/1 no events yet, caught up',
    ],
    [
      'a stream waiting for the collector',
      [0, 0, 60_000, [stream('audit_log/1', 30, false, false, 'the collector is unavailable')]],
      'shipped 0 records in the last 1m (0 since start); audit_log/1 lag 30s, not ready: the collector is unavailable',
    ],
  ] as const)('%s', (_name, [since, all, interval, streams], expected) => {
    expect(summaryLine(since, all, interval, streams).message).toBe(expected);
  });

  it('carries the numbers as fields for JSON log pipelines', () => {
    expect(summaryLine(3, 9, 300_000, [stream('audit_log/1', 5, true)]).fields).toEqual({
      shipped: 3,
      shippedTotal: 9,
      streams: { 'audit_log/1': { lagSeconds: 5, caughtUp: true, ready: true } },
    });
  });
});
