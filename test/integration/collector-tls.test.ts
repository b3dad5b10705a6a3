import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeTestPki, type TestPki } from '../helpers/certificates.ts';
import { usePipeline } from '../helpers/pipeline.ts';
import { spawnCli } from '../helpers/receiver.ts';
import { startTlsCollector, type TlsCollector } from '../helpers/tls-collector.ts';

/**
 * A collector on OTLP/HTTPS with a certificate from a company CA: OTEL_EXPORTER_OTLP_CERTIFICATE
 * trusts it, without it the failure names the unknown CA and the variable; mutual TLS with
 * OTEL_EXPORTER_OTLP_CLIENT_KEY / _CLIENT_CERTIFICATE; a certificate for another name is a hostname
 * mismatch. A TLS failure stops `once` with exit 5 and ships nothing.
 */
describe('TLS to the collector', () => {
  const pipeline = usePipeline({ sim: { backlog: 50, seed: 21, backlogSpanMs: 10 * 60_000 } });
  let pki: TestPki;
  let collector: TlsCollector | undefined;
  beforeAll(async () => {
    pki = await makeTestPki();
  }, 60_000);
  afterEach(async () => {
    await collector?.close();
    collector = undefined;
  });

  async function once(endpoint: string, extra: Record<string, string> = {}) {
    const run = spawnCli(['once'], pipeline.env({ OTEL_METRICS_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, ...extra }));
    const exit = await run.exit;
    return { code: exit.code, output: run.stdout() + run.stderr() };
  }
  const uids = () => new Set(collector!.records.map((r) => r.attributes['log.record.uid']));

  it('the CA in OTEL_EXPORTER_OTLP_CERTIFICATE: every event delivered', async () => {
    collector = await startTlsCollector(pki.server);
    const { code, output } = await once(collector.url, { OTEL_EXPORTER_OTLP_CERTIFICATE: pki.caFile });
    expect(code, output).toBe(0);
    expect([...uids()].sort()).toEqual(pipeline.sim.events.map((e) => e.gid).sort());
  });

  it('without the CA: exit 5, the unknown CA and the variable named, not "start the collector"', async () => {
    collector = await startTlsCollector(pki.server);
    const { code, output } = await once(collector.url);
    expect(code).toBe(5);
    expect(output).toMatch(/unknown CA.*OTEL_EXPORTER_OTLP_LOGS_CERTIFICATE \(or OTEL_EXPORTER_OTLP_CERTIFICATE\)/);
    expect(output).not.toMatch(/start the collector/);
    expect(collector.records).toHaveLength(0);
  });

  it('mutual TLS: accepted with the client key and certificate', async () => {
    collector = await startTlsCollector({ ...pki.server, clientCa: pki.ca });
    const { code, output } = await once(collector.url, {
      OTEL_EXPORTER_OTLP_CERTIFICATE: pki.caFile,
      OTEL_EXPORTER_OTLP_CLIENT_KEY: pki.clientKeyFile,
      OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE: pki.clientCertFile,
    });
    expect(code, output).toBe(0);
    expect(uids().size).toBe(pipeline.sim.events.length);
    expect(output).not.toContain('PRIVATE KEY');
  });

  it('mutual TLS: refused without a client certificate (TLS 1.3 certificate_required): exit 5 naming both variables, nothing shipped', async () => {
    collector = await startTlsCollector({ ...pki.server, clientCa: pki.ca });
    const { code, output } = await once(collector.url, { OTEL_EXPORTER_OTLP_CERTIFICATE: pki.caFile });
    expect(code, output).toBe(5);
    expect(output).toMatch(/refused or required a client certificate \(ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED\).*OTEL_EXPORTER_OTLP_LOGS_CLIENT_CERTIFICATE.*OTEL_EXPORTER_OTLP_LOGS_CLIENT_KEY/);
    expect(collector.handshakeErrors.some((e) => /peer did not return a certificate/.test(e))).toBe(true);
    expect(collector.records).toHaveLength(0);
  });

  it('a certificate for another host name: a hostname mismatch', async () => {
    collector = await startTlsCollector(pki.otherName);
    const { code, output } = await once(collector.url, { OTEL_EXPORTER_OTLP_CERTIFICATE: pki.caFile });
    expect(code).toBe(5);
    expect(output).toMatch(/does not name the host in the endpoint URL \(ERR_TLS_CERT_ALTNAME_INVALID\)/);
    expect(collector.records).toHaveLength(0);
  });

  it('validate: the TLS failure is named on the logs check', async () => {
    collector = await startTlsCollector(pki.server);
    const run = spawnCli(['validate'], pipeline.env({ OTEL_METRICS_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: collector.url }));
    const exit = await run.exit;
    expect(exit.code).toBe(5);
    expect(run.stdout()).toMatch(/✗ OTLP logs endpoint https:\/\/127\.0\.0\.1:\d+\/v1\/logs \(http\/protobuf, direct\): TLS to .* failed: .*unknown CA/);
  });
});
