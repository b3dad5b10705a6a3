/**
 * Activity events (the events API) -> OTLP log records. Golden files as for the audit log
 * (test/helpers/golden.ts): each raw page in test/fixtures/events/<name>.page.json maps to
 * <name>.otlp.json.
 */
import { SeverityNumber } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import type { ActivityEvent, EventsPage } from '../../../src/asana/types.ts';
import { MAX_ATTRIBUTE_STRING_BYTES } from '../../../src/mapping/attributes.ts';
import { ACTIVITY_UID_HEX_DIGITS, activityEventUid, mapActivityEvent, type ActivitySource } from '../../../src/mapping/events.ts';
import { mapGap } from '../../../src/mapping/gap.ts';
import { GOLDEN_OBSERVED_AT, expectGolden, fixtureFolder, fixturePageNames, readFixturePage } from '../../helpers/golden.ts';

const FIXTURES = fixtureFolder('events');
const OBSERVED_AT = GOLDEN_OBSERVED_AT;
const OBSERVED: [number, number] = [1_741_305_600, 123_000_000];
/** Fixtures alternate the source so both values are pinned by the goldens. */
const SOURCE_OF: Record<string, ActivitySource> = {
  tasks: 'workspace_events',
  'projects-and-goals': 'resource_events',
  'edge-cases': 'workspace_events',
  hostile: 'resource_events',
};

const pageNames = fixturePageNames(FIXTURES);

function map(event: unknown, source: ActivitySource = 'workspace_events') {
  return mapActivityEvent(event as ActivityEvent, source, OBSERVED_AT);
}

describe('activity mapping golden files', () => {
  it('has the fixture pages', () => {
    expect(pageNames).toEqual(['edge-cases', 'hostile', 'projects-and-goals', 'tasks']);
  });

  it.each(pageNames)('%s: .page.json -> .otlp.json', (name) => {
    const page = readFixturePage<EventsPage>(FIXTURES, name);
    const source = SOURCE_OF[name] ?? 'workspace_events';
    const records = page.data.map((event) => mapActivityEvent(event, source, OBSERVED_AT));
    expectGolden(FIXTURES, name, records, page.data.length);
  });
});

