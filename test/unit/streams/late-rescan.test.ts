import { resourceFromAttributes } from '@opentelemetry/resources';
import { afterEach, describe, expect, it } from 'vitest';
import type { AuditLogApi } from '../../../src/asana/client.ts';
import type { AuditLogQuery, AuditLogResult } from '../../../src/asana/types.ts';
import { AsanaRequestError, CredentialsError } from '../../../src/errors.ts';
import { Shipper } from '../../../src/export/shipper.ts';
import type { LogBatch, LogSink } from '../../../src/export/types.ts';
import { openFileStateStore } from '../../../src/state/store.ts';
import type { StateStore, StreamState } from '../../../src/state/types.ts';
import type { StreamEntry } from '../../../src/streams/audit-log/entry.ts';
import { LateRescan } from '../../../src/streams/late-rescan.ts';
import { captureLogger, tempStateFile } from '../../helpers/receiver.ts';

const MIN = 60_000;
const KEY = 'audit_log/1';
let now = new Date('2026-03-01T12:00:00.000Z');
const ago = (ms: number) => new Date(now.getTime() - ms).toISOString();

/** An AuditLogApi answering from a list of events with Asana's start_at/end_at rules, one page each call. */
function fakeApi(events: Array<{ gid: string; created_at: string }>): AuditLogApi & { queries: AuditLogQuery[] } {
  const queries: AuditLogQuery[] = [];
  return {
    queries,
    async getAuditLogPage(q: AuditLogQuery): Promise<AuditLogResult> {
      queries.push(q);
      const from = q.startAt ? Date.parse(q.startAt) : -Infinity;
      const to = q.endAt ? Date.parse(q.endAt) : Infinity;
      const all = events.filter((e) => Date.parse(e.created_at) >= from && Date.parse(e.created_at) < to);
      const start = q.offset ? Number(q.offset) : 0;
      const data = all.slice(start, start + 2);
      return { kind: 'page', data, next_page: { offset: String(start + data.length) } };
    },
  };
}
function recordingSink(): LogSink & { batches: LogBatch[] } {
  const batches: LogBatch[] = [];
  // No encode(): batches arrive as LogBatch.
  return { batches, export: async (b) => (batches.push(b as LogBatch), { kind: 'ok', rejectedRecords: 0 }), shutdown: async () => undefined };
}

const stores: StateStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});
async function storeWith(state: Partial<StreamState>): Promise<StateStore> {
  const store = await openFileStateStore(await tempStateFile());
  stores.push(store);
  await store.commit(KEY, { stream: 'audit_log', workspaceGid: '1', filters: {}, eventsShipped: 0, updatedAt: now.toISOString(), ...state });
  return store;
}
/** The stream's entry over the store alone: in the receiver, the audit log stream is its one writer. */
function entryOf(store: StateStore): StreamEntry {
  return {
    key: KEY,
    current: () => store.get(KEY),
    change: async (change) => {
      const next = change(store.get(KEY)!);
      if (next) await store.commit(KEY, next);
    },
  };
}
function rescan(api: AuditLogApi, store: StateStore, sink: LogSink, log = captureLogger().log, entry = entryOf(store)): LateRescan {
  return new LateRescan({
    api, entry, shipper: new Shipper({ sink, resource: resourceFromAttributes({}), log, source: 'audit_log', stream: KEY }), workspaceGid: '1', filters: {}, log,
    windowMs: 30 * MIN, intervalMs: 5 * MIN, now: () => now,
  });
}

