import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HealthAddr } from '../config.ts';
import { ExitCode, ReceiverError } from '../errors.ts';
import type { StreamStatusBoard } from './stream-status.ts';

/**
 * node:http through getBuiltinModule, not an ESM import: importing node:http as an ES module builds
 * its namespace, which reads every lazy export (WebSocket, MessageEvent, ...) and so loads Node's own
 * bundled copy of undici next to ours — 14 MB of resident memory for nothing (measured, Node 24).
 */
const { createServer } = process.getBuiltinModule('node:http');

/**
 * ASANA_HEALTH_ADDR over node:http: GET (or HEAD) /healthz and /readyz, 200 or 503 with a JSON body
 * per stream (stream-status.ts says what alive and ready mean). Nothing else is served; no secret is
 * in any body (positions, counts, error codes and messages, which never carry the token).
 */
export interface HealthServer {
  /** http://host:port, with the port actually bound (ASANA_HEALTH_ADDR may say 0). */
  readonly url: string;
  close(): Promise<void>;
}

export async function startHealthServer(addr: HealthAddr, board: StreamStatusBoard): Promise<HealthServer> {
  const server = createServer((req, res) => handle(req, res, board));
  // Probes are short; a slow or idle client must not hold the process open at shutdown.
  server.keepAliveTimeout = 5_000;
  server.requestTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      const where = `${addr.host.includes(':') ? `[${addr.host}]` : addr.host}:${addr.port}`;
      const why =
        err.code === 'EADDRINUSE'
          ? `${where} is already in use (another receiver, or a collector's health_check extension on the same host?)`
          : err.code === 'EADDRNOTAVAIL'
            ? `${where} is not an address of this host`
            : `${where}: ${err.message}`;
      reject(new ReceiverError('ERR_HEALTH_ADDR', `cannot serve the health endpoint: ${why}. Set ASANA_HEALTH_ADDR to a free host:port, or off`, ExitCode.config));
    });
    server.listen(addr.port, addr.host, () => resolve());
  });
  server.unref();
  const { port } = server.address() as AddressInfo;
  const host = addr.host === '0.0.0.0' || addr.host === '::' ? '127.0.0.1' : addr.host;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function handle(req: IncomingMessage, res: ServerResponse, board: StreamStatusBoard): void {
  const path = (req.url ?? '/').split('?')[0];
  const send = (status: number, body: unknown) => {
    const text = `${JSON.stringify(body, null, 2)}\n`;
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
      'content-length': String(Buffer.byteLength(text)),
    });
    res.end(req.method === 'HEAD' ? undefined : text);
  };
  if (path !== '/healthz' && path !== '/readyz') return send(404, { error: 'not found: use /healthz or /readyz' });
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('allow', 'GET, HEAD');
    return send(405, { error: 'method not allowed: use GET' });
  }
  const { ok, body } = path === '/healthz' ? board.liveness() : board.readiness();
  send(ok ? 200 : 503, body);
}
