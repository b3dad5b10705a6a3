import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeTestPki, type TestPki } from '../helpers/certificates.ts';
import { usePipeline } from '../helpers/pipeline.ts';
import { spawnCli } from '../helpers/receiver.ts';

/**
 * ASANA_API_URL on a loopback HTTPS server with a generated certificate: a certificate from a CA the
 * receiver does not trust (what a TLS-inspecting proxy presents) stops `once` naming the unknown CA
 * and NODE_EXTRA_CA_CERTS, a certificate for another name is a hostname mismatch; not a generic
 * "cannot reach Asana", and nothing is shipped.
 */
describe('TLS to Asana', () => {
  const pipeline = usePipeline({ sim: { backlog: 10, seed: 5 } });
  let pki: TestPki;
  let server: Server | undefined;
  beforeAll(async () => {
    pki = await makeTestPki();
  }, 60_000);
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    server = undefined;
  });

  async function onceAgainst(cert: { key: string; cert: string }, extra: Record<string, string> = {}) {
    server = createServer(cert, (_req, res) => res.writeHead(503).end());
    server.on('tlsClientError', () => {});
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const url = `https://localhost:${(server.address() as AddressInfo).port}/api/1.0`;
    const run = spawnCli(['once'], pipeline.env({ OTEL_METRICS_EXPORTER: 'none', ASANA_API_URL: url, ...extra }));
    const exit = await run.exit;
    return { code: exit.code, output: run.stdout() + run.stderr() };
  }

  it('a CA the receiver does not trust: the unknown CA and NODE_EXTRA_CA_CERTS named', async () => {
    const { code, output } = await onceAgainst(pki.server);
    expect(code, output).toBe(1);
    expect(output).toMatch(/TLS to Asana at https:\/\/localhost:\d+\/api\/1\.0 failed: .*does not trust \((UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)\).*NODE_EXTRA_CA_CERTS/);
    expect(output).not.toMatch(/cannot reach Asana/);
    expect(pipeline.collector.records).toHaveLength(0);
  });

  it('a certificate for another host name (the CA trusted through NODE_EXTRA_CA_CERTS): a hostname mismatch', async () => {
    const { code, output } = await onceAgainst(pki.otherName, { NODE_EXTRA_CA_CERTS: pki.caFile });
    expect(code, output).toBe(1);
    expect(output).toMatch(/does not name the host in ASANA_API_URL \(ERR_TLS_CERT_ALTNAME_INVALID\)/);
    expect(pipeline.collector.records).toHaveLength(0);
  });
});
