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

/** Longest Retry-After honoured as given; an absurd value (a day, a year) is capped to this. */
export const RETRY_AFTER_CAP_MS = 5 * 60_000;

/**
 * Retry-After as delta-seconds or an HTTP date (RFC 9110 §10.2.3) -> milliseconds to wait,
 * capped at RETRY_AFTER_CAP_MS; undefined when absent or unparseable (callers fall back to backoff).
 */
export function parseRetryAfter(value: string | string[] | undefined, now: number = Date.now()): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw === undefined) return undefined;
  const text = raw.trim();
  if (text === '') return undefined;
  let ms: number;
  if (/^\d+$/.test(text)) {
    ms = Math.ceil(Number(text) * 1000);
  } else {
    // HTTP dates (IMF-fixdate, RFC 850, asctime) name a weekday and a month; Date.parse alone
    // would accept "-5" or "2020".
    if (!/[a-z]{3}/i.test(text)) return undefined;
    const at = Date.parse(text);
    if (Number.isNaN(at)) return undefined;
    ms = at - now;
  }
  if (!Number.isFinite(ms)) return RETRY_AFTER_CAP_MS;
  return Math.min(RETRY_AFTER_CAP_MS, Math.max(0, ms));
}
