import { describe, expect, it } from 'vitest';
import { declaredLength, MAX_PREALLOCATED_BYTES, readBodyText } from '../../../src/asana/body-text.ts';

async function* chunksOf(...parts: Array<string | Uint8Array>): AsyncIterable<Uint8Array> {
  for (const p of parts) yield typeof p === 'string' ? Buffer.from(p, 'utf8') : p;
}

describe('declaredLength', () => {
  it.each([
    [undefined, undefined],
    ['0', 0],
    ['1234', 1234],
    [String(MAX_PREALLOCATED_BYTES), MAX_PREALLOCATED_BYTES],
    [String(MAX_PREALLOCATED_BYTES + 1), undefined],
    ['12, 12', undefined],
    ['-1', undefined],
    ['1e3', undefined],
    [['1', '2'], undefined],
  ] as const)('%j -> %j', (header, expected) => {
    expect(declaredLength(header as string | string[] | undefined)).toBe(expected);
  });
});

describe('readBodyText', () => {
  const text = '{"data":[{"gid":"1","name":"Ünïcode ✓"}],"next_page":null}';
  const bytes = Buffer.from(text, 'utf8');
  const split = [bytes.subarray(0, 7), bytes.subarray(7, 30), bytes.subarray(30)];

  it('is the text, whatever the declared length says', async () => {
    for (const length of [bytes.length, undefined, 0, 10, bytes.length + 100]) {
      expect(await readBodyText(chunksOf(...split), length)).toBe(text);
    }
  });

  it('decodes a multi-byte character split across chunks, skips a byte-order mark, replaces invalid bytes', async () => {
    const check = Buffer.from('✓', 'utf8');
    expect(await readBodyText(chunksOf(check.subarray(0, 1), check.subarray(1)), check.length)).toBe('✓');
    expect(await readBodyText(chunksOf(new Uint8Array([0xef, 0xbb, 0xbf]), '{}'), 5)).toBe('{}');
    expect(await readBodyText(chunksOf(new Uint8Array([0x7b, 0xff, 0x7d])), 3)).toBe('{\uFFFD}');
  });

  it('an empty body is the empty string', async () => {
    expect(await readBodyText(chunksOf(), 0)).toBe('');
    expect(await readBodyText(chunksOf(), undefined)).toBe('');
  });

  it('leaves the chunks it was given intact (it frees only its own buffer)', async () => {
    const chunk = Buffer.from(text, 'utf8');
    await readBodyText(chunksOf(chunk), chunk.length);
    expect(chunk.toString('utf8')).toBe(text);
  });

  it('a stream that fails rejects with its error', async () => {
    async function* broken(): AsyncIterable<Uint8Array> {
      yield Buffer.from('{"da');
      throw new Error('socket hang up');
    }
    await expect(readBodyText(broken(), 100)).rejects.toThrow('socket hang up');
  });
});
