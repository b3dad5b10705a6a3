import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { AsanaClient } from '../../../src/asana/client.ts';
import { pacedRequestsPerMinute, RateLimiter } from '../../../src/asana/rate-limiter.ts';
import { loadConfig } from '../../../src/config/index.ts';
import { captureLogger, ROOT } from '../../helpers/receiver.ts';

/**
 * With no ASANA_API_URL the receiver calls https://app.asana.com/api/1.0 exactly as Asana documents
 * it (docs/asana/openapi-excerpt.yaml, from Asana's published OpenAPI spec): the server URL, the
 * paths, only the documented query parameters, and the bearer token. A loopback server cannot show
 * this (it needs ASANA_API_URL), so nock intercepts the HTTPS origin in-process, with every other
 * connection refused: nothing leaves the machine.
 *
 * The client is built as the receiver builds it, with its own undici Agent: nock 15 intercepts
 * undici's Agent as well as node:http (through @mswjs/interceptors), so no test dispatcher is needed.
 */

type Obj = Record<string, any>;
const spec = parse(readFileSync(join(ROOT, 'docs/asana/openapi-excerpt.yaml'), 'utf8')) as Obj;
const TOKEN = '2/1200000000000099/1209999999999999:0123456789abcdef0123456789abcdef';
const WORKSPACE = '1200000000000001';

/** The query parameters Asana documents for an operation (path-level and operation-level). */
function documentedQuery(path: string): { names: Set<string>; required: string[]; params: Obj[] } {
  const item = spec.paths[path] as Obj;
  const params = [...(item.parameters ?? []), ...(item.get.parameters ?? [])].map((p: Obj) => (p.$ref ? spec.components.parameters[p.$ref.split('/').at(-1)] : p)) as Obj[];
  const query = params.filter((p) => p.in === 'query');
  return { names: new Set(query.map((p) => p.name)), required: query.filter((p) => p.required).map((p) => p.name), params: query };
}

interface Seen { origin: string; method: string; path: string; headers: Record<string, string> }

