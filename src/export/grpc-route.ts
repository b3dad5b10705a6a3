import type { ChannelOptions } from '@grpc/grpc-js';
import { proxyFor, proxySettings, withoutCredentials, type ProxyEnv } from '../net/proxy.ts';

/**
 * How the gRPC channel reaches the collector: direct, or through the proxy the environment names
 * for OTLP/HTTP too (net/proxy.ts: HTTPS_PROXY for https endpoints, HTTP_PROXY for http ones and as
 * the fallback, NO_PROXY, lower-case first), so one set of variables routes both protocols alike.
 *
 * On its own, @grpc/grpc-js reads other variables with other rules (build/src/http_proxy.js):
 * lower-case only, grpc_proxy before https_proxy before http_proxy whatever the endpoint's scheme,
 * no_grpc_proxy before no_proxy matched as a plain suffix of the host (no ports, no `*`). So its own
 * lookup is turned off ('grpc.enable_http_proxy': 0) and the route chosen here is handed to its own
 * CONNECT support through the channel options its lookup would set: the proxy as the channel target,
 * 'grpc.http_connect_target' the collector, 'grpc.http_connect_creds' the proxy URL's user:password
 * (sent as Basic Proxy-Authorization). grpc-js opens TLS to the collector inside the tunnel, with
 * the collector's host name as SNI and for the certificate check.
 */

export interface GrpcRoute {
  /** The channel target: the collector's host:port, or the proxy's as a dns: URI. */
  target: string;
  options: ChannelOptions;
  /** The proxy without credentials, for messages; undefined when direct. */
  proxy?: string;
}

/** `address` is the collector's host:port, `url` its endpoint URL (the scheme picks the proxy variable). */
export function grpcRoute(address: string, url: string, env: ProxyEnv = process.env): GrpcRoute {
  const off: ChannelOptions = { 'grpc.enable_http_proxy': 0 };
  const proxy = proxyFor(url, proxySettings(env));
  if (!proxy) return { target: address, options: off };
  let u: URL;
  try {
    u = new URL(proxy);
  } catch {
    throw new Error(`HTTPS_PROXY / HTTP_PROXY: ${withoutCredentials(proxy)} is not a URL: e.g. http://proxy.example.com:3128`);
  }
  if (u.protocol !== 'http:') {
    throw new Error(
      `HTTPS_PROXY / HTTP_PROXY: ${withoutCredentials(proxy)}: OTLP/gRPC is tunnelled only through an http:// proxy (grpc-js sends its CONNECT in plain HTTP); ` +
        `use the proxy's http:// address, or add the collector to NO_PROXY`,
    );
  }
  const options: ChannelOptions = {
    ...off,
    'grpc.http_connect_target': `dns:${address}`,
    'grpc.default_authority': address,
  };
  if (u.username) options['grpc.http_connect_creds'] = decodeURIComponent(u.password ? `${u.username}:${u.password}` : u.username);
  return { target: `dns:${u.hostname}:${u.port || '80'}`, options, proxy: withoutCredentials(proxy) };
}
