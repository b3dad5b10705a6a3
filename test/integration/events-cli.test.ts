import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { activityEventUid } from '../../src/mapping/events.ts';
import { AsanaSimulator } from '../../src/simulator/index.ts';
import { startOtlpCollector, type OtlpCollector } from '../helpers/otlp-collector.ts';
import { envFor, spawnCli, tempStateFile, waitFor } from '../helpers/receiver.ts';

/** The event streams through the real CLI, as a child process: kill -9 in the middle, then restart. */
describe('the CLI with workspace events', () => {
  let sim: AsanaSimulator;
  let collector: OtlpCollector;
  let stateFile: string;

  beforeEach(async () => {
    // 150 ms per Asana answer: the backlog takes several pages of time, so the kill lands mid-stream.
    sim = await AsanaSimulator.start({ seed: 31, latencyMs: 150 });
    collector = await startOtlpCollector();
    stateFile = await tempStateFile();
  });
  afterEach(async () => {
    await sim.close();
    await collector.close();
  });

  it('kill -9 mid-stream, then a restart: nothing Asana still holds is lost, duplicates bounded by one page, same uids', async () => {
    const env = envFor(sim, collector, stateFile, { ASANA_STREAMS: 'workspace_events,audit_log' });
    const sync = spawnCli(['once'], env);
    expect((await sync.exit).code).toBe(0); // the first sync: the stream starts here
    expect(collector.records).toHaveLength(0);

    const base = Date.now() - 60_000;
    const events = sim.generateActivity(6000, { from: new Date(base), to: new Date(base + 59_000) });
    const expected = events.map(activityEventUid);

    const first = spawnCli(['once'], env);
    await waitFor(() => collector.records.length >= 1000, 'the first page to arrive');
    first.child.kill('SIGKILL');
    expect((await first.exit).signal).toBe('SIGKILL');
    const beforeRestart = collector.records.length;
    expect(beforeRestart).toBeLessThan(6000); // it really died mid-stream

    const second = spawnCli(['once'], env);
    expect((await second.exit).code).toBe(0);
    const got = collector.records.map((r) => r.attributes['log.record.uid'] as string);
    // Nothing lost, in Asana's order, and a replayed event kept its uid (duplicates collapse onto it).
    expect([...new Set(got)]).toEqual([...new Set(expected)]);
    expect(got.length - expected.length).toBeLessThanOrEqual(1000); // at most the page in flight (Asana: 1000 per workspace page)

    const third = spawnCli(['once'], env);
    expect((await third.exit).code).toBe(0);
    expect(collector.records).toHaveLength(got.length); // a later run re-sends nothing
  });
});
