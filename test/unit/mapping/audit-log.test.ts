import { readdirSync, readFileSync } from 'node:fs';
import type { Attributes } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api';
import { JsonLogsSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { describe, expect, it } from 'vitest';
import type { AuditLogEvent, AuditLogPage } from '../../../src/asana/types.ts';
import { toReadableLogRecords } from '../../../src/export/records.ts';
import { MAX_ATTRIBUTE_STRING_BYTES } from '../../../src/mapping/attributes.ts';
import { parseJsonExactGids } from '../../../src/asana/exact-json.ts';
import { mapAuditLogEvent } from '../../../src/mapping/audit-log.ts';
import { DETAILS_MAX_ATTRIBUTES, DETAILS_MAX_KEY_LENGTH } from '../../../src/mapping/details.ts';
import type { MappedRecord } from '../../../src/mapping/types.ts';

const OBSERVED_AT = new Date('2025-03-07T00:00:00.123Z');
const OBSERVED: [number, number] = [1_741_305_600, 123_000_000];
const WARNING = 'asana.mapping.warning';

/** The input type says AuditLogEvent; tests feed whatever the wire might carry. */
function map(event: unknown, observedAt: Date = OBSERVED_AT): MappedRecord {
  return mapAuditLogEvent(event as AuditLogEvent, observedAt);
}

function fullEvent(): AuditLogEvent {
  return {
    gid: '1208000000000104',
    created_at: '2025-03-03T09:05:31.650Z',
    event_type: 'user_workspace_admin_role_changed',
    event_category: 'roles',
    actor: { actor_type: 'user', gid: '1201000000000012', name: 'Priya Natarajan', email: 'priya@example.com' },
    resource: {
      resource_type: 'user',
      resource_subtype: 'guest',
      gid: '1201000000000013',
      name: 'Tomás Oliveira',
      email: 'tomas@example.com',
    },
    details: { old_value: 'member', new_value: 'domain_admin', group: { gid: '1200000000000001', name: 'Example Corp' } },
    context: {
      context_type: 'api',
      api_authentication_method: 'oauth',
      client_ip_address: '198.51.100.7',
      user_agent: 'Zapier',
      oauth_app_name: 'Zapier',
      rule_name: 'When task is added',
      on_behalf_of_user_id: 1201000000000011,
    },
  };
}

function byteLength(text: string): number {
  return new TextEncoder().encode(text).length;
}

describe('mapAuditLogEvent: record fields', () => {
  it('maps a complete event', () => {
    const record = map(fullEvent());
    expect(record.hrTime).toEqual([1_740_992_731, 650_000_000]);
    expect(record.hrTimeObserved).toEqual(OBSERVED);
    expect(record.severityNumber).toBe(SeverityNumber.WARN);
    expect(record.severityText).toBe('WARN');
    expect(record.eventName).toBe('asana.audit.user_workspace_admin_role_changed');
    expect(record.attributes).toEqual({
      'log.record.uid': '1208000000000104',
      'asana.event.source': 'audit_log',
      'asana.event.type': 'user_workspace_admin_role_changed',
      'asana.event.category': 'roles',
      'asana.actor.type': 'user',
      'user.id': '1201000000000012',
      'user.email': 'priya@example.com',
      'user.full_name': 'Priya Natarajan',
      'asana.resource.type': 'user',
      'asana.resource.subtype': 'guest',
      'asana.resource.gid': '1201000000000013',
      'asana.resource.name': 'Tomás Oliveira',
      'asana.resource.email': 'tomas@example.com',
      'client.address': '198.51.100.7',
      'user_agent.original': 'Zapier',
      'asana.context.type': 'api',
      'asana.context.api_authentication_method': 'oauth',
      'asana.context.oauth_app_name': 'Zapier',
      'asana.context.rule_name': 'When task is added',
      'asana.context.on_behalf_of_user_id': '1201000000000011',
      'asana.details.old_value': 'member',
      'asana.details.new_value': 'domain_admin',
      'asana.details.group.gid': '1200000000000001',
      'asana.details.group.name': 'Example Corp',
    });
  });

  it('passes unknown event types through and names missing ones asana.audit.unknown', () => {
    expect(map({ ...fullEvent(), event_type: 'workspace_new_thing_enabled' }).eventName).toBe('asana.audit.workspace_new_thing_enabled');
    for (const eventType of [undefined, null, '', { nested: 'x' }, ['x']]) {
      const record = map({ ...fullEvent(), event_type: eventType });
      expect(record.eventName).toBe('asana.audit.unknown');
      expect(record.attributes).not.toHaveProperty('asana.event.type');
      expect(record.severityText).toBe('INFO');
    }
    expect(map({ ...fullEvent(), event_type: 42 }).eventName).toBe('asana.audit.42');
  });

  it('falls back to the known category only when the event has none', () => {
    const base = { ...fullEvent(), event_type: 'user_login_failed' };
    expect(map({ ...base, event_category: undefined }).attributes['asana.event.category']).toBe('logins');
    expect(map({ ...base, event_category: null }).attributes['asana.event.category']).toBe('logins');
    expect(map({ ...base, event_category: '' }).attributes['asana.event.category']).toBe('logins');
    expect(map({ ...base, event_category: 'renamed_category' }).attributes['asana.event.category']).toBe('renamed_category');
    const unknown = map({ ...base, event_type: 'brand_new_type', event_category: undefined });
    expect(unknown.attributes).not.toHaveProperty('asana.event.category');
    const proto = map({ ...base, event_type: 'constructor', event_category: undefined });
    expect(proto.attributes).not.toHaveProperty('asana.event.category');
  });

  it('takes Timestamp from created_at exactly and ObservedTimestamp from observedAt', () => {
    expect(map({ ...fullEvent(), created_at: '2025-03-06T10:01:02.345678Z' }).hrTime).toEqual([1_741_255_262, 345_678_000]);
    expect(map({ ...fullEvent(), created_at: '2025-03-06T11:01:02.123456789+01:00' }).hrTime).toEqual([1_741_255_262, 123_456_789]);
    const record = map(fullEvent(), new Date('2030-01-01T00:00:00.007Z'));
    expect(record.hrTimeObserved).toEqual([1_893_456_000, 7_000_000]);
    expect(record.attributes).not.toHaveProperty(WARNING);
  });

  it.each([
    [undefined, 'created_at is missing; Timestamp is the time the event was received'],
    [null, 'created_at is missing; Timestamp is the time the event was received'],
    ['', 'created_at is empty; Timestamp is the time the event was received'],
    ['not a date', 'created_at "not a date" is not an ISO-8601 date-time; Timestamp is the time the event was received'],
    [1_612_137_600_000, 'created_at is a number, not a string; Timestamp is the time the event was received'],
    ['2021-02-30T00:00:00Z', 'created_at "2021-02-30T00:00:00Z" has day 30 in month 02; Timestamp is the time the event was received'],
  ])('uses the observed time for created_at %j, with a warning', (createdAt, warning) => {
    const record = map({ ...fullEvent(), created_at: createdAt });
    expect(record.hrTime).toEqual(OBSERVED);
    expect(record.hrTime).not.toBe(record.hrTimeObserved);
    expect(record.attributes[WARNING]).toBe(warning);
    expect(record.eventName).toBe('asana.audit.user_workspace_admin_role_changed');
  });

  it('shortens a long invalid created_at in the warning', () => {
    const record = map({ ...fullEvent(), created_at: 'x'.repeat(10_000) });
    expect(record.attributes[WARNING]).toBe(`created_at "${'x'.repeat(64)}…" is not an ISO-8601 date-time; Timestamp is the time the event was received`);
  });

  it('never fails on a bad observedAt: it uses the current time', () => {
    const before = Date.now();
    for (const observedAt of [new Date(Number.NaN), undefined, null, 'now', 0]) {
      const record = mapAuditLogEvent(fullEvent(), observedAt as unknown as Date);
      const ms = record.hrTimeObserved[0] * 1000 + record.hrTimeObserved[1] / 1e6;
      expect(ms).toBeGreaterThanOrEqual(before);
      expect(ms).toBeLessThanOrEqual(Date.now());
    }
  });
});

describe('mapAuditLogEvent: attributes', () => {
  it('omits absent values instead of sending them empty', () => {
    const absent = [null, undefined, ''];
    for (const value of absent) {
      const record = map({
        gid: value,
        created_at: '2025-03-03T09:05:31.650Z',
        event_type: value,
        event_category: value,
        actor: { actor_type: 'user', gid: value, name: value, email: value },
        resource: { resource_type: value, resource_subtype: value, gid: value, name: value, email: value },
        details: { old_value: value, new_value: value, group: { name: value } },
        context: {
          context_type: value,
          api_authentication_method: value,
          client_ip_address: value,
          user_agent: value,
          oauth_app_name: value,
          rule_name: value,
          on_behalf_of_user_id: value,
        },
      });
      expect(record.attributes, String(value)).toEqual({ 'asana.event.source': 'audit_log', 'asana.actor.type': 'user' });
    }
    expect(map({ gid: '1', created_at: '2025-03-03T09:05:31.650Z' }).attributes).toEqual({
      'log.record.uid': '1',
      'asana.event.source': 'audit_log',
    });
  });

  it.each(['asana', 'asana_support', 'anonymous', 'external_administrator', 'ai_teammate', 'USER', undefined, null])(
    'maps a %s actor to asana.actor.*, never to user.*',
    (actorType) => {
      const record = map({
        ...fullEvent(),
        actor: { actor_type: actorType, gid: '1201000000000090', name: 'Okta SCIM', email: 'scim@example.com' },
      });
      const keys = Object.keys(record.attributes);
      expect(keys.filter((key) => key.startsWith('user.'))).toEqual([]);
      expect(record.attributes['asana.actor.gid']).toBe('1201000000000090');
      expect(record.attributes['asana.actor.name']).toBe('Okta SCIM');
      expect(record.attributes['asana.actor.email']).toBe('scim@example.com');
      if (typeof actorType === 'string') expect(record.attributes['asana.actor.type']).toBe(actorType);
      else expect(record.attributes).not.toHaveProperty('asana.actor.type');
    },
  );

  it('maps a user actor to user.* only', () => {
    const record = map(fullEvent());
    expect(Object.keys(record.attributes).filter((key) => key.startsWith('asana.actor.'))).toEqual(['asana.actor.type']);
  });

  it('maps a non-user actor without identity to its type alone', () => {
    const record = map({ ...fullEvent(), actor: { actor_type: 'asana' } });
    expect(Object.keys(record.attributes).filter((key) => key.startsWith('asana.actor.') || key.startsWith('user.'))).toEqual([
      'asana.actor.type',
    ]);
  });

  it('turns numbers and booleans where strings were documented into strings, and leaves objects to the body', () => {
    const record = map({
      gid: 1208000000000501,
      created_at: '2025-03-03T09:05:31.650Z',
      event_type: 'user_login_failed',
      actor: { actor_type: 'user', gid: 1201000000000011, name: 42, email: true },
      resource: { resource_type: 'user', gid: { nested: 1 }, name: ['a'], email: Number.NaN },
      context: { client_ip_address: 3232235777, on_behalf_of_user_id: 12345, user_agent: 10n },
    });
    expect(record.attributes).toMatchObject({
      'log.record.uid': '1208000000000501',
      'user.id': '1201000000000011',
      'user.full_name': '42',
      'user.email': 'true',
      'asana.resource.type': 'user',
      'client.address': '3232235777',
      'asana.context.on_behalf_of_user_id': '12345',
      'user_agent.original': '10',
    });
    expect(record.attributes).not.toHaveProperty('asana.resource.gid');
    expect(record.attributes).not.toHaveProperty('asana.resource.name');
    expect(record.attributes).not.toHaveProperty('asana.resource.email');
  });

  it.each([
    // [what, event fields, the warning]
    ['a string gid: no warning', { gid: '1208000000000501' }, undefined],
    ['a number gid', { gid: 1208000000000501 }, 'gid is a number, not a string'],
    ['a boolean actor gid', { actor: { actor_type: 'user', gid: true } }, 'actor.gid is a boolean, not a string'],
    ['an object resource gid', { resource: { gid: { nested: 1 } } }, 'resource.gid is an object, not a string'],
    ['a null gid is absent, not wrong', { gid: null, resource: { gid: null } }, undefined],
  ])('flags a gid that is not a string: %s', (_what, fields, warning) => {
    const record = map({ created_at: '2025-03-03T09:05:31.650Z', ...fields });
    expect(record.attributes[WARNING]).toBe(warning);
  });

  it('keeps numeric gids past 2^53 of a page read by parseJsonExactGids exact and distinct, with a warning', () => {
    const gids = Array.from({ length: 20 }, (_, i) => `${9_007_199_254_740_993n + BigInt(i)}`);
    const text = `{"data":[${gids.map((g) => `{"gid":${g},"created_at":"2025-03-03T09:05:31.650Z","actor":{"actor_type":"user","gid":${g}}}`).join(',')}]}`;
    const records = (parseJsonExactGids(text) as { data: unknown[] }).data.map((event) => map(event));
    expect(records.map((r) => r.attributes['log.record.uid'])).toEqual(gids);
    expect(records.map((r) => r.attributes['user.id'])).toEqual(gids);
    expect(records.map((r) => JSON.parse(r.body as string).gid)).toEqual(gids);
    expect(records[0]?.attributes[WARNING]).toBe(
      `gid is a number, not a string; read exactly as "${gids[0]}"; actor.gid is a number, not a string; read exactly as "${gids[0]}"`,
    );
  });

  it('ignores non-object actor, resource, context and details', () => {
    for (const value of ['text', 42, true, [], [{ actor_type: 'user' }]]) {
      const record = map({
        gid: '1',
        created_at: '2025-03-03T09:05:31.650Z',
        actor: value,
        resource: value,
        context: value,
        details: value,
      });
      expect(record.attributes).toEqual({ 'log.record.uid': '1', 'asana.event.source': 'audit_log' });
    }
  });

  it('caps attribute strings at 8 KiB of UTF-8 on a character boundary; the body keeps everything', () => {
    const name = `${'a'.repeat(MAX_ATTRIBUTE_STRING_BYTES - 1)}🦊tail`;
    const saml = `${'é'.repeat(5000)}`; // 10000 bytes
    const record = map({ ...fullEvent(), resource: { name }, details: { saml_response: saml } });
    expect(record.attributes['asana.resource.name']).toBe('a'.repeat(MAX_ATTRIBUTE_STRING_BYTES - 1));
    expect(record.attributes['asana.details.saml_response']).toBe('é'.repeat(MAX_ATTRIBUTE_STRING_BYTES / 2));
    const body = JSON.parse(record.body as string) as AuditLogEvent;
    expect(body.resource?.name).toBe(name);
    expect(body.details?.['saml_response']).toBe(saml);
    for (const value of Object.values(record.attributes)) {
      if (typeof value === 'string') expect(byteLength(value)).toBeLessThanOrEqual(MAX_ATTRIBUTE_STRING_BYTES);
    }
  });

  it('caps a huge event_type in the EventName too', () => {
    const eventType = 'x'.repeat(100_000);
    const record = map({ ...fullEvent(), event_type: eventType });
    expect(record.eventName).toBe(`asana.audit.${'x'.repeat(MAX_ATTRIBUTE_STRING_BYTES)}`);
    expect(record.attributes['asana.event.type']).toBe('x'.repeat(MAX_ATTRIBUTE_STRING_BYTES));
  });
});

describe('mapAuditLogEvent: details', () => {
  function detailAttributes(details: unknown): Attributes {
    const record = map({ gid: '1', created_at: '2025-03-03T09:05:31.650Z', details });
    return Object.fromEntries(Object.entries(record.attributes).filter(([key]) => key.startsWith('asana.details.') || key === WARNING));
  }

  it('flattens scalars down to three keys deep, keeping their types', () => {
    expect(
      detailAttributes({
        old_value: 'member',
        count: 3,
        ratio: 0.25,
        enabled: false,
        zero: 0,
        group: { name: 'Example Corp', gid: '1200000000000001', meta: { level: 3, deeper: { level: 4 } } },
      }),
    ).toEqual({
      'asana.details.old_value': 'member',
      'asana.details.count': 3,
      'asana.details.ratio': 0.25,
      'asana.details.enabled': false,
      'asana.details.zero': 0,
      'asana.details.group.name': 'Example Corp',
      'asana.details.group.gid': '1200000000000001',
      'asana.details.group.meta.level': 3,
    });
  });

  it('leaves arrays, nulls, empty strings and deeper values to the body', () => {
    expect(detailAttributes({ list: [1, 2], objects: [{ a: 1 }], none: null, empty: '', a: { b: { c: { d: 'deep' } } } })).toEqual({});
  });

  it('sends integers beyond 2^53 as strings, written as the body writes them', () => {
    expect(detailAttributes({ big: 2 ** 60, safe: Number.MAX_SAFE_INTEGER, negative: -(2 ** 60), huge: 1e300 })).toEqual({
      'asana.details.big': '1152921504606847000',
      'asana.details.safe': Number.MAX_SAFE_INTEGER,
      'asana.details.negative': '-1152921504606847000',
      'asana.details.huge': '1e+300',
    });
    expect(JSON.stringify(2 ** 60)).toBe('1152921504606847000');
  });

  it('keeps the first of two paths that give the same name', () => {
    expect(detailAttributes({ 'group.name': 'flat', group: { name: 'nested' } })).toEqual({ 'asana.details.group.name': 'flat' });
  });

  it('handles keys named like Object.prototype members as plain keys', () => {
    const details = JSON.parse('{"__proto__": "p", "constructor": "c", "toString": {"x": 1}}') as unknown;
    expect(detailAttributes(details)).toEqual({
      'asana.details.__proto__': 'p',
      'asana.details.constructor': 'c',
      'asana.details.toString.x': 1,
    });
  });

  it('skips keys too long for an attribute name', () => {
    const long = 'k'.repeat(DETAILS_MAX_KEY_LENGTH + 1);
    const fits = 'k'.repeat(DETAILS_MAX_KEY_LENGTH);
    expect(detailAttributes({ [long]: 'v', [fits]: 'w' })).toEqual({ [`asana.details.${fits}`]: 'w' });
  });

  it(`keeps at most ${DETAILS_MAX_ATTRIBUTES} details attributes and says so`, () => {
    const details = Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, i]));
    const attributes = detailAttributes({ nested: { a: 1 }, ...details });
    const keys = Object.keys(attributes).filter((key) => key !== WARNING);
    expect(keys).toHaveLength(DETAILS_MAX_ATTRIBUTES);
    expect(keys[0]).toBe('asana.details.nested.a');
    expect(attributes[WARNING]).toBe(`details has more than ${DETAILS_MAX_ATTRIBUTES} values; the rest are only in the body`);
    expect(detailAttributes(Object.fromEntries(Array.from({ length: DETAILS_MAX_ATTRIBUTES }, (_, i) => [`k${i}`, i])))).not.toHaveProperty(
      WARNING,
    );
  });
});

