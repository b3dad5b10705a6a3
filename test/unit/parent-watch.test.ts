import { describe, expect, it } from 'vitest';
import { parentGone } from '../../src/parent-watch.ts';

describe('parentGone', () => {
  const alive = () => 'alive' as const;
  const gone = () => 'gone' as const;
  it.each([
    ['same parent, alive', 4242, 4242, alive, false],
    ['re-parented to init', 4242, 1, alive, true],
    ['re-parented to a subreaper', 4242, 77, alive, true],
    ['same pid reported, but the parent no longer exists', 4242, 4242, gone, true],
    ['started under init: nothing to outlive', 1, 1, gone, false],
  ] as const)('%s', (_name, start, current, probe, expected) => {
    expect(parentGone(start, current, probe)).toBe(expected);
  });
});
