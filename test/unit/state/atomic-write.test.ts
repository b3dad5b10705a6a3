import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AtomicWriteError, removeLeftoverTemps, writeFileAtomically, writeTarget } from '../../../src/state/atomic-write.ts';
import { nodeStateFs } from '../../../src/state/fs.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'atomic-write-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('writeFileAtomically', () => {
  it('replaces a regular file and leaves no temp file behind', async () => {
    const path = join(dir, 'state.json');
    await writeFile(path, 'old');
    await writeFileAtomically(nodeStateFs, path, 'new');
    expect(await readFile(path, 'utf8')).toBe('new');
    expect(await readdir(dir)).toEqual(['state.json']);
  });

  it('follows a symbolic link: the target is replaced (the temp file written beside it), the link stays a link', async () => {
    await mkdir(join(dir, 'volume'));
    await mkdir(join(dir, 'config'));
    const target = join(dir, 'volume', 'state.json');
    const link = join(dir, 'config', 'state.json');
    await writeFile(target, 'old');
    await symlink('../volume/state.json', link);
    const renames: Array<[string, string]> = [];
    await writeFileAtomically({ ...nodeStateFs, rename: async (a, b) => (renames.push([a, b]), nodeStateFs.rename(a, b)) }, link, 'new');
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    expect(await readlink(link)).toBe('../volume/state.json');
    expect(await readFile(target, 'utf8')).toBe('new');
    expect(renames).toEqual([[expect.stringMatching(/volume\/state\.json\.tmp-/), target]]);
    expect(await readdir(join(dir, 'config'))).toEqual(['state.json']);
  });

  it('follows a chain of links and a dangling link (the first write creates the target)', async () => {
    const target = join(dir, 'real.json');
    await symlink('real.json', join(dir, 'b'));
    await symlink(join(dir, 'b'), join(dir, 'a'));
    expect(await writeTarget(nodeStateFs, join(dir, 'a'))).toBe(target);
    await writeFileAtomically(nodeStateFs, join(dir, 'a'), 'first');
    expect(await readFile(target, 'utf8')).toBe('first');
    expect((await lstat(join(dir, 'a'))).isSymbolicLink()).toBe(true);
  });

  it('refuses a link loop without touching anything', async () => {
    await symlink('y', join(dir, 'x'));
    await symlink('x', join(dir, 'y'));
    const err = await writeFileAtomically(nodeStateFs, join(dir, 'x'), 'new').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AtomicWriteError);
    expect((err as AtomicWriteError).message).toMatch(/follow the path: .*more than 40 symbolic links/);
    expect((await readdir(dir)).sort()).toEqual(['x', 'y']);
  });

  it('a failed write removes its temp file and leaves the old content (AtomicWriteError naming the step)', async () => {
    const path = join(dir, 'state.json');
    await writeFile(path, 'old');
    const fs = {
      ...nodeStateFs,
      rename: async () => {
        throw Object.assign(new Error('EXDEV: cross-device link not permitted'), { code: 'EXDEV' });
      },
    };
    const err = await writeFileAtomically(fs, path, 'new').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AtomicWriteError);
    expect((err as AtomicWriteError).step).toBe('rename the temporary file over it');
    expect(await readFile(path, 'utf8')).toBe('old');
    expect(await readdir(dir)).toEqual(['state.json']);
  });
});

describe('removeLeftoverTemps', () => {
  it("removes the temp files of this file (beside a link's target), and nothing else", async () => {
    await mkdir(join(dir, 'volume'));
    await writeFile(join(dir, 'volume', 'state.json'), '{}');
    await writeFile(join(dir, 'volume', 'state.json.tmp-1-deadbeef'), 'half');
    await writeFile(join(dir, 'volume', 'other.json.tmp-1-deadbeef'), 'not ours');
    await symlink(join(dir, 'volume', 'state.json'), join(dir, 'state.json'));
    await removeLeftoverTemps(nodeStateFs, join(dir, 'state.json'));
    expect((await readdir(join(dir, 'volume'))).sort()).toEqual(['other.json.tmp-1-deadbeef', 'state.json']);
  });
});
