import { describe, expect, it } from 'vitest';
import { activityEventUid } from '../../src/mapping/events.ts';
import { spawnCli, waitFor } from '../helpers/receiver.ts';
import { usePipeline } from '../helpers/pipeline.ts';

/** The event streams through the real CLI, as a child process: kill -9 in the middle, then restart. */
describe('the CLI with workspace events', () => {

  // 150 ms per Asana answer: the backlog takes several pages of time, so the kill lands mid-stream.
  const pipeline = usePipeline({ sim: { seed: 31, latencyMs: 150 } });

  it('kill -9 mid-stream, then a restart: nothing Asana still holds is lost, duplicates bounded by one page, same uids', async () => {
    const env = pipeline.env({ ASANA_STREAMS: 'workspace_events,audit_log' });
    const sync = spawnCli(['once'], env);
    expect((await sync.exit).code).toBe(0); // the first sync: the stream starts here
    expect(pipeline.collector.records).toHaveLength(0);

    const base = Date.now() - 60_000;
    const events = pipeline.sim.generateActivity(6000, { from: new Date(base), to: new Date(base + 59_000) });
    const expected = events.map(activityEventUid);

    const first = spawnCli(['once'], env);
    await waitFor(() => pipeline.collector.records.length >= 1000, 'the first page to arrive');
    first.child.kill('SIGKILL');
    expect((await first.exit).signal).toBe('SIGKILL');
    const beforeRestart = pipeline.collector.records.length;
    expect(beforeRestart).toBeLessThan(6000); // it really died mid-stream

    const second = spawnCli(['once'], env);
    expect((await second.exit).code).toBe(0);
    const got = pipeline.collector.records.map((r) => r.attributes['log.record.uid'] as string);
    // Nothing lost, in Asana's order, and a replayed event kept its uid (duplicates collapse onto it).
    expect([...new Set(got)]).toEqual([...new Set(expected)]);
    expect(got.length - expected.length).toBeLessThanOrEqual(1000); // at most the page in flight (Asana: 1000 per workspace page)

    const third = spawnCli(['once'], env);
    expect((await third.exit).code).toBe(0);
    expect(pipeline.collector.records).toHaveLength(got.length); // a later run re-sends nothing
  });
});
