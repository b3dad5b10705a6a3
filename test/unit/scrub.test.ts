import { describe, expect, it } from 'vitest';
import { ASANA_TOKEN_SHAPE, scrubber, scrubText, SecretSet } from '../../src/scrub.ts';

describe('scrub', () => {
  it('hides anything shaped like an Asana token, even one nobody registered', () => {
    expect(scrubText('auth 2/1200000000000001/1200000000000002:0123456789abcdef0123 failed', [])).toBe('auth [REDACTED] failed');
    expect(scrubText('pat 1/12345678:abcdefabcdefabcdef!', [])).toBe('pat [REDACTED]!');
    expect('1/12:short'.match(ASANA_TOKEN_SHAPE)).toBeNull();
  });

  it('hides registered secrets wherever they appear; too-short ones are left alone', () => {
    const s = new SecretSet();
    s.add('hunter2-secret');
    s.add('abc');
    expect(s.scrub('x hunter2-secret y hunter2-secret abc')).toBe('x [REDACTED] y [REDACTED] abc');
  });

  it('a fixed scrubber trims and ignores unset secrets', () => {
    expect(scrubber([' topsecret ', undefined])('a topsecret b')).toBe('a [REDACTED] b');
  });
});
