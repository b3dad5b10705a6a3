import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dateToHrTime, parseTimestamp, parseTimestampByPattern } from '../../../src/mapping/time.ts';

function hr(value: unknown): [number, number] {
  const parsed = parseTimestamp(value);
  if (!parsed.ok) throw new Error(`expected ${String(value)} to parse: ${parsed.reason}`);
  return [parsed.hrTime[0], parsed.hrTime[1]];
}

describe('parseTimestamp: exact HrTime from ISO-8601', () => {
  it('reads Asana milliseconds exactly', () => {
    expect(hr('2021-01-01T00:00:00.000Z')).toEqual([1_609_459_200, 0]);
    expect(hr('2025-03-03T08:15:02.117Z')).toEqual([1_740_989_702, 117_000_000]);
    expect(hr('2025-03-03T08:15:02.001Z')).toEqual([1_740_989_702, 1_000_000]);
  });

  it('keeps microseconds and nanoseconds without float rounding', () => {
    expect(hr('2025-03-06T10:01:02.345678Z')).toEqual([1_741_255_262, 345_678_000]);
    expect(hr('2025-03-06T10:01:02.123456789Z')).toEqual([1_741_255_262, 123_456_789]);
    expect(hr('2025-03-06T10:01:02.999999999Z')).toEqual([1_741_255_262, 999_999_999]);
    expect(hr('2025-03-06T10:01:02.000000001Z')).toEqual([1_741_255_262, 1]);
    // Below OTLP's nanosecond resolution: cut, never rounded up into the next second.
    expect(hr('2025-03-06T10:01:02.9999999999Z')).toEqual([1_741_255_262, 999_999_999]);
    expect(hr('2025-03-06T10:01:02.5Z')).toEqual([1_741_255_262, 500_000_000]);
    expect(hr('2025-03-06T10:01:02,25Z')).toEqual([1_741_255_262, 250_000_000]);
    expect(hr('2025-03-06T10:01:02Z')).toEqual([1_741_255_262, 0]);
  });

  it('applies offsets exactly', () => {
    const utc = hr('2025-03-06T10:02:03.123456789Z');
    expect(hr('2025-03-06T11:02:03.123456789+01:00')).toEqual(utc);
    expect(hr('2025-03-06T11:02:03.123456789+0100')).toEqual(utc);
    expect(hr('2025-03-06T11:02:03.123456789+01')).toEqual(utc);
    expect(hr('2025-03-06T04:32:03.123456789-05:30')).toEqual(utc);
    expect(hr('2025-03-07T00:02:03.123456789+14:00')).toEqual(utc);
    expect(hr('2025-03-06T10:02:03.123456789-00:00')).toEqual(utc);
    expect(hr('2025-03-06t10:02:03.123456789z')).toEqual(utc);
    expect(hr('2025-03-06 10:02:03.123456789Z')).toEqual(utc);
    // An offset that crosses midnight, month and year boundaries.
    expect(hr('2024-12-31T23:30:00-01:00')).toEqual(hr('2025-01-01T00:30:00Z'));
  });

  it('agrees with Date for millisecond instants across the calendar', () => {
    const start = Date.UTC(1970, 0, 1);
    const end = Date.UTC(2200, 0, 1);
    let seed = 12_345;
    for (let i = 0; i < 2000; i += 1) {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      const ms = start + Math.floor((seed / 2_147_483_648) * (end - start));
      const iso = new Date(ms).toISOString();
      const [s, ns] = hr(iso);
      expect(s * 1000 + ns / 1_000_000, iso).toBe(ms);
    }
  });

  it('handles leap years and the leap second', () => {
    expect(hr('2024-02-29T12:00:00Z')).toEqual([Date.UTC(2024, 1, 29, 12) / 1000, 0]);
    expect(hr('2000-02-29T00:00:00Z')).toEqual([Date.UTC(2000, 1, 29) / 1000, 0]);
    expect(parseTimestamp('2023-02-29T00:00:00Z').ok).toBe(false);
    expect(parseTimestamp('2100-02-29T00:00:00Z').ok).toBe(false);
    expect(hr('2016-12-31T23:59:60Z')).toEqual(hr('2017-01-01T00:00:00Z'));
  });

  it('reads a value without offset as UTC and says so', () => {
    const parsed = parseTimestamp('2022-12-16 19:31:36.289');
    expect(parsed).toEqual({ ok: true, hrTime: [Date.UTC(2022, 11, 16, 19, 31, 36) / 1000, 289_000_000], assumedUtc: true });
    expect(parseTimestamp('2022-12-16T19:31:36.289Z')).toMatchObject({ ok: true, assumedUtc: false });
  });

  it.each([
    [undefined, 'is missing'],
    [null, 'is missing'],
    ['', 'is empty'],
    [1_612_137_600_000, 'is a number, not a string'],
    [{ iso: '2021-01-01T00:00:00Z' }, 'is an object, not a string'],
    [['2021-01-01T00:00:00Z'], 'is an array, not a string'],
    [true, 'is a boolean, not a string'],
    ['yesterday', 'is not an ISO-8601 date-time'],
    ['2021-01-01', 'is not an ISO-8601 date-time'],
    ['2021-01-01T00:00Z', 'is not an ISO-8601 date-time'],
    ['2021-01-01T00:00:00.Z', 'is not an ISO-8601 date-time'],
    ['2021-01-01T00:00:00+1:00', 'is not an ISO-8601 date-time'],
    ['+002021-01-01T00:00:00Z', 'is not an ISO-8601 date-time'],
    [' 2021-01-01T00:00:00Z', 'is not an ISO-8601 date-time'],
    [`2021-01-01T00:00:00.${'1'.repeat(100)}Z`, 'is not an ISO-8601 date-time'],
    ['2025-13-01T00:00:00Z', 'has month 13'],
    ['2025-00-01T00:00:00Z', 'has month 00'],
    ['2021-02-30T00:00:00Z', 'has day 30 in month 02'],
    ['2021-04-31T00:00:00Z', 'has day 31 in month 04'],
    ['2021-01-00T00:00:00Z', 'has day 00 in month 01'],
    ['2021-01-01T24:00:00Z', 'has a time of day out of range'],
    ['2021-01-01T00:60:00Z', 'has a time of day out of range'],
    ['2021-01-01T00:00:61Z', 'has a time of day out of range'],
    ['2021-01-01T00:00:00+24:00', 'has offset +24:00 out of range'],
    ['2021-01-01T00:00:00+01:60', 'has offset +01:60 out of range'],
    ['1969-12-31T23:59:59Z', 'is before 1970-01-01T00:00:00Z, which OTLP cannot carry'],
    ['1970-01-01T00:30:00+01:00', 'is before 1970-01-01T00:00:00Z, which OTLP cannot carry'],
    ['9999-12-31T23:59:59Z', 'is beyond the 64-bit nanosecond range of OTLP'],
  ])('rejects %j (%s)', (value, reason) => {
    expect(parseTimestamp(value)).toEqual({ ok: false, reason });
  });

  it('accepts the edges of the OTLP range', () => {
    expect(hr('1970-01-01T00:00:00Z')).toEqual([0, 0]);
    expect(hr('2500-01-01T00:00:00.999999999Z')).toEqual([Date.UTC(2500, 0, 1) / 1000, 999_999_999]);
  });

  it('gives up quickly on huge strings', () => {
    const huge = `2021-01-01T00:00:00Z${' '.repeat(10_000_000)}`;
    expect(parseTimestamp(huge)).toEqual({ ok: false, reason: 'is not an ISO-8601 date-time' });
  });
});

