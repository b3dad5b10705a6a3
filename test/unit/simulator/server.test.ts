import { afterEach, describe, expect, it } from 'vitest';
import type { AuditLogEvent, AuditLogPage } from '../../../src/asana/types.ts';
import { AsanaSimulator, EVENT_CATEGORIES, EventGenerator, UNMAPPED_EVENT_TYPES, type SimulatorOptions } from '../../../src/simulator/index.ts';

const started: AsanaSimulator[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.close()));
});

async function start(opts: SimulatorOptions = {}): Promise<AsanaSimulator> {
  const sim = await AsanaSimulator.start(opts);
  started.push(sim);
  return sim;
}

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  body: unknown;
}

async function get(sim: AsanaSimulator, query: Record<string, string | undefined> = {}, init: { token?: string | null; workspace?: string } = {}): Promise<Answer> {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, v);
  const headers: Record<string, string> = {};
  const token = init.token === undefined ? sim.token : init.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${sim.url}/workspaces/${init.workspace ?? sim.workspaceGid}/audit_log_events?${params}`, { headers });
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.status, headers: res.headers, text, body };
}

async function page(sim: AsanaSimulator, query: Record<string, string | undefined> = {}): Promise<AuditLogPage> {
  const a = await get(sim, query);
  expect(a.status, a.text).toBe(200);
  return a.body as AuditLogPage;
}

/** Follows next_page.offset until an empty page; returns every event and the last offset. */
async function pageAll(sim: AsanaSimulator, query: Record<string, string | undefined> = {}): Promise<{ events: AuditLogEvent[]; offset?: string; pages: number }> {
  const events: AuditLogEvent[] = [];
  let offset: string | undefined;
  let pages = 0;
  for (;;) {
    const p = await page(sim, { ...query, offset });
    pages++;
    if (p.data.length === 0) return { events, offset, pages };
    events.push(...p.data);
    expect(p.next_page?.offset).toBeTruthy();
    offset = p.next_page?.offset ?? undefined;
  }
}

function errorMessage(a: Answer): string {
  return ((a.body as { errors?: Array<{ message?: string }> })?.errors?.[0]?.message) ?? '';
}

const T0 = Date.parse('2024-05-01T12:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

describe('event generator', () => {
  const generate = (seed: number, count = 5000) =>
    new EventGenerator({ seed, workspaceGid: '1200000000000001' }).generate(count, T0, T0 + 6 * 3_600_000);

  it('is deterministic for a seed and differs between seeds', () => {
    expect(generate(7, 2000)).toEqual(generate(7, 2000));
    expect(generate(8, 2000)).not.toEqual(generate(7, 2000));
  });

  it('covers every documented category and passes unknown types and categories through', () => {
    const events = generate(1);
    const categories = new Set(events.map((e) => e.event_category));
    for (const c of new Set(Object.values(EVENT_CATEGORIES))) expect(categories, c).toContain(c);
    expect(categories).toContain('future_category');
    const types = new Set(events.map((e) => e.event_type));
    for (const t of Object.keys(UNMAPPED_EVENT_TYPES)) expect(types, t).toContain(t);
    for (const e of events) {
      const t = e.event_type ?? '';
      expect(e.event_category).toBe(EVENT_CATEGORIES[t] ?? UNMAPPED_EVENT_TYPES[t]);
    }
  });

  it('produces sorted, unique, increasing 16-digit gids and same-millisecond clusters', () => {
    const events = generate(1);
    expect(events).toHaveLength(5000);
    const gids = events.map((e) => e.gid);
    expect(new Set(gids).size).toBe(gids.length);
    for (let i = 1; i < events.length; i++) {
      const a = events[i - 1] as AuditLogEvent;
      const b = events[i] as AuditLogEvent;
      expect(a.created_at <= b.created_at).toBe(true);
      expect(BigInt(a.gid) < BigInt(b.gid)).toBe(true);
    }
    for (const g of gids) expect(g).toMatch(/^\d{16}$/);
    const perMs = new Map<string, number>();
    for (const e of events) perMs.set(e.created_at, (perMs.get(e.created_at) ?? 0) + 1);
    expect(Math.max(...perMs.values())).toBeGreaterThan(100);
    expect(events.every((e) => e.created_at >= iso(T0) && e.created_at < iso(T0 + 6 * 3_600_000))).toBe(true);
  });

  it('looks like real audit events: actors, contexts, details, documentation IPs, unicode, nulls', () => {
    const events = generate(3);
    const actorTypes = new Set(events.map((e) => e.actor?.actor_type));
    expect([...actorTypes].sort()).toEqual(['anonymous', 'asana', 'asana_support', 'external_administrator', 'user']);
    for (const e of events.filter((x) => x.actor?.actor_type === 'user')) {
      expect(e.actor?.gid).toMatch(/^\d+$/);
      expect(e.actor?.name).toBeTruthy();
    }
    expect(events.some((e) => e.actor?.actor_type === 'user' && e.actor.email === null)).toBe(true);
    const contextTypes = new Set(events.map((e) => e.context?.context_type));
    for (const c of ['web', 'desktop', 'mobile', 'api', 'email', 'asana', 'asana_support']) expect(contextTypes, c).toContain(c);
    const methods = new Set(events.filter((e) => e.context?.context_type === 'api').map((e) => e.context?.api_authentication_method));
    for (const m of ['oauth', 'personal_access_token', 'service_account']) expect(methods).toContain(m);
    for (const e of events.filter((x) => x.context?.api_authentication_method === 'oauth')) expect(e.context?.oauth_app_name).toBeTruthy();
    expect(events.some((e) => typeof e.context?.rule_name === 'string')).toBe(true);

    for (const e of events) {
      const ip = e.context?.client_ip_address;
      if (ip === undefined) continue;
      expect(ip).toMatch(/^(192\.0\.2|198\.51\.100|203\.0\.113)\.\d{1,3}$|^2001:db8:/);
    }
    const logins = events.filter((e) => e.event_type === 'user_login_succeeded' || e.event_type === 'user_login_failed');
    expect(logins.length).toBeGreaterThan(0);
    for (const e of logins) expect(e.details).toHaveProperty('saml_response', null);
    // Setting changes carry old and new value (user_password_changed is not a setting).
    const changed = events.filter((e) => e.event_type?.endsWith('_changed') && e.event_type !== 'user_password_changed');
    expect(changed.length).toBeGreaterThan(20);
    for (const e of changed) {
      expect(e.details, e.event_type ?? '').toHaveProperty('new_value');
      expect(e.details, e.event_type ?? '').toHaveProperty('old_value');
    }
    const division = events.find((e) => e.event_type === 'user_division_admin_role_changed');
    expect(division?.details?.group).toMatchObject({ resource_type: 'division' });
    expect(events.some((e) => e.resource?.name === null)).toBe(true);
    const subtypes = new Set(events.map((e) => e.resource?.resource_subtype).filter(Boolean));
    expect(subtypes).toContain('milestone');
    expect(subtypes).toContain('approval');
    const names = JSON.stringify(events.map((e) => e.actor?.name));
    for (const n of ['Zoë Ångström', '李雷', 'Ольга Смирнова']) expect(names).toContain(n);
    expect(events.some((e) => /\p{Extended_Pictographic}/u.test(JSON.stringify(e)))).toBe(true);
  });
});

describe('AsanaSimulator audit_log_events paging', () => {
  it('pages a multi-page backlog: every event exactly once, in (created_at, gid) order', async () => {
    const sim = await start({ backlog: 1234, seed: 2 });
    const { events, pages } = await pageAll(sim);
    expect(pages).toBe(14); // 13 pages of data (12 × 100 + 34) and the empty one
    expect(events.map((e) => e.gid)).toEqual(sim.events.map((e) => e.gid));
    expect(events).toEqual(sim.events);
  });

  it('pages 100,000 events quickly (binary-search cursor)', async () => {
    const t = performance.now();
    const sim = await start({ backlog: 100_000, seed: 9 });
    const { events, pages } = await pageAll(sim);
    expect(events).toHaveLength(100_000);
    expect(new Set(events.map((e) => e.gid)).size).toBe(100_000);
    expect(events.at(-1)?.gid).toBe(sim.events.at(-1)?.gid);
    expect(pages).toBe(1001);
    expect(performance.now() - t).toBeLessThan(20_000);
  });

  it('uses the limit (default 100) and validates it', async () => {
    const sim = await start({ backlog: 150 });
    expect((await page(sim)).data).toHaveLength(100);
    expect((await page(sim, { limit: '1' })).data).toHaveLength(1);
    expect((await page(sim, { limit: '100' })).data).toHaveLength(100);
    for (const bad of ['0', '101', '1000', 'abc', '1.5', '-1', '']) {
      const a = await get(sim, { limit: bad });
      expect(a.status, bad).toBe(400);
      expect(errorMessage(a)).toMatch(/^limit: /);
    }
  });

  it('neither skips nor repeats same-millisecond events across page boundaries', async () => {
    const sim = await start();
    const tie = iso(T0 + 1000);
    sim.add([{ created_at: iso(T0), event_type: 'team_created' }]);
    sim.add(Array.from({ length: 250 }, () => ({ created_at: tie, event_type: 'team_member_removed' })));
    sim.add([{ created_at: iso(T0 + 2000), event_type: 'team_deleted' }]);
    for (const limit of ['100', '7', '1']) {
      const { events } = await pageAll(sim, { limit });
      expect(events.map((e) => e.gid), `limit ${limit}`).toEqual(sim.events.map((e) => e.gid));
    }
    // Ties are ordered by gid, numerically.
    const tied = sim.events.filter((e) => e.created_at === tie).map((e) => BigInt(e.gid));
    expect(tied).toEqual([...tied].sort((a, b) => (a < b ? -1 : 1)));
  });

  it('keeps handing out next_page on empty pages, and new events appear with the latest offset', async () => {
    let now = T0;
    const sim = await start({ now: () => now, backlog: 120 });
    const first = await pageAll(sim);
    expect(first.events).toHaveLength(120);
    const empty = await page(sim, { offset: first.offset });
    expect(empty.data).toEqual([]);
    expect(empty.next_page?.offset).toBeTruthy();
    expect(empty.next_page?.path).toContain('/audit_log_events?');
    expect(empty.next_page?.uri).toBe(`${sim.url}${empty.next_page?.path}`);

    now += 5_000;
    const fresh = sim.generate(5);
    // Both the first offset and the one from the empty page resume at the same place.
    for (const offset of [first.offset, empty.next_page?.offset ?? undefined]) {
      const p = await page(sim, { offset });
      expect(p.data).toEqual(fresh);
      expect(p.next_page?.offset).toBeTruthy();
    }
    // A same-millisecond event recorded after the cursor is still found (it has a later gid).
    const p = await page(sim, { offset: empty.next_page?.offset ?? undefined });
    const sameMs = sim.add([{ event_type: 'user_logged_out' }]);
    const after = await page(sim, { offset: p.next_page?.offset ?? undefined });
    expect(after.data).toEqual(sameMs);
  });

  it('answers next_page null when nothing matches', async () => {
    const empty = await start();
    expect(await page(empty)).toEqual({ data: [], next_page: null });

    const sim = await start({ backlog: 50, now: () => T0 });
    expect(await page(sim, { event_type: 'no_such_event' })).toEqual({ data: [], next_page: null });
    expect(await page(sim, { start_at: iso(T0 + 60_000) })).toEqual({ data: [], next_page: null });
    expect(await page(sim, { end_at: iso(T0 - 24 * 3_600_000) })).toEqual({ data: [], next_page: null });
  });

  it('filters by event_type, actor_type, actor_gid, resource_gid, start_at (inclusive) and end_at (exclusive)', async () => {
    const sim = await start({ backlog: 3000, seed: 5, now: () => T0 });
    const all = sim.events;
    const user = all.find((e) => e.actor?.actor_type === 'user' && all.filter((x) => x.actor?.gid === e.actor?.gid).length > 3);
    const resource = all.find((e) => e.resource?.gid && all.filter((x) => x.resource?.gid === e.resource?.gid).length > 3);
    const mid = all[1500] as AuditLogEvent;
    const late = all[2500] as AuditLogEvent;
    const cases: Array<[Record<string, string>, (e: AuditLogEvent) => boolean]> = [
      [{ event_type: 'user_login_succeeded' }, (e) => e.event_type === 'user_login_succeeded'],
      [{ actor_type: 'asana' }, (e) => e.actor?.actor_type === 'asana'],
      [{ actor_gid: user?.actor?.gid ?? '' }, (e) => e.actor?.gid === user?.actor?.gid],
      [{ resource_gid: resource?.resource?.gid ?? '' }, (e) => e.resource?.gid === resource?.resource?.gid],
      [{ start_at: mid.created_at }, (e) => e.created_at >= mid.created_at],
      [{ end_at: mid.created_at }, (e) => e.created_at < mid.created_at],
      [
        { start_at: mid.created_at, end_at: late.created_at, actor_type: 'user' },
        (e) => e.created_at >= mid.created_at && e.created_at < late.created_at && e.actor?.actor_type === 'user',
      ],
    ];
    for (const [query, predicate] of cases) {
      const expected = all.filter(predicate);
      expect(expected.length, JSON.stringify(query)).toBeGreaterThan(0);
      const { events } = await pageAll(sim, query);
      expect(events.map((e) => e.gid), JSON.stringify(query)).toEqual(expected.map((e) => e.gid));
    }
    // Time filters accept other ISO spellings of the same instant.
    const plusZero = mid.created_at.replace('Z', '+00:00');
    const a = await pageAll(sim, { start_at: plusZero });
    expect(a.events[0]?.gid).toBe(all.find((e) => e.created_at >= mid.created_at)?.gid);
    const bad = await get(sim, { start_at: 'yesterday' });
    expect(bad.status).toBe(400);
    expect(errorMessage(bad)).toMatch(/^start_at: /);
  });

  it('refuses an offset used with other filters, an edited offset and garbage with 400', async () => {
    const sim = await start({ backlog: 300 });
    const first = await page(sim, { actor_type: 'user', start_at: iso(0) });
    const offset = first.next_page?.offset ?? '';
    expect((await get(sim, { actor_type: 'user', start_at: iso(0), offset })).status).toBe(200);
    // The same instant spelled differently is the same filter.
    expect((await get(sim, { actor_type: 'user', start_at: '1970-01-01T00:00:00Z', offset })).status).toBe(200);
    for (const query of [{ actor_type: 'asana', start_at: iso(0) }, { actor_type: 'user' }, { actor_type: 'user', start_at: iso(0), event_type: 'team_created' }]) {
      const a = await get(sim, { ...query, offset });
      expect(a.status, JSON.stringify(query)).toBe(400);
      expect(errorMessage(a)).toMatch(/^offset: The offset is invalid/);
    }
    const [body, sig] = offset.split('.');
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(body ?? '', 'base64url').toString()), t: 0 })).toString('base64url');
    for (const bad of ['garbage', 'eyJ0eXAiOJiKV1iQLCJhbGciOiJIUzI1NiJ9', `${forged}.${sig}`, `${offset}x`]) {
      const a = await get(sim, { actor_type: 'user', start_at: iso(0), offset: bad });
      expect(a.status, bad).toBe(400);
      expect(errorMessage(a)).toMatch(/^offset: The offset is invalid/);
    }
  });

  it('refuses an expired offset with 400', async () => {
    let now = T0;
    const sim = await start({ backlog: 150, offsetTtlMs: 60_000, now: () => now });
    const first = await page(sim);
    now += 59_000;
    const second = await page(sim, { offset: first.next_page?.offset ?? undefined });
    expect(second.data).toHaveLength(50);
    now += 61_000;
    // The first offset is now 120 s old; the second (issued 61 s ago) too.
    for (const offset of [first.next_page?.offset, second.next_page?.offset]) {
      const a = await get(sim, { offset: offset ?? undefined });
      expect(a.status).toBe(400);
      expect(errorMessage(a)).toMatch(/^offset: The offset has expired/);
    }
  });

  it('skips events recorded later with a created_at before the cursor (late events, as Asana does)', async () => {
    const sim = await start({ now: () => T0 });
    sim.add([{ created_at: iso(T0 - 10_000) }, { created_at: iso(T0 - 5_000) }]);
    const { events, offset } = await pageAll(sim);
    expect(events).toHaveLength(2);
    const [late] = sim.add([{ created_at: iso(T0 - 7_000) }]);
    expect(sim.events.map((e) => e.gid)).toEqual([events[0]?.gid, late?.gid, events[1]?.gid]);
    expect((await page(sim, { offset })).data).toEqual([]);
    // A re-scan with start_at finds it.
    expect((await pageAll(sim, { start_at: iso(T0 - 8_000) })).events.map((e) => e.gid)).toEqual([late?.gid, events[1]?.gid]);
  });

  it('keeps the store sorted on insert and refuses duplicate gids or bad timestamps', async () => {
    const sim = await start({ now: () => T0 });
    sim.generate(500, { from: new Date(T0), to: new Date(T0 + 60_000) });
    sim.generate(500, { from: new Date(T0 - 60_000), to: new Date(T0 + 120_000) });
    sim.add([{ created_at: iso(T0 + 30_000) }, { created_at: iso(T0 - 30_000), gid: '42' }]);
    const keys = sim.events.map((e) => [Date.parse(e.created_at), BigInt(e.gid)] as const);
    for (let i = 1; i < keys.length; i++) {
      const [t1, g1] = keys[i - 1] as readonly [number, bigint];
      const [t2, g2] = keys[i] as readonly [number, bigint];
      expect(t1 < t2 || (t1 === t2 && g1 < g2)).toBe(true);
    }
    expect(() => sim.add([{ gid: '42' }])).toThrow(/duplicate/);
    expect(() => sim.add([{ created_at: 'not a date' }])).toThrow(/created_at/);
    expect(sim.events).toHaveLength(1002);
  });
});

describe('AsanaSimulator access and limits', () => {
  it('answers 401 with Asana\'s envelope for a wrong or missing token', async () => {
    const sim = await start({ backlog: 5 });
    for (const token of ['wrong', null, '']) {
      const a = await get(sim, {}, { token });
      expect(a.status).toBe(401);
      expect(a.body).toEqual({
        errors: [{ message: 'Not Authorized', help: 'For more information on API status codes and how to handle them, read the docs on errors: https://developers.asana.com/docs/errors' }],
      });
    }
  });

  it('answers 403 without the audit-log scope and for a workspace the token cannot read', async () => {
    const noScope = await start({ auditScope: false, backlog: 5 });
    const a = await get(noScope);
    expect(a.status).toBe(403);
    expect(errorMessage(a)).toContain('does not have access to the audit log');
    expect((a.body as { errors: Array<{ help?: string }> }).errors[0]?.help).toContain('developers.asana.com');

    const sim = await start({ token: 'service-account-pat', workspaceGid: '1111' });
    expect((await get(sim)).status).toBe(200);
    const b = await get(sim, {}, { workspace: '2222' });
    expect(b.status).toBe(403);
    expect(errorMessage(b)).toContain('2222');
  });

  it('answers 404 for unknown routes', async () => {
    const sim = await start();
    const res = await fetch(`${sim.url}/workspaces/${sim.workspaceGid}/nope`, { headers: { authorization: `Bearer ${sim.token}` } });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ errors: [{ message: 'No matching route for request' }] });
  });

  it('answers 429 with Retry-After over requestsPerMinute, counting refused requests too', async () => {
    let now = T0;
    const sim = await start({ requestsPerMinute: 3, now: () => now, backlog: 5 });
    for (let i = 0; i < 3; i++) {
      expect((await get(sim)).status).toBe(200);
      now += 10_000;
    }
    // Hits at 0, 10 s, 20 s and this refused one at 30 s: a request fits again once the hits
    // at 0 and 10 s have left the window, at 70 s.
    const limited = await get(sim);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('40');
    expect(errorMessage(limited)).toMatch(/too many requests/i);
    // The refused request counted as well: at 60.5 s the hits at 10 s, 20 s and 30 s are in the window.
    now = T0 + 60_500;
    const stillLimited = await get(sim);
    expect(stillLimited.status).toBe(429);
    expect(Number(stillLimited.headers.get('retry-after'))).toBeGreaterThan(0);
    now = T0 + 200_000;
    expect((await get(sim)).status).toBe(200);
    // Unauthorized requests count too.
    expect((await get(sim, {}, { token: 'wrong' })).status).toBe(401);
    expect((await get(sim, {}, { token: 'wrong' })).status).toBe(401);
    expect((await get(sim)).status).toBe(429);
  });

  it('optionally refuses bursts within one second', async () => {
    let now = T0;
    const sim = await start({ requestsPerMinute: 60, rejectBursts: true, now: () => now });
    expect((await get(sim)).status).toBe(200);
    expect((await get(sim)).status).toBe(200);
    const burst = await get(sim);
    expect(burst.status).toBe(429);
    expect(burst.headers.get('retry-after')).toBe('1');
    now += 1_500;
    expect((await get(sim)).status).toBe(200);
  });

  it('adds latencyMs to every response', async () => {
    const sim = await start({ latencyMs: 80 });
    const t = performance.now();
    expect((await get(sim)).status).toBe(200);
    expect(performance.now() - t).toBeGreaterThanOrEqual(75);
  });

  it('logs requests with path, query and status, never the token', async () => {
    const sim = await start({ token: 'very-secret-token', backlog: 3 });
    await get(sim, { limit: '2' });
    await get(sim, {}, { token: 'wrong' });
    expect(sim.requests).toHaveLength(2);
    expect(sim.requests[0]).toMatchObject({ path: `/api/1.0/workspaces/${sim.workspaceGid}/audit_log_events`, query: { limit: '2' }, status: 200 });
    expect(sim.requests[1]?.status).toBe(401);
    expect(typeof sim.requests[0]?.at).toBe('number');
    expect(JSON.stringify(sim.requests)).not.toContain('very-secret-token');
  });
});

describe('AsanaSimulator fault injection', () => {
  it('answers queued status faults, then recovers', async () => {
    const sim = await start({ backlog: 5 });
    sim.failNext(2, { status: 500 });
    sim.failNext(1, { status: 429, retryAfter: 7 });
    sim.failNext(1, { status: 503, body: 'upstream down', contentType: 'text/plain' });
    for (let i = 0; i < 2; i++) {
      const a = await get(sim);
      expect(a.status).toBe(500);
      expect(a.body).toEqual({ errors: [{ message: 'Server Error', phrase: '6 sad squid snuggle softly' }] });
    }
    const limited = await get(sim);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect(errorMessage(limited)).toMatch(/too many requests/i);
    const down = await get(sim);
    expect(down.status).toBe(503);
    expect(down.text).toBe('upstream down');
    expect((await get(sim)).status).toBe(200);
    expect(sim.requests.map((r) => r.status)).toEqual([500, 500, 429, 503, 200]);
  });

  it('answers an HTML 502 page', async () => {
    const sim = await start();
    sim.failNext(1, { kind: 'html' });
    const a = await get(sim);
    expect(a.status).toBe(502);
    expect(a.headers.get('content-type')).toContain('text/html');
    expect(a.text).toContain('<html>');
    expect(a.body).toBeUndefined();
  });

  it('answers 200 with JSON cut in half', async () => {
    const sim = await start({ backlog: 20 });
    const whole = await get(sim);
    sim.failNext(1, { kind: 'truncated' });
    const cut = await get(sim);
    expect(cut.status).toBe(200);
    expect(cut.text).toBe(whole.text.slice(0, Math.floor(whole.text.length / 2)));
    expect(() => JSON.parse(cut.text)).toThrow();
  });

  it('resets the connection', async () => {
    const sim = await start({ backlog: 5 });
    sim.failNext(1, { kind: 'reset' });
    await expect(get(sim)).rejects.toThrow();
    expect((await get(sim)).status).toBe(200);
  });

  it('hangs for the given time, then answers', async () => {
    const sim = await start({ backlog: 5 });
    sim.failNext(1, { kind: 'hang', ms: 5_000 });
    const params = new URLSearchParams();
    await expect(
      fetch(`${sim.url}/workspaces/${sim.workspaceGid}/audit_log_events?${params}`, {
        headers: { authorization: `Bearer ${sim.token}` },
        signal: AbortSignal.timeout(100),
      }),
    ).rejects.toThrow();
    sim.failNext(1, { kind: 'hang', ms: 60 });
    const t = performance.now();
    expect((await get(sim)).status).toBe(200);
    expect(performance.now() - t).toBeGreaterThanOrEqual(55);
  });
});

describe('AsanaSimulator live activity', () => {
  it('adds events while live and stops', async () => {
    const sim = await start();
    sim.startLive(50);
    await new Promise((r) => setTimeout(r, 450));
    sim.stopLive();
    const n = sim.events.length;
    expect(n).toBeGreaterThanOrEqual(10);
    await new Promise((r) => setTimeout(r, 250));
    expect(sim.events.length).toBe(n);
    const { events } = await pageAll(sim);
    expect(events).toEqual(sim.events);
  });
});
