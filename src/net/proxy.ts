import type { ConnectionOptions } from 'node:tls';
import { EnvHttpProxyAgent } from '../undici.ts';

/**
 * Outgoing HTTP through the proxy the environment names: HTTPS_PROXY for https URLs, HTTP_PROXY for
 * http URLs (and for https ones when HTTPS_PROXY is unset), NO_PROXY for the hosts that go direct;
 * the lower-case forms win over the upper-case ones. undici's own EnvHttpProxyAgent does the routing
 * (https://undici.nodejs.org/#/docs/api/EnvHttpProxyAgent), a CONNECT tunnel for https targets.
 */

export type ProxyEnv = Readonly<Record<string, string | undefined>>;

export interface ProxyDispatcherOptions {
  /** TLS options for the target server (a collector's CA, client certificate), direct or through the tunnel. */
  tls?: ConnectionOptions;
  keepAliveTimeout?: number;
  connections?: number;
}

/** A dispatcher that routes each request as the environment says, with `tls` for the target server. */
export function createProxyDispatcher(opts: ProxyDispatcherOptions = {}, env: ProxyEnv = process.env): EnvHttpProxyAgent {
  const settings = proxySettings(env);
  const tls = opts.tls ?? {};
  return new EnvHttpProxyAgent({
    ...(settings.httpProxy ? { httpProxy: settings.httpProxy } : { httpProxy: '' }),
    ...(settings.httpsProxy ? { httpsProxy: settings.httpsProxy } : { httpsProxy: '' }),
    noProxy: settings.noProxy,
    ...(opts.keepAliveTimeout !== undefined ? { keepAliveTimeout: opts.keepAliveTimeout } : {}),
    ...(opts.connections !== undefined ? { connections: opts.connections } : {}),
    connect: tls,
    requestTls: tls,
  });
}

export interface ProxySettings {
  httpProxy?: string;
  httpsProxy?: string;
  noProxy: string;
}

/** The proxy variables, lower-case first (as curl and undici read them). Empty means unset. */
export function proxySettings(env: ProxyEnv): ProxySettings {
  const pick = (name: string) => (env[name.toLowerCase()] || env[name] || undefined) as string | undefined;
  const httpProxy = pick('HTTP_PROXY');
  const httpsProxy = pick('HTTPS_PROXY') ?? httpProxy;
  return { ...(httpProxy ? { httpProxy } : {}), ...(httpsProxy ? { httpsProxy } : {}), noProxy: pick('NO_PROXY') ?? '' };
}

/** The proxy a URL goes through, or undefined when it goes direct. */
export function proxyFor(url: string, settings: ProxySettings): string | undefined {
  const u = new URL(url);
  const proxy = u.protocol === 'https:' ? settings.httpsProxy : settings.httpProxy;
  if (!proxy) return undefined;
  const port = Number(u.port) || (u.protocol === 'https:' ? 443 : 80);
  const host = u.hostname.replace(/^\[(.+)\]$/, '$1').replace(/\.$/, '').toLowerCase();
  return bypassed(host, port, settings.noProxy) ? undefined : proxy;
}

/**
 * NO_PROXY as undici reads it: entries split on commas and spaces; `*` matches every host; an entry
 * matches the host itself and its subdomains (`.example.com` and `*.example.com` only subdomains);
 * `host:port` only that port.
 */
export function bypassed(host: string, port: number, noProxy: string): boolean {
  for (const raw of noProxy.split(/[,\s]/)) {
    if (!raw) continue;
    const m = /^(\[[^\]]+\]|[^:]+|.*:.*:.*)(?::(\d+))?$/.exec(raw.toLowerCase());
    if (!m) continue;
    let name = (m[1] as string).replace(/^\[(.+)\]$/, '$1');
    const entryPort = m[2] ? Number(m[2]) : 0;
    if (entryPort && entryPort !== port) continue;
    if (name === '*') return true;
    const wildcard = name.startsWith('*.') || name.startsWith('.');
    name = name.replace(/^\*?\./, '');
    if (!wildcard && host === name) return true;
    if (host.endsWith(`.${name}`)) return true;
  }
  return false;
}

/** For `validate`: "via proxy http://proxy:3128" or "direct (NO_PROXY)" / "direct". Never credentials. */
export function describeRoute(url: string, env: ProxyEnv = process.env): string {
  const settings = proxySettings(env);
  const proxy = proxyFor(url, settings);
  if (proxy) return `via proxy ${withoutCredentials(proxy)}`;
  const configured = new URL(url).protocol === 'https:' ? settings.httpsProxy : settings.httpProxy;
  return configured ? 'direct (NO_PROXY)' : 'direct';
}

/** A proxy URL for messages: scheme, host and port; user, password, path and query dropped. */
export function withoutCredentials(proxy: string): string {
  try {
    const u = new URL(proxy);
    return `${u.protocol}//${u.host}`;
  } catch {
    return '(unparseable proxy URL)';
  }
}
