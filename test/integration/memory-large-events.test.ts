import { describe, expect, it } from 'vitest';
import { runLargeBacklog } from '../helpers/large-backlog.ts';

/**
 * Memory is bounded by bytes as well as pages (streams/audit-log/page-queue.ts STREAM_BYTE_BUDGET):
 * a backlog of 1,500 audit events of 200 KB each (pages of 20 MB) goes through `once` well within
 * the Kubernetes example's 512 MiB limit. Peak RSS is read from /proc, so Linux only.
 */
const LIMIT_MIB = 384;

describe('a backlog of huge events', () => {
  it.skipIf(process.platform !== 'linux')(`1,500 events of 200 KB: everything shipped, peak RSS under ${LIMIT_MIB} MiB`, { timeout: 180_000 }, async () => {
    const result = await runLargeBacklog({ events: 1_500, eventBytes: 200_000, spanMs: 6 * 86_400_000 });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.eventsShipped).toBe(1_500);
    expect(result.collectorBytes).toBeGreaterThan(1_500 * 200_000);
    expect(result.peakRssMiB).toBeGreaterThan(0);
    expect(result.peakRssMiB).toBeLessThan(LIMIT_MIB);
  });
});
