import { describe, expect, it } from 'vitest';
import { classifyAsanaResponse, describeAsanaError, parseAuditLogPage, snippet, SNIPPET_CHARS, usableOffset } from '../../../src/asana/classify.ts';
import { CredentialsError } from '../../../src/errors.ts';

const ctx = { what: 'audit log of workspace 42', workspaceGid: '42', apiUrl: 'https://app.asana.com/api/1.0' };
const classify = (status: number, body = '', headers: Record<string, string> = {}) =>
  classifyAsanaResponse(status, headers, body, ctx, parseAuditLogPage, Date.parse('2026-01-01T00:00:00Z'));

describe('classifyAsanaResponse', () => {
  it('accepts a page and keeps unknown fields', () => {
    const out = classify(200, JSON.stringify({ data: [{ gid: '1', created_at: 'x', brand_new: { a: 1 } }], next_page: { offset: 'o1' }, extra: true }));
    expect(out.kind).toBe('ok');
    if (out.kind !== 'ok') return;
    expect(out.value.data[0]).toEqual({ gid: '1', created_at: 'x', brand_new: { a: 1 } });
    expect(out.value.next_page?.offset).toBe('o1');
  });

  it('treats next_page: null as no offset', () => {
    const out = classify(200, '{"data":[],"next_page":null}');
    expect(out).toEqual({ kind: 'ok', value: { data: [], next_page: null } });
  });

  it.each([
    ['truncated JSON', '{"data":[{"gid":"1","crea'],
    ['an HTML page', '<html><body>Bad gateway</body></html>'],
    ['no data array', '{"errors":[]}'],
    ['an empty body', ''],
  ])('retries a 200 with %s', (_name, body) => {
    const out = classify(200, body);
    expect(out.kind).toBe('retry');
  });

  it('waits exactly Retry-After seconds on 429', () => {
    expect(classify(429, '', { 'retry-after': '17' })).toMatchObject({ kind: 'retry', retryAfterMs: 17_000, rateLimited: true });
  });

  it('understands Retry-After as an HTTP date', () => {
    expect(classify(429, '', { 'retry-after': 'Thu, 01 Jan 2026 00:00:30 GMT' })).toMatchObject({ retryAfterMs: 30_000 });
  });

  it('caps an absurd Retry-After', () => {
    const out = classify(429, '', { 'retry-after': '99999999' });
    expect(out.kind === 'retry' && out.retryAfterMs).toBe(300_000);
  });

  it.each([500, 502, 503, 504])('retries %i and surfaces the error phrase', (status) => {
    const out = classify(status, '{"errors":[{"message":"Server Error","phrase":"6 sad squid snuggle softly"}]}');
    expect(out.kind).toBe('retry');
    expect(out.kind === 'retry' && out.reason).toContain('6 sad squid snuggle softly');
  });

  it('401 is fatal and names the token variables', () => {
    const out = classify(401, '{"errors":[{"message":"Not Authorized"}]}');
    expect(out.kind).toBe('fatal');
    if (out.kind !== 'fatal') return;
    expect(out.error).toBeInstanceOf(CredentialsError);
    expect(out.error.message).toMatch(/ASANA_TOKEN/);
    expect(out.error.exitCode).toBe(3);
  });

  it('403 is fatal and names the audit-log scope and the workspace', () => {
    const out = classify(403, '{"errors":[{"message":"Forbidden","help":"see docs"}]}');
    expect(out.kind === 'fatal' && out.error.message).toMatch(/audit-log scope.*ASANA_WORKSPACE_GID \(42\)/s);
  });

  it('a refused offset is its own outcome, so the stream can resume by time', () => {
    expect(classify(400, '{"errors":[{"message":"offset: The offset is invalid or has expired"}]}').kind).toBe('bad-offset');
  });

  it('other 4xx are fatal with the API message', () => {
    const out = classify(400, '{"errors":[{"message":"event_type: Unknown value"}]}');
    expect(out.kind === 'fatal' && out.error.message).toContain('event_type: Unknown value');
  });
});

describe('describeAsanaError', () => {
  it('joins message, phrase and help', () => {
    expect(describeAsanaError('{"errors":[{"message":"m","help":"h","phrase":"p q r"}]}')).toBe('m (phrase: "p q r") — h');
  });
  it('is undefined for non-envelopes', () => {
    expect(describeAsanaError('nope')).toBeUndefined();
    expect(describeAsanaError('{"errors":"x"}')).toBeUndefined();
  });
});

