import { describe, expect, it } from 'vitest';
import { GID_SENT_AS_NUMBER, gidSentAsNumber, parseJsonExactGids } from '../../../src/asana/exact-json.ts';

describe('parseJsonExactGids', () => {
  it.each([
    // [what, JSON text, the gid read, marked as sent as a number]
    ['a string gid', '{"gid":"1208000000000501"}', '1208000000000501', false],
    ['a string gid past 2^53', '{"gid":"12080000000005011234"}', '12080000000005011234', false],
    ['a number gid below 2^53 stays a number', '{"gid":1208000000000501}', 1208000000000501, false],
    ['2^53 − 1 stays a number', '{"gid":9007199254740991}', 9007199254740991, false],
    ['2^53 is kept as its digits', '{"gid":9007199254740992}', '9007199254740992', true],
    ['2^53 + 1 is not rounded to 2^53', '{"gid":9007199254740993}', '9007199254740993', true],
    ['a 20-digit gid', '{"gid":12080000000005011234}', '12080000000005011234', true],
    ['past 2^64', '{"gid":123456789012345678901234567890}', '123456789012345678901234567890', true],
    ['an exponent is not an integer literal: left as JSON.parse reads it', '{"gid":1.2e20}', 1.2e20, false],
    ['a fraction is left as JSON.parse reads it', '{"gid":12345678901234567.5}', 12345678901234567.5, false],
    ['an escaped key is still a gid', '{"g\\u0069d":9007199254740993}', '9007199254740993', true],
  ])('%s', (_what, text, gid, marked) => {
    const parsed = parseJsonExactGids(text) as Record<string, unknown>;
    expect(parsed['gid']).toBe(gid);
    expect(gidSentAsNumber(parsed)).toBe(marked);
  });

  it('keeps 20 distinct large numeric gids distinct, at every depth, and marks each holder', () => {
    const gids = Array.from({ length: 20 }, (_, i) => `${9_007_199_254_740_993n + BigInt(i)}`);
    const text = `{"data":[${gids.map((g) => `{"gid":${g},"actor":{"gid":${g}},"resource":{"gid":"7"}}`).join(',')}]}`;
    const page = parseJsonExactGids(text) as { data: Array<Record<string, Record<string, unknown>> & { gid: unknown }> };
    expect(page.data.map((e) => e.gid)).toEqual(gids);
    expect(page.data.map((e) => e['actor']?.['gid'])).toEqual(gids);
    expect(page.data.every((e) => gidSentAsNumber(e) && gidSentAsNumber(e['actor'] as object))).toBe(true);
    expect(page.data.some((e) => gidSentAsNumber(e['resource'] as object))).toBe(false);
  });

  it('changes only gid fields: other large integers are read as JSON.parse reads them', () => {
    const text = '{"gid":"1","details":{"count":9007199254740993,"gid_like":9007199254740993},"list":[9007199254740993]}';
    expect(parseJsonExactGids(text)).toEqual(JSON.parse(text));
  });

  it('leaves the mark out of the JSON text and the keys: the body written from the event is unchanged', () => {
    const parsed = parseJsonExactGids('{"gid":9007199254740993,"name":"x"}') as Record<PropertyKey, unknown>;
    expect(parsed[GID_SENT_AS_NUMBER]).toBe(true);
    expect(Object.keys(parsed)).toEqual(['gid', 'name']);
    expect(JSON.stringify(parsed)).toBe('{"gid":"9007199254740993","name":"x"}');
  });

  it('parses what JSON.parse parses and throws what it throws', () => {
    for (const text of ['null', '[]', '{"data":[]}', '"9007199254740993"', '[9007199254740993]']) {
      expect(parseJsonExactGids(text)).toEqual(JSON.parse(text));
    }
    expect(() => parseJsonExactGids('{"gid":9007199254740993')).toThrow(SyntaxError);
    expect(() => parseJsonExactGids('{"data":')).toThrow(SyntaxError);
  });

  it('reads a value nested deeper than a reviver can walk, as JSON.parse does, instead of failing the page', () => {
    const depth = 200_000;
    const text = `{"data":[{"gid":"1","x":${'['.repeat(depth)}1234567890123456${']'.repeat(depth)}}]}`;
    expect(() => JSON.parse(text)).not.toThrow();
    const parsed = parseJsonExactGids(text) as { data: Array<{ gid: string }> };
    expect(parsed.data[0]?.gid).toBe('1');
  });
});
