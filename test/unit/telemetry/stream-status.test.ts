import { describe, expect, it } from 'vitest';
import { CredentialsError } from '../../../src/errors.ts';
import { registerSecret } from '../../../src/log.ts';
import { healthThresholds, MAX_ERROR_MESSAGE_CHARS, servedMessage, StreamStatusBoard } from '../../../src/telemetry/stream-status.ts';

const POLL_MS = 30_000;
const KEY = 'audit_log/1200000000000001';

function board(start = Date.parse('2025-06-02T10:00:00Z')) {
  const clock = { now: start };
  const b = new StreamStatusBoard({ pollIntervalMs: POLL_MS, now: () => clock.now });
  b.register({ key: KEY, stream: 'audit_log', workspaceGid: '1200000000000001', lastEventAt: '2025-06-02T09:00:00.000Z' });
  return { b, clock, advance: (ms: number) => (clock.now += ms) };
}

describe('stream status: /healthz and /readyz rules', () => {
  it('derives "recently" and "hung" from the poll interval', () => {
    expect(healthThresholds(30_000)).toEqual({ readyWithinMs: 120_000, hungAfterMs: 600_000 });
    expect(healthThresholds(10 * 60_000)).toEqual({ readyWithinMs: 21 * 60_000, hungAfterMs: 30 * 60_000 });
  });

  it('is alive but not ready until the first successful poll, then ready', () => {
    const { b } = board();
    expect(b.liveness().ok).toBe(true);
    const before = b.readiness();
    expect(before.ok).toBe(false);
    expect(before.body.status).toBe('not_ready');
    expect(before.body.streams[0]).toMatchObject({ state: 'starting', ready: false, reason: 'no successful poll yet', lastSuccessAt: null });

    b.pageCommitted(KEY, 100, 100, '2025-06-02T09:30:00.000Z');
    const after = b.readiness();
    expect(after.ok).toBe(true);
    expect(after.body.status).toBe('ready');
    expect(after.body.streams[0]).toMatchObject({
      state: 'running',
      ready: true,
      alive: true,
      lastEventAt: '2025-06-02T09:30:00.000Z',
      lagSeconds: 30 * 60,
      eventsReceived: 100,
      recordsExported: 100,
      caughtUp: false,
      lastError: null,
    });
    expect(after.body.streams[0]!.reason).toBeUndefined();
  });

  it('turns not ready when the last success is older than 2 poll intervals + 1 minute, and ready again after a success', () => {
    const { b, advance } = board();
    b.caughtUp(KEY);
    advance(120_000);
    expect(b.readiness().ok).toBe(true);
    advance(1_000);
    b.problem(KEY, 'ERR_EXPORT_UNAVAILABLE', 'HTTP 503 Service Unavailable');
    const stale = b.readiness();
    expect(stale.ok).toBe(false);
    expect(stale.body.streams[0]!.reason).toMatch(/last successful poll 121 s ago/);
    expect(stale.body.streams[0]!.lastError).toEqual({ code: 'ERR_EXPORT_UNAVAILABLE', message: 'HTTP 503 Service Unavailable', at: expect.any(String) });
    // Retrying is activity: the loop is alive.
    expect(b.liveness().ok).toBe(true);

    b.pageCommitted(KEY, 3, 3, '2025-06-02T10:01:00.000Z');
    expect(b.readiness().ok).toBe(true);
  });

  it('a loop without any activity for longer than the bound is hung: /healthz 503', () => {
    const { b, advance } = board();
    b.caughtUp(KEY);
    advance(600_000);
    expect(b.liveness().ok).toBe(true);
    advance(1_000);
    const live = b.liveness();
    expect(live.ok).toBe(false);
    expect(live.body.status).toBe('unhealthy');
    expect(live.body.streams[0]).toMatchObject({ state: 'hung', alive: false, ready: false });
    expect(live.body.streams[0]!.reason).toMatch(/no activity for 601 s/);
    b.activity(KEY);
    expect(b.liveness().ok).toBe(true);
  });

  it('a stream stopped on its own error is not ready but alive; one stopped on a process-wide error is neither', () => {
    const { b } = board();
    b.register({ key: 'audit_log/2', stream: 'audit_log', workspaceGid: '2' });
    b.caughtUp(KEY);
    b.failed('audit_log/2', new CredentialsError(403, 'Asana denied access to the audit log of workspace 2 (403 Forbidden)'), true);
    const ready = b.readiness();
    expect(ready.ok).toBe(false);
    expect(ready.body.streams.find((s) => s.key === KEY)!.ready).toBe(true);
    expect(ready.body.streams.find((s) => s.key === 'audit_log/2')).toMatchObject({
      state: 'failed',
      ready: false,
      alive: true,
      lastError: { code: 'ERR_ASANA_FORBIDDEN', message: expect.stringContaining('403') },
    });
    expect(b.liveness().ok).toBe(true);
    // Later commits of a failed stream cannot exist; if reported they do not revive it.
    b.caughtUp('audit_log/2');
    expect(b.readiness().body.streams.find((s) => s.key === 'audit_log/2')!.state).toBe('failed');

    b.failed(KEY, new Error('boom'), false);
    expect(b.liveness().ok).toBe(false);
    expect(b.liveness().body.streams.find((s) => s.key === KEY)).toMatchObject({ state: 'died', alive: false, lastError: { code: 'ERR_UNEXPECTED', message: 'boom' } });
  });

  it('with no stream at all, it is not ready', () => {
    const b = new StreamStatusBoard({ pollIntervalMs: POLL_MS });
    expect(b.readiness().ok).toBe(false);
    expect(b.liveness().ok).toBe(true);
  });
});

