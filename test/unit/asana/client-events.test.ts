import { afterEach, describe, expect, it } from 'vitest';
import { AsanaClient } from '../../../src/asana/client.ts';
import { classifyAsanaResponse, parseEventsPage } from '../../../src/asana/classify.ts';
import { RateLimiter } from '../../../src/asana/rate-limiter.ts';
import { AsanaSimulator } from '../../../src/simulator/index.ts';
import { captureLogger } from '../../helpers/receiver.ts';

/** The events API on the client side: the 412 with a fresh token is data, not an error. */

const ctx = {
  what: 'events of resource 13',
  workspaceGid: '42',
  apiUrl: 'https://app.asana.com/api/1.0',
  hints: { forbidden: 'FORBIDDEN-HINT', notFound: 'NOT-FOUND-HINT', rejected: 'REJECTED-HINT' },
};
const classify = (status: number, body = '') => classifyAsanaResponse(status, {}, body, ctx, parseEventsPage);

describe('classifying events answers', () => {
  it('a page: data, sync and has_more (absent has_more is false)', () => {
    expect(classify(200, '{"data":[{"action":"added"}],"sync":"s2","has_more":true}')).toEqual({
      kind: 'ok',
      value: { data: [{ action: 'added' }], sync: 's2', has_more: true },
    });
    expect(classify(200, '{"data":[],"sync":"s3"}')).toEqual({ kind: 'ok', value: { data: [], sync: 's3', has_more: false } });
  });

  it.each([
    ['no sync token', '{"data":[]}'],
    ['an empty sync token', '{"data":[],"sync":""}'],
    ['truncated JSON', '{"data":[{"acti'],
  ])('retries a 200 with %s: without a next token the stream could not go on', (_name, body) => {
    expect(classify(200, body).kind).toBe('retry');
  });

  it('412 with a fresh token is sync-refused, carrying the token and Asana\'s message', () => {
    expect(classify(412, '{"errors":[{"message":"Sync token invalid or too old."}],"sync":"fresh"}')).toEqual({
      kind: 'sync-refused',
      sync: 'fresh',
      message: 'Sync token invalid or too old.',
    });
  });

  it('412 without a fresh token is retried (nothing to continue from)', () => {
    expect(classify(412, '{"errors":[{"message":"Precondition Failed"}]}').kind).toBe('retry');
  });

  it('fatal answers carry the hint of the endpoint that was asked', () => {
    const forbidden = classify(403, '{"errors":[{"message":"no"}]}');
    expect(forbidden.kind === 'fatal' && forbidden.error.message).toContain('FORBIDDEN-HINT');
    const missing = classify(404, '{"errors":[{"message":"Unknown object"}]}');
    expect(missing.kind === 'fatal' && missing.error.message).toContain('NOT-FOUND-HINT');
    const bad = classify(400, '{"errors":[{"message":"resource: Not a valid gid"}]}');
    expect(bad.kind === 'fatal' && bad.error.message).toContain('REJECTED-HINT');
  });
});

describe('AsanaClient.getEvents against the simulator', () => {
  let sim: AsanaSimulator | undefined;
  let client: AsanaClient | undefined;
  afterEach(async () => {
    await client?.close();
    await sim?.close();
  });

  it('returns the first-call 412 as data, then pages with the token', async () => {
    sim = await AsanaSimulator.start();
    client = new AsanaClient({ apiUrl: sim.url, token: sim.token, limiter: new RateLimiter(60_000), log: captureLogger().log, backoff: () => 10 });
    const target = { kind: 'workspace' as const, workspaceGid: sim.workspaceGid };
    const first = await client.getEvents({ target });
    expect(first.kind).toBe('sync-refused');
    if (first.kind !== 'sync-refused') return;
    const events = sim.generateActivity(3);
    const page = await client.getEvents({ target, sync: first.sync });
    expect(page).toMatchObject({ kind: 'page', data: events, has_more: false });
    expect(sim.requests.map((r) => r.query)).toEqual([{}, { sync: first.sync }]);

    const project = sim.activityResources.projects[0]!.gid;
    await client.getEvents({ target: { kind: 'resource', workspaceGid: sim.workspaceGid, resourceGid: project } });
    expect(sim.requests.at(-1)).toMatchObject({ path: '/api/1.0/events', query: { resource: project }, status: 412 });
  });
});
