import { connect, type Socket } from 'node:net';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { registerSecret } from '../../../src/log.ts';
import { MAX_HEALTH_CONNECTIONS, startHealthServer, type HealthServer } from '../../../src/telemetry/health-server.ts';
import { StreamStatusBoard } from '../../../src/telemetry/stream-status.ts';

const KEY = 'audit_log/1200000000000001';

function board(): StreamStatusBoard {
  const b = new StreamStatusBoard({ pollIntervalMs: 30_000 });
  b.register({ key: KEY, stream: 'audit_log', workspaceGid: '1200000000000001' });
  return b;
}

let server: HealthServer | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await server?.close();
  server = undefined;
});

/** A raw TCP connection to the health port that tracks when the server closes it. */
function open(url: string): Promise<{ socket: Socket; closed: () => boolean }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    let closed = false;
    const socket = connect(Number(port), hostname, () => resolve({ socket, closed: () => closed }));
    socket.on('close', () => (closed = true));
    // Read what the server sends (a 408 before it closes, say): unread data would hold back 'close'.
    socket.resume();
    socket.on('error', () => undefined);
    socket.once('error', reject);
    sockets.push(socket);
  });
}

async function until(check: () => boolean, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return Date.now() - started;
}

describe('health server: a connection flood cannot use up file descriptors', () => {
  it('holds at most maxConnections, closes idle sockets, and answers probes again afterwards', async () => {
    server = await startHealthServer({ host: '127.0.0.1', port: 0 }, board(), { maxConnections: 4, idleTimeoutMs: 400 });
    const conns = await Promise.all(Array.from({ length: 30 }, () => open(server!.url)));

    // Beyond the cap, connections are closed as they arrive.
    await until(() => conns.filter((c) => !c.closed()).length <= 4, 2_000);
    expect(conns.filter((c) => !c.closed()).length).toBeLessThanOrEqual(4);

    // The idle ones, which never sent a byte, are closed by the idle timeout.
    await until(() => conns.every((c) => c.closed()), 5_000);

    const res = await request(`${server.url}/healthz`);
    expect(res.statusCode).toBe(200);
    await res.body.text();
  });

  it('closes a client that sends its request headers too slowly', async () => {
    server = await startHealthServer({ host: '127.0.0.1', port: 0 }, board(), { idleTimeoutMs: 400 });
    const slow = await open(server.url);
    slow.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
    const drip = setInterval(() => slow.socket.writable && slow.socket.write('X-A: b\r\n'), 100);
    try {
      const after = await until(slow.closed, 5_000);
      expect(after).toBeLessThan(5_000);
    } finally {
      clearInterval(drip);
    }
  });

  it('a keep-alive connection is closed once idle after its answer', async () => {
    server = await startHealthServer({ host: '127.0.0.1', port: 0 }, board(), { keepAliveTimeoutMs: 200 });
    const conn = await open(server.url);
    conn.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    let answered = '';
    conn.socket.on('data', (d: Buffer) => (answered += d.toString()));
    await until(() => answered.includes('\r\n\r\n'), 2_000);
    expect(answered).toMatch(/^HTTP\/1\.1 200/);
    await until(conn.closed, 3_000);
  });

  it('by default, holds at most MAX_HEALTH_CONNECTIONS', async () => {
    server = await startHealthServer({ host: '127.0.0.1', port: 0 }, board());
    const conns = await Promise.all(Array.from({ length: MAX_HEALTH_CONNECTIONS + 24 }, () => open(server!.url)));
    await until(() => conns.filter((c) => !c.closed()).length <= MAX_HEALTH_CONNECTIONS, 2_000);
    expect(conns.filter((c) => c.closed()).length).toBeGreaterThanOrEqual(24);
  });
});

describe('health server: every string served is scrubbed', () => {
  it('a secret in a stream key or an error message does not reach the body', async () => {
    const secret = 'marker-secret-for-health-9e2f71';
    registerSecret(secret);
    const b = new StreamStatusBoard({ pollIntervalMs: 30_000 });
    // Not a realistic key: it shows that the server scrubs what it serves, whatever the board holds.
    b.register({ key: `audit_log/${secret}`, stream: 'audit_log', workspaceGid: '1' });
    b.problem(`audit_log/${secret}`, 'ERR_ASANA_UNAVAILABLE', `Authorization: Bearer ${secret}`);
    server = await startHealthServer({ host: '127.0.0.1', port: 0 }, b);
    for (const path of ['/readyz', '/healthz']) {
      const res = await request(`${server.url}${path}`);
      const text = await res.body.text();
      expect(text).not.toContain(secret);
      expect(JSON.parse(text)).toMatchObject({ streams: [{ key: 'audit_log/[REDACTED]', lastError: { message: 'Authorization: Bearer [REDACTED]' } }] });
    }
  });
});