describe('stream status: error messages as served', () => {
  const SECRET = 'marker-header-value-5d1e8b';
  registerSecret(SECRET);

  it.each([
    ['plain', 'HTTP 503 Service Unavailable', 'HTTP 503 Service Unavailable'],
    ['a registered secret', `Authorization: Bearer ${SECRET}`, 'Authorization: Bearer [REDACTED]'],
    ['an Asana token shape', 'token 2/1204567890123/1209876543210:0123456789abcdef0123 refused', 'token [REDACTED] refused'],
    ['control characters', 'line one\r\nline two\u0000', 'line one line two'],
    ['too long', 'x'.repeat(MAX_ERROR_MESSAGE_CHARS + 50), `${'x'.repeat(MAX_ERROR_MESSAGE_CHARS)}…`],
  ])('%s', (_name, message, expected) => {
    expect(servedMessage(message)).toBe(expected);
  });

  it('scrubs before it cuts: a secret across the cut is not shown in part', () => {
    for (let at = MAX_ERROR_MESSAGE_CHARS - SECRET.length; at <= MAX_ERROR_MESSAGE_CHARS; at++) {
      expect(servedMessage(`${'.'.repeat(at)}${SECRET}`)).not.toContain(SECRET.slice(0, 6));
    }
  });

  it('problem() and failed() keep the served form, and the failed reason quotes it', () => {
    const { b } = board();
    b.problem(KEY, 'ERR_ASANA_UNAVAILABLE', `Asana answered HTTP 503: Authorization: Bearer ${SECRET} ${'y'.repeat(1_000)}`);
    const retrying = b.readiness().body.streams[0]!.lastError!;
    expect(retrying.message).toMatch(/^Asana answered HTTP 503: Authorization: Bearer \[REDACTED\] y+…$/);
    expect(retrying.message.length).toBe(MAX_ERROR_MESSAGE_CHARS + 1);

    b.failed(KEY, { code: 'ERR_ASANA_FORBIDDEN', message: `forbidden for ${SECRET}` }, true);
    const report = b.readiness().body.streams[0]!;
    expect(report.lastError?.message).toBe('forbidden for [REDACTED]');
    expect(report.reason).toBe('stopped on ERR_ASANA_FORBIDDEN: forbidden for [REDACTED]');
  });
});
