/**
 * Golden files of the mappings: each raw Asana page in test/fixtures/<stream>/<name>.page.json, mapped
 * with a fixed observed time and serialized exactly as the exporter does (toReadableLogRecords +
 * JsonLogsSerializer), must equal <name>.otlp.json. The goldens are the reviewed spec of the mapping.
 *
 * Regenerate after an intended change, then review the diff by eye:
 *   UPDATE_GOLDEN=1 npx vitest run test/unit/mapping
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { JsonLogsSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { expect } from 'vitest';
import { toReadableLogRecords } from '../../src/export/records.ts';
import type { MappedRecord } from '../../src/mapping/types.ts';

/** The observed time every golden is rendered with. */
export const GOLDEN_OBSERVED_AT = new Date('2025-03-07T00:00:00.123Z');

const RESOURCE = resourceFromAttributes({
  'service.name': 'asana',
  'service.version': '0.0.0-test',
  'asana.workspace.gid': '1200000000000001',
});
/** The scope version is the package version: replaced so a release does not change every golden. */
const SCOPE_VERSION_PLACEHOLDER = '<package version>';
const UPDATE = process.env['UPDATE_GOLDEN'] === '1';

/** The folder of one stream's fixture pages and goldens: test/fixtures/<stream>/. */
export function fixtureFolder(stream: 'audit-log' | 'events'): URL {
  return new URL(`../fixtures/${stream}/`, import.meta.url);
}

/** The names of the fixture pages in `folder` (`<name>.page.json`), sorted. */
export function fixturePageNames(folder: URL): string[] {
  return readdirSync(folder)
    .filter((file) => file.endsWith('.page.json'))
    .map((file) => file.slice(0, -'.page.json'.length))
    .sort();
}

/** The raw page `<name>.page.json` of `folder`, parsed. */
export function readFixturePage<Page>(folder: URL, name: string): Page {
  return JSON.parse(readFileSync(new URL(`${name}.page.json`, folder), 'utf8')) as Page;
}

/** Records serialized exactly as the exporter sends them, as indented JSON text. */
export function renderGolden(records: MappedRecord[]): string {
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

/**
 * Asserts that `records`, rendered, equal the golden `<name>.otlp.json` of `folder` (written first
 * with UPDATE_GOLDEN=1) and that there is one record per event of the page.
 */
export function expectGolden(folder: URL, name: string, records: MappedRecord[], eventCount: number): void {
  const actual = renderGolden(records);
  const goldenUrl = new URL(`${name}.otlp.json`, folder);
  if (UPDATE) writeFileSync(goldenUrl, actual);
  expect(existsSync(goldenUrl), `missing golden ${name}.otlp.json: run with UPDATE_GOLDEN=1`).toBe(true);
  expect(actual).toBe(readFileSync(goldenUrl, 'utf8'));

  // One record per event, nothing dropped, whatever the event held.
  const otlp = JSON.parse(actual) as { resourceLogs: Array<{ scopeLogs: Array<{ logRecords: unknown[] }> }> };
  const count = otlp.resourceLogs.flatMap((r) => r.scopeLogs).flatMap((s) => s.logRecords).length;
  expect(count).toBe(eventCount);
}
