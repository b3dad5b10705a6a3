/**
 * Audit-log mapping golden files (test/helpers/golden.ts): each raw page in
 * test/fixtures/audit-log/<name>.page.json maps to <name>.otlp.json.
 */
import { describe, expect, it } from 'vitest';
import type { AuditLogPage } from '../../../src/asana/types.ts';
import { mapAuditLogEvent } from '../../../src/mapping/audit-log.ts';
import { GOLDEN_OBSERVED_AT, expectGolden, fixtureFolder, fixturePageNames, readFixturePage } from '../../helpers/golden.ts';

const FIXTURES = fixtureFolder('audit-log');
const pageNames = fixturePageNames(FIXTURES);

describe('audit-log mapping golden files', () => {
  it('has the fixture pages', () => {
    expect(pageNames).toEqual(['actors', 'api-contexts', 'categories', 'edge-cases', 'hostile']);
  });

  it.each(pageNames)('%s: .page.json -> .otlp.json', (name) => {
    const page = readFixturePage<AuditLogPage>(FIXTURES, name);
    const records = page.data.map((event) => mapAuditLogEvent(event, GOLDEN_OBSERVED_AT));
    expectGolden(FIXTURES, name, records, page.data.length);
  });
});
