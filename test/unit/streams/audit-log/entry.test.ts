import { afterEach, describe, expect, it } from 'vitest';
import { openFileStateStore } from '../../../../src/state/store.ts';
import type { StateStore, StreamState } from '../../../../src/state/types.ts';
import { TAIL } from '../../../../src/streams/audit-log/cursor.ts';
import { StateEntry } from '../../../../src/streams/audit-log/entry.ts';
import { tempStateFile } from '../../../helpers/receiver.ts';

const KEY = 'audit_log/1';
const T = '2026-03-01T12:00:00.000Z';
const W1 = '2026-02-01T00:00:00.000Z';
const W2 = '2026-02-10T00:00:00.000Z';
const at = new Date('2026-03-01T12:05:00.000Z');

const stores: StateStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});
async function entryWith(state: Partial<StreamState>, lateWindowMs?: number): Promise<{ entry: StateEntry; store: StateStore }> {
  const store = await openFileStateStore(await tempStateFile());
  stores.push(store);
  await store.commit(KEY, {
    stream: 'audit_log', workspaceGid: '1', filters: {}, eventsShipped: 10, updatedAt: T, startAt: T,
    backfill: [{ startAt: W1, endAt: W2, eventsShipped: 3 }, { startAt: W2, endAt: T, eventsShipped: 0 }],
    ...state,
  });
  const entry = new StateEntry(KEY, store, lateWindowMs);
  entry.load();
  return { entry, store };
}

describe('StateEntry: the one writer of a stream state entry', () => {
  it('commits a tail page to the tail and a window page to that window only, counting both', async () => {
    const { entry, store } = await entryWith({});
    await entry.commitPage(TAIL, { offset: 'o-tail', offsetStartAt: T, lastEventAt: at.toISOString(), lastEventGids: ['t'] }, 2, at);
    await entry.commitPage(W1, { offset: 'o-w1', offsetStartAt: W1, lastEventAt: W1, lastEventGids: ['w'], endAt: W2 }, 5, at);
    const s = store.get(KEY)!;
    expect(s).toMatchObject({ offset: 'o-tail', offsetStartAt: T, startAt: T, eventsShipped: 17, updatedAt: at.toISOString() });
    expect(s.backfill![0]).toMatchObject({ startAt: W1, endAt: W2, offset: 'o-w1', lastEventGids: ['w'], eventsShipped: 8 });
    expect(s.backfill![1]).toEqual({ startAt: W2, endAt: T, eventsShipped: 0 });
  });

  it('drops the offset start with the offset', async () => {
    const { entry, store } = await entryWith({ offset: 'o', offsetStartAt: T });
    await entry.commitPage(TAIL, { offsetStartAt: T, lastEventAt: T }, 1, at);
    expect(store.get(KEY)!.offset).toBeUndefined();
    expect(store.get(KEY)!.offsetStartAt).toBeUndefined();
  });

  it('records the shipped gids in the late-event window with the page, when the window is on', async () => {
    const refs = [{ gid: 'g', at: at.getTime() - 1_000 }];
    const on = await entryWith({}, 30 * 60_000);
    await on.entry.commitPage(TAIL, { lastEventAt: at.toISOString() }, 1, at, refs);
    expect(on.store.get(KEY)!.shippedWindow?.gids).toHaveProperty('g');
    const off = await entryWith({});
    await off.entry.commitPage(TAIL, { lastEventAt: at.toISOString() }, 1, at, refs);
    expect(off.store.get(KEY)!.shippedWindow).toBeUndefined();
  });

  it('a change builds on every change made before it; undefined commits nothing', async () => {
    const { entry, store } = await entryWith({});
    const first = entry.commitPage(W1, { offset: 'a', endAt: W2 }, 1, at);
    const second = entry.commitPage(W2, { offset: 'b', endAt: T }, 1, at); // while the first is being written
    await Promise.all([first, second]);
    expect(store.get(KEY)!.backfill!.map((w) => w.offset)).toEqual(['a', 'b']);
    const before = store.get(KEY);
    await entry.change(() => undefined);
    expect(store.get(KEY)).toEqual(before);
  });

  it('a page read before a split moved its window\'s end commits its position, not its offset (it belongs to the old end_at)', async () => {
    const { entry, store } = await entryWith({});
    const mid = '2026-02-05T00:00:00.000Z';
    const added = await entry.split((s) => ({ ...s, backfill: [{ ...s.backfill![0]!, endAt: mid }, { startAt: mid, endAt: W2, eventsShipped: 0 }, s.backfill![1]!] }));
    expect(added).toEqual([mid]);
    await entry.commitPage(W1, { offset: 'old-end', offsetStartAt: W1, lastEventAt: W1, lastEventGids: ['w'], endAt: W2 }, 5, at);
    expect(store.get(KEY)!.backfill![0]).toMatchObject({ startAt: W1, endAt: mid, offset: undefined, lastEventAt: W1, lastEventGids: ['w'], eventsShipped: 8 });
    await entry.commitPage(W1, { offset: 'new-end', offsetStartAt: W1, lastEventAt: W1, endAt: mid }, 0, at);
    expect(store.get(KEY)!.backfill![0]!.offset).toBe('new-end');
    expect(await entry.split(() => undefined)).toEqual([]);
  });

  it('a finished window leaves the state; the last one takes the backfill with it', async () => {
    const { entry, store } = await entryWith({});
    expect(await entry.finishWindow(W1, at)).toEqual({ eventsShipped: 3, windowsLeft: 1 });
    expect(store.get(KEY)!.backfill!.map((w) => w.startAt)).toEqual([W2]);
    expect(await entry.finishWindow(W2, at)).toEqual({ eventsShipped: 0, windowsLeft: 0 });
    expect(store.get(KEY)!.backfill).toBeUndefined();
  });

  it.each([
    { name: 'a new offset is committed at once', committed: at.toISOString(), offsetChanged: true, commits: true },
    { name: 'the same offset, caught up recently: memory only', committed: at.toISOString(), offsetChanged: false, commits: false },
    { name: 'the same offset, caught up more than a day ago: committed', committed: '2026-02-27T00:00:00.000Z', offsetChanged: false, commits: true },
  ])('tail caught up: $name', async ({ committed, offsetChanged, commits }) => {
    const { entry, store } = await entryWith({ caughtUpAt: committed, offset: 'o1', offsetStartAt: T });
    const later = new Date(at.getTime() + 60_000);
    await entry.tailCaughtUp({ offset: offsetChanged ? 'o2' : 'o1', offsetStartAt: T }, offsetChanged, later);
    expect(entry.current()!.caughtUpAt).toBe(later.toISOString());
    expect(store.get(KEY)!.caughtUpAt).toBe(commits ? later.toISOString() : committed);
  });
});