describe('dateToHrTime', () => {
  it('is exact for whole milliseconds', () => {
    expect(dateToHrTime(new Date('2025-03-07T00:00:00.123Z'))).toEqual([1_741_305_600, 123_000_000]);
    expect(dateToHrTime(new Date(0))).toEqual([0, 0]);
    expect(dateToHrTime(new Date(999))).toEqual([0, 999_000_000]);
  });

  it('returns undefined for an invalid Date or a non-Date', () => {
    expect(dateToHrTime(new Date(Number.NaN))).toBeUndefined();
    expect(dateToHrTime('2025-03-07T00:00:00Z')).toBeUndefined();
    expect(dateToHrTime(1_741_305_600_000)).toBeUndefined();
    expect(dateToHrTime(null)).toBeUndefined();
    expect(dateToHrTime({ getTime: () => 0 })).toBeUndefined();
  });
});

describe("parseTimestamp: Asana's own form read by position", () => {
  /** Two-digit fields drawn so that edges and out-of-range values (month 13, day 31 in April, second 60) come up often. */
  const two = (max: number) => fc.integer({ min: 0, max }).map((n) => String(n).padStart(2, '0'));
  const canonical = fc
    .tuple(
      fc.integer({ min: 0, max: 9999 }).map((n) => String(n).padStart(4, '0')),
      two(13),
      two(32),
      two(25),
      two(61),
      two(61),
      fc.integer({ min: 0, max: 999 }).map((n) => String(n).padStart(3, '0')),
    )
    .map(([y, mo, d, h, mi, s, ms]) => `${y}-${mo}-${d}T${h}:${mi}:${s}.${ms}Z`);
  // The same shape with any one character replaced: separators, letters, non-ASCII digits.
  const mutated = fc.tuple(canonical, fc.nat(23), fc.constantFrom('0', '9', 'Z', 'z', 't', ' ', '-', ':', '.', '+', 'a', '٣', '')).map(([v, i, c]) => v.slice(0, i) + c + v.slice(i + 1));

  it('gives what the general path gives, for valid and invalid values alike', () => {
    fc.assert(
      fc.property(fc.oneof(canonical, mutated), (v) => {
        expect(parseTimestamp(v)).toEqual(parseTimestampByPattern(v));
      }),
      { numRuns: 20_000 },
    );
  });

  it('agrees with Date for every millisecond form it accepts (up to 2500: OTLP ends in 2554)', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1970-01-01T00:00:00.000Z'), max: new Date('2500-12-31T23:59:59.999Z'), noInvalidDate: true }), (d) => {
        const parsed = parseTimestamp(d.toISOString());
        expect(parsed.ok && parsed.hrTime[0] * 1000 + parsed.hrTime[1] / 1_000_000).toBe(d.getTime());
      }),
      { numRuns: 5_000 },
    );
  });
});
