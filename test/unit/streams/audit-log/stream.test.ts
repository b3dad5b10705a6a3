import { resourceFromAttributes } from '@opentelemetry/resources';
import { afterEach, describe, expect, it } from 'vitest';
import type { AuditLogApi } from '../../../../src/asana/client.ts';
import type { LogBatch, LogSink } from '../../../../src/export/types.ts';
import type { MappedRecord } from '../../../../src/mapping/types.ts';
import { openFileStateStore } from '../../../../src/state/store.ts';
import type { StateStore, StreamState } from '../../../../src/state/types.ts';
import { AuditLogStream } from '../../../../src/streams/audit-log/stream.ts';
import { captureLogger, tempStateFile } from '../../../helpers/receiver.ts';

const HOUR = 3_600_000;
const stores: StateStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

describe('AuditLogStream state', () => {
  it('a quiet tail commits caughtUpAt at least daily, though it keeps the newest one in memory', async () => {
    let now = new Date('2026-03-01T12:00:00.000Z');
    const store = await openFileStateStore(await tempStateFile());
    stores.push(store);
    // A quiet domain: nothing matches, no offset is handed out, nothing new to commit on each poll.
    const api: AuditLogApi = { getAuditLogPage: async () => ({ kind: 'page', data: [], next_page: null }) };
    const sink: LogSink = { export: async () => ({ kind: 'ok', rejectedRecords: 0 }), shutdown: async () => undefined };
    const stream = new AuditLogStream({
      api, store, sink, resource: resourceFromAttributes({}), workspaceGid: '1', filters: {}, startAt: { kind: 'ago', ms: HOUR },
      pollIntervalMs: 1_000, log: captureLogger().log, now: () => now,
    });
    const committed = () => store.get(stream.key)?.caughtUpAt;

    await stream.catchUp(new AbortController().signal);
    const first = now.toISOString();
    expect(committed()).toBe(first);
    for (let polls = 0; polls < 3; polls++) {
      now = new Date(now.getTime() + 6 * HOUR);
      await stream.catchUp(new AbortController().signal);
      expect(committed()).toBe(first); // within a day: no commit for an unchanged position
    }
    now = new Date(now.getTime() + 6 * HOUR);
    await stream.catchUp(new AbortController().signal);
    expect(committed()).toBe(now.toISOString()); // a day after the last commit of it
  });
});

describe('audit-log gap records', () => {
  const now = new Date('2026-03-01T12:00:00.000Z');
  const DAY = 24 * HOUR;

  /** A stream over a saved state, an Asana answering `answer`, and a sink that records every batch. */
  async function harness(saved: Partial<StreamState>, answer: AuditLogApi['getAuditLogPage']) {
    const store = await openFileStateStore(await tempStateFile());
    stores.push(store);
    const key = 'audit_log/1';
    await store.commit(key, { stream: 'audit_log', workspaceGid: '1', filters: {}, eventsShipped: 0, updatedAt: now.toISOString(), ...saved });
    const records: MappedRecord[] = [];
    const sink: LogSink = {
      export: async (b) => {
        records.push(...(b as LogBatch).records);
        return { kind: 'ok', rejectedRecords: 0 };
      },
      shutdown: async () => undefined,
    };
    const stream = new AuditLogStream({
      api: { getAuditLogPage: answer }, store, sink, resource: resourceFromAttributes({}), workspaceGid: '1', filters: {},
      startAt: { kind: 'ago', ms: HOUR }, pollIntervalMs: 1_000, log: captureLogger().log, now: () => now,
    });
    expect(stream.key).toBe(key);
    return { stream, store, gaps: () => records.filter((r) => r.eventName === 'asana.receiver.gap') };
  }
  const empty: AuditLogApi['getAuditLogPage'] = async () => ({ kind: 'page', data: [], next_page: null });

  it.each([
    {
      reason: 'retention_exceeded',
      saved: { lastEventAt: new Date(now.getTime() - 100 * DAY).toISOString(), startAt: new Date(now.getTime() - 120 * DAY).toISOString() },
      answer: empty,
    },
    {
      reason: 'offset_unresumable',
      // An offset and no time at all to resume from: the state of an unknown writer.
      saved: { offset: 'expired' },
      answer: (async (q) => (q.offset ? { kind: 'offset-refused', message: 'offset expired' } : { kind: 'page', data: [], next_page: null })) as AuditLogApi['getAuditLogPage'],
    },
  ])('$reason: one gap record naming the stream in asana.receiver.stream, committed past only after it', async ({ reason, saved, answer }) => {
    const h = await harness(saved, answer);
    await h.stream.catchUp(new AbortController().signal);
    expect(h.gaps()).toHaveLength(1);
    expect(h.gaps()[0]!.attributes).toMatchObject({
      'asana.event.source': 'audit_log',
      'asana.gap.reason': reason,
      'asana.receiver.stream': h.stream.key,
    });
    expect(h.store.get(h.stream.key)?.offset).toBeUndefined();
  });
});

