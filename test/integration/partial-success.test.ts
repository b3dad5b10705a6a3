import { readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { runReceiver } from '../../src/run.ts';
import { AsanaSimulator } from '../../src/simulator/index.ts';
import { startOtlpCollector, type OtlpCollector } from '../helpers/otlp-collector.ts';
import { captureLogger, configFor, fastBackoff, tempStateFile } from '../helpers/receiver.ts';

/**
 * A collector that stores only part of a page (OTLP partial success,
 * https://opentelemetry.io/docs/specs/otlp/#partial-success-1) never stores the rest. For an audit
 * trail the default loses nothing: the page stays uncommitted, `once` stops with exit 5 naming the
 * collector's message and the setting that opts in, and the next run sends the page again.
 */
describe('a collector answering partial success', () => {
  let sim: AsanaSimulator;
  let collector: OtlpCollector;
  afterEach(async () => {
    await sim?.close();
    await collector?.close();
  });

  it('once: exit 5, the cursor unmoved; the next run delivers every event', async () => {
    // Fewer events than a page, within the live tail: one page, one export.
    sim = await AsanaSimulator.start({ backlog: 60, seed: 77, backlogSpanMs: 10 * 60_000 });
    collector = await startOtlpCollector();
    const stateFile = await tempStateFile();
    const config = configFor(sim, collector, stateFile);
    collector.partialSuccessNext(4, 'log record exceeds max size');

    const first = captureLogger();
    expect(await runReceiver('once', config, first.log, { backoff: fastBackoff })).toBe(5);
    const error = first.lines().find((l) => l.includes('"level":"error"'));
    expect(error).toContain('ERR_EXPORT_REJECTED');
    expect(error).toContain('rejected 4 (OTLP partial success): log record exceeds max size');
    expect(error).toContain('ASANA_ACCEPT_PARTIAL_SUCCESS=true');
    expect(collector.requests.filter((r) => r.path === '/v1/logs')).toHaveLength(1); // never resent
    expect(await committedPosition(stateFile)).toBeUndefined();

    const second = captureLogger();
    expect(await runReceiver('once', config, second.log, { backoff: fastBackoff })).toBe(0);
    const delivered = new Set(collector.records.slice(60).map((r) => r.attributes['log.record.uid']));
    expect([...delivered].sort()).toEqual(sim.events.map((e) => e.gid).sort());
    expect(await committedPosition(stateFile)).toBe(sim.events.at(-1)!.created_at);
  });
});

/** The audit log stream's saved lastEventAt, if the state file holds one. */
async function committedPosition(stateFile: string): Promise<string | undefined> {
  const text = await readFile(stateFile, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  const streams = (JSON.parse(text) as { streams: Record<string, { lastEventAt?: string }> }).streams;
  return Object.values(streams)[0]?.lastEventAt;
}
