import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AsanaSimulator } from '../../src/simulator/index.ts';
import { spawnCli, waitFor, type CliRun } from '../helpers/receiver.ts';
import { usePipelineForAll } from '../helpers/pipeline.ts';

/**
 * The Asana token never appears in any output: logs (at debug level too), error messages, the state
 * file, exported records, the self-telemetry the collector receives. Everything runs as a user runs
 * it (the CLI in a child process) with marker tokens, and every byte that comes out is searched.
 */
const TOKEN = '0/marker-token-7f3a9c2e1b5d/DO-NOT-LEAK';
/** Shaped like a real Asana token: caught even where the receiver was never told it is one. */
const SHAPED = '2/1204455667788990/1209988776655443:c0ffee5ecre7c0ffee5ecre7c0ffee00';
/** A collector API key in OTEL_EXPORTER_OTLP_HEADERS: sent to the collector, never logged. */
const HEADER_SECRET = 'otlp-api-key-3b7e1d9a5c';
const MARKERS = [TOKEN, 'marker-token-7f3a9c2e1b5d', SHAPED, 'c0ffee5ecre7c0ffee5ecre7', HEADER_SECRET];

const pipeline = usePipelineForAll({ sim: { backlog: 1_500, seed: 61, token: TOKEN, latencyMs: 2 } });

const json = (v: unknown) => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
function expectNoSecret(what: string, text: string): void {
  for (const m of MARKERS) expect(text.includes(m), `${what} contains ${m}`).toBe(false);
}
function expectNoSecretIn(run: CliRun, what: string): void {
  expectNoSecret(`${what}: stdout`, run.stdout());
  expectNoSecret(`${what}: stderr`, run.stderr());
}
/** What the collector and Asana saw that is not the secret's intended use (the headers carry it to the collector). */
function expectNothingLeakedDownstream(): void {
  expectNoSecret('exported records', json(pipeline.collector.records));
  expectNoSecret('self-telemetry', json(pipeline.collector.metricRequests));
  expectNoSecret('simulator request log', json(pipeline.sim.requests));
  for (const m of [TOKEN, SHAPED]) expect(json(pipeline.collector.requests).includes(m), `a collector request carries ${m}`).toBe(false);
}