describe('a saved position and ASANA_START_AT', () => {
  const now = new Date('2026-03-01T12:00:00.000Z');
  const DAY = 24 * HOUR;
  const ago = (ms: number) => new Date(now.getTime() - ms).toISOString();

  /** A stream over `saved`, started with ASANA_START_AT=2d; returns the start_at of every query it asked. */
  async function firstQueries(saved: StreamState) {
    const store = await openFileStateStore(await tempStateFile());
    stores.push(store);
    await store.commit('audit_log/1', saved);
    const asked: Array<string | undefined> = [];
    const api: AuditLogApi = {
      getAuditLogPage: async (q) => {
        asked.push(q.startAt);
        return { kind: 'page', data: [], next_page: null };
      },
    };
    const sink: LogSink = { export: async () => ({ kind: 'ok', rejectedRecords: 0 }), shutdown: async () => undefined };
    const { log, lines } = captureLogger();
    const stream = new AuditLogStream({
      api, store, sink, resource: resourceFromAttributes({}), workspaceGid: '1', filters: {}, startAt: { kind: 'ago', ms: 2 * DAY },
      pollIntervalMs: 1_000, log, now: () => now, slices: 1,
    });
    await stream.catchUp(new AbortController().signal);
    return { asked, lines: lines(), state: store.get(stream.key)! };
  }
  const base: StreamState = { stream: 'audit_log', workspaceGid: '1', filters: {}, eventsShipped: 0, updatedAt: ago(DAY) };

  it('a plan nothing was read from (a first run that failed at its first request) is planned again from ASANA_START_AT', async () => {
    // What a first run with ASANA_START_AT=7d left when its token was refused.
    const plan: StreamState = { ...base, startAt: ago(HOUR), backfill: [{ startAt: ago(7 * DAY), endAt: ago(HOUR), eventsShipped: 0 }] };
    const r = await firstQueries(plan);
    expect(r.asked).toEqual([ago(2 * DAY)]);
    expect(r.state.backfill).toBeUndefined();
    expect(r.lines.some((l) => l.includes('no saved position; starting from ASANA_START_AT'))).toBe(true);
  });

  it('a position that read something is resumed, and the log says ASANA_START_AT does not apply and names state reset', async () => {
    const r = await firstQueries({ ...base, startAt: ago(7 * DAY), lastEventAt: ago(5 * DAY), lastEventGids: ['g'], eventsShipped: 3 });
    expect(r.asked).toEqual([ago(5 * DAY)]);
    const line = r.lines.find((l) => l.includes('ASANA_START_AT does not apply'));
    expect(line).toContain('state reset');
  });
});

describe("the live tail's slice while it is caught up", () => {
  const now = new Date('2026-03-01T12:00:00.000Z');
  const DAY = 24 * HOUR;
  const ago = (ms: number) => new Date(now.getTime() - ms).toISOString();

  it('reads backfill windows: with two slices and the tail caught up, two windows are read at once', async () => {
    const store = await openFileStateStore(await tempStateFile());
    stores.push(store);
    // A backfill under way: the tail covers the last hour, two windows are left (the first read from).
    await store.commit('audit_log/1', {
      stream: 'audit_log', workspaceGid: '1', filters: {}, eventsShipped: 5, updatedAt: ago(HOUR), startAt: ago(HOUR),
      backfill: [
        { startAt: ago(3 * DAY), endAt: ago(2 * DAY), eventsShipped: 5, lastEventAt: ago(2.5 * DAY), lastEventGids: ['g'] },
        { startAt: ago(2 * DAY), endAt: ago(HOUR), eventsShipped: 0 },
      ],
    });
    let reading = 0;
    let most = 0;
    let bothRead!: () => void;
    const both = new Promise<void>((resolve) => (bothRead = resolve));
    const api: AuditLogApi = {
      getAuditLogPage: async (q) => {
        if (q.endAt === undefined) return { kind: 'page', data: [], next_page: null }; // the tail: caught up
        if (!q.offset) {
          // Each window's first page: one event, so the stream knows how large its pages are.
          const event = { gid: `e-${q.endAt}`, created_at: new Date(Date.parse(q.endAt) - HOUR).toISOString(), event_type: 'user_login_succeeded' };
          return { kind: 'page', data: [event], next_page: { offset: `after-${q.endAt}` } } as Awaited<ReturnType<AuditLogApi['getAuditLogPage']>>;
        }
        most = Math.max(most, ++reading);
        if (reading === 2) bothRead();
        // A window's last call answers once both windows are being read, or after 300 ms.
        await Promise.race([both, new Promise((r) => setTimeout(r, 300))]);
        reading--;
        return { kind: 'page', data: [], next_page: { offset: q.offset } };
      },
    };
    const sink: LogSink = { export: async () => ({ kind: 'ok', rejectedRecords: 0 }), shutdown: async () => undefined };
    const stream = new AuditLogStream({
      api, store, sink, resource: resourceFromAttributes({}), workspaceGid: '1', filters: {}, startAt: { kind: 'ago', ms: 3 * DAY },
      pollIntervalMs: 1_000, log: captureLogger().log, now: () => now, slices: 2,
    });
    await stream.catchUp(new AbortController().signal);
    expect(most).toBe(2); // one worker of its own, and the tail's slice
    const state = store.get(stream.key);
    expect(state?.backfill ?? []).toEqual([]);
    expect(state?.eventsShipped).toBe(7);
  });
});
