import { SeverityNumber } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { createConsoleSink, formatRecord } from '../../../src/export/console.ts';
import { buildResource } from '../../../src/export/resource.ts';
import type { MappedRecord } from '../../../src/mapping/types.ts';

const resource = buildResource({ resourceAttributes: {}, workspaceGid: '1' });

const login: MappedRecord = {
  hrTime: [1714555800, 123456789],
  hrTimeObserved: [1714555900, 0],
  severityNumber: SeverityNumber.INFO,
  severityText: 'INFO',
  eventName: 'asana.audit.user_login_succeeded',
  body: {},
  attributes: {
    'user.email': 'alice@example.com',
    'asana.actor.type': 'user',
    'asana.resource.type': 'user',
    'asana.resource.name': 'Alice Doe',
    'client.address': '203.0.113.7',
    'log.record.uid': '1200000000000001',
  },
};

describe('console sink', () => {
  it('prints one plain line per record and reports ok', async () => {
    const lines: string[] = [];
    const sink = createConsoleSink((l) => lines.push(l));
    const outcome = await sink.export({ resource, records: [login, { ...login, eventName: 'asana.audit.task_deleted' }] });
    expect(outcome).toEqual({ kind: 'ok', rejectedRecords: 0 });
    expect(lines).toEqual([
      '2024-05-01T09:30:00.123Z  INFO   asana.audit.user_login_succeeded  actor=alice@example.com (user)  resource=user "Alice Doe"  ip=203.0.113.7  uid=1200000000000001',
      '2024-05-01T09:30:00.123Z  INFO   asana.audit.task_deleted  actor=alice@example.com (user)  resource=user "Alice Doe"  ip=203.0.113.7  uid=1200000000000001',
    ]);
    expect(lines.join('')).not.toContain('\u001b[');
    await sink.shutdown();
  });

  it('falls back to the raw event in the body, and leaves out what is missing', () => {
    const line = formatRecord({
      ...login,
      severityNumber: SeverityNumber.WARN,
      severityText: 'WARN',
      attributes: {},
      body: { gid: '99', actor: { actor_type: 'asana', name: 'Asana' }, resource: { resource_type: 'workspace' } },
    });
    expect(line).toBe('2024-05-01T09:30:00.123Z  WARN   asana.audit.user_login_succeeded  actor=Asana (asana)  resource=workspace  uid=99');
  });

  it('colors on request, and keeps control characters out of the line', () => {
    const line = formatRecord({ ...login, attributes: { 'asana.resource.name': 'evil\nname' } }, true);
    expect(line).toContain('\u001b[32mINFO');
    expect(line).not.toContain('\n');
  });
});
