/**
 * A real forward proxy on loopback (the npm `proxy` package: plain HTTP requests and CONNECT
 * tunnels), optionally requiring Basic proxy authentication. Counts what went through it, by target.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createProxy } from 'proxy';

export interface ForwardProxy {
  /** http://[user:password@]127.0.0.1:port */
  url: string;
  /** Targets (host:port) of every proxied request and tunnel, in order. */
  targets: string[];
  /** Requests refused for missing or wrong credentials. */
  refused: number;
  close(): Promise<void>;
}

export async function startForwardProxy(auth?: { user: string; password: string }): Promise<ForwardProxy> {
  const proxy = createProxy(createServer());
  const targets: string[] = [];
  let refused = 0;
  proxy.on('request', (req) => targets.push(new URL(req.url ?? '', 'http://x').host));
  proxy.on('connect', (req) => targets.push(req.url ?? ''));
  if (auth) {
    const expected = `Basic ${Buffer.from(`${auth.user}:${auth.password}`).toString('base64')}`;
    proxy.authenticate = (req) => {
      const ok = req.headers['proxy-authorization'] === expected;
      if (!ok) refused++;
      return ok;
    };
  }
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const port = (proxy.address() as AddressInfo).port;
  const creds = auth ? `${encodeURIComponent(auth.user)}:${encodeURIComponent(auth.password)}@` : '';
  return {
    url: `http://${creds}127.0.0.1:${port}`,
    targets,
    get refused() {
      return refused;
    },
    close: () =>
      new Promise<void>((resolve) => {
        proxy.closeAllConnections();
        proxy.close(() => resolve());
      }),
  };
}