describe('the Asana client against https://app.asana.com/api/1.0 (no ASANA_API_URL)', () => {
  let seen: Seen[];
  let client: AsanaClient;

  beforeAll(() => {
    nock.disableNetConnect();
  });
  afterAll(() => {
    nock.enableNetConnect();
    nock.restore();
  });

  beforeEach(() => {
    seen = [];
    // As the receiver builds it (src/receiver.ts), from the configuration of an environment without ASANA_API_URL.
    const config = loadConfig({ ASANA_TOKEN: TOKEN, ASANA_WORKSPACE_GID: WORKSPACE });
    client = new AsanaClient({
      apiUrl: config.asana.apiUrl,
      token: config.asana.token,
      limiter: new RateLimiter(pacedRequestsPerMinute(config.asana.maxRequestsPerMinute)),
      log: captureLogger().log,
      // One attempt: a request nock does not answer fails the test at once instead of being retried.
      maxAttempts: 1,
    });
  });
  afterEach(async () => {
    await client.close();
    const pending = nock.pendingMocks();
    nock.cleanAll();
    expect(pending, 'every answer was asked for').toEqual([]);
  });

  /** Answers every GET to app.asana.com with `body`, recording the request. */
  function answer(status: number, body: unknown): void {
    const scope = nock('https://app.asana.com')
      .get(() => true)
      .reply(status, JSON.stringify(body), { 'content-type': 'application/json; charset=UTF-8' });
    // nock 15 hands listeners the intercepted request as a Fetch API Request.
    scope.on('request', (req: Request) => {
      const url = new URL(req.url);
      seen.push({ origin: url.origin, method: req.method, path: `${url.pathname}${url.search}`, headers: Object.fromEntries(req.headers) });
    });
  }

  function checkAuth(s: Seen): void {
    expect(s.origin).toBe(new URL(spec.servers[0].url).origin);
    // Asana's security schemes: a personal access token or OAuth, both HTTP bearer.
    expect(spec.components.securitySchemes.personalAccessToken).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(s.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(s.headers.accept).toBe('application/json');
    expect(s.headers['user-agent']).toMatch(/^asana-otel-receiver\/\d+\.\d+\.\d+/);
  }

  it('uses the server Asana documents as its default base URL', () => {
    expect(loadConfig({ ASANA_TOKEN: TOKEN, ASANA_WORKSPACE_GID: WORKSPACE }).asana.apiUrl).toBe(spec.servers[0].url);
  });

  it('reads the audit log with GET /workspaces/{workspace_gid}/audit_log_events and only documented query parameters', async () => {
    answer(200, { data: [], next_page: { offset: 'eyJvZmZzZXQiOjF9' } });
    await client.getAuditLogPage({ workspaceGid: WORKSPACE, startAt: '2026-12-01T00:00:00.000Z', endAt: '2026-12-02T00:00:00.000Z', offset: 'eyJ0eXAiOjF9' });
    expect(seen).toHaveLength(1);
    const s = seen[0]!;
    expect(s.method).toBe('GET');
    const url = new URL(s.path, 'https://app.asana.com');
    expect(url.pathname).toBe(`/api/1.0${'/workspaces/{workspace_gid}/audit_log_events'.replace('{workspace_gid}', WORKSPACE)}`);
    const { names, params } = documentedQuery('/workspaces/{workspace_gid}/audit_log_events');
    for (const k of url.searchParams.keys()) expect(names, `query parameter ${k}`).toContain(k);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      limit: '100',
      start_at: '2026-12-01T00:00:00.000Z',
      end_at: '2026-12-02T00:00:00.000Z',
      offset: 'eyJ0eXAiOjF9',
    });
    // The largest page Asana allows.
    expect(Number(url.searchParams.get('limit'))).toBe(params.find((p) => p.name === 'limit')!.schema.maximum);
    checkAuth(s);
  });

  it('passes the audit log\'s documented filters through under their documented names', async () => {
    answer(200, { data: [], next_page: null });
    await client.getAuditLogPage({ workspaceGid: WORKSPACE, eventType: 'user_login_failed', actorType: 'user', actorGid: '1199000000000001', resourceGid: '1199000000000002', limit: 50 });
    const url = new URL(seen[0]!.path, 'https://app.asana.com');
    const { names } = documentedQuery('/workspaces/{workspace_gid}/audit_log_events');
    for (const k of url.searchParams.keys()) expect(names, `query parameter ${k}`).toContain(k);
    expect(Object.fromEntries(url.searchParams)).toEqual({ limit: '50', event_type: 'user_login_failed', actor_type: 'user', actor_gid: '1199000000000001', resource_gid: '1199000000000002' });
  });

  it('reads a resource\'s events with GET /events?resource=…&sync=…', async () => {
    answer(200, { data: [], sync: 'de4774f6915eae04714ca93bb2f5ee81', has_more: false });
    const result = await client.getEvents({ target: { kind: 'resource', workspaceGid: WORKSPACE, resourceGid: '1199000000000777' }, sync: 'a1b2c3' });
    expect(result.kind).toBe('page');
    const url = new URL(seen[0]!.path, 'https://app.asana.com');
    expect(url.pathname).toBe('/api/1.0/events');
    const { names, required } = documentedQuery('/events');
    for (const k of url.searchParams.keys()) expect(names, `query parameter ${k}`).toContain(k);
    for (const k of required) expect(url.searchParams.has(k), `required ${k}`).toBe(true);
    expect(Object.fromEntries(url.searchParams)).toEqual({ resource: '1199000000000777', sync: 'a1b2c3' });
    checkAuth(seen[0]!);
  });

  it('starts a resource\'s events without a sync token and takes the one Asana\'s 412 hands back', async () => {
    answer(412, { errors: [{ message: 'Sync token invalid or too old. If you are attempting to keep resources in sync, you must fetch the full dataset for this query now and use the new sync token for the next sync.' }], sync: 'fresh-sync-token' });
    const result = await client.getEvents({ target: { kind: 'resource', workspaceGid: WORKSPACE, resourceGid: '1199000000000777' } });
    expect(result).toMatchObject({ kind: 'sync-refused', sync: 'fresh-sync-token' });
    expect(Object.fromEntries(new URL(seen[0]!.path, 'https://app.asana.com').searchParams)).toEqual({ resource: '1199000000000777' });
  });

  it('reads a workspace\'s events with GET /workspaces/{workspace_gid}/events?sync=…', async () => {
    answer(200, { data: [], sync: 'de4774f6915eae04714ca93bb2f5ee81', has_more: false });
    await client.getEvents({ target: { kind: 'workspace', workspaceGid: WORKSPACE }, sync: 'a1b2c3' });
    const url = new URL(seen[0]!.path, 'https://app.asana.com');
    expect(url.pathname).toBe(`/api/1.0/workspaces/${WORKSPACE}/events`);
    const { names } = documentedQuery('/workspaces/{workspace_gid}/events');
    for (const k of url.searchParams.keys()) expect(names, `query parameter ${k}`).toContain(k);
    expect(Object.fromEntries(url.searchParams)).toEqual({ sync: 'a1b2c3' });
    checkAuth(seen[0]!);
  });
});
