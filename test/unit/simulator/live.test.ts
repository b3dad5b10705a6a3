import { afterEach, describe, expect, it } from 'vitest';
import type { AuditLogPage } from '../../../src/asana/types.ts';
import { AsanaSimulator } from '../../../src/simulator/index.ts';

const started: AsanaSimulator[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.close()));
});

async function page(sim: AsanaSimulator, query: Record<string, string>): Promise<AuditLogPage> {
  const res = await fetch(`${sim.url}/workspaces/${sim.workspaceGid}/audit_log_events?${new URLSearchParams(query)}`, {
    headers: { authorization: `Bearer ${sim.token}` },
  });
  expect(res.status).toBe(200);
  return (await res.json()) as AuditLogPage;
}

describe('the simulator records late events', () => {
  it('recordLate: created minutes ago, recorded now, behind the offsets already handed out', async () => {
    const sim = await AsanaSimulator.start({ backlog: 50, backlogSpanMs: 60 * 60_000 });
    started.push(sim);
    const first = await page(sim, {});
    expect(first.data).toHaveLength(50);
    const caughtUp = await page(sim, { offset: first.next_page!.offset! });
    expect(caughtUp.data).toEqual([]);

    // Created between 1 and 4 minutes before the newest event already read.
    const before = Date.now();
    const behind = before - Date.parse(first.data.at(-1)!.created_at) + 60_000;
    const late = sim.recordLate(4, { minDelayMs: behind, maxDelayMs: behind + 3 * 60_000 });
    for (const e of late) {
      const age = before - Date.parse(e.created_at);
      expect(age).toBeGreaterThanOrEqual(behind - 1_000);
      expect(age).toBeLessThanOrEqual(behind + 3 * 60_000 + 1_000);
    }
    // The offset the poller holds does not return them; a start_at query does.
    expect((await page(sim, { offset: caughtUp.next_page!.offset! })).data).toEqual([]);
    const rescan = await page(sim, { start_at: new Date(before - behind - 4 * 60_000).toISOString() });
    for (const e of late) expect(rescan.data.map((d) => d.gid)).toContain(e.gid);
  });

  it('options.late: a fraction of live events is recorded only after a delay, then lands in time order', async () => {
    const sim = await AsanaSimulator.start({ late: { fraction: 1, maxDelayMs: 400 } });
    started.push(sim);
    sim.startLive(100);
    await new Promise((r) => setTimeout(r, 250));
    expect(sim.pendingLateEvents).toBeGreaterThan(0);
    sim.stopLive(); // no new events; the late ones are still recorded when due
    const deadline = Date.now() + 3_000;
    while (sim.pendingLateEvents > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(sim.pendingLateEvents).toBe(0);
    expect(sim.events.length).toBeGreaterThan(5);
    const times = sim.events.map((e) => Date.parse(e.created_at));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  });
});