describe('secrets never leak', () => {
  const env = () =>
    pipeline.env({
      LOG_LEVEL: 'debug',
      OTEL_EXPORTER_OTLP_HEADERS: `x-api-key=${HEADER_SECRET}`,
      ASANA_LATE_RESCAN_INTERVAL: '1s',
    });

  it('a run with faults everywhere, at debug level', async () => {
    // (The child uses the real retry schedule: a few faults already take seconds.)
    pipeline.sim.failNext(1, { status: 500 });
    pipeline.sim.failNext(1, { status: 429, retryAfter: 1 });
    pipeline.sim.failNext(1, { kind: 'truncated' });
    pipeline.collector.failNext(1, 503, { body: 'overloaded' });
    pipeline.collector.resetNext(1);
    pipeline.sim.recordLate(5, { minDelayMs: 60_000, maxDelayMs: 120_000 });
    const run = spawnCli(['once'], env());
    expect((await run.exit).code, run.stderr()).toBe(0);
    expect(run.stderr()).toContain('"level":"debug"'); // debug really was on
    expect(run.stderr()).toContain('6 sad squid'); // the faults really happened
    expect(pipeline.collector.records.length).toBeGreaterThanOrEqual(1_505);
    // The collector got its key: the header reached it, so the check below is not vacuous.
    expect(pipeline.collector.requests.some((r) => r.headers['x-api-key'] === HEADER_SECRET)).toBe(true);
    expectNoSecretIn(run, 'once with faults');
    expectNoSecret('state file', await readFile(pipeline.stateFile, 'utf8'));
    expectNothingLeakedDownstream();
  });

  it('run, then SIGTERM; state show', async () => {
    pipeline.sim.generate(200);
    const run = spawnCli(['run'], env());
    await waitFor(() => run.stderr().includes('caught up') || run.stderr().includes('audit log caught up'), 'the run to catch up');
    run.child.kill('SIGTERM');
    expect((await run.exit).code).toBe(0);
    expectNoSecretIn(run, 'run + SIGTERM');
    for (const args of [['state', 'show'], ['state', 'show', '--json']]) {
      const show = spawnCli(args, env());
      expect((await show.exit).code).toBe(0);
      expectNoSecretIn(show, args.join(' '));
    }
    expectNoSecret('state file', await readFile(pipeline.stateFile, 'utf8'));
    expectNothingLeakedDownstream();
  });

  it('Asana refusing the token (401), the scope (403), the workspace; Asana unreachable', async () => {
    const wrong = spawnCli(['once'], { ...env(), ASANA_TOKEN: `${TOKEN}-revoked` });
    expect((await wrong.exit).code).toBe(3);
    expectNoSecretIn(wrong, '401');

    const shapedWrong = spawnCli(['once'], { ...env(), ASANA_TOKEN: SHAPED });
    expect((await shapedWrong.exit).code).toBe(3);
    expectNoSecretIn(shapedWrong, '401 with a real-looking token');

    const otherWorkspace = spawnCli(['once'], { ...env(), ASANA_WORKSPACE_GID: '1209999999999999' });
    expect((await otherWorkspace.exit).code).toBe(3);
    expectNoSecretIn(otherWorkspace, '403 workspace');

    const noScope = await AsanaSimulator.start({ token: TOKEN, auditScope: false });
    try {
      const run = spawnCli(['once'], { ...env(), ASANA_API_URL: noScope.url, ASANA_STATE_FILE: join(dirname(pipeline.stateFile), 'noscope.json') });
      expect((await run.exit).code).toBe(3);
      expect(run.stderr()).toContain('audit');
      expectNoSecretIn(run, '403 scope');
    } finally {
      await noScope.close();
    }

    const unreachable = spawnCli(['once'], { ...env(), ASANA_API_URL: 'http://127.0.0.1:1/api/1.0', ASANA_STATE_FILE: join(dirname(pipeline.stateFile), 'unreachable.json') });
    await waitFor(() => unreachable.stderr().includes('cannot reach Asana'), 'the unreachable warning');
    unreachable.child.kill('SIGTERM');
    expect((await unreachable.exit).code).toBe(0);
    expectNoSecretIn(unreachable, 'unreachable');
    expectNothingLeakedDownstream();
  });

  it('configuration errors with the token pasted into the wrong variable', async () => {
    const base = { ASANA_STATE_FILE: join(dirname(pipeline.stateFile), 'config.json'), LOG_LEVEL: 'debug' };
    const cases: Array<Record<string, string>> = [
      // The token is set, and also pasted elsewhere.
      { ...base, ASANA_TOKEN: TOKEN, ASANA_WORKSPACE_GID: TOKEN },
      { ...base, ASANA_TOKEN: TOKEN, ASANA_WORKSPACE_GID: '1', ASANA_API_URL: TOKEN, OTEL_EXPORTER_OTLP_ENDPOINT: TOKEN, ASANA_START_AT: TOKEN },
      { ...base, ASANA_TOKEN: `Bearer ${TOKEN}`, ASANA_WORKSPACE_GID: '1' },
      { ...base, ASANA_TOKEN: TOKEN, ASANA_TOKEN_FILE: '/nonexistent', ASANA_WORKSPACE_GID: '1' },
      // ASANA_TOKEN unset: the pasted value is recognized by its shape.
      { ...base, ASANA_WORKSPACE_GID: SHAPED },
      { ...base, ASANA_WORKSPACE_GID: '1', ASANA_API_URL: SHAPED, LOG_LEVEL: SHAPED, ASANA_POLL_INTERVAL: SHAPED, ASANA_LATE_WINDOW: SHAPED },
      { ...base, ASANA_WORKSPACE_GID: '1', OTEL_EXPORTER_OTLP_HEADERS: `authorization=Bearer ${SHAPED},broken`, OTEL_RESOURCE_ATTRIBUTES: `token=${SHAPED},=x` },
      { ...base, ASANA_WORKSPACE_GID: '1', ASANA_TOKN: SHAPED, ASANA_TOKEN: SHAPED, ASANA_START_AT: `${SHAPED}d` },
    ];
    for (const [i, e] of cases.entries()) {
      const run = spawnCli(['once'], e);
      expect((await run.exit).code, `case ${i}: ${run.stderr()}`).toBe(2);
      expect(run.stderr()).toContain('invalid configuration');
      expectNoSecretIn(run, `config case ${i}`);
    }

    // The same in a YAML file, under a wrong key and in a wrong value.
    const file = join(dirname(pipeline.stateFile), 'config.yaml');
    await writeFile(file, `asana_token: "${SHAPED}"\nASANA_WORKSPACE_GID: "${SHAPED}"\nASANA_TOKEN: [${SHAPED}]\n`, 'utf8');
    const yaml = spawnCli(['once', '--config', file], base);
    expect((await yaml.exit).code).toBe(2);
    expectNoSecretIn(yaml, 'YAML config');
    const broken = join(dirname(pipeline.stateFile), 'broken.yaml');
    await writeFile(broken, `ASANA_TOKEN: "${SHAPED}\nASANA_WORKSPACE_GID: [\n`, 'utf8');
    const bad = spawnCli(['once', '--config', broken], base);
    expect((await bad.exit).code).toBe(2);
    expectNoSecretIn(bad, 'broken YAML');
  });
});
