import type { HrTime } from '@opentelemetry/api';

/**
 * ISO-8601 / RFC 3339 date-time -> HrTime [seconds, nanoseconds], exactly.
 *
 * `Date.parse` keeps milliseconds only and a float of epoch seconds loses nanoseconds, so the
 * timestamp is built from its parsed parts with integer arithmetic: days from the civil date, plus
 * the time of day, minus the offset; the fraction becomes nanoseconds by padding its digits.
 * Asana sends `2021-01-01T00:00:00.000Z` (OpenAPI `AuditLogEvent.created_at`, format date-time).
 *
 * Accepted: `T`, `t` or a space between date and time; a fraction of any length after `.` or `,`
 * (digits past the ninth are below OTLP's nanosecond resolution and are cut, not rounded); `Z`, `z`,
 * `±HH:MM`, `±HHMM` or `±HH`. A value without an offset is read as UTC and reported (`assumedUtc`),
 * since ISO-8601 would call it local time of an unknown place. Second 60 (a leap second, RFC 3339
 * §5.6) is accepted and counts as the first second of the next minute, as POSIX time does.
 */
export type TimestampParse =
  | { ok: true; hrTime: HrTime; assumedUtc: boolean }
  | { ok: false; reason: string };

const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?([Zz]|[+-]\d{2}(?::?\d{2})?)?$/;

/** Longer inputs are not timestamps; checked first so a huge string costs nothing. */
const MAX_TIMESTAMP_LENGTH = 64;

/**
 * OTLP carries time as fixed64 nanoseconds since the Unix epoch: 0 ..= 2^64-1, i.e. up to
 * 18446744073.709551615 s. The last whole second that always fits, whatever the fraction:
 */
const MAX_OTLP_SECONDS = 18_446_744_072;

const NANOS_DIGITS = 9;

export function parseTimestamp(value: unknown): TimestampParse {
  return (typeof value === 'string' && parseCanonical(value)) || parseTimestampByPattern(value);
}

/**
 * The form Asana sends, `2021-01-01T00:00:00.000Z`, read by position: the same result as the general
 * path below (test/unit/mapping/time.test.ts compares the two), without a regular expression and the
 * strings it cuts. Anything else, or anything out of range, is left to the general path, which
 * also words the reason. Asana's own form is nearly every event, so this is nearly every call.
 */
function parseCanonical(v: string): TimestampParse | undefined {
  if (
    v.length !== 24 ||
    v.charCodeAt(4) !== 0x2d || // -
    v.charCodeAt(7) !== 0x2d ||
    v.charCodeAt(10) !== 0x54 || // T
    v.charCodeAt(13) !== 0x3a || // :
    v.charCodeAt(16) !== 0x3a ||
    v.charCodeAt(19) !== 0x2e || // .
    v.charCodeAt(23) !== 0x5a // Z
  ) {
    return undefined;
  }
  const year = digits(v, 0, 4);
  const month = digits(v, 5, 2);
  const day = digits(v, 8, 2);
  const hour = digits(v, 11, 2);
  const minute = digits(v, 14, 2);
  const second = digits(v, 17, 2);
  const millis = digits(v, 20, 3);
  // NaN (not digits) fails every comparison below.
  if (!(month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month) && hour <= 23 && minute <= 59 && second <= 59 && millis >= 0)) {
    return undefined;
  }
  const seconds = daysFromCivil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second;
  if (!(seconds >= 0 && seconds <= MAX_OTLP_SECONDS)) return undefined;
  return { ok: true, hrTime: [seconds, millis * 1_000_000], assumedUtc: false };
}

/** The decimal number written by `count` ASCII digits at `start`; NaN if any is not a digit. */
function digits(s: string, start: number, count: number): number {
  let n = 0;
  for (let i = start; i < start + count; i++) {
    const d = s.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) return Number.NaN;
    n = n * 10 + d;
  }
  return n;
}

/** The general path of parseTimestamp: every accepted form, and the reason when it is not one. */
export function parseTimestampByPattern(value: unknown): TimestampParse {
  if (value === undefined || value === null) return { ok: false, reason: 'is missing' };
  if (typeof value !== 'string') {
    const type = Array.isArray(value) ? 'array' : typeof value;
    return { ok: false, reason: `is ${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type}, not a string` };
  }
  if (value === '') return { ok: false, reason: 'is empty' };
  if (value.length > MAX_TIMESTAMP_LENGTH) return { ok: false, reason: 'is not an ISO-8601 date-time' };
  const m = ISO_DATE_TIME.exec(value);
  if (m === null) return { ok: false, reason: 'is not an ISO-8601 date-time' };

  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = Number(m[6]);
  const fraction = m[7] ?? '';
  const zone = m[8];

  if (month < 1 || month > 12) return { ok: false, reason: `has month ${m[2]}` };
  if (day < 1 || day > daysInMonth(year, month)) return { ok: false, reason: `has day ${m[3]} in month ${m[2]}` };
  if (hour > 23 || minute > 59 || second > 60) return { ok: false, reason: 'has a time of day out of range' };

  let offsetSeconds = 0;
  if (zone !== undefined && zone !== 'Z' && zone !== 'z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const offsetHours = Number(digits.slice(0, 2));
    const offsetMinutes = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
    if (offsetHours > 23 || offsetMinutes > 59) return { ok: false, reason: `has offset ${zone} out of range` };
    offsetSeconds = sign * (offsetHours * 3600 + offsetMinutes * 60);
  }

  const seconds =
    daysFromCivil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds;
  if (seconds < 0) return { ok: false, reason: 'is before 1970-01-01T00:00:00Z, which OTLP cannot carry' };
  if (seconds > MAX_OTLP_SECONDS) return { ok: false, reason: 'is beyond the 64-bit nanosecond range of OTLP' };

  const nanos = fraction === '' ? 0 : Number(fraction.slice(0, NANOS_DIGITS).padEnd(NANOS_DIGITS, '0'));
  return { ok: true, hrTime: [seconds, nanos], assumedUtc: zone === undefined };
}

/**
 * A Date as HrTime. Dates hold whole milliseconds, so the result is exact. An invalid Date, or a value
 * that is not a Date at all, gives `undefined` (the caller decides what to use instead).
 */
export function dateToHrTime(date: unknown): HrTime | undefined {
  let ms: number;
  try {
    ms = Date.prototype.getTime.call(date);
  } catch {
    return undefined; // not a Date
  }
  if (!Number.isFinite(ms)) return undefined;
  const seconds = Math.floor(ms / 1000);
  return [seconds, (ms - seconds * 1000) * 1_000_000];
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * Days since 1970-01-01 of a proleptic Gregorian date, in integers only
 * (Howard Hinnant, "chrono-Compatible Low-Level Date Algorithms", days_from_civil).
 */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const monthFromMarch = (month + 9) % 12;
  const dayOfYear = Math.floor((153 * monthFromMarch + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** The current time as HrTime (millisecond precision), for when no better time is at hand. */
export function nowHrTime(): HrTime {
  const ms = Date.now();
  const seconds = Math.floor(ms / 1000);
  return [seconds, (ms - seconds * 1000) * 1_000_000];
}
