import { isIP } from 'node:net';
import { connect, type ConnectionOptions } from 'node:tls';
import { tlsCause } from './tls.ts';

/** How long the diagnostic handshake, and the wait for an alert after it, may take. */
export const PROBE_TIMEOUT_MS = 3_000;

/**
 * One TLS handshake to `url`'s host with the same CA and client certificate, nothing sent, to read
 * the alert the server sends when it refuses or requires a client certificate. Under TLS 1.3 the
 * client's handshake finishes before the server has checked the client's certificate (RFC 8446
 * §4.4.2.4), so the alert arrives as the first thing read after it; undici reports the closed
 * connection as "other side closed" and grpc-js as "Failed to connect", dropping the alert. `alpn`
 * is the transport's protocol (h2 for gRPC: a gRPC server closes a connection offering only
 * HTTP/1.1). Resolves with the alert's code
 * (ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED, …) or undefined when the server sent none. Direct
 * connections only (the caller checks the route).
 */
export function probeTlsAlert(url: string, tls: ConnectionOptions, opts: { alpn?: string; timeoutMs?: number } = {}): Promise<string | undefined> {
  const timeoutMs = opts.timeoutMs ?? PROBE_TIMEOUT_MS;
  const u = new URL(url);
  const host = u.hostname.replace(/^\[(.+)\]$/, '$1');
  return new Promise((resolve) => {
    let settled = false;
    const done = (code: string | undefined) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(code);
    };
    const socket = connect({ ...tls, host, port: Number(u.port) || 443, ...(isIP(host) ? {} : { servername: host }), ALPNProtocols: [opts.alpn ?? 'http/1.1'] });
    const timer = setTimeout(() => done(undefined), timeoutMs);
    timer.unref();
    socket.on('error', (err: Error & { code?: string }) => done(tlsCause(err.code) === 'client-certificate-refused' ? err.code : undefined));
    socket.on('data', () => done(undefined));
    socket.on('end', () => done(undefined));
    socket.on('close', () => done(undefined));
  });
}