describe('mapActivityEvent', () => {
  const assigneeSet: ActivityEvent = {
    action: 'changed',
    change: { action: 'changed', field: 'assignee', new_value: { gid: '12', name: 'Ольга Смирнова', resource_type: 'user' } },
    created_at: '2025-03-06T09:15:40.002Z',
    parent: null,
    resource: { gid: '4410', name: 'Draft release notes v2.4', resource_subtype: 'default_task', resource_type: 'task' },
    type: 'task',
    user: { gid: '11', name: 'Zoë Ångström', resource_type: 'user' },
  };

  it('maps a changed event: name, time, source, resource, change, user; body is the event', () => {
    const r = map(assigneeSet, 'resource_events');
    expect(r.eventName).toBe('asana.event.task.changed');
    expect(r.hrTime).toEqual([1_741_252_540, 2_000_000]);
    expect(r.hrTimeObserved).toEqual(OBSERVED);
    expect(r.severityNumber).toBe(SeverityNumber.INFO);
    expect(r.attributes).toEqual({
      'log.record.uid': activityEventUid(assigneeSet),
      'asana.event.source': 'resource_events',
      'asana.event.action': 'changed',
      'asana.resource.type': 'task',
      'asana.resource.subtype': 'default_task',
      'asana.resource.gid': '4410',
      'asana.resource.name': 'Draft release notes v2.4',
      'asana.change.field': 'assignee',
      'asana.change.action': 'changed',
      'user.id': '11',
      'user.full_name': 'Zoë Ångström',
    });
    expect(r.body).toBe(JSON.stringify(assigneeSet));
  });

  it('maps the parent of added/removed events', () => {
    const r = map({ ...assigneeSet, action: 'added', change: undefined, parent: { gid: '201', name: 'Q3 Launch 🚀', resource_type: 'project' } });
    expect(r.eventName).toBe('asana.event.task.added');
    expect(r.attributes).toMatchObject({ 'asana.parent.type': 'project', 'asana.parent.gid': '201', 'asana.parent.name': 'Q3 Launch 🚀' });
    expect(r.attributes).not.toHaveProperty('asana.change.field');
  });

  it('a system event (user: null) simply has no user attributes', () => {
    const r = map({ ...assigneeSet, user: null });
    expect(Object.keys(r.attributes).filter((k) => k.startsWith('user.'))).toEqual([]);
    expect(r.attributes['asana.mapping.warning']).toBeUndefined();
  });

  it('log.record.uid is the same for the same event whatever the key order, and differs for another event', () => {
    const reordered = JSON.parse(
      '{"user":{"resource_type":"user","name":"Zoë Ångström","gid":"11"},"type":"task","resource":{"resource_type":"task","resource_subtype":"default_task","name":"Draft release notes v2.4","gid":"4410"},"parent":null,"created_at":"2025-03-06T09:15:40.002Z","change":{"new_value":{"resource_type":"user","name":"Ольга Смирнова","gid":"12"},"field":"assignee","action":"changed"},"action":"changed"}',
    ) as ActivityEvent;
    const uid = map(assigneeSet).attributes['log.record.uid'];
    expect(uid).toMatch(new RegExp(`^[0-9a-f]{${ACTIVITY_UID_HEX_DIGITS}}$`));
    expect(map(reordered).attributes['log.record.uid']).toBe(uid);
    expect(map(structuredClone(assigneeSet)).attributes['log.record.uid']).toBe(uid);
    // The source is not part of the event: the same event through either stream has one uid.
    expect(map(assigneeSet, 'resource_events').attributes['log.record.uid']).toBe(uid);
    expect(map({ ...assigneeSet, created_at: '2025-03-06T09:15:40.003Z' }).attributes['log.record.uid']).not.toBe(uid);
    expect(map({ ...assigneeSet, user: null }).attributes['log.record.uid']).not.toBe(uid);
  });

  it('falls back to the deprecated type, and to unknown, for the event name', () => {
    expect(map({ action: 'added', type: 'story', resource: { gid: '1' } }).eventName).toBe('asana.event.story.added');
    expect(map({ resource: { resource_type: 'goal' } }).eventName).toBe('asana.event.goal.unknown');
    expect(map({}).eventName).toBe('asana.event.unknown.unknown');
  });

  it('an unreadable created_at: observed time and a warning, the record is still sent', () => {
    const r = map({ ...assigneeSet, created_at: 'yesterday' });
    expect(r.hrTime).toEqual(OBSERVED);
    expect(r.attributes['asana.mapping.warning']).toContain('created_at "yesterday"');
  });

  it('caps attribute strings; the body keeps everything', () => {
    const long = 'ü'.repeat(MAX_ATTRIBUTE_STRING_BYTES);
    const r = map({ ...assigneeSet, resource: { gid: '1', name: long, resource_type: 'task' } });
    expect(new TextEncoder().encode(r.attributes['asana.resource.name'] as string).length).toBeLessThanOrEqual(MAX_ATTRIBUTE_STRING_BYTES);
    expect(r.body).toContain(long);
  });

  it.each([
    ['null', null],
    ['a number', 7],
    ['an array', [assigneeSet]],
    ['a cycle', (() => { const o: Record<string, unknown> = { action: 'changed' }; o.self = o; return o; })()],
    ['deep nesting', JSON.parse(`${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}`) as unknown],
    ['a throwing getter', Object.defineProperty({}, 'action', { get() { throw new Error('boom'); }, enumerable: true })],
    ['a revoked proxy', (() => { const p = Proxy.revocable({}, {}); p.revoke(); return p.proxy; })()],
  ])('never throws: %s', (_name, input) => {
    const r = map(input);
    expect(r.attributes['asana.event.source']).toBe('workspace_events');
    expect(typeof r.attributes['log.record.uid']).toBe('string');
    expect(typeof r.body).toBe('string');
    // Stable: the same input gives the same uid.
    expect(map(input).attributes['log.record.uid']).toBe(r.attributes['log.record.uid']);
  });
});

describe('the gap record', () => {
  it('names the stream that lost data, the reason and the range', () => {
    const r = mapGap(
      {
        source: 'workspace_events',
        stream: 'workspace_events/1200000000000001',
        reason: 'sync_token_expired',
        start: new Date('2025-03-05T00:00:00Z'),
        end: new Date('2025-03-06T12:00:00Z'),
        message: 'lost',
      },
      OBSERVED_AT,
    );
    expect(r.eventName).toBe('asana.receiver.gap');
    expect(r.severityNumber).toBe(SeverityNumber.WARN);
    expect(r.attributes).toEqual({
      'asana.event.source': 'workspace_events',
      'asana.gap.reason': 'sync_token_expired',
      'asana.receiver.stream': 'workspace_events/1200000000000001',
      'asana.gap.start': '2025-03-05T00:00:00.000Z',
      'asana.gap.end': '2025-03-06T12:00:00.000Z',
    });
  });
});
