import { JsonLogsSerializer, ProtobufLogsSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyAsanaResponse, parseAuditLogPage } from '../../../src/asana/classify.ts';
import type { AuditLogEvent } from '../../../src/asana/types.ts';
import { ReceiverError } from '../../../src/errors.ts';
import { toReadableLogRecords } from '../../../src/export/records.ts';
import { MAX_ATTRIBUTE_STRING_BYTES } from '../../../src/mapping/attributes.ts';
import { mapAuditLogEvent } from '../../../src/mapping/audit-log.ts';
import type { MappedRecord } from '../../../src/mapping/types.ts';
import { parseRetryAfter, RETRY_AFTER_CAP_MS } from '../../../src/retry.ts';
import { absurdRetryAfter, hostileElement, hostileEvent } from '../../helpers/hostile.ts';

/**
 * Property-based: whatever Asana sends, the pure parts hold. Runs are bounded (numRuns) so the whole
 * file stays in seconds; a failure prints the seed and the shrunk counterexample.
 */
const RESOURCE = resourceFromAttributes({ 'service.name': 'asana' });
const OBSERVED = new Date('2026-03-01T12:00:00.000Z');
const encoder = new TextEncoder();

/** What every record must be, whatever the event was. */
function assertWellFormed(record: MappedRecord): void {
  for (const t of [record.hrTime, record.hrTimeObserved]) {
    expect(Number.isSafeInteger(t[0])).toBe(true);
    expect(Number.isInteger(t[1]) && t[1] >= 0 && t[1] < 1e9).toBe(true);
  }
  expect(record.eventName).toMatch(/^asana\.audit\./);
  expect([9, 13]).toContain(record.severityNumber);
  expect(typeof record.body).toBe('string');
  for (const [k, v] of Object.entries(record.attributes)) {
    expect(typeof k).toBe('string');
    expect(['string', 'number', 'boolean']).toContain(typeof v);
    if (typeof v === 'string') expect(encoder.encode(v).length).toBeLessThanOrEqual(MAX_ATTRIBUTE_STRING_BYTES);
    if (typeof v === 'number') expect(Number.isFinite(v)).toBe(true);
  }
  // Serializable: as JSON, and by both OTLP serializers the exporter uses.
  expect(() => JSON.stringify(record)).not.toThrow();
  const batch = toReadableLogRecords({ resource: RESOURCE, records: [record] });
  expect(ProtobufLogsSerializer.serializeRequest(batch)?.length).toBeGreaterThan(0);
  expect(JsonLogsSerializer.serializeRequest(batch)?.length).toBeGreaterThan(0);
}

describe('mapping hostile events (property-based)', () => {
  it('never throws, and always yields a well-formed, serializable record', () => {
    fc.assert(
      fc.property(hostileElement, (event) => {
        // What the client hands over went through JSON.parse: round-trip it the same way.
        const wire = JSON.parse(JSON.stringify([event]) ?? '[null]')[0] as unknown;
        const record = mapAuditLogEvent(wire as AuditLogEvent, OBSERVED);
        assertWellFormed(record);
        // The body is the event as sent, losslessly.
        expect(JSON.parse(record.body as string)).toEqual(wire);
      }),
      { numRuns: 300 },
    );
  });

  it('never throws even for values no JSON parser produces (bigints, maps, typed arrays, null prototypes)', () => {
    const weird = fc.anything({
      withBigInt: true,
      withBoxedValues: true,
      withDate: true,
      withMap: true,
      withSet: true,
      withNullPrototype: true,
      withObjectString: true,
      withSparseArray: true,
      withTypedArray: true,
      maxDepth: 4,
    });
    fc.assert(
      fc.property(fc.oneof(weird, fc.record({ gid: weird, created_at: weird, actor: weird, details: weird }, { requiredKeys: [] })), (event) => {
        assertWellFormed(mapAuditLogEvent(event as AuditLogEvent, OBSERVED));
      }),
      { numRuns: 300 },
    );
  });

  it('a page of hostile events maps one record per event, each keeping its own gid', () => {
    fc.assert(
      fc.property(fc.array(hostileEvent, { maxLength: 20 }), (events) => {
        const page = events.map((e, i) => ({ ...e, gid: `g${i}` }));
        const records = page.map((e) => mapAuditLogEvent(e as AuditLogEvent, OBSERVED));
        expect(records.map((r) => r.attributes['log.record.uid'])).toEqual(page.map((e) => e.gid));
      }),
      { numRuns: 60 },
    );
  });
});

