import { resourceFromAttributes } from '@opentelemetry/resources';
import { describe, expect, it } from 'vitest';
import type { EventsApi } from '../../../src/asana/client.ts';
import type { ActivityEvent, EventsQuery, EventsResult } from '../../../src/asana/types.ts';
import type { DeliveryPolicy } from '../../../src/export/shipper.ts';
import type { ExportOutcome, LogBatch, LogSink } from '../../../src/export/types.ts';
import type { StateStore, StreamState } from '../../../src/state/types.ts';
import { EventStream } from '../../../src/streams/events.ts';
import { captureLogger } from '../../helpers/receiver.ts';

/**
 * The event stream's cursor rules, against in-memory stand-ins for its three interfaces (Asana, the
 * sink, the state store) that write one shared journal, so the order of exports and commits shows.
 * The same rules run end to end against the simulator in test/integration/events-pipeline.test.ts.
 */

const WS = '1200000000000001';
const KEY = `workspace_events/${WS}`;
const T0 = Date.parse('2025-03-06T12:00:00.000Z');

function event(i: number): ActivityEvent {
  return {
    action: 'changed',
    change: { action: 'changed', field: 'due_on' },
    created_at: new Date(T0 + i).toISOString(),
    parent: null,
    resource: { gid: String(4000 + i), name: `Task ${i}`, resource_type: 'task' },
    type: 'task',
    user: { gid: '11', name: 'Zoë Ångström', resource_type: 'user' },
  };
}

function harness(answers: EventsResult[], opts: { state?: StreamState; now?: number; exportOutcome?: () => ExportOutcome; delivery?: DeliveryPolicy } = {}) {
  const journal: string[] = [];
  const requests: EventsQuery[] = [];
  const committed = new Map<string, StreamState>(opts.state ? [[KEY, opts.state]] : []);
  const batches: LogBatch[] = [];
  const api: EventsApi = {
    getEvents: (query) => {
      requests.push(query);
      journal.push(`get ${query.sync ?? '-'}`);
      const next = answers.shift();
      return next ? Promise.resolve(next) : Promise.reject(new Error('no more answers'));
    },
  };
  const sink: LogSink = {
    // No encode(): batches arrive as LogBatch.
    export: (encodedOrNot) => {
      const batch = encodedOrNot as LogBatch;
      const outcome = opts.exportOutcome?.() ?? { kind: 'ok', rejectedRecords: 0 };
      journal.push(`export ${batch.records.map((r) => r.eventName).join(',')} -> ${outcome.kind}`);
      if (outcome.kind === 'ok') batches.push(batch);
      return Promise.resolve(outcome);
    },
    shutdown: () => Promise.resolve(),
  };
  const store: StateStore = {
    path: '/memory',
    get: (k) => structuredClone(committed.get(k)),
    commit: (k, s) => {
      journal.push(`commit ${s.sync}`);
      committed.set(k, structuredClone(s));
      return Promise.resolve();
    },
    delete: (k) => Promise.resolve(committed.delete(k)),
    entries: () => [...committed],
    close: () => Promise.resolve(),
  };
  const { log, lines } = captureLogger('debug');
  const stream = new EventStream({
    api,
    store,
    sink,
    resource: resourceFromAttributes({ 'asana.workspace.gid': WS }),
    source: 'workspace_events',
    workspaceGid: WS,
    pollIntervalMs: 30_000,
    log,
    now: () => new Date(opts.now ?? T0 + 60_000),
    backoff: () => 1,
    delivery: opts.delivery,
  });
  return { stream, journal, requests, committed, batches, lines };
}

const page = (sync: string, data: ActivityEvent[], hasMore = false): EventsResult => ({ kind: 'page', data, sync, has_more: hasMore });
const refused = (sync: string): EventsResult => ({ kind: 'sync-refused', sync, message: 'Sync token invalid or too old' });
const saved = (sync: string, syncAt: string): StreamState => ({
  stream: 'workspace_events',
  workspaceGid: WS,
  filters: {},
  sync,
  syncAt,
  eventsShipped: 3,
  updatedAt: syncAt,
});

