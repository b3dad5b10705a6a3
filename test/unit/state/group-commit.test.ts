import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StateError } from '../../../src/errors.ts';
import { nodeStateFs } from '../../../src/state/fs.ts';
import { openFileStateStore } from '../../../src/state/store.ts';
import type { StateStore, StreamState } from '../../../src/state/types.ts';

function state(offset: string, eventsShipped: number): StreamState {
  return { stream: 'audit_log', workspaceGid: '1', filters: {}, offset, eventsShipped, updatedAt: '2026-02-01T00:00:00.000Z' };
}

/** Commits from many time slices at once: written together, each resolved only once durable. */
describe('FileStateStore group commit', () => {
  let dir: string;
  let file: string;
  let store: StateStore | undefined;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'state-group-'));
    file = join(dir, 'state.json');
  });
  afterEach(async () => {
    await store?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('commits arriving during a write share the next write, the newest per key wins', async () => {
    let renames = 0;
    store = await openFileStateStore(file, { fs: { rename: async (a, b) => (renames++, nodeStateFs.rename(a, b)) } });
    const s = store;
    const durableAtResolve: string[] = [];
    const commits: Array<Promise<void>> = [];
    for (let i = 1; i <= 30; i++) {
      const key = `k${i % 3}`;
      commits.push(s.commit(key, state(`o${i}`, i)).then(async () => {
        // When a commit resolves, its state (or a newer one of that key) is in the file.
        const onDisk = JSON.parse(await readFile(file, 'utf8')) as { streams: Record<string, StreamState> };
        durableAtResolve.push(`${onDisk.streams[key]!.eventsShipped >= i}`);
      }));
    }
    await Promise.all(commits);
    expect(durableAtResolve.every((d) => d === 'true')).toBe(true);
    expect(renames).toBeLessThanOrEqual(2); // the first write, then everything that queued behind it
    const onDisk = JSON.parse(await readFile(file, 'utf8')) as { streams: Record<string, StreamState> };
    expect(onDisk.streams).toEqual({ k0: state('o30', 30), k1: state('o28', 28), k2: state('o29', 29) });
    expect(s.get('k1')).toEqual(state('o28', 28));
  });

  it('a failed write rejects every commit it carried and keeps the last durable state', async () => {
    let fail = false;
    store = await openFileStateStore(file, {
      fs: {
        rename: async (a, b) => {
          if (fail) throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
          return nodeStateFs.rename(a, b);
        },
      },
    });
    const s = store;
    await s.commit('a', state('o1', 1));
    fail = true;
    const first = s.commit('a', state('o2', 2));
    await new Promise((r) => setImmediate(r)); // its write is under way
    const grouped = [s.commit('a', state('o3', 3)), s.commit('b', state('p1', 1))]; // wait for the next write
    const results = await Promise.allSettled([first, ...grouped]);
    for (const r of results) {
      expect(r.status).toBe('rejected');
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(StateError);
    }
    expect(s.get('a')).toEqual(state('o1', 1));
    expect(s.get('b')).toBeUndefined();
    expect(JSON.parse(await readFile(file, 'utf8')).streams).toEqual({ a: state('o1', 1) });
    fail = false;
    await s.commit('b', state('p2', 2));
    expect(JSON.parse(await readFile(file, 'utf8')).streams).toEqual({ a: state('o1', 1), b: state('p2', 2) });
  });

  it('a commit after a delete is not written before it', async () => {
    store = await openFileStateStore(file);
    const s = store;
    await s.commit('a', state('o1', 1));
    const busy = s.commit('x', state('x', 1)); // keeps a write in flight
    const deleting = s.delete('a');
    const after = s.commit('a', state('o2', 2));
    await Promise.all([busy, deleting, after]);
    expect(s.get('a')).toEqual(state('o2', 2));
    expect(JSON.parse(await readFile(file, 'utf8')).streams.a).toEqual(state('o2', 2));
  });
});
