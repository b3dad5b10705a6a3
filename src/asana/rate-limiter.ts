import { sleep } from '../retry.ts';

/**
 * The share of the token's budget the receiver leaves unused (it asks the limiter for 98%).
 * Requests spaced at exactly 60 000 / budget ms fill a sliding 60 s window to the last request, so
 * any jitter — a timer firing late, then the queued callers catching up, or two requests taking
 * different times on the wire — puts the 1,501st request in some window and draws a 429. 2% of
 * 60 s leaves 1.2 s of accumulated lateness before that happens.
 */
export const BUDGET_SAFETY_MARGIN = 0.02;

/** The rate the receiver asks its limiter for: the token's budget less the safety margin. */
export function pacedRequestsPerMinute(budgetPerMinute: number): number {
  return budgetPerMinute * (1 - BUDGET_SAFETY_MARGIN);
}

/**
 * The token's request budget, shared by every stream and workspace of one process.
 *
 * Asana: "1500 requests per minute" per token on paid plans (150 on free), and the limit is
 * evaluated over windows shorter than a minute, so a burst of 1500 in the first seconds is
 * throttled. Requests are therefore spread evenly: one slot every 60 000 / budget ms (40 ms at
 * 1500/min). Rejected requests count against the limit too, so a 429's Retry-After pauses every
 * caller of this limiter, not only the one that drew it. Waiters are served first come, first
 * served, so a busy stream cannot starve another.
 */
export class RateLimiter {
  readonly intervalMs: number;
  private nextSlotAt = 0;
  private pausedUntil = 0;
  private readonly now: () => number;

  constructor(requestsPerMinute: number, now: () => number = Date.now) {
    if (!(requestsPerMinute > 0)) throw new RangeError('requestsPerMinute must be positive');
    this.intervalMs = 60_000 / requestsPerMinute;
    this.now = now;
  }

  /** Waits for this caller's slot. Slots are handed out in call order. */
  async acquire(signal?: AbortSignal): Promise<void> {
    for (;;) {
      const now = this.now();
      const slot = Math.max(now, this.nextSlotAt, this.pausedUntil);
      this.nextSlotAt = slot + this.intervalMs;
      if (slot > now) await sleep(slot - now, signal);
      // A pause that began while we waited (another stream drew a 429) voids this slot: take a
      // new one after the pause, so the callers queued behind it do not fire all at once.
      if (this.pausedUntil <= this.now()) return;
    }
  }

  /** No request before `untilMs` (epoch ms): Asana's Retry-After. */
  pauseUntil(untilMs: number): void {
    if (untilMs > this.pausedUntil) this.pausedUntil = untilMs;
    if (this.nextSlotAt < untilMs) this.nextSlotAt = untilMs;
  }
}