describe('classifyAsanaResponse: a redirect', () => {
  it.each([
    ['an absolute Location', { location: 'https://app.asana.com/api/1.0/workspaces/42/audit_log_events?limit=100' }, 'to https://app.asana.com/api/1.0/workspaces/42/audit_log_events'],
    ['a relative Location', { location: '/api/1.0/workspaces/42/audit_log_events' }, 'to https://app.asana.com/api/1.0/workspaces/42/audit_log_events'],
    ['credentials and a query in the Location', { location: 'https://user:pw@elsewhere.example/login?token=abc' }, 'to https://elsewhere.example/login'],
    ['no Location', {}, 'without a Location'],
  ] as Array<[string, Record<string, string>, string]>)('301 with %s: fatal, naming the redirect and where it points', (_name, headers, where) => {
    const out = classify(301, '<html>Moved</html>', headers);
    expect(out.kind).toBe('fatal');
    if (out.kind !== 'fatal') return;
    expect(out.error.message).toContain(`Asana answered HTTP 301 (a redirect) for the audit log of workspace 42, ${where}.`);
    expect(out.error.message).toContain('Redirects are not followed');
    expect(out.error.message).toContain('ASANA_API_URL');
    expect(out.error.message).not.toContain('ASANA_AUDIT_');
    expect(out.error.message).not.toContain('pw@');
    expect(out.error.message).not.toContain('token=abc');
  });

  it.each([302, 307, 308])('%i is a redirect too', (status) => {
    const out = classify(status, '', { location: 'http://127.0.0.1:9/x' });
    expect(out.kind === 'fatal' && out.error.message).toContain(`HTTP ${status} (a redirect)`);
  });
});

describe('snippet: scrubbed before it is cut', () => {
  const token = '2/1234567890123456/1234567890123456:abcdef0123456789abcdef0123456789';
  it.each([
    ['across the cut', `${'x'.repeat(100)} ${token} tail`],
    ['before the cut', `${token} ${'y'.repeat(200)}`],
    ['whole body short', `Authorization: Bearer ${token}`],
  ])('a token %s is never shown, not even its first part', (_name, body) => {
    const quoted = snippet(body);
    expect(quoted).not.toContain(token.slice(0, 12));
    expect(quoted.length).toBeLessThanOrEqual(SNIPPET_CHARS + 1);
  });

  it('a 5xx body quoting the token: the retry reason does not leak its first part', () => {
    const out = classify(503, `${'upstream said: '.repeat(7)}Authorization: Bearer ${token}`);
    expect(out.kind === 'retry' && out.reason).not.toContain(token.slice(0, 12));
  });

  it('a 200 that is not JSON: the quoted 60 characters are scrubbed first', () => {
    const out = classify(200, `<html>${'z'.repeat(40)} ${token}</html>`);
    expect(out.kind === 'retry' && out.reason).not.toContain(token.slice(0, 12));
  });
});

describe('usableOffset: only a non-empty string is an offset', () => {
  it.each([
    ['absent', undefined, undefined],
    ['null', null, undefined],
    ['no offset field', {}, undefined],
    ['offset null', { offset: null }, undefined],
    ['offset empty', { offset: '' }, undefined],
    ['offset a number', { offset: 12345 }, undefined],
    ['offset an object', { offset: { v: 'x' } }, undefined],
    ['next_page a string', 'eyJ0', undefined],
    ['next_page a number', 7, undefined],
    ['an offset', { offset: 'eyJ0eXAi', path: '/x', uri: 'https://app.asana.com/x' }, 'eyJ0eXAi'],
  ])('next_page %s -> %s', (_name, nextPage, expected) => {
    expect(usableOffset(nextPage)).toBe(expected);
    const page = parseAuditLogPage(JSON.stringify({ data: [], ...(nextPage === undefined ? {} : { next_page: nextPage }) }));
    expect(page).toEqual({ data: [], next_page: expected === undefined ? null : { offset: expected } });
  });
});

describe('parseAuditLogPage: numeric gids past 2^53 read exactly', () => {
  it('keeps twenty distinct large gids distinct, and the mapping flags their type', async () => {
    const { mapAuditLogEvent } = await import('../../../src/mapping/audit-log.ts');
    const gids = Array.from({ length: 20 }, (_, i) => `12000000000000000${String(i).padStart(3, '0')}`);
    const body = `{"data":[${gids.map((g) => `{"gid":${g},"created_at":"2026-01-01T00:00:00.000Z","event_type":"user_login_succeeded"}`).join(',')}],"next_page":{"offset":"x"}}`;
    const page = parseAuditLogPage(body);
    if (typeof page === 'string') throw new Error(page);
    expect(page.data.map((e) => e.gid)).toEqual(gids);
    const records = page.data.map((e) => mapAuditLogEvent(e, new Date('2026-01-01T00:00:01Z')));
    expect(new Set(records.map((r) => r.attributes['log.record.uid'])).size).toBe(20);
    for (const r of records) expect(String(r.attributes['asana.mapping.warning'])).toMatch(/gid is a number/);
  });
});
