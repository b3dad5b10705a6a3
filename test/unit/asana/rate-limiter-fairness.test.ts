import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RateLimiter } from '../../../src/asana/rate-limiter.ts';
import { sleep } from '../../../src/retry.ts';

/**
 * All streams share the token's request budget (one RateLimiter per process). A stream with a big
 * backlog asks again at once after every page (has_more); the audit log, caught up, asks once per
 * poll interval. Slots are served first come, first served, so the audit log waits at most one slot
 * per stream queued before it — never behind a busy stream's whole backlog.
 */
describe('the shared request budget', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('busy event streams asking as fast as they can do not starve the audit log', async () => {
    const limiter = new RateLimiter(600); // one request every 100 ms
    const stop = new AbortController();
    const grants: Array<{ who: string; at: number }> = [];
    const BUSY = 5; // e.g. the workspace stream and four resource streams, all with backlogs

    const busy = Array.from({ length: BUSY }, async (_, i) => {
      try {
        for (;;) {
          await limiter.acquire(stop.signal);
          grants.push({ who: `busy${i}`, at: Date.now() });
        }
      } catch {
        // stopped
      }
    });
    const auditWaits: number[] = [];
    const audit = (async () => {
      for (let poll = 0; poll < 10; poll++) {
        const asked = Date.now();
        await limiter.acquire(stop.signal);
        auditWaits.push(Date.now() - asked);
        grants.push({ who: 'audit', at: Date.now() });
        await sleep(3_000, stop.signal); // ASANA_POLL_INTERVAL
      }
    })();

    await vi.advanceTimersByTimeAsync(40_000);
    await audit;
    stop.abort();
    await vi.runAllTimersAsync();
    await Promise.all(busy);

    // Every audit-log request got its slot within one round of the queue (the busy streams plus itself).
    expect(auditWaits).toHaveLength(10);
    for (const w of auditWaits) expect(w).toBeLessThanOrEqual((BUSY + 1) * limiter.intervalMs);
    // The busy streams got the rest, evenly among themselves; the budget was never exceeded.
    const counts = Array.from({ length: BUSY }, (_, i) => grants.filter((g) => g.who === `busy${i}`).length);
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(2);
    const times = grants.map((g) => g.at).sort((a, b) => a - b);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(limiter.intervalMs);
  });
});
