import { resourceFromAttributes } from '@opentelemetry/resources';
import { afterEach, describe, expect, it } from 'vitest';
import type { AuditLogApi } from '../../../../src/asana/client.ts';
import type { LogSink } from '../../../../src/export/types.ts';
import { openFileStateStore } from '../../../../src/state/file-store.ts';
import type { StateStore } from '../../../../src/state/types.ts';
import { AuditLogStream } from '../../../../src/streams/audit-log.ts';
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
