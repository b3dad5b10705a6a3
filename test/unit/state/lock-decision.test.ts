import { describe, expect, it } from 'vitest';
import { decideLock, parseLockOwner, type LockObservation, type LockOwner, type Whereabouts } from '../../../src/state/lock-decision.ts';

const SELF: Whereabouts = { pid: 1, hostname: 'box', bootId: 'boot-a', pidNamespace: 'pid:[100]' };
const STALE = 60_000;

function owner(extra: Partial<LockOwner> = {}): LockOwner {
  return { instance: 'other', pid: 1, hostname: 'box', startedAt: '2026-01-01T00:00:00Z', bootId: 'boot-a', pidNamespace: 'pid:[200]', ...extra };
}

function observe(o: Partial<LockObservation>): LockObservation {
  return { owner: owner(), ageMs: 1_000, heldHere: false, self: SELF, pidExists: () => true, staleAfterMs: STALE, path: '/s/state.json', lockPath: '/s/state.json.lock', ...o };
}

describe('decideLock', () => {
  const gone = () => false;
  it.each<[string, Partial<LockObservation>, 'held' | 'take-over', RegExp]>([
    ['already open in this process', { heldHere: true, ageMs: 10 * STALE }, 'held', /already open in this process/],
    ['same hostname and pid, another PID namespace, fresh (two containers, PID 1 each)', {}, 'held', /in use by another asana-otel-receiver \(pid 1 on host box, instance other/],
    ['same hostname and pid, another boot, fresh', { owner: owner({ pidNamespace: 'pid:[100]', bootId: 'boot-b' }) }, 'held', /in use/],
    ['same hostname and pid, no namespace ids (an older release), fresh', { owner: owner({ bootId: undefined, pidNamespace: undefined }) }, 'held', /in use/],
    ['another PID namespace whose pid does not exist here, fresh', { owner: owner({ pid: 7 }), pidExists: gone }, 'held', /in use/],
    ['another host, fresh', { owner: owner({ hostname: 'elsewhere', pidNamespace: 'pid:[100]' }), pidExists: gone }, 'held', /in use/],
    ['same PID namespace, its pid is gone', { owner: owner({ pid: 7, pidNamespace: 'pid:[100]' }), pidExists: gone }, 'take-over', /pid 7 .*no longer exists/],
    ['same PID namespace, its pid alive (a reused pid, or the holder)', { owner: owner({ pid: 7, pidNamespace: 'pid:[100]' }) }, 'held', /in use/],
    ['same PID namespace, our own pid (not held here: its holder is gone)', { owner: owner({ pidNamespace: 'pid:[100]' }) }, 'take-over', /this process's own pid in the same PID namespace/],
    ['any holder whose heartbeat is stale', { ageMs: STALE + 1 }, 'take-over', /last refreshed 60 s ago, so its holder is gone or hung/],
    ['a heartbeat exactly at the limit is not stale', { ageMs: STALE }, 'held', /in use/],
    ['unreadable, fresh (a holder still writing it)', { owner: undefined }, 'held', /unreadable .*delete the lock file/],
    ['unreadable, stale', { owner: undefined, ageMs: STALE + 1 }, 'take-over', /took over the unreadable lock/],
  ])('%s -> %s', (_name, o, kind, message) => {
    const d = decideLock(observe(o));
    expect(d.kind).toBe(kind);
    expect(d.message).toMatch(message);
    expect(d.message).toContain('/s/state.json.lock');
  });

  it('asks whether a pid exists only about a holder in its own PID namespace', () => {
    const asked: number[] = [];
    const pidExists = (pid: number) => (asked.push(pid), true);
    decideLock(observe({ owner: owner({ pid: 7 }), pidExists }));
    expect(asked).toEqual([]);
    decideLock(observe({ owner: owner({ pid: 7, pidNamespace: 'pid:[100]' }), pidExists }));
    expect(asked).toEqual([7]);
  });
});

describe('parseLockOwner', () => {
  it.each<[string, string, LockOwner | undefined]>([
    ['this release', JSON.stringify(owner()), owner()],
    ['an older release (no instance, no namespace ids)', '{"pid":5,"hostname":"h","startedAt":"t"}', { instance: '?', pid: 5, hostname: 'h', startedAt: 't' }],
    ['empty (still being written)', '', undefined],
    ['pid 0 (process.kill would address a process group)', '{"pid":0,"hostname":"h"}', undefined],
    ['a negative pid', '{"pid":-1,"hostname":"h"}', undefined],
    ['no hostname', '{"pid":5}', undefined],
    ['null', 'null', undefined],
  ])('%s', (_name, text, expected) => {
    expect(parseLockOwner(text)).toEqual(expected);
  });
});
