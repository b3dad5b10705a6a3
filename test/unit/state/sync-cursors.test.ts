import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openFileStateStore } from '../../../src/state/store.ts';
import type { StreamState } from '../../../src/state/types.ts';

/** The state file with event-stream cursors: the same version 1, old files still read. */
describe('state file: sync-token cursors', () => {
  let dir: string;
  let file: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'state-sync-'));
    file = join(dir, 'state.json');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads a file written before the event streams existed', async () => {
    const old = {
      version: 1,
      streams: {
        'audit_log/1': { stream: 'audit_log', workspaceGid: '1', filters: {}, offset: 'o', startAt: '2026-01-01T00:00:00.000Z', eventsShipped: 5, updatedAt: '2026-01-02T00:00:00.000Z' },
      },
    };
    await writeFile(file, JSON.stringify(old));
    const store = await openFileStateStore(file);
    expect(store.get('audit_log/1')).toEqual(old.streams['audit_log/1']);
    await store.close();
  });

  it('keeps the sync token, when it was received and the resource, durably', async () => {
    const state: StreamState = {
      stream: 'resource_events',
      workspaceGid: '1',
      filters: {},
      resourceGid: '13',
      sync: 'token-1',
      syncAt: '2026-01-02T00:00:00.000Z',
      lastEventAt: '2026-01-01T23:59:59.000Z',
      eventsShipped: 7,
      updatedAt: '2026-01-02T00:00:00.000Z',
    };
    const s1 = await openFileStateStore(file);
    await s1.commit('resource_events/1?resource=13', state);
    await s1.close();
    const s2 = await openFileStateStore(file, { lock: false });
    expect(s2.get('resource_events/1?resource=13')).toEqual(state);
    await s2.close();
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ version: 1 });
  });

  it('refuses a sync token that is not a string (a damaged file), naming the file', async () => {
    await writeFile(file, JSON.stringify({ version: 1, streams: { w: { stream: 'workspace_events', workspaceGid: '1', filters: {}, sync: 5, eventsShipped: 0, updatedAt: 'x' } } }));
    await expect(openFileStateStore(file)).rejects.toMatchObject({ code: 'ERR_STATE_CORRUPT', message: expect.stringContaining(file) });
  });
});
