import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { STATE_VERSION } from '../../../src/state/schema.ts';
import { stateFileText } from '../../../src/state/state-file.ts';
import type { StreamState } from '../../../src/state/types.ts';
import { createdAtOf, gidOf, hasExpired, hasShipped, MAX_WINDOW_GIDS, pruneWindow, recordShipped, recordShippedRefs, windowOf } from '../../../src/streams/shipped-window.ts';

const NOW = new Date('2026-03-01T12:00:00.000Z');
const MIN = 60_000;
const WINDOW = 30 * MIN;
const ago = (ms: number) => new Date(NOW.getTime() - ms).toISOString();

function state(extra: Partial<StreamState> = {}): StreamState {
  return { stream: 'audit_log', workspaceGid: '1', filters: {}, eventsShipped: 0, updatedAt: NOW.toISOString(), ...extra };
}

describe('the shipped-gid window', () => {
  it('starts complete from the newest shipped instant, seeded with the gids shipped at it', () => {
    const w = windowOf(state({ lastEventAt: ago(5 * MIN), lastEventGids: ['7', '8'], startAt: ago(24 * 60 * MIN) }));
    expect(w.since).toBe(ago(5 * MIN));
    expect(w.gids).toEqual({ '7': NOW.getTime() - 5 * MIN, '8': NOW.getTime() - 5 * MIN });
    // Nothing shipped yet: complete from the stream's start.
    expect(windowOf(state({ startAt: ago(60 * MIN) })).since).toBe(ago(60 * MIN));
    // A saved window is used as it is.
    const saved = { since: ago(MIN), gids: { '1': 1 } };
    expect(windowOf(state({ shippedWindow: saved, lastEventAt: ago(0) }))).toBe(saved);
  });

  it('records shipped gids within the window and prunes the rest, moving since forward', () => {
    let w = windowOf(state({ startAt: ago(24 * 60 * MIN) }));
    w = recordShipped(w, [
      { gid: 'old', created_at: ago(45 * MIN) },
      { gid: 'edge', created_at: ago(WINDOW) },
      { gid: 'new', created_at: ago(MIN) },
    ], NOW, WINDOW);
    expect(Object.keys(w.gids).sort()).toEqual(['edge', 'new']);
    expect(w.since).toBe(ago(WINDOW));
    expect(hasShipped(w, 'new')).toBe(true);
    expect(hasShipped(w, 'old')).toBe(false);

    // Ten minutes later 'edge' has left the window.
    const later = new Date(NOW.getTime() + 10 * MIN);
    const w2 = pruneWindow(w, later, WINDOW);
    expect(Object.keys(w2.gids)).toEqual(['new']);
    expect(w2.since).toBe(new Date(later.getTime() - WINDOW).toISOString());
  });

  it('does not record what is older than since (a backlog far behind the window)', () => {
    const w = recordShipped(windowOf(state({ lastEventAt: ago(10 * MIN) })), [{ gid: 'a', created_at: ago(20 * MIN) }, { gid: 'b', created_at: ago(5 * MIN) }], NOW, WINDOW);
    expect(Object.keys(w.gids)).toEqual(['b']);
  });

  it('reads hostile events without throwing: no gid is skipped, a bad or future time counts as now', () => {
    const events: unknown[] = [null, 7, 'x', [], { gid: null }, { gid: '' }, { gid: 42, created_at: 'yesterday' }, { gid: 'f', created_at: '9999-12-31T23:59:59.999Z' }, { gid: 'n', created_at: 12 }];
    const w = recordShipped(windowOf(state({ startAt: ago(60 * MIN) })), events, NOW, WINDOW);
    expect(w.gids).toEqual({ '42': NOW.getTime(), f: NOW.getTime(), n: NOW.getTime() });
    expect(gidOf({ gid: 12345678901234 })).toBe('12345678901234');
    expect(gidOf({ gid: { nested: 1 } })).toBeUndefined();
    expect(createdAtOf({ created_at: 'not a date' })).toBeUndefined();
    expect(createdAtOf({ created_at: '2026-03-01T11:00:00.000Z' })).toBe('2026-03-01T11:00:00.000Z');
  });

  it(`keeps at most ${MAX_WINDOW_GIDS} gids: the oldest go and since moves up to the oldest kept`, () => {
    const events = Array.from({ length: MAX_WINDOW_GIDS + 500 }, (_, i) => ({ gid: String(i), created_at: new Date(NOW.getTime() - WINDOW + 1 + i * 10).toISOString() }));
    const w = recordShipped(windowOf(state({ startAt: ago(60 * MIN) })), events, new Date(NOW.getTime() + MAX_WINDOW_GIDS * 10), WINDOW + MAX_WINDOW_GIDS * 10);
    expect(Object.keys(w.gids)).toHaveLength(MAX_WINDOW_GIDS);
    expect(hasShipped(w, '499')).toBe(false);
    expect(hasShipped(w, '500')).toBe(true);
    expect(w.since).toBe(events[500]!.created_at);
  });

  it('changes the window in place; a page older than the window leaves it untouched, entries that left it included', () => {
    const w = windowOf(state({ startAt: ago(60 * MIN) }));
    expect(recordShipped(w, [{ gid: 'a', created_at: ago(20 * MIN) }], NOW, WINDOW)).toBe(w);
    const later = new Date(NOW.getTime() + 15 * MIN); // 'a' has left the window
    const since = w.since;
    expect(recordShippedRefs(w, [{ gid: 'old', at: NOW.getTime() - 3 * 86_400_000 }], later, WINDOW)).toBe(w);
    expect(w.gids).toEqual({ a: NOW.getTime() - 20 * MIN }); // no copy, no pruning: nothing was added
    expect(w.since).toBe(since);
    // The re-scan prunes it (or the next page that adds something).
    expect(hasExpired(w, later, WINDOW)).toBe(true);
    expect(pruneWindow(w, later, WINDOW)).toBe(w);
    expect(w.gids).toEqual({});
    expect(hasExpired(w, later, WINDOW)).toBe(false);
  });

  it('a gid recorded again keeps its latest time, and is pruned once by that time', () => {
    const w = windowOf(state({ startAt: ago(60 * MIN) }));
    recordShipped(w, [{ gid: 'x', created_at: ago(25 * MIN) }, { gid: 'y', created_at: ago(20 * MIN) }], NOW, WINDOW);
    recordShipped(w, [{ gid: 'x', created_at: ago(MIN) }], NOW, WINDOW);
    expect(w.gids).toEqual({ x: NOW.getTime() - MIN, y: NOW.getTime() - 20 * MIN });
    pruneWindow(w, new Date(NOW.getTime() + 8 * MIN), WINDOW); // x's first time has left the window, x has not
    expect(Object.keys(w.gids).sort()).toEqual(['x', 'y']);
    pruneWindow(w, new Date(NOW.getTime() + 29 * MIN + 1), WINDOW);
    expect(w.gids).toEqual({});
  });

  it('matches the rule after any sequence of pages and prunings (property): every gid shipped since `since`, nothing older', () => {
    const gid = fc.integer({ min: 0, max: 40 }).map((i) => `g${i}`);
    // created_at relative to the page's now: from 45 minutes back to 1 minute ahead; sometimes unreadable.
    const event = fc.record({ gid, offset: fc.option(fc.integer({ min: -45 * MIN, max: MIN }), { nil: undefined, freq: 8 }) });
    const step = fc.record({
      advance: fc.integer({ min: 0, max: 10 * MIN }),
      page: fc.option(fc.array(event, { maxLength: 12 }), { nil: undefined, freq: 4 }), // none: a pruning only
    });
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 40 }), (steps) => {
        const w = windowOf(state({ startAt: ago(60 * MIN) }));
        // The rule itself, as a model: since = max(since, now - window); entries older than it go.
        let since = NOW.getTime() - 60 * MIN;
        const model = new Map<string, number>();
        let now = NOW.getTime();
        for (const { advance, page } of steps) {
          now += advance;
          since = Math.max(since, now - WINDOW);
          for (const [g, t] of model) if (t < since) model.delete(g);
          if (page) {
            const events = page.map((e) => ({ gid: e.gid, created_at: e.offset === undefined ? 'not a date' : new Date(now + e.offset).toISOString() }));
            recordShipped(w, events, new Date(now), WINDOW);
            for (const e of page) {
              const at = Math.min(e.offset === undefined ? now : now + e.offset, now);
              if (at >= since) model.set(e.gid, at);
            }
          }
          // Between prunings the window may still hold entries that left it; never less than the rule.
          for (const [g, t] of model) expect(w.gids[g]).toBe(t);
          pruneWindow(w, new Date(now), WINDOW);
          expect(w.gids).toEqual(Object.fromEntries(model));
          expect(w.since).toBe(new Date(since).toISOString());
        }
      }),
      { numRuns: 300 },
    );
  });

  it("is written to the state file exactly as JSON.stringify writes it, after any sequence of changes (property): the kept text never goes stale", () => {
    const gid = fc.integer({ min: 0, max: 30 }).map((i) => `${1200000000000000 + i}`);
    const step = fc.record({
      advance: fc.integer({ min: 0, max: 10 * MIN }),
      page: fc.option(fc.array(fc.record({ gid, offset: fc.integer({ min: -45 * MIN, max: 0 }) }), { maxLength: 8 }), { nil: undefined, freq: 3 }),
      write: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 30 }), (steps) => {
        const s = state({ startAt: ago(60 * MIN) });
        s.shippedWindow = windowOf(s);
        const other = state({ workspaceGid: '2', shippedWindow: { since: ago(MIN), gids: { '1200000000000099': NOW.getTime() } } });
        const streams = new Map([['audit_log/1', s], ['audit_log/2', other], ['events/1', state({ stream: 'workspace_events' })]]);
        const plain = () => `${JSON.stringify({ version: STATE_VERSION, streams: Object.fromEntries([...streams].sort(([a], [b]) => (a < b ? -1 : 1))) }, null, 2)}\n`;
        let now = NOW.getTime();
        for (const { advance, page, write } of steps) {
          now += advance;
          if (page) recordShipped(s.shippedWindow, page.map((e) => ({ gid: e.gid, created_at: new Date(now + e.offset).toISOString() })), new Date(now), WINDOW);
          else pruneWindow(s.shippedWindow, new Date(now), WINDOW);
          if (write) expect(stateFileText(streams)).toBe(plain());
        }
        expect(stateFileText(streams)).toBe(plain());
      }),
      { numRuns: 200 },
    );
  });
});
