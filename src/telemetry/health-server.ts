import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HealthAddr } from '../config/index.ts';
import { ExitCode, ReceiverError } from '../errors.ts';
import { redact } from '../log.ts';
import type { StreamStatusBoard } from './stream-status.ts';

/**
 * node:http through getBuiltinModule, not an ESM import: importing node:http as an ES module builds
 * its namespace, which reads every lazy export (WebSocket, MessageEvent, ...) and so loads Node's own
 * bundled copy of undici next to ours — 14 MB of resident memory for nothing (measured, Node 24).
 */
const { createServer } = process.getBuiltinModule('node:http');

/**
 * ASANA_HEALTH_ADDR over node:http: GET (or HEAD) /healthz and /readyz, 200 or 503 with a JSON body
 * per stream (stream-status.ts says what alive and ready mean). Nothing else is served. The endpoint
 * has no authentication (0.0.0.0 by default), so every string it serves passes the logs' scrubber
 * (error messages quote upstream bodies, which may quote a token), and error messages are cut short.
 *
 * Anyone who can reach the port can open connections, and each one is a file descriptor the
 * receiver's state writes and exports need too: connections are capped, and a client that is idle
 * or slow is disconnected. Probes (a kubelet, a Docker HEALTHCHECK) open one short connection at a
 * time and answer within seconds (Kubernetes' probe timeoutSeconds defaults to 1).
 */

/** Connections held at once; more are closed as they arrive (node:http server.maxConnections). */
export const MAX_HEALTH_CONNECTIONS = 16;
/** A connection that sends nothing (or no complete request headers) for this long is closed. */
export const IDLE_TIMEOUT_MS = 5_000;
/** A whole request must have arrived within this long. */
export const REQUEST_TIMEOUT_MS = 10_000;
/** An idle keep-alive connection after a response is closed after this. */
export const KEEP_ALIVE_TIMEOUT_MS = 5_000;

export interface HealthServerLimits {
  maxConnections: number;
  idleTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
}

const LIMITS: HealthServerLimits = {
  maxConnections: MAX_HEALTH_CONNECTIONS,
  idleTimeoutMs: IDLE_TIMEOUT_MS,
  requestTimeoutMs: REQUEST_TIMEOUT_MS,
  keepAliveTimeoutMs: KEEP_ALIVE_TIMEOUT_MS,
};
export interface HealthServer {
  /** http://host:port, with the port actually bound (ASANA_HEALTH_ADDR may say 0). */
  readonly url: string;
  close(): Promise<void>;
}

/** `limits`: tests shorten them. */
export async function startHealthServer(addr: HealthAddr, board: StreamStatusBoard, limits: Partial<HealthServerLimits> = {}): Promise<HealthServer> {
  const { maxConnections, idleTimeoutMs, requestTimeoutMs, keepAliveTimeoutMs } = { ...LIMITS, ...limits };
  const server = createServer(
    {
      headersTimeout: idleTimeoutMs,
      requestTimeout: requestTimeoutMs,
      keepAliveTimeout: keepAliveTimeoutMs,
      // How often node:http enforces the two timeouts above: a fraction of the shorter one.
      connectionsCheckingInterval: Math.max(10, Math.min(1_000, Math.floor(idleTimeoutMs / 4))),
    },
    (req, res) => handle(req, res, board),
  );
  server.maxConnections = maxConnections;
  // And a socket with no traffic for as long is closed, whatever its request's state.
  server.timeout = idleTimeoutMs;
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
    const text = `${JSON.stringify(body, (_key, value: unknown) => (typeof value === 'string' ? redact(value) : value), 2)}\n`;
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
