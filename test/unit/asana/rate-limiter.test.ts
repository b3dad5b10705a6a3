import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RateLimiter } from '../../../src/asana/rate-limiter.ts';
import { backoffDelay, parseRetryAfter } from '../../../src/retry.ts';

describe('RateLimiter', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  async function timesOf(limiter: RateLimiter, n: number): Promise<number[]> {
    const times: number[] = [];
    const all = Array.from({ length: n }, () => limiter.acquire().then(() => times.push(Date.now())));
    await vi.runAllTimersAsync();
    await Promise.all(all);
    return times;
  }

  it('spreads requests evenly instead of bursting (1500/min = one every 40 ms)', async () => {
    const times = await timesOf(new RateLimiter(1500), 10);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    expect(gaps.every((g) => g >= 40)).toBe(true);
    expect(times.at(-1)! - times[0]!).toBe(9 * 40);
  });

  it('never exceeds the budget in any 60 s window', async () => {
    const limiter = new RateLimiter(120);
    const times = await timesOf(limiter, 300);
    for (let i = 0; i < times.length; i++) {
      const inWindow = times.filter((t) => t >= times[i]! && t < times[i]! + 60_000).length;
      expect(inWindow).toBeLessThanOrEqual(120);
    }
  });

  it('a pause (429 Retry-After) holds every caller, then resumes spaced', async () => {
    const limiter = new RateLimiter(600); // 100 ms apart
    const times: number[] = [];
    const first = limiter.acquire().then(() => times.push(Date.now()));
    await vi.runAllTimersAsync();
    await first;
    limiter.pauseUntil(Date.now() + 5_000);
    const rest = [limiter.acquire(), limiter.acquire(), limiter.acquire()].map((p) => p.then(() => times.push(Date.now())));
    await vi.runAllTimersAsync();
    await Promise.all(rest);
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(5_000);
    expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(100);
    expect(times[3]! - times[2]!).toBeGreaterThanOrEqual(100);
  });

  it('a pause that begins while a caller waits still applies to it', async () => {
    const limiter = new RateLimiter(60); // one a second
    const times: number[] = [];
    const a = limiter.acquire().then(() => times.push(Date.now()));
    const b = limiter.acquire().then(() => times.push(Date.now()));
    await vi.advanceTimersByTimeAsync(10);
    limiter.pauseUntil(Date.now() + 10_000);
    await vi.runAllTimersAsync();
    await Promise.all([a, b]);
    expect(times[1]! - 1_000_000).toBeGreaterThanOrEqual(10_000);
  });

  it('rejects on shutdown while waiting', async () => {
    const limiter = new RateLimiter(1);
    await limiter.acquire();
    const ac = new AbortController();
    const waiting = limiter.acquire(ac.signal);
    ac.abort();
    await expect(waiting).rejects.toMatchObject({ code: 'ERR_ABORTED' });
  });
});

describe('backoffDelay', () => {
  it('grows exponentially, is capped, and keeps at least half the step', () => {
    expect(backoffDelay(1, () => 0)).toBe(500);
    expect(backoffDelay(1, () => 1)).toBe(1_000);
    expect(backoffDelay(4, () => 1)).toBe(8_000);
    expect(backoffDelay(50, () => 1)).toBe(60_000);
    expect(backoffDelay(50, () => 0)).toBe(30_000);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  it.each([
    ['30', 30_000],
    ['0', 0],
    ['Thu, 01 Jan 2026 00:01:00 GMT', 60_000],
    ['Wed, 31 Dec 2025 00:00:00 GMT', 0],
    ['86400', 300_000],
  ])('%s -> %i ms', (value, ms) => {
    expect(parseRetryAfter(value, now)).toBe(ms);
  });
  it.each([undefined, '', 'soon', '-5', '1.5'])('%s -> undefined', (value) => {
    expect(parseRetryAfter(value, now)).toBeUndefined();
  });
});
