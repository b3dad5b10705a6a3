import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { deadline } from '../../src/deadline.ts';

describe('deadline: one request’s signal', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('aborts after the time and says it expired', () => {
    const d = deadline(1_000);
    vi.advanceTimersByTime(999);
    expect(d.signal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(d.signal.aborted).toBe(true);
    expect(d.expired()).toBe(true);
  });

  it('aborts with its parent (shutdown), which is not an expiry', () => {
    const parent = new AbortController();
    const d = deadline(1_000, parent.signal);
    parent.abort();
    expect(d.signal.aborted).toBe(true);
    expect(d.expired()).toBe(false);
    expect(deadline(1_000, parent.signal).signal.aborted).toBe(true); // an aborted parent aborts at once
  });

  it('done() clears the timer and lets go of the parent', () => {
    const parent = new AbortController();
    const d = deadline(1_000, parent.signal);
    expect(vi.getTimerCount()).toBe(1);
    d.done();
    expect(vi.getTimerCount()).toBe(0); // nothing left running for the rest of the timeout
    parent.abort();
    vi.advanceTimersByTime(5_000);
    expect(d.signal.aborted).toBe(false);
  });
});
