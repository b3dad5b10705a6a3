/**
 * Asana's request budget, simulated. Asana: standard rate limits are per token, counted over a
 * sliding 60-second window (1500 requests/min on Enterprise), and every request counts —
 * the refused ones too, so a client that ignores Retry-After keeps itself locked out.
 * Over the limit: 429 with Retry-After in seconds.
 */
export class SlidingWindowLimiter {
  private readonly limit: number;
  private readonly windowMs: number;
  private readonly hits: number[] = [];
  private head = 0;

  constructor(limit: number, windowMs: number) {
    if (!(limit >= 1)) throw new RangeError(`rate limit must be at least 1, got ${limit}`);
    this.limit = Math.floor(limit);
    this.windowMs = windowMs;
  }

  /** Counts one request at `now`; returns the seconds to wait if it is over the limit. */
  hit(now: number): { allowed: true } | { allowed: false; retryAfterSeconds: number } {
    while (this.head < this.hits.length && (this.hits[this.head] as number) <= now - this.windowMs) this.head++;
    if (this.head > 1024 && this.head * 2 > this.hits.length) {
      this.hits.splice(0, this.head);
      this.head = 0;
    }
    this.hits.push(now);
    const inWindow = this.hits.length - this.head;
    if (inWindow <= this.limit) return { allowed: true };
    // The next request is allowed once enough hits left the window that fewer than `limit` remain.
    const mustExpire = this.hits[this.head + inWindow - this.limit] as number;
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((mustExpire + this.windowMs - now) / 1000)) };
  }
}