describe('mapAuditLogEvent: body', () => {
  const fixtures = new URL('../../fixtures/audit-log/', import.meta.url);
  const events = readdirSync(fixtures)
    .filter((file) => file.endsWith('.page.json'))
    .flatMap((file) => (JSON.parse(readFileSync(new URL(file, fixtures), 'utf8')) as AuditLogPage).data);

  it('is the event as JSON text: it round-trips to the input for every fixture event', () => {
    expect(events.length).toBeGreaterThan(30);
    for (const event of events) {
      const record = map(event);
      expect(typeof record.body).toBe('string');
      expect(record.body).toBe(JSON.stringify(event));
      expect(JSON.parse(record.body as string)).toStrictEqual(event);
    }
  });

  it('keeps nulls, unknown fields and key order', () => {
    const text = '{"z":1,"gid":"1","created_at":"2025-03-03T09:05:31.650Z","actor":null,"new_field":{"b":[null,{"c":null}],"a":""}}';
    expect(map(JSON.parse(text)).body).toBe(text);
  });

  it('writes events nested too deep for JSON.stringify exactly, without a warning', () => {
    const depth = 100_000;
    const text = `{"gid":"1","created_at":"2025-03-03T09:05:31.650Z","details":${'{"a":'.repeat(depth)}[1,"x",null,true]${'}'.repeat(depth)},"tail":"é🦊\\n"}`;
    const event = JSON.parse(text) as unknown;
    expect(() => JSON.stringify(event)).toThrow(RangeError);
    const record = map(event);
    expect(record.body).toBe(text);
    expect(record.attributes).not.toHaveProperty(WARNING);
    expect(record.hrTime).toEqual([1_740_992_731, 650_000_000]);
  });

  it('writes a cyclic object approximately, with a warning', () => {
    const event: Record<string, unknown> = { gid: '1', created_at: '2025-03-03T09:05:31.650Z', event_type: 'task_deleted' };
    event['self'] = event;
    event['shared'] = [{ same: 1 }];
    event['again'] = event['shared'];
    const record = map(event);
    expect(record.body).toBe(
      '{"gid":"1","created_at":"2025-03-03T09:05:31.650Z","event_type":"task_deleted","self":"[Circular]","shared":[{"same":1}],"again":[{"same":1}]}',
    );
    expect(record.attributes[WARNING]).toBe('body is not an exact copy of the event: a circular reference is written as "[Circular]"');
    expect(record.eventName).toBe('asana.audit.task_deleted');
  });

  it('does not change the event', () => {
    const event = fullEvent();
    const before = JSON.stringify(event);
    deepFreeze(event);
    map(event);
    expect(JSON.stringify(event)).toBe(before);
  });
});

