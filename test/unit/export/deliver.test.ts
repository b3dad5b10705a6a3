import { describe, expect, it } from 'vitest';
import { formatDelay } from '../../../src/export/deliver.ts';

describe('formatDelay', () => {
  it.each([
    [0, '0ms'],
    [250, '250ms'],
    [1_000, '1s'],
    [1_500, '1.5s'],
    [4_000, '4s'],
    [59_000, '59s'],
    [60_000, '1m'],
    [90_000, '1m30s'],
    [300_000, '5m'],
  ])('%i -> %s', (ms, text) => {
    expect(formatDelay(ms)).toBe(text);
  });
});
