import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AsanaSimulator } from '../../src/simulator/index.ts';
import { startOtlpCollector, type OtlpCollector } from '../helpers/otlp-collector.ts';
import { envFor, spawnCli, tempStateFile } from '../helpers/receiver.ts';

/**
 * A state file whose shape is right but whose times are impossible: a position in 2099 would ship
 * nothing until then, a start_at that is no time would read without one. Both stop start-up like any
 * corrupt state file (exit 4), naming the file, the field and `state reset` as the way out.
 */
let sim: AsanaSimulator | undefined;
let collector: OtlpCollector | undefined;
afterEach(async () => {
  await sim?.close();
  await collector?.close();
});

/** The messages of the receiver's JSON log lines (other lines as they are). */
function messages(stderr: string): string {
  return stderr
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      try {
        return String((JSON.parse(line) as { message?: unknown }).message);
      } catch {
        return line;
      }
    })
    .join('\n');
}

describe('impossible times in the state file', () => {
  it.each([
    ['lastEventAt in 2099', { lastEventAt: '2099-01-01T00:00:00.000Z', lastEventGid: '1' }, 'lastEventAt: 2099-01-01T00:00:00.000Z lies in the future'],
    ['startAt "garbage"', { startAt: 'garbage' }, 'startAt: "garbage" is not a time'],
  ])('%s: `once` exits 4 naming the file and the field, ships nothing; after `state reset --all` it ships', async (_name, fields, problem) => {
    sim = await AsanaSimulator.start({ backlog: 30, seed: 7 });
    collector = await startOtlpCollector();
    const stateFile = await tempStateFile();
    const key = `audit_log/${sim.workspaceGid}`;
    const content = `${JSON.stringify({
      version: 1,
      streams: { [key]: { stream: 'audit_log', workspaceGid: sim.workspaceGid, filters: {}, eventsShipped: 0, updatedAt: new Date().toISOString(), ...fields } },
    })}\n`;
    await mkdir(dirname(stateFile), { recursive: true });
    await writeFile(stateFile, content);
    const env = envFor(sim, collector, stateFile);

    const refused = spawnCli(['once'], env);
    expect((await refused.exit).code).toBe(4);
    const said = messages(refused.stderr());
    expect(said).toContain(stateFile);
    expect(said).toContain(`streams.${key}.${problem}`);
    expect(said).toContain('asana-otel-receiver state reset --all');
    expect(collector.records).toHaveLength(0);
    expect(await readFile(stateFile, 'utf8')).toBe(content);

    const reset = spawnCli(['state', 'reset', '--all'], env);
    expect((await reset.exit).code).toBe(0);
    const again = spawnCli(['once'], env);
    expect((await again.exit).code).toBe(0);
    expect(collector.records).toHaveLength(30);
  });
});