describe('mapAuditLogEvent never throws', () => {
  const revoked = Proxy.revocable({}, {});
  revoked.revoke();
  const throwingProxy = new Proxy(
    {},
    {
      get() {
        throw new Error('trap');
      },
      ownKeys() {
        throw new Error('trap');
      },
    },
  );
  const cyclic: Record<string, unknown> = { gid: '1' };
  cyclic['details'] = { loop: cyclic };
  const deep = JSON.parse(`${'['.repeat(200_000)}${']'.repeat(200_000)}`) as unknown;
  const deepDetails = JSON.parse(`{"details":${'{"a":'.repeat(200_000)}1${'}'.repeat(200_000)}}`) as unknown;

  const nasty: Array<[string, unknown]> = [
    ['null', null],
    ['undefined', undefined],
    ['zero', 0],
    ['NaN', Number.NaN],
    ['empty string', ''],
    ['string', 'event'],
    ['true', true],
    ['bigint', 10n],
    ['symbol', Symbol('event')],
    ['function', () => 1],
    ['empty array', []],
    ['array of events', [{ gid: '1' }]],
    ['empty object', {}],
    ['null-prototype object', Object.assign(Object.create(null) as object, { gid: '1', created_at: '2025-03-03T09:05:31.650Z' })],
    ['Date', new Date(0)],
    ['Map', new Map([['gid', '1']])],
    ['revoked proxy', revoked.proxy],
    ['throwing proxy', throwingProxy],
    ['cyclic', cyclic],
    ['deeply nested array', deep],
    ['deeply nested details', deepDetails],
    ['throwing getter', Object.defineProperty({ gid: '1' }, 'created_at', { enumerable: true, get: () => { throw new Error('getter'); } })],
    ['throwing toJSON', { gid: '1', toJSON: () => { throw new Error('toJSON'); } }],
    ['bigint fields', { gid: 1n, created_at: '2025-03-03T09:05:31.650Z', details: { n: 2n } }],
    ['huge strings', { gid: 'g'.repeat(5_000_000), created_at: 'c'.repeat(5_000_000), event_type: 't'.repeat(5_000_000), details: { s: 's'.repeat(5_000_000) } }],
    ['lone surrogates', { gid: '\ud800', event_type: '\udfff', actor: { actor_type: 'user', name: 'a\ud83d' } }],
    ['wrong types everywhere', { gid: {}, created_at: [], event_type: {}, event_category: 7, actor: 1, resource: 'r', details: 5, context: true }],
    ['symbol values', { gid: Symbol('g'), created_at: Symbol('c'), details: { s: Symbol('s') } }],
    ['infinite numbers', { gid: Number.POSITIVE_INFINITY, details: { n: Number.NEGATIVE_INFINITY, m: Number.NaN } }],
  ];

  it.each(nasty)('%s', (_name, event) => {
    let record: MappedRecord | undefined;
    expect(() => {
      record = map(event);
    }).not.toThrow();
    if (record === undefined) throw new Error('no record');
    for (const time of [record.hrTime, record.hrTimeObserved]) {
      expect(time).toHaveLength(2);
      expect(Number.isSafeInteger(time[0]) && time[0] >= 0).toBe(true);
      expect(Number.isInteger(time[1]) && time[1] >= 0 && time[1] < 1e9).toBe(true);
    }
    expect(['INFO', 'WARN']).toContain(record.severityText);
    expect(record.eventName.startsWith('asana.audit.')).toBe(true);
    expect(typeof record.body).toBe('string');
    for (const [key, value] of Object.entries(record.attributes)) {
      expect(['string', 'number', 'boolean'], key).toContain(typeof value);
      if (typeof value === 'string') {
        expect(value, key).not.toBe('');
        expect(byteLength(value), key).toBeLessThanOrEqual(MAX_ATTRIBUTE_STRING_BYTES);
      }
    }
    expect(record.attributes['asana.event.source']).toBe('audit_log');
    // The record also survives the exporter's serialization.
    const resource = resourceFromAttributes({ 'service.name': 'asana' });
    expect(JsonLogsSerializer.serializeRequest(toReadableLogRecords({ resource, records: [record] }))).toBeInstanceOf(Uint8Array);
  });

  it('reports an unreadable event and keeps the record', () => {
    const record = map(throwingProxy);
    expect(record.eventName).toBe('asana.audit.unknown');
    expect(record.hrTime).toEqual(OBSERVED);
    expect(record.attributes[WARNING]).toMatch(/^event could not be read \(Error: trap\)/);
  });

  it('maps a page with one hostile event and keeps every other record intact', () => {
    const good = fullEvent();
    const records = [good, throwingProxy, null, cyclic, good].map((event) => map(event));
    expect(records).toHaveLength(5);
    expect(records[0]).toEqual(records[4]);
    expect(records[0]?.eventName).toBe('asana.audit.user_workspace_admin_role_changed');
  });
});

function deepFreeze(value: unknown): void {
  if (typeof value !== 'object' || value === null) return;
  Object.freeze(value);
  for (const child of Object.values(value)) deepFreeze(child);
}
