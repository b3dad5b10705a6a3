import { describe, expect, it } from 'vitest';
import { checkStateContent, CLOCK_SKEW_MS } from '../../../src/state/schema.ts';

const NOW = Date.parse('2026-06-01T12:00:00.000Z');
const entry = { stream: 'audit_log', workspaceGid: '1', filters: {}, eventsShipped: 0, updatedAt: '2026-06-01T11:00:00.000Z' };
const file = (fields: Record<string, unknown>) => ({ version: 1, streams: { a: { ...entry, ...fields } } });

describe('checkStateContent: times', () => {
  const future = new Date(NOW + CLOCK_SKEW_MS + 1).toISOString();
  const withinSkew = new Date(NOW + CLOCK_SKEW_MS).toISOString();
  it.each<[string, Record<string, unknown>, RegExp | undefined]>([
    ['Asana created_at', { lastEventAt: '2026-06-01T10:00:00.000Z' }, undefined],
    ['a time with an offset', { startAt: '2026-06-01T10:00:00+02:00' }, undefined],
    ['a time just within the clock-skew allowance', { lastEventAt: withinSkew }, undefined],
    ['a lastEventAt past the allowance', { lastEventAt: future }, /^streams\.a\.lastEventAt: .* lies in the future \(more than 1 h ahead/],
    ['a lastEventAt in 2099', { lastEventAt: '2099-01-01T00:00:00.000Z' }, /^streams\.a\.lastEventAt: 2099/],
    ['startAt garbage', { startAt: 'garbage' }, /^streams\.a\.startAt: "garbage" is not a time$/],
    ['offsetStartAt garbage', { offset: 'o', offsetStartAt: 'x' }, /^streams\.a\.offsetStartAt: "x" is not a time$/],
    ['syncAt in the future', { sync: 's', syncAt: future }, /^streams\.a\.syncAt:/],
    ['caughtUpAt garbage', { caughtUpAt: 'soon' }, /^streams\.a\.caughtUpAt:/],
    ['updatedAt garbage', { updatedAt: '' }, /^streams\.a\.updatedAt: "" is not a time$/],
    ['the late-event window starting in the future', { shippedWindow: { since: future, gids: {} } }, /^streams\.a\.shippedWindow\.since:/],
    ['a backfill window with a bad bound', { backfill: [{ startAt: 'x', endAt: '2026-05-01T00:00:00Z', eventsShipped: 0 }] }, /^streams\.a\.backfill\.0\.startAt:/],
    ['a backfill window position in the future', { backfill: [{ startAt: '2026-04-01T00:00:00Z', endAt: '2026-05-01T00:00:00Z', lastEventAt: future, eventsShipped: 0 }] }, /^streams\.a\.backfill\.0\.lastEventAt:/],
  ])('%s', (_name, fields, problem) => {
    const r = checkStateContent(file(fields), NOW);
    if (problem === undefined) expect(r).toEqual({ ok: true, streams: expect.any(Map) });
    else {
      expect(r.ok).toBe(false);
      expect(!r.ok && r.problems[0]).toMatch(problem);
    }
  });
});

describe('checkStateContent: the streams as read', () => {
  it('keeps fields the schema does not know, at every level', () => {
    const data = file({ futureField: 1, filters: { newFilter: 'x' }, backfill: [{ startAt: '2026-04-01T00:00:00Z', endAt: '2026-05-01T00:00:00Z', eventsShipped: 0, extra: true }] });
    const r = checkStateContent(data, NOW);
    expect(r.ok && r.streams.get('a')).toEqual(data.streams.a);
  });

  it('reports at most three problems', () => {
    const r = checkStateContent(file({ startAt: 'x', lastEventAt: 'y', caughtUpAt: 'z', syncAt: 'w' }), NOW);
    expect(!r.ok && r.problems).toHaveLength(3);
  });
});

describe('checkStateContent: structure', () => {
  it.each<[string, unknown, RegExp]>([
    ['not an object', null, /^top level: /],
    ['a list at the top', [], /^top level: is a list, not an object$/],
    ['a version this release does not write', { version: 2, streams: {} }, /^version: /],
    ['the streams as a list', { version: 1, streams: [] }, /^streams: is a list, not an object$/],
    ['the filters as a list', file({ filters: [] }), /^streams\.a\.filters: is a list, not an object$/],
    ['the late-event gids as a list', file({ shippedWindow: { since: '2026-06-01T10:00:00Z', gids: [] } }), /^streams\.a\.shippedWindow\.gids: is a list, not an object$/],
    ['a late-event gid without its time', file({ shippedWindow: { since: '2026-06-01T10:00:00Z', gids: { '1': 'y' } } }), /^streams\.a\.shippedWindow\.gids\.1: /],
    ['a negative count', file({ eventsShipped: -1 }), /^streams\.a\.eventsShipped: -1 is negative$/],
    ['a fractional count', file({ eventsShipped: 1.5 }), /^streams\.a\.eventsShipped: 1\.5 is not a whole number$/],
    ['no workspace', file({ workspaceGid: undefined }), /^streams\.a\.workspaceGid: /],
    ['an empty stream name', file({ stream: '' }), /^streams\.a\.stream: is empty$/],
    ['a gid that is a number', file({ lastEventGids: ['1', 2] }), /^streams\.a\.lastEventGids\.1: /],
    ['a backfill window without its count', file({ backfill: [{ startAt: '2026-04-01T00:00:00Z', endAt: '2026-05-01T00:00:00Z' }] }), /^streams\.a\.backfill\.0\.eventsShipped: /],
  ])('refuses %s', (_name, data, problem) => {
    const r = checkStateContent(data, NOW);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.problems[0]).toMatch(problem);
  });
});
