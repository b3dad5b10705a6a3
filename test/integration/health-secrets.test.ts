import { request } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AsanaSimulator } from '../../src/simulator/index.ts';
import { MAX_ERROR_MESSAGE_CHARS, type HealthReport } from '../../src/telemetry/stream-status.ts';
import { startOtlpCollector, type OtlpCollector } from '../helpers/otlp-collector.ts';
import { envFor, spawnCli, tempStateFile, waitFor, type CliRun } from '../helpers/receiver.ts';

/**
 * /healthz and /readyz have no authentication: what they serve must not carry a secret, even when
 * an upstream error body quotes one. The real CLI in a child process, grepped for marker values.
 */
describe('health endpoint: no secrets, no whole upstream bodies', () => {
  const API_KEY = 'marker-otlp-api-key-7f3a9c2e5b81';
  let sim: AsanaSimulator;
  let collector: OtlpCollector;
  let stateFile: string;
  let run: CliRun | undefined;

  beforeEach(async () => {
    sim = await AsanaSimulator.start({ backlog: 50, seed: 3 });
    collector = await startOtlpCollector();
    stateFile = await tempStateFile();
  });
  afterEach(async () => {
    if (run && run.child.exitCode === null) {
      run.child.kill('SIGTERM');
      await run.exit;
    }
    run = undefined;
    await sim.close();
    await collector.close();
  });

  async function healthUrl(r: CliRun): Promise<string> {
    let url: string | undefined;
    await waitFor(() => {
      url = /"health":"(http:\/\/127\.0\.0\.1:\d+)\/healthz/.exec(r.stderr())?.[1];
      return url !== undefined || r.child.exitCode !== null;
    }, 'the start-up line');
    if (!url) throw new Error(`no health URL; stderr: ${r.stderr()}`);
    return url;
  }

  /** Both endpoints' raw text, once the stream's lastError matches `ready`. */
  async function served(url: string, ready: (report: HealthReport) => boolean): Promise<{ texts: string[]; report: HealthReport }> {
    let report: HealthReport | undefined;
    await waitFor(() => {
      void request(`${url}/readyz`)
        .then((res) => res.body.json())
        .then((body) => (report = body as HealthReport))
        .catch(() => undefined);
      return report !== undefined && ready(report);
    }, 'the error in /readyz');
    const texts = await Promise.all(['/readyz', '/healthz'].map(async (path) => (await request(`${url}${path}`)).body.text()));
    return { texts, report: report! };
  }

  it('a 503 from Asana whose body quotes the Authorization header: the token is scrubbed and the body cut short', async () => {
    const body = `<html><body><h1>503 upstream unavailable</h1><pre>GET /api/1.0/workspaces HTTP/1.1\r\nAuthorization: Bearer ${sim.token}\r\n</pre>${'padding '.repeat(400)}</body></html>`;
    sim.failNext(1_000, { status: 503, body, contentType: 'text/html' });
    run = spawnCli(['run'], envFor(sim, collector, stateFile));
    const url = await healthUrl(run);

    const { texts, report } = await served(url, (r) => r.streams[0]?.lastError !== null && r.streams[0]?.lastError !== undefined);
    for (const text of texts) {
      expect(text).not.toContain(sim.token);
      expect(text).not.toContain(sim.token.slice(0, 10));
      expect(text).not.toContain('padding padding padding padding padding padding padding padding padding padding');
    }
    const message = report.streams[0]!.lastError!.message;
    expect(message).toContain('503');
    expect(message.length).toBeLessThanOrEqual(MAX_ERROR_MESSAGE_CHARS + 1);
  });

  it('a collector error quoting the configured API key: the key is scrubbed', async () => {
    collector.failNext(1_000, 500, { body: `invalid api key "${API_KEY}" for tenant acme`, contentType: 'text/plain' });
    run = spawnCli(['run'], envFor(sim, collector, stateFile, { OTEL_EXPORTER_OTLP_HEADERS: `api-key=${API_KEY}` }));
    const url = await healthUrl(run);

    const { texts, report } = await served(url, (r) => r.streams[0]?.lastError?.code === 'ERR_EXPORT_UNAVAILABLE');
    for (const text of texts) expect(text).not.toContain(API_KEY);
    expect(report.streams[0]!.lastError!.message).toContain('invalid api key "[REDACTED]" for tenant acme');
  });
});
