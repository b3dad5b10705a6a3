/**
 * The retry decisions of an export, as pure functions (otel-js RetryingTransport habit): what the
 * shipper (export/shipper.ts) does after a failed attempt, and how a wait reads in a log line.
 */

/**
 * How long `once` waits out a collector it cannot reach before it stops with an error: a job (a
 * CronJob, a first check) must end, and nothing is committed past the last acknowledged page, so
 * the next run resumes from there. `run` waits out any outage.
 */
export const ONCE_GIVE_UP_AFTER_MS = 5 * 60_000;

/**
 * One stream's collector outage, shared by all of its exports in flight (a backfill reads several
 * time windows at once, each exporting its own page): the outage starts with the first failed
 * attempt after an acknowledgement and ends with the next acknowledgement. Each attempt number is
 * warned about once, by the first export that reaches it, not once per window.
 */
export class Outage {
  private since: number | undefined;
  private warnedAttempt = 0;

  /** Attempt number `attempt` of one export failed at `now`: warn about it?, and how long the outage lasts. */
  failed(attempt: number, now: number): { warn: boolean; lastedMs: number } {
    this.since ??= now;
    const warn = attempt > this.warnedAttempt;
    if (warn) this.warnedAttempt = attempt;
    return { warn, lastedMs: now - this.since };
  }

  /** The collector answered (acknowledged, or a partial success). */
  ended(): void {
    this.since = undefined;
    this.warnedAttempt = 0;
  }
}

/**
 * After a failed attempt: wait `delayMs` (the backoff, or the collector's Retry-After) and try
 * again; with a bound (`giveUpAfterMs`), stop once the outage has lasted that long, and never wait
 * past the bound, so the last attempt is made when it is reached.
 */
export function nextAttempt(lastedMs: number, delayMs: number, giveUpAfterMs?: number): { giveUp: true } | { giveUp: false; waitMs: number } {
  const wait = Math.max(0, delayMs);
  if (giveUpAfterMs === undefined) return { giveUp: false, waitMs: wait };
  if (lastedMs >= giveUpAfterMs) return { giveUp: true };
  return { giveUp: false, waitMs: Math.min(wait, giveUpAfterMs - lastedMs) };
}
