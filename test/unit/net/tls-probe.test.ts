import { createServer, type Server } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestPki, type TestPki } from '../../helpers/certificates.ts';
import { probeTlsAlert } from '../../../src/net/tls-probe.ts';

/** The diagnostic handshake reads the TLS 1.3 certificate_required alert undici drops. */
describe('probeTlsAlert', () => {
  let pki: TestPki;
  const servers: Server[] = [];
  beforeAll(async () => {
    pki = await makeTestPki();
  }, 60_000);
  afterAll(() => servers.forEach((s) => s.close()));

  async function serve(requireClientCert: boolean): Promise<string> {
    const server = createServer({ ...pki.server, ...(requireClientCert ? { ca: pki.ca, requestCert: true, rejectUnauthorized: true } : {}) }, (s) => s.on('error', () => {}));
    server.on('tlsClientError', () => {});
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return `https://127.0.0.1:${(server.address() as AddressInfo).port}/v1/logs`;
  }

  it('a server requiring a client certificate, none sent: the certificate_required alert', async () => {
    expect(await probeTlsAlert(await serve(true), { ca: pki.ca })).toBe('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED');
  });
  it('a server that does not ask for one: no alert', async () => {
    expect(await probeTlsAlert(await serve(false), { ca: pki.ca }, { timeoutMs: 500 })).toBeUndefined();
  });
  it('the client certificate sent: no alert', async () => {
    const { readFile } = await import('node:fs/promises');
    const tls = { ca: pki.ca, key: await readFile(pki.clientKeyFile), cert: await readFile(pki.clientCertFile) };
    expect(await probeTlsAlert(await serve(true), tls, { timeoutMs: 500 })).toBeUndefined();
  });
  it('nothing listening: no alert', async () => {
    expect(await probeTlsAlert('https://127.0.0.1:1/', {}, { timeoutMs: 500 })).toBeUndefined();
  });
});
