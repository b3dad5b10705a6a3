import { formatDuration } from '../duration.ts';

/** Progress of a backfill as text: the facts and the terminal bar (pure). */

export interface ProgressSnapshot {
  /** Records shipped since the backfill began. */
  events: number;
  eventsPerSecond: number;
  /** The furthest-behind stream: now - its newest shipped event (or its start). */
  behindMs: number;
  /** Undefined while no stream's event time has advanced within the window. */
  etaMs?: number;
  /** 0..1; undefined when no stream knows where it started. */
  fraction?: number;
  /** Streams still backfilling. */
  streams: number;
}


/** How long, for a person: 3723000 -> "1h02m", 125000 -> "2m05s", 9000 -> "9s". */
export function formatEta(ms: number): string {
  return formatDuration(Math.max(0, ms), { units: 2, smallest: 's' });
}

/**
 * A count with thousands separators: 182400 -> "182,400". Written out rather than with
 * `toLocaleString('en-US')`: that loads ICU's number-formatting data from the node binary, about
 * 7 MB of resident memory for the rest of the process, and it is the receiver's only use of ICU.
 */
export function formatCount(n: number): string {
  const rounded = Math.round(n);
  const digits = String(Math.abs(rounded));
  let out = digits.slice(0, ((digits.length - 1) % 3) + 1);
  for (let i = out.length; i < digits.length; i += 3) out += `,${digits.slice(i, i + 3)}`;
  return rounded < 0 ? `-${out}` : out;
}

function formatRate(perSecond: number): string {
  return perSecond >= 10 ? formatCount(perSecond) : perSecond.toFixed(1);
}

/** The facts after the bar: "12,345 events · 820/s · 3h12m behind · ETA 4m10s". */
export function formatProgressFacts(s: ProgressSnapshot): string {
  const parts = [
    `${formatCount(s.events)} events`,
    `${formatRate(s.eventsPerSecond)}/s`,
    `${formatEta(s.behindMs)} behind`,
    `ETA ${s.etaMs === undefined ? '?' : formatEta(s.etaMs)}`,
  ];
  if (s.streams > 1) parts.push(`${s.streams} streams`);
  return parts.join(' · ');
}

/**
 * One terminal line, at most `columns - 1` characters (the last column would wrap on some terminals):
 * `backfill [########--------]  45% 12,345 events · 820/s · 3h12m behind · ETA 4m10s`.
 */
export function formatProgressBar(s: ProgressSnapshot, columns = 80): string {
  const pct = s.fraction === undefined ? '  ?%' : `${String(Math.floor(clamp01(s.fraction) * 100)).padStart(3)}%`;
  const facts = formatProgressFacts(s);
  // The bar's width depends on the terminal only, so it does not jump as the facts change length.
  const width = Math.max(10, Math.min(30, columns - BAR_FACTS_ROOM));
  const filled = s.fraction === undefined ? 0 : Math.round(clamp01(s.fraction) * width);
  const line = `backfill [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${pct} ${facts}`;
  if (line.length <= columns - 1) return line;
  // Narrow terminal: the facts matter more than the bar.
  const bare = `backfill ${pct.trim()} ${facts}`;
  return bare.length <= columns - 1 ? bare : `${bare.slice(0, Math.max(0, columns - 2))}…`;
}

/** Columns kept for "backfill [", the percent and the facts before the bar may grow. */
const BAR_FACTS_ROOM = 90;

function clamp01(x: number): number {
  return Math.min(1, Math.max(0, x));
}
