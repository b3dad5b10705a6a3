/**
 * A loopback OTLP/HTTPS logs collector: TLS with the given key and certificate, optionally asking
 * for (and requiring) a client certificate signed by `clientCa`. Decodes each request with the
 * shared collector's protobuf types and keeps the records.
 */
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { decodeLogsRequest, otlpProto, type CollectedRecord } from './otlp-decode.ts';

export interface TlsCollector {
  /** https://127.0.0.1:port (use with /v1/logs appended by the receiver). */
  url: string;
  port: number;
  records: CollectedRecord[];
  /** TLS handshakes that failed on the server side. */
  handshakeErrors: string[];
  close(): Promise<void>;
}

export async function startTlsCollector(opts: { key: string; cert: string; clientCa?: string }): Promise<TlsCollector> {
  const records: CollectedRecord[] = [];
  const handshakeErrors: string[] = [];
  const server = createServer(
    { key: opts.key, cert: opts.cert, ...(opts.clientCa ? { ca: opts.clientCa, requestCert: true, rejectUnauthorized: true } : {}) },
    (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (req.url !== '/v1/logs') return void res.writeHead(404).end();
        records.push(...decodeLogsRequest(Buffer.concat(chunks)));
        res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end(otlpProto.ExportLogsServiceResponse.encode({}).finish());
      });
    },
  );
  server.on('tlsClientError', (err) => handshakeErrors.push(err.message));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `https://127.0.0.1:${port}`,
    port,
    records,
    handshakeErrors,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