describe('classifying hostile Asana responses (property-based)', () => {
  const ctx = { what: 'audit log of workspace 1', workspaceGid: '1', apiUrl: 'https://app.asana.com/api/1.0' };
  const body = fc.oneof(
    fc.string(),
    fc.string({ unit: 'binary' }),
    fc.jsonValue().map((v) => JSON.stringify(v)),
    fc.array(hostileElement, { maxLength: 5 }).map((data) => JSON.stringify({ data, next_page: { offset: 'o' } })),
    fc.record({ data: fc.anything(), next_page: fc.anything() }, { requiredKeys: [] }).map((v) => JSON.stringify(v) ?? ''),
    fc.jsonValue().map((v) => JSON.stringify({ data: [v] }).slice(0, -3)), // cut short
    fc.constantFrom('<html><body>502 Bad Gateway</body></html>', '', 'null', '[]', '{"errors":[{"message":"offset: The offset has expired"}]}', '{"errors":"x"}', '{"errors":[null,1,{"message":5}]}'),
  );

  it('every status, header and body classifies without throwing into a well-formed outcome', () => {
    fc.assert(
      fc.property(fc.integer({ min: 200, max: 599 }), absurdRetryAfter, body, (status, retryAfter, text) => {
        const out = classifyAsanaResponse(status, { 'retry-after': retryAfter, 'content-type': 'text/html' }, text, ctx, parseAuditLogPage);
        switch (out.kind) {
          case 'ok':
            expect(status >= 200 && status < 300).toBe(true);
            expect(Array.isArray(out.value.data)).toBe(true);
            // A next_page is either absent or a non-empty string offset: nothing else reaches the state file.
            if (out.value.next_page !== null) expect(typeof out.value.next_page.offset === 'string' && out.value.next_page.offset !== '').toBe(true);
            break;
          case 'retry':
            expect(out.reason.length).toBeGreaterThan(0);
            if (out.retryAfterMs !== undefined) expect(out.retryAfterMs >= 0 && out.retryAfterMs <= RETRY_AFTER_CAP_MS).toBe(true);
            break;
          case 'bad-offset':
            expect(status).toBe(400);
            break;
          case 'fatal':
            expect(out.error).toBeInstanceOf(ReceiverError);
            expect(out.error.code).toMatch(/^ERR_/);
            // Only a client error retrying cannot fix stops the stream; 5xx, 408, 409, 425 and 429 never do.
            expect(status >= 300 && status < 500 && ![408, 409, 425, 429].includes(status)).toBe(true);
            break;
        }
        // A 2xx is never fatal: a bad body is retried, not a reason to stop.
        if (status >= 200 && status < 300) expect(['ok', 'retry']).toContain(out.kind);
      }),
      { numRuns: 500 },
    );
  });

  it('any Retry-After is a wait between 0 and 5 minutes, or none (then backoff applies)', () => {
    fc.assert(
      fc.property(fc.oneof(absurdRetryAfter, fc.array(absurdRetryAfter, { maxLength: 3 })), fc.integer({ min: 0, max: 4_102_444_800_000 }), (value, now) => {
        const ms = parseRetryAfter(value, now);
        if (ms !== undefined) {
          expect(Number.isFinite(ms)).toBe(true);
          expect(ms).toBeGreaterThanOrEqual(0);
          expect(ms).toBeLessThanOrEqual(RETRY_AFTER_CAP_MS);
        }
      }),
      { numRuns: 1000 },
    );
    // A 429 always waits a bounded time, never zero-length forever or a year.
    for (const v of ['Fri, 31 Dec 9999 23:59:59 GMT', '99999999999999999999999', '1e9', '-5', 'soon']) {
      const out = classifyAsanaResponse(429, { 'retry-after': v }, '', ctx, parseAuditLogPage);
      expect(out.kind === 'retry' && out.retryAfterMs !== undefined && out.retryAfterMs > 0 && out.retryAfterMs <= RETRY_AFTER_CAP_MS).toBe(true);
    }
  });
});
