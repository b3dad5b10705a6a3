/**
 * The part of undici the receiver uses: the pooled keep-alive Agent, the proxy-aware
 * EnvHttpProxyAgent and `request`, loaded without the rest of the package.
 *
 * undici's entry point (index.js) loads everything it offers: fetch, WebSocket, EventSource, the
 * caches (with SQLite), the mock agents. The receiver needs none of it, and keeping those modules
 * loaded costs about 5 MB of resident memory for the lifetime of the process (their source text
 * and compiled code; measured with `npm run bench`, peak RSS of the CPU-bound backlog). So the
 * modules are required directly. undici has no "exports" map, its version is pinned exactly in
 * package.json, and every test that talks HTTP goes through these two: a layout change in an
 * upgrade fails at once, not quietly.
 *
 * `request` is what undici's own `request(url, opts)` does (index.js makeDispatcher): the URL split
 * into origin and path for the dispatcher's request API.
 */
import { createRequire } from 'node:module';
import type * as Undici from 'undici';

const require = createRequire(import.meta.url);

export const Agent = require('undici/lib/dispatcher/agent.js') as typeof Undici.Agent;
export type Agent = Undici.Agent;
export const EnvHttpProxyAgent = require('undici/lib/dispatcher/env-http-proxy-agent.js') as typeof Undici.EnvHttpProxyAgent;
export type EnvHttpProxyAgent = Undici.EnvHttpProxyAgent;
export type Dispatcher = Undici.Dispatcher;

type RequestOptions = { dispatcher: Dispatcher } & Omit<Undici.Dispatcher.RequestOptions, 'origin' | 'path' | 'method'> &
  Partial<Pick<Undici.Dispatcher.RequestOptions, 'method'>>;

const apiRequest = require('undici/lib/api/api-request.js') as (
  this: Dispatcher,
  opts: Undici.Dispatcher.RequestOptions,
) => Promise<Undici.Dispatcher.ResponseData>;

/** `undici.request(url, opts)` with an explicit dispatcher (the receiver never uses the global one). */
export function request(url: string, opts: RequestOptions): Promise<Undici.Dispatcher.ResponseData> {
  const { dispatcher, ...rest } = opts;
  const u = new URL(url);
  return apiRequest.call(dispatcher, {
    ...rest,
    origin: u.origin,
    path: u.search ? `${u.pathname}${u.search}` : u.pathname,
    method: opts.method ?? (opts.body ? 'PUT' : 'GET'),
  });
}
