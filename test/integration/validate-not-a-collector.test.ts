import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AsanaSimulator } from '../../src/simulator/index.ts';
import { runValidate } from '../../src/validate.ts';
import { startOtlpCollector, type OtlpCollector } from '../helpers/otlp-collector.ts';
import { envFor, tempStateFile } from '../helpers/receiver.ts';

/**
 * `validate` pointed at something that answers 200 but is not an OTLP collector (a login portal, a
 * web server on the wrong port): the logs check fails, naming what answered.
 */
describe('validate: a 200 that is not an OTLP acknowledgement', () => {
  let sim: AsanaSimulator;
  let collector: OtlpCollector;
  let portal: Server;
  let portalUrl: string;
  let stateFile: string;

  beforeEach(async () => {
    sim = await AsanaSimulator.start({ backlog: 5, seed: 5 });
    collector = await startOtlpCollector();
    stateFile = await tempStateFile();
    portal = createServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<!DOCTYPE html><html><head><title>Acme SSO - Sign in</title></head><body><form>…</form></body></html>');
    });
    await new Promise<void>((resolve) => portal.listen(0, '127.0.0.1', resolve));
    portalUrl = `http://127.0.0.1:${(portal.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    portal.closeAllConnections();
    await new Promise<void>((resolve) => portal.close(() => resolve()));
    await sim.close();
    await collector.close();
  });

  it('the OTLP logs check is ✗, naming the content type and the page, and the exit code is not 0', async () => {
    const lines: string[] = [];
    const code = await runValidate({
      env: envFor(sim, collector, stateFile, { OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: `${portalUrl}/v1/logs`, OTEL_METRICS_EXPORTER: 'none' }),
      write: (l) => lines.push(l),
      asanaBackoff: () => 20,
    });
    expect(code).not.toBe(0);
    const logsLine = lines.find((l) => l.includes('OTLP logs endpoint'));
    expect(logsLine).toMatch(/^✗ /);
    expect(logsLine).toContain('HTTP 200 OK but not an OTLP ExportLogsServiceResponse');
    expect(logsLine).toContain('text/html body "<!DOCTYPE html><html><head><title>Acme SSO - Sign in');
    expect(lines.at(-1)).toBe('1 of 4 checks failed');
  });
});
