/**
 * The shape of a simulated history: where in [from, to) the backlog's events sit. Real domains are
 * not even — a new domain's history is mostly recent, a bulk operation (SCIM provisioning, a mass
 * permission change) writes most of a day's events within an hour, activity follows office hours —
 * and a backfill planner has to be fast on each.
 *
 * A shape is a list of time segments, each with its number of events, in time order; the event
 * generator spreads each segment's events over it. Pure and deterministic: the generator's seed
 * decides the exact times within a segment.
 */

export const HISTORY_SHAPES = ['even', 'dense-recent', 'burst', 'weekday'] as const;
export type HistoryShape = (typeof HISTORY_SHAPES)[number];

export interface HistorySegment {
  fromMs: number;
  toMs: number;
  count: number;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** dense-recent: this share of the events falls in the last day. */
export const DENSE_RECENT_SHARE = 0.9;
/** burst: this share of the events falls in one hour in the middle of the range. */
export const BURST_SHARE = 0.8;
export const BURST_MS = HOUR_MS;
/** weekday: an office hour (Mon–Fri 09:00–18:00 UTC) is this much busier than any other hour. */
export const OFFICE_HOUR_WEIGHT = 12;
/** weekday: the newest hour is this much busier than the oldest one (linear in between). */
export const RECENCY_GROWTH = 5;

export function isHistoryShape(text: string): text is HistoryShape {
  return (HISTORY_SHAPES as readonly string[]).includes(text);
}

/** The segments of `count` events of `shape` in [fromMs, toMs); segment counts add up to `count`. */
export function historySegments(shape: HistoryShape, count: number, fromMs: number, toMs: number): HistorySegment[] {
  const span = toMs - fromMs;
  if (shape === 'even' || span <= 0) return [{ fromMs, toMs, count }];
  if (shape === 'dense-recent') {
    if (span <= DAY_MS) return [{ fromMs, toMs, count }];
    return allocate(count, [
      { fromMs, toMs: toMs - DAY_MS, weight: 1 - DENSE_RECENT_SHARE },
      { fromMs: toMs - DAY_MS, toMs, weight: DENSE_RECENT_SHARE },
    ]);
  }
  if (shape === 'burst') {
    if (span <= BURST_MS) return [{ fromMs, toMs, count }];
    const start = fromMs + Math.floor((span - BURST_MS) / 2);
    const rest = 1 - BURST_SHARE;
    return allocate(count, [
      { fromMs, toMs: start, weight: (rest * (start - fromMs)) / span },
      { fromMs: start, toMs: start + BURST_MS, weight: BURST_SHARE + (rest * BURST_MS) / span },
      { fromMs: start + BURST_MS, toMs, weight: (rest * (toMs - start - BURST_MS)) / span },
    ]);
  }
  // weekday: hour by hour (on UTC hour boundaries), office hours busier, recent hours busier.
  const hours: Array<{ fromMs: number; toMs: number; weight: number }> = [];
  for (let t = Math.floor(fromMs / HOUR_MS) * HOUR_MS; t < toMs; t += HOUR_MS) {
    const a = Math.max(fromMs, t);
    const b = Math.min(toMs, t + HOUR_MS);
    const d = new Date(t);
    const office = d.getUTCDay() >= 1 && d.getUTCDay() <= 5 && d.getUTCHours() >= 9 && d.getUTCHours() < 18;
    const recency = ((a + b) / 2 - fromMs) / span;
    hours.push({ fromMs: a, toMs: b, weight: ((b - a) / HOUR_MS) * (office ? OFFICE_HOUR_WEIGHT : 1) * (1 + (RECENCY_GROWTH - 1) * recency) });
  }
  return allocate(count, hours);
}

/** Whole counts proportional to the weights, adding up to `count` (largest remainders first). */
function allocate(count: number, parts: ReadonlyArray<{ fromMs: number; toMs: number; weight: number }>): HistorySegment[] {
  const total = parts.reduce((sum, p) => sum + p.weight, 0);
  const exact = parts.map((p) => (total > 0 ? (count * p.weight) / total : 0));
  const out = parts.map((p, i) => ({ fromMs: p.fromMs, toMs: p.toMs, count: Math.floor(exact[i] ?? 0) }));
  let left = count - out.reduce((sum, s) => sum + s.count, 0);
  const byRemainder = exact.map((x, i) => ({ i, r: x - Math.floor(x) })).sort((x, y) => y.r - x.r || x.i - y.i);
  for (const { i } of byRemainder) {
    if (left <= 0) break;
    (out[i] as HistorySegment).count++;
    left--;
  }
  return out.filter((s) => s.count > 0);
}
