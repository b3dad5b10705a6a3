import { AbortedError } from './errors.ts';

/**
 * Capped exponential backoff with full jitter, shared by the Asana client and the exporter.
 * attempt 1 -> up to BASE, doubling to at most CAP. Retrying goes on forever while running:
 * an audit trail must not be dropped because the API or the collector had a bad hour.
 */
export const BACKOFF_BASE_MS = 1_000;
export const BACKOFF_CAP_MS = 60_000;

export function backoffDelay(attempt: number, random: () => number = Math.random, baseMs = BACKOFF_BASE_MS, capMs = BACKOFF_CAP_MS): number {
  const exp = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
  // "Equal jitter": never less than half the step, so a storm of retries still spreads out.
  return Math.round(exp / 2 + random() * (exp / 2));
}

/** Sleeps `ms`, rejecting with AbortedError as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new AbortedError());
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AbortedError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
