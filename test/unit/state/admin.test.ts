import { existsSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StateError } from '../../../src/errors.ts';
import { checkFileState, resetFileState } from '../../../src/state/admin.ts';
import type { StreamState } from '../../../src/state/schema.ts';
import { nodeStateFs } from '../../../src/state/fs.ts';
import { openFileStateStore } from '../../../src/state/store.ts';

function state(workspaceGid: string): StreamState {
  return { stream: 'audit_log', workspaceGid, filters: {}, offset: `offset-${workspaceGid}`, eventsShipped: 3, updatedAt: '2026-02-01T00:00:05.000Z' };
}

let dir: string;
let file: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'state-admin-'));
  file = join(dir, 'data', 'state.json');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('resetFileState', () => {
  it('empties a corrupt file and keeps a copy of it', async () => {
    await mkdir(join(dir, 'data'));
    await writeFile(file, 'garbage');
    const r = await resetFileState(file);
    expect(r.removed).toEqual([]);
    expect(r.corruptCopy).toMatch(/state\.json\.corrupt-/);
    expect(await readFile(r.corruptCopy!, 'utf8')).toBe('garbage');
    const s = await openFileStateStore(file);
    expect(s.entries()).toEqual([]);
    await s.close();
  });

  it('empties a file whose times are impossible (the fix its error names)', async () => {
    await mkdir(join(dir, 'data'));
    await writeFile(file, JSON.stringify({ version: 1, streams: { a: { ...state('1'), lastEventAt: '2099-01-01T00:00:00Z' } } }));
    const r = await resetFileState(file);
    expect(r.corruptCopy).toBeDefined();
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ version: 1, streams: {} });
  });

  it('forgets every stream of a good file', async () => {
    const s = await openFileStateStore(file);
    await s.commit('a', state('1'));
    await s.commit('b', state('2'));
    await s.close();
    expect(await resetFileState(file)).toEqual({ removed: ['a', 'b'] });
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ version: 1, streams: {} });
  });

  it('refuses while a receiver holds the lock', async () => {
    const s = await openFileStateStore(file);
    await s.commit('a', state('1'));
    await expect(resetFileState(file)).rejects.toMatchObject({ code: 'ERR_STATE_LOCKED' });
    expect(s.get('a')).toEqual(state('1'));
    await s.close();
  });
});

describe('checkFileState', () => {
  it('counts the streams, leaves the file and no probe behind, and releases the lock', async () => {
    const s = await openFileStateStore(file);
    await s.commit('a', state('1'));
    await s.close();
    const before = await readFile(file, 'utf8');
    expect(await checkFileState(file)).toEqual({ exists: true, streams: 1 });
    expect(await readFile(file, 'utf8')).toBe(before);
    expect(await readdir(join(dir, 'data'))).toEqual(['state.json']);
  });

  it("probes where commits write: beside a symbolic link's target", async () => {
    await mkdir(join(dir, 'volume'));
    await mkdir(join(dir, 'data'));
    await symlink(join(dir, 'volume', 'state.json'), file);
    const probed: string[] = [];
    const fs = { open: async (p: string, flags: 'wx' | 'r') => (probed.push(p), nodeStateFs.open(p, flags)) };
    expect(await checkFileState(file, { fs })).toEqual({ exists: false, streams: 0 });
    expect(probed.some((p) => p.startsWith(join(dir, 'volume', 'state.json.tmp-')))).toBe(true);
    expect((await lstat(file)).isSymbolicLink()).toBe(true);
    expect(existsSync(`${file}.lock`)).toBe(false);
  });

  it('a corrupt file -> ERR_STATE_CORRUPT, the lock released', async () => {
    await mkdir(join(dir, 'data'));
    await writeFile(file, JSON.stringify({ version: 1, streams: { a: { ...state('1'), startAt: 'garbage' } } }));
    const err = await checkFileState(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StateError);
    expect((err as StateError).code).toBe('ERR_STATE_CORRUPT');
    expect(existsSync(`${file}.lock`)).toBe(false);
  });
});
