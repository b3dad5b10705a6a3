import { afterEach, describe, expect, it } from 'vitest';
import type { ActivityEvent } from '../../../src/asana/types.ts';
import {
  ActivityGenerator,
  AsanaSimulator,
  RESOURCE_EVENTS_LIMIT,
  SYNC_REFUSED_MESSAGE,
  WORKSPACE_EVENTS_LIMIT,
  type SimulatorOptions,
} from '../../../src/simulator/index.ts';

/** The simulator's event streams (GET /workspaces/{gid}/events, GET /events?resource=), over real HTTP. */

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
  body: { data?: ActivityEvent[]; sync?: string; has_more?: boolean; errors?: Array<{ message?: string }> };
}

async function call(sim: AsanaSimulator, path: string, params: Record<string, string | undefined> = {}, token: string = sim.token): Promise<Answer> {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, v);
  const res = await fetch(`${sim.url}${path}?${q}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, body: (await res.json()) as Answer['body'] };
}

const workspace = (sim: AsanaSimulator, sync?: string) => call(sim, `/workspaces/${sim.workspaceGid}/events`, { sync });
const resource = (sim: AsanaSimulator, gid: string, sync?: string) => call(sim, '/events', { resource: gid, sync });

/** Follows a stream from `sync` until has_more is false; returns the events and the last token. */
async function drain(read: (sync: string) => Promise<Answer>, sync: string): Promise<{ events: ActivityEvent[]; sync: string; pages: number[] }> {
  const events: ActivityEvent[] = [];
  const pages: number[] = [];
  let token = sync;
  for (;;) {
    const a = await read(token);
    expect(a.status).toBe(200);
    events.push(...a.body.data!);
    pages.push(a.body.data!.length);
    token = a.body.sync!;
    if (!a.body.has_more) return { events, sync: token, pages };
  }
}

describe('activity generator', () => {
  it('is deterministic for a seed', () => {
    const gen = () => new ActivityGenerator({ seed: 5 }).generate(500, 0, 60_000).map((e) => e.event);
    expect(gen()).toEqual(gen());
  });

  it('makes realistic events: every action, change fields, parents, system events, unicode names', () => {
    const events = new ActivityGenerator({ seed: 1 }).generate(3000, 0, 3_600_000).map((e) => e.event);
    const actions = new Set(events.map((e) => e.action));
    for (const a of ['added', 'changed', 'removed', 'deleted', 'undeleted']) expect(actions).toContain(a);
    const types = new Set(events.map((e) => e.resource?.resource_type));
    for (const t of ['task', 'story', 'project', 'goal']) expect(types).toContain(t);
    for (const e of events) {
      expect(e.type).toBe(e.resource?.resource_type); // the deprecated copy
      if (e.action === 'changed') expect(e.change?.field).toBeTruthy();
      else expect(e.change).toBeUndefined();
      if (e.action === 'added' || e.action === 'removed') expect(e.parent?.gid).toBeTruthy();
      else expect(e.parent).toBeNull();
    }
    expect(events.some((e) => e.user === null)).toBe(true);
    expect(events.some((e) => e.change?.added_value !== undefined)).toBe(true);
    expect(events.some((e) => e.change?.removed_value !== undefined)).toBe(true);
    expect(events.some((e) => e.change?.new_value !== undefined)).toBe(true);
    expect(events.some((e) => /[^\x00-\x7f]/.test(JSON.stringify(e)))).toBe(true);
    const times = events.map((e) => e.created_at!);
    expect([...times].sort()).toEqual(times);
  });
});

describe('simulator: workspace events', () => {
  it('answers the first call 412 with a fresh token, and that token returns only what came after', async () => {
    const sim = await start({ activityBacklog: 40 });
    const first = await workspace(sim);
    expect(first.status).toBe(412);
    expect(first.body.errors?.[0]?.message).toBe(SYNC_REFUSED_MESSAGE);
    expect(first.body.sync).toBeTruthy();

    const empty = await workspace(sim, first.body.sync);
    expect(empty).toMatchObject({ status: 200, body: { data: [], has_more: false } });

    const later = sim.generateActivity(25);
    const { events } = await drain((s) => workspace(sim, s), empty.body.sync!);
    expect(events).toEqual(later); // the 40 backlog events are never returned
  });

  it('pages at 1000 events with has_more, and re-requesting a token returns the same events', async () => {
    const sim = await start();
    const token = (await workspace(sim)).body.sync!;
    const all = sim.generateActivity(2 * WORKSPACE_EVENTS_LIMIT + 7);
    const first = await workspace(sim, token);
    const again = await workspace(sim, token);
    expect(again.body.data).toEqual(first.body.data);
    const { events, pages } = await drain((s) => workspace(sim, s), token);
    expect(pages).toEqual([1000, 1000, 7]);
    expect(events).toEqual(all);
  });

  it('refuses an expired token (TTL) with 412 and a fresh token at the head: events in between are lost to it', async () => {
    let now = Date.parse('2025-03-06T12:00:00Z');
    const sim = await start({ syncTokenTtlMs: 24 * 3_600_000, now: () => now });
    const token = (await workspace(sim)).body.sync!;
    sim.generateActivity(3);
    now += 24 * 3_600_000 + 1;
    const refused = await workspace(sim, token);
    expect(refused.status).toBe(412);
    const after = sim.generateActivity(2);
    const { events } = await drain((s) => workspace(sim, s), refused.body.sync!);
    expect(events).toEqual(after);
  });

  it('expireSyncTokens() refuses every token handed out so far, and only those', async () => {
    const sim = await start();
    const a = (await workspace(sim)).body.sync!;
    const b = (await workspace(sim, a)).body.sync!;
    sim.expireSyncTokens();
    expect((await workspace(sim, a)).status).toBe(412);
    const fresh = (await workspace(sim, b)).body.sync!;
    expect((await workspace(sim, fresh)).status).toBe(200);
  });

  it('refuses forged tokens and tokens of another stream', async () => {
    const sim = await start();
    const token = (await workspace(sim)).body.sync!;
    const project = sim.activityResources.projects[0]!.gid;
    expect((await workspace(sim, 'de4774f6915eae04714ca93bb2f5ee81')).status).toBe(412);
    expect((await workspace(sim, `${token}x`)).status).toBe(412);
    expect((await resource(sim, project, token)).status).toBe(412);
  });

  it('403 for another workspace or without workspace-events access; 401 without the token', async () => {
    const sim = await start();
    expect((await call(sim, '/workspaces/999/events')).status).toBe(403);
    expect((await call(sim, `/workspaces/${sim.workspaceGid}/events`, {}, 'wrong')).status).toBe(401);
    const noAccess = await start({ workspaceEvents: false });
    const denied = await workspace(noAccess);
    expect(denied.status).toBe(403);
    expect(denied.body.errors?.[0]?.message).toContain('Enterprise+');
  });
});

describe('simulator: resource events', () => {
  it('returns what reaches the resource (task events bubble up to the project), 100 per answer', async () => {
    const sim = await start();
    const project = sim.activityResources.projects[2]!.gid;
    const token = (await resource(sim, project)).body.sync!;
    const before = sim.activityOf(project).length;
    sim.generateActivity(230, { projectGid: project });
    sim.generateActivity(200); // elsewhere in the workspace; a few may reach this project too
    const expected = sim.activityOf(project).slice(before);
    expect(expected.length).toBeGreaterThan(2 * RESOURCE_EVENTS_LIMIT);
    const { events, pages } = await drain((s) => resource(sim, project, s), token);
    expect(events).toEqual(expected);
    expect(pages.slice(0, 2)).toEqual([100, 100]);
    const taskEvent = events.find((e) => e.resource?.resource_type === 'task')!;
    // The task's own stream sees it too.
    expect(sim.activityOf(taskEvent.resource!.gid!)).toContainEqual(taskEvent);
  });

  it('400 without a resource or with a malformed one, 404 for an unknown one', async () => {
    const sim = await start();
    expect((await call(sim, '/events')).status).toBe(400);
    expect((await call(sim, '/events', { resource: 'abc' })).status).toBe(400);
    const unknown = await resource(sim, '1');
    expect(unknown.status).toBe(404);
    expect(unknown.body.errors?.[0]?.message).toContain('Unknown object');
  });
});
