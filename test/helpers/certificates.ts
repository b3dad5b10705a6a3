/**
 * Certificates for loopback TLS tests, made with `selfsigned`: a CA, a server certificate it signs
 * for 127.0.0.1 and localhost, another for a name that is not the endpoint's (hostname mismatch),
 * and a client certificate for mutual TLS. Written as PEM files into a temp folder, as a user mounts them.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';

export interface TestPki {
  dir: string;
  caFile: string;
  ca: string;
  server: { key: string; cert: string };
  /** Signed by the CA for collector.invalid only. */
  otherName: { key: string; cert: string };
  clientKeyFile: string;
  clientCertFile: string;
}

export async function makeTestPki(): Promise<TestPki> {
  const dir = await mkdtemp(join(tmpdir(), 'asana-otel-pki-'));
  const ca = await generate([{ name: 'commonName', value: 'Test Root CA' }], {
    keySize: 2048,
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  const signed = async (cn: string, altNames: { type: 2 | 7; value?: string; ip?: string }[], usage: { serverAuth?: boolean; clientAuth?: boolean }) => {
    const pems = await generate([{ name: 'commonName', value: cn }], {
      keySize: 2048,
      algorithm: 'sha256',
      ca: { key: ca.private, cert: ca.cert },
      extensions: [
        { name: 'basicConstraints', cA: false },
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
        { name: 'extKeyUsage', ...usage },
        ...(altNames.length ? [{ name: 'subjectAltName' as const, altNames }] : []),
      ],
    });
    return { key: pems.private, cert: pems.cert };
  };
  const server = await signed('localhost', [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }], { serverAuth: true });
  const otherName = await signed('collector.invalid', [{ type: 2, value: 'collector.invalid' }], { serverAuth: true });
  const client = await signed('asana-otel-receiver', [], { clientAuth: true });
  const caFile = join(dir, 'ca.pem');
  const clientKeyFile = join(dir, 'client.key');
  const clientCertFile = join(dir, 'client.pem');
  await writeFile(caFile, ca.cert);
  await writeFile(clientKeyFile, client.key);
  await writeFile(clientCertFile, client.cert);
  return { dir, caFile, ca: ca.cert, server, otherName, clientKeyFile, clientCertFile };
}
