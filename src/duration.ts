/**
 * Durations as people write them in configuration: "1500ms", "30s", "5m", "24h", "7d", "90d".
 * Parts may be combined, largest first ("1h30m"). A bare number has no unit and is refused:
 * "30" could mean seconds or milliseconds, and the config module never guesses.
 */

const UNIT_MS = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
} as const;
type Unit = keyof typeof UNIT_MS;

/** Units from largest to smallest: the order parts must appear in, and the order formatDuration uses. */
const UNITS_DESC: readonly Unit[] = ['d', 'h', 'm', 's', 'ms'];

const PART = /(\d+)(ms|s|m|h|d)/y;

/**
 * Parses a duration into milliseconds. Returns undefined when `text` is not a duration
 * (no unit, unknown unit, negative, decimals, units out of order or repeated).
 */
export function parseDuration(text: string): number | undefined {
  const input = text.trim();
  if (input === '') return undefined;
  let total = 0;
  let lastRank = -1;
  PART.lastIndex = 0;
  while (PART.lastIndex < input.length) {
    const start = PART.lastIndex;
    const m = PART.exec(input);
    if (m === null || m.index !== start) return undefined;
    const unit = m[2] as Unit;
    const rank = UNITS_DESC.indexOf(unit);
    if (rank <= lastRank) return undefined; // "5m1h" or "1h1h": almost certainly a typo
    lastRank = rank;
    total += Number(m[1]) * UNIT_MS[unit];
  }
  return Number.isSafeInteger(total) ? total : undefined;
}

export interface FormatDurationOptions {
  /**
   * Show at most this many units, largest first, the last one rounded ("1h02m" for 1 h 2 min 3 s
   * with 2): for humans reading a delay, a lag or an ETA. Default: every unit, exact.
   */
  units?: number;
  /** The smallest unit shown; below it the value is rounded. Default 'ms'. */
  smallest?: Unit;
}

/**
 * The project's one duration formatter, in the form parseDuration reads: 90000 -> "1m30s", 0 -> "0s".
 * Zero units are left out ("9h", not "9h0m"). With `units`, the units after the first are zero-padded
 * (two digits, three for ms: "2m05s") so a line that is redrawn keeps its width.
 */
export function formatDuration(ms: number, opts: FormatDurationOptions = {}): string {
  if (!Number.isFinite(ms) || ms < 0) return `${ms}ms`;
  const smallestRank = UNITS_DESC.indexOf(opts.smallest ?? 'ms');
  const largestRank = Math.min(smallestRank, Math.max(0, UNITS_DESC.findIndex((u) => ms >= UNIT_MS[u])));
  const lastRank = Math.min(smallestRank, largestRank + Math.max(1, opts.units ?? UNITS_DESC.length) - 1);
  const step = UNIT_MS[UNITS_DESC[lastRank] as Unit];
  let rest = Math.round(ms / step) * step;
  if (rest === 0) return `0${opts.smallest === undefined || opts.smallest === 'ms' ? 's' : opts.smallest}`;
  let out = '';
  for (const unit of UNITS_DESC) {
    const n = Math.floor(rest / UNIT_MS[unit]);
    if (n > 0) {
      out += `${out === '' || opts.units === undefined ? n : String(n).padStart(unit === 'ms' ? 3 : 2, '0')}${unit}`;
      rest -= n * UNIT_MS[unit];
    }
  }
  return out;
}
