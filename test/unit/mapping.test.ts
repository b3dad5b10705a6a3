/**
 * Golden files: each raw Asana page in test/fixtures/audit-log/<name>.page.json, mapped with a fixed
 * observed time and serialized exactly as the exporter does (toReadableLogRecords +
 * JsonLogsSerializer), must equal <name>.otlp.json. The goldens are the reviewed spec of the mapping.
 *
 * Regenerate after an intended change, then review the diff by eye:
 *   UPDATE_GOLDEN=1 npx vitest run test/unit/mapping.test.ts
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { JsonLogsSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { describe, expect, it } from 'vitest';
import type { AuditLogEvent, AuditLogPage } from '../../src/asana/types.ts';
import { toReadableLogRecords } from '../../src/export/records.ts';
import { mapAuditLogEvent } from '../../src/mapping/audit-log.ts';

const FIXTURES = new URL('../fixtures/audit-log/', import.meta.url);
const OBSERVED_AT = new Date('2025-03-07T00:00:00.123Z');
const RESOURCE = resourceFromAttributes({
  'service.name': 'asana',
  'service.version': '0.0.0-test',
  'asana.workspace.gid': '1200000000000001',
});
/** The scope version is the package version: replaced so a release does not change every golden. */
const SCOPE_VERSION_PLACEHOLDER = '<package version>';
const UPDATE = process.env['UPDATE_GOLDEN'] === '1';

const pageNames = readdirSync(FIXTURES)
  .filter((file) => file.endsWith('.page.json'))
  .map((file) => file.slice(0, -'.page.json'.length))
  .sort();

function renderGolden(page: AuditLogPage): string {
  const records = page.data.map((event: AuditLogEvent) => mapAuditLogEvent(event, OBSERVED_AT));
  const bytes = JsonLogsSerializer.serializeRequest(toReadableLogRecords({ resource: RESOURCE, records }));
  if (bytes === undefined) throw new Error('JsonLogsSerializer returned nothing');
  const otlp = JSON.parse(new TextDecoder().decode(bytes)) as {
    resourceLogs: Array<{ scopeLogs: Array<{ scope: { version?: string } }> }>;
  };
  for (const resourceLogs of otlp.resourceLogs) {
    for (const scopeLogs of resourceLogs.scopeLogs) scopeLogs.scope.version = SCOPE_VERSION_PLACEHOLDER;
  }
  return `${JSON.stringify(otlp, null, 2)}\n`;
}

describe('audit-log mapping golden files', () => {
  it('has the fixture pages', () => {
    expect(pageNames).toEqual(['actors', 'api-contexts', 'categories', 'edge-cases', 'hostile']);
  });

  it.each(pageNames)('%s.page.json -> %s.otlp.json', (name) => {
    const page = JSON.parse(readFileSync(new URL(`${name}.page.json`, FIXTURES), 'utf8')) as AuditLogPage;
    const actual = renderGolden(page);
    const goldenUrl = new URL(`${name}.otlp.json`, FIXTURES);
    if (UPDATE) writeFileSync(goldenUrl, actual);
    expect(existsSync(goldenUrl), `missing golden ${name}.otlp.json: run with UPDATE_GOLDEN=1`).toBe(true);
    expect(actual).toBe(readFileSync(goldenUrl, 'utf8'));

    // One record per event, nothing dropped, whatever the event held.
    const otlp = JSON.parse(actual) as { resourceLogs: Array<{ scopeLogs: Array<{ logRecords: unknown[] }> }> };
    const count = otlp.resourceLogs.flatMap((r) => r.scopeLogs).flatMap((s) => s.logRecords).length;
    expect(count).toBe(page.data.length);
  });
});
