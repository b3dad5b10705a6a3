import { describe, expect, it } from 'vitest';
import { runLargeBacklog } from '../helpers/large-backlog.ts';

/**
 * Memory is bounded by bytes as well as pages (streams/audit-log/page-queue.ts STREAM_BYTE_BUDGET):
 * a backlog of 1,500 audit events of 200 KB or 400 KB each (pages of 20 or 40 MB) goes through
 * `once` within the Kubernetes example's 512 MiB limit (deploy/kubernetes/deployment.yaml) with
 * 64 MiB to spare; a page's bytes are held once, not as chunks plus a copy (asana/body-text.ts).
 * Measured: 230–300 MiB at 200 KB, 315–415 MiB at 400 KB. Peak RSS is read from /proc, so Linux only.
 */
const LIMIT_MIB = 512 - 64;

describe('a backlog of huge events', () => {
  it.skipIf(process.platform !== 'linux').each([200, 400])(`1,500 events of %i KB: everything shipped, peak RSS under ${LIMIT_MIB} MiB`, { timeout: 180_000 }, async (kb) => {
    const result = await runLargeBacklog({ events: 1_500, eventBytes: kb * 1000, spanMs: 6 * 86_400_000 });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.eventsShipped).toBe(1_500);
    expect(result.collectorBytes).toBeGreaterThan(1_500 * kb * 1000);
    expect(result.peakRssMiB).toBeGreaterThan(0);
    expect(result.peakRssMiB).toBeLessThan(LIMIT_MIB);
  });
});
