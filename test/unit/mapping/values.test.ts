import { describe, expect, it } from 'vitest';
import { MAX_ATTRIBUTE_STRING_BYTES } from '../../../src/mapping/attributes.ts';
import { attributeString, capUtf8, describe as describeValue, quote } from '../../../src/mapping/values.ts';

describe('attributeString', () => {
  it.each([
    // [value, attribute string]
    ['abc', 'abc'],
    ['', undefined],
    [null, undefined],
    [undefined, undefined],
    [1208000000000501, '1208000000000501'],
    [Number.NaN, undefined],
    [Number.POSITIVE_INFINITY, undefined],
    [12n, '12'],
    [false, 'false'],
    [{ gid: '1' }, undefined],
    [['1'], undefined],
  ])('%o -> %o', (value, expected) => {
    expect(attributeString(value)).toBe(expected);
  });

  it('caps long strings', () => {
    expect(attributeString('x'.repeat(MAX_ATTRIBUTE_STRING_BYTES + 10))).toHaveLength(MAX_ATTRIBUTE_STRING_BYTES);
  });
});

describe('describe (a value\'s kind, for warnings)', () => {
  it.each([
    [null, 'null'],
    [undefined, 'undefined'],
    [[], 'an array'],
    [{}, 'an object'],
    [1, 'a number'],
    [true, 'a boolean'],
    ['x', 'a string'],
  ])('%o -> %s', (value, expected) => {
    expect(describeValue(value)).toBe(expected);
  });
});

describe('quote', () => {
  it('JSON-quotes a value and shortens it past 64 characters', () => {
    expect(quote('yesterday')).toBe('"yesterday"');
    expect(quote(12)).toBe('"12"');
    expect(quote('x'.repeat(100))).toBe(`"${'x'.repeat(64)}…"`);
  });
});

describe('capUtf8', () => {
  it('keeps strings that fit', () => {
    expect(capUtf8('')).toBe('');
    expect(capUtf8('abc', 3)).toBe('abc');
    expect(capUtf8('€€', 6)).toBe('€€');
  });

  it('cuts on code point boundaries', () => {
    expect(capUtf8('abcd', 3)).toBe('abc');
    expect(capUtf8('€€', 5)).toBe('€'); // 3 + 3 bytes
    expect(capUtf8('a🦊', 4)).toBe('a'); // the fox is 4 bytes, never split into a lone surrogate
    expect(capUtf8('a🦊', 5)).toBe('a🦊');
    expect(capUtf8('é'.repeat(10), 7)).toBe('ééé');
  });

  it('is cheap on huge strings', () => {
    const huge = 'x'.repeat(50_000_000);
    expect(capUtf8(huge)).toHaveLength(MAX_ATTRIBUTE_STRING_BYTES);
  });
});