describe('LateRescan', () => {
  it('is due at once, then every interval', async () => {
    const r = rescan(fakeApi([]), await storeWith({}), recordingSink());
    expect(r.isDue()).toBe(true);
    await r.run(new AbortController().signal);
    expect(r.isDue()).toBe(false);
    now = new Date(now.getTime() + 5 * MIN - 1);
    expect(r.isDue()).toBe(false);
    now = new Date(now.getTime() + 1);
    expect(r.isDue()).toBe(true);
  });

  it('reads nothing while the stream is still behind the window (a backlog): the stream ships that itself', async () => {
    const api = fakeApi([{ gid: 'x', created_at: ago(2 * 60 * MIN) }]);
    const store = await storeWith({ lastEventAt: ago(60 * MIN), lastEventGids: ['a'] });
    expect(await rescan(api, store, recordingSink()).run(new AbortController().signal)).toEqual({ pages: 0, shipped: 0 });
    expect(api.queries).toHaveLength(0);
  });

  it('reads [max(now - window, since), newest + 1 ms) and ships only gids not shipped, each once', async () => {
    const newest = ago(MIN);
    const events = [
      { gid: 'too-old', created_at: ago(40 * MIN) },
      { gid: 'shipped', created_at: ago(10 * MIN) },
      { gid: 'late-1', created_at: ago(9 * MIN) },
      { gid: 'late-1', created_at: ago(9 * MIN) }, // a repeat within the pass
      { gid: 'late-2', created_at: newest }, // at the newest instant: a boundary gid from now on
      { gid: 'newest', created_at: newest },
      { gid: 'after', created_at: ago(0) }, // the stream's, not the re-scan's
    ];
    const api = fakeApi(events);
    const store = await storeWith({
      lastEventAt: newest,
      lastEventGids: ['newest'],
      eventsShipped: 2,
      shippedWindow: { since: ago(60 * MIN), gids: { shipped: now.getTime() - 10 * MIN, newest: now.getTime() - MIN } },
    });
    const sink = recordingSink();
    const result = await rescan(api, store, sink).run(new AbortController().signal);
    expect(result.shipped).toBe(2);
    expect(api.queries[0]).toMatchObject({ startAt: ago(30 * MIN), endAt: new Date(Date.parse(newest) + 1).toISOString() });
    expect(sink.batches.flatMap((b) => b.records.map((r) => r.attributes['log.record.uid']))).toEqual(['late-1', 'late-2']);
    const state = store.get(KEY)!;
    expect(Object.keys(state.shippedWindow!.gids).sort()).toEqual(['late-1', 'late-2', 'newest', 'shipped']);
    expect(state.lastEventGids).toEqual(['newest', 'late-2']);
    expect(state.eventsShipped).toBe(4);
    expect(state.lastEventAt).toBe(newest); // the stream's position is not the re-scan's to move

    // The next pass finds nothing new: no export at all.
    const exported = sink.batches.length;
    const again = await rescan(api, store, sink).run(new AbortController().signal);
    expect(again.shipped).toBe(0);
    expect(again.pages).toBeGreaterThan(1);
    expect(sink.batches).toHaveLength(exported);
  });

  it('a refused re-scan query does not stop the stream: an error log, and a new try next interval; a refused token does', async () => {
    const store = await storeWith({ lastEventAt: ago(MIN) });
    const { log, lines } = captureLogger();
    const refusing: AuditLogApi = {
      getAuditLogPage: async () => {
        throw new AsanaRequestError(400, 'Asana rejected the request with HTTP 400: end_at: not allowed');
      },
    };
    expect(await rescan(refusing, store, recordingSink(), log).run(new AbortController().signal)).toEqual({ pages: 0, shipped: 0 });
    expect(lines().join('\n')).toMatch(/"level":"error".*the late-event re-scan failed: .*end_at: not allowed; late events are not shipped until it succeeds \(next try in 5m\)/);

    const unauthorized: AuditLogApi = {
      getAuditLogPage: async () => {
        throw new CredentialsError(401, 'Asana refused the token');
      },
    };
    await expect(rescan(unauthorized, store, recordingSink()).run(new AbortController().signal)).rejects.toBeInstanceOf(CredentialsError);
  });

  it.each([
    { name: 'refused once: the pass starts over from the window start and ships what it had not', refusals: 1, shipped: 3, warned: false },
    { name: 'refused twice: the pass gives up with a warning, the window is read again next time', refusals: 2, shipped: 2, warned: true },
  ])('a refused re-scan offset, $name', async ({ refusals, shipped, warned }) => {
    const newest = ago(MIN);
    const api = fakeApi([
      { gid: 'l1', created_at: ago(9 * MIN) },
      { gid: 'l2', created_at: ago(8 * MIN) },
      { gid: 'l3', created_at: ago(7 * MIN) },
      { gid: 'newest', created_at: newest },
    ]);
    let left = refusals;
    const refusing: AuditLogApi = {
      getAuditLogPage: async (q) => (q.offset && left-- > 0 ? { kind: 'offset-refused', message: 'offset expired' } : api.getAuditLogPage(q)),
    };
    const store = await storeWith({ lastEventAt: newest, lastEventGids: ['newest'], shippedWindow: { since: ago(30 * MIN), gids: { newest: Date.parse(newest) } } });
    const { log, lines } = captureLogger();
    const sink = recordingSink();
    expect((await rescan(refusing, store, sink, log).run(new AbortController().signal)).shipped).toBe(shipped);
    expect(sink.batches.flatMap((b) => b.records)).toHaveLength(shipped);
    expect(lines().some((l) => l.includes('refused the late-event re-scan offset twice'))).toBe(warned);
  });

  it('leaves the time of a pending backfill window to that window: it starts where the newest one ends', async () => {
    const api = fakeApi([]);
    const windowEnd = ago(10 * MIN);
    const store = await storeWith({
      lastEventAt: ago(MIN),
      shippedWindow: { since: ago(60 * MIN), gids: {} },
      backfill: [
        { startAt: ago(3 * 60 * MIN), endAt: ago(60 * MIN), eventsShipped: 0 },
        { startAt: ago(60 * MIN), endAt: windowEnd, eventsShipped: 0 },
      ],
    });
    await rescan(api, store, recordingSink()).run(new AbortController().signal);
    expect(api.queries[0]).toMatchObject({ startAt: windowEnd });
  });

  it('commits onto the state as it is after the acknowledgement: what the stream committed meanwhile is kept', async () => {
    const api = fakeApi([{ gid: 'late', created_at: ago(5 * MIN) }]);
    const store = await storeWith({
      lastEventAt: ago(MIN),
      eventsShipped: 10,
      backfill: [{ startAt: ago(3 * 60 * MIN), endAt: ago(60 * MIN), eventsShipped: 0 }],
      shippedWindow: { since: ago(30 * MIN), gids: {} },
    });
    const entry = entryOf(store);
    // While the re-scan's page is at the collector, a backfill worker commits a page of its window.
    const sink: LogSink = {
      export: async () => {
        await entry.change((s) => ({
          ...s,
          eventsShipped: s.eventsShipped + 100,
          backfill: s.backfill!.map((w) => ({ ...w, offset: 'o-100', eventsShipped: 100 })),
          shippedWindow: { ...s.shippedWindow!, gids: { ...s.shippedWindow!.gids, tail: now.getTime() - 2 * MIN } },
        }));
        return { kind: 'ok', rejectedRecords: 0 };
      },
      shutdown: async () => undefined,
    };
    expect((await rescan(api, store, sink, undefined, entry).run(new AbortController().signal)).shipped).toBe(1);
    const state = store.get(KEY)!;
    expect(state.eventsShipped).toBe(111);
    expect(state.backfill).toEqual([{ startAt: ago(3 * 60 * MIN), endAt: ago(60 * MIN), offset: 'o-100', eventsShipped: 100 }]);
    expect(Object.keys(state.shippedWindow!.gids).sort()).toEqual(['late', 'tail']);
  });
});