describe('EventStream', () => {
  it('first run: the 412 token is committed without a gap, and the stream starts there', async () => {
    const h = harness([refused('t1'), page('t2', [])]);
    expect(await h.stream.catchUp(new AbortController().signal)).toEqual({ pages: 0, shipped: 0 });
    expect(h.journal).toEqual(['get -', 'commit t1', 'get t1', 'commit t2']);
    expect(h.batches).toHaveLength(0);
    expect(h.lines().join('\n')).toContain('offer nothing from before the first sync token');
    expect(h.committed.get(KEY)).toMatchObject({ stream: 'workspace_events', sync: 't2', eventsShipped: 0, filters: {} });
  });

  it('follows has_more at once, exporting each page before committing its token', async () => {
    const h = harness([page('t2', [event(1), event(2)], true), page('t3', [event(3)], false)], { state: saved('t1', new Date(T0).toISOString()) });
    expect(await h.stream.catchUp(new AbortController().signal)).toEqual({ pages: 2, shipped: 3 });
    expect(h.journal).toEqual([
      'get t1',
      'export asana.event.task.changed,asana.event.task.changed -> ok',
      'commit t2',
      'get t2',
      'export asana.event.task.changed -> ok',
      'commit t3',
    ]);
    expect(h.committed.get(KEY)).toMatchObject({ sync: 't3', eventsShipped: 6, lastEventAt: event(3).created_at });
  });

  it('an empty page with has_more cannot spin: it counts as caught up', async () => {
    const h = harness([page('t2', [], true)], { state: saved('t1', new Date(T0).toISOString()) });
    await h.stream.catchUp(new AbortController().signal);
    expect(h.requests).toHaveLength(1);
  });

  it('a refused saved token: one gap record, acknowledged before the fresh token is committed', async () => {
    const syncAt = '2025-03-06T11:00:00.000Z';
    const h = harness([refused('fresh'), page('t9', [event(5)])], { state: saved('old', syncAt) });
    await h.stream.catchUp(new AbortController().signal);
    expect(h.journal).toEqual(['get old', 'export asana.receiver.gap -> ok', 'commit fresh', 'get fresh', 'export asana.event.task.changed -> ok', 'commit t9']);
    const gap = h.batches[0]!.records[0]!;
    expect(gap.severityText).toBe('WARN');
    expect(gap.attributes).toEqual({
      'asana.event.source': 'workspace_events',
      'asana.gap.reason': 'sync_token_expired',
      'asana.receiver.stream': KEY,
      'asana.gap.start': syncAt,
      'asana.gap.end': new Date(T0 + 60_000).toISOString(),
    });
    const warn = h.lines().find((l) => l.includes('"level":"warn"'))!;
    expect(warn).toContain('cannot be read any more and are lost');
    expect(warn).toContain('"gapReason":"sync_token_expired"');
  });

  it('with a give-up bound (once), a collector away for longer stops the stream; the saved token stays', async () => {
    const h = harness([page('t2', [event(1)])], {
      state: saved('t1', new Date(T0).toISOString()),
      exportOutcome: () => ({ kind: 'retryable', reason: 'connect ECONNREFUSED 127.0.0.1:1' }),
      delivery: { giveUpAfterMs: 100 },
    });
    await expect(h.stream.catchUp(new AbortController().signal)).rejects.toMatchObject({ name: 'ExportUnavailableError', exitCode: 1 });
    expect(h.committed.get(KEY)).toMatchObject({ sync: 't1' });
    expect(h.journal.filter((j) => j.startsWith('commit'))).toEqual([]);
  });

  it('a gap record the collector rejects stops the stream with the old token still saved', async () => {
    const h = harness([refused('fresh')], {
      state: saved('old', '2025-03-06T11:00:00.000Z'),
      exportOutcome: () => ({ kind: 'rejected', status: 400, reason: 'bad' }),
    });
    await expect(h.stream.catchUp(new AbortController().signal)).rejects.toMatchObject({ code: 'ERR_EXPORT_REJECTED' });
    expect(h.committed.get(KEY)?.sync).toBe('old');
  });

  it('shutdown while the gap record is being retried commits nothing', async () => {
    const ac = new AbortController();
    const h = harness([refused('fresh')], {
      state: saved('old', '2025-03-06T11:00:00.000Z'),
      exportOutcome: () => {
        ac.abort();
        return { kind: 'retryable', reason: 'collector down' };
      },
    });
    await expect(h.stream.catchUp(ac.signal)).rejects.toMatchObject({ code: 'ERR_ABORTED' });
    expect(h.committed.get(KEY)?.sync).toBe('old');
  });

  it.each([
    [1, '1h', undefined],
    [13, '13h', 'approaching'],
    [30, '1d6h', 'most likely expired'],
  ])('at start-up, a saved token %i h old: %s, %s', async (hours, age, warning) => {
    const syncAt = new Date(T0 - hours * 3_600_000).toISOString();
    const h = harness([page('t2', [])], { state: saved('t1', syncAt), now: T0 });
    await h.stream.catchUp(new AbortController().signal);
    const warns = h.lines().filter((l) => l.includes('"level":"warn"'));
    if (warning === undefined) expect(warns).toEqual([]);
    else {
      expect(warns).toHaveLength(1);
      expect(warns[0]).toContain(`is ${age} old`);
      expect(warns[0]).toContain(warning);
    }
    // Only once per process, not on every poll.
    await h.stream.catchUp(new AbortController().signal).catch(() => undefined);
    expect(h.lines().filter((l) => l.includes('"level":"warn"'))).toHaveLength(warns.length);
  });
});
