import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SeverityNumber } from '@opentelemetry/api';
import { ProtobufLogsSerializer } from '@opentelemetry/otlp-transformer';
import { describe, expect, it } from 'vitest';
import type { AuditLogEvent } from '../../../src/asana/types.ts';
import { encodeLogsRequest } from '../../../src/export/protobuf.ts';
import { toReadableLogRecords } from '../../../src/export/records.ts';
import { buildResource } from '../../../src/export/resource.ts';
import type { LogBatch } from '../../../src/export/types.ts';
import { mapAuditLogEvent } from '../../../src/mapping/audit-log.ts';
import type { MappedRecord } from '../../../src/mapping/types.ts';
import { EventGenerator } from '../../../src/simulator/index.ts';

/** What the library writes for the same batch: the reference the fast encoder must equal byte for byte. */
function reference(batch: LogBatch): Buffer {
  return Buffer.from(ProtobufLogsSerializer.serializeRequest(toReadableLogRecords(batch))!);
}

const resource = buildResource({ resourceAttributes: { 'deployment.environment.name': 'prod-ü', team: 'sécu 🔐' }, workspaceGid: '1200000000000001' });
const observed = new Date('2026-05-01T10:00:00.123Z');

function record(over: Partial<MappedRecord> = {}): MappedRecord {
  return {
    hrTime: [1714555800, 123456789],
    hrTimeObserved: [1714555900, 987654321],
    severityNumber: SeverityNumber.INFO,
    severityText: 'INFO',
    eventName: 'asana.audit.user_login_succeeded',
    body: '{"gid":"1"}',
    attributes: { 'log.record.uid': '1' },
    ...over,
  };
}

describe('encodeLogsRequest (OTLP protobuf, written directly)', () => {
  it('writes the bytes otlp-transformer writes, for every fixture page', () => {
    const dir = join(import.meta.dirname, '../../fixtures/audit-log');
    for (const name of readdirSync(dir).filter((f) => f.endsWith('.page.json'))) {
      const page = JSON.parse(readFileSync(join(dir, name), 'utf8')) as { data: unknown[] };
      const batch = { resource, records: page.data.map((e) => mapAuditLogEvent(e as AuditLogEvent, observed)) };
      expect(Buffer.from(encodeLogsRequest(batch)).equals(reference(batch)), name).toBe(true);
    }
  });

  it('writes the same bytes for thousands of generated events, page by page', () => {
    const events = new EventGenerator({ seed: 5, workspaceGid: '1200000000000001' }).generate(3000, Date.parse('2026-04-01T00:00:00Z'), Date.parse('2026-05-01T00:00:00Z'));
    for (let i = 0; i < events.length; i += 100) {
      const batch = { resource, records: events.slice(i, i + 100).map((e) => mapAuditLogEvent(e, observed)) };
      expect(Buffer.from(encodeLogsRequest(batch)).equals(reference(batch))).toBe(true);
    }
  });

  it('writes every value type and edge the same way: numbers, lists, maps, bytes, text of any length and script', () => {
    const long = 'λ'.repeat(70_000); // a 140 KB string: a 3-byte length varint
    const records = [
      record({
        attributes: {
          int: 42,
          zero: 0,
          negative: -7,
          big: 2 ** 53 - 1,
          double: 1.5,
          negDouble: -0.25,
          nan: Number.NaN,
          yes: true,
          no: false,
          empty: '',
          list: ['a', 1, true, ['nested'], { k: 'v' }],
          emptyList: [],
          bytes: new Uint8Array([0, 1, 255]),
          surrogates: '🔐 clé 日本語 \u{1F600}',
          lone: '\uD800x',
          long,
          [`k${'é'.repeat(50)}`]: 'key of 100 UTF-8 bytes',
          ['a'.repeat(127)]: 'key of 127 bytes: one length byte',
          ['b'.repeat(128)]: 'key of 128 bytes: two length bytes',
          '': 'empty key',
          '\uD800k': 'key with a lone surrogate',
        } as MappedRecord['attributes'],
        body: { map: { a: [1, 2, { b: null }] }, s: 'x' },
      }),
      record({ severityNumber: SeverityNumber.UNSPECIFIED, severityText: '', eventName: '', body: long }),
      record({ hrTime: [0, 0], hrTimeObserved: [4_294_967_295, 999_999_999] }),
      record({ hrTime: [1_999_999_999, 1], severityNumber: SeverityNumber.WARN, severityText: 'WARN', body: 'x'.repeat(127) }),
      record({ body: 'y'.repeat(128), attributes: {} }),
      // More distinct attribute names than the encoder keeps encoded: the rest are written as they come.
      record({ attributes: Object.fromEntries(Array.from({ length: 1500 }, (_, i) => [`asana.details.k${i}`, i])) }),
    ];
    const batch = { resource, records };
    expect(Buffer.from(encodeLogsRequest(batch)).equals(reference(batch))).toBe(true);
  });

  it('keeps nanosecond timestamps exact', () => {
    const batch = { resource, records: [record({ hrTime: [1_714_555_800, 123_456_789] })] };
    const decoded = ProtobufLogsSerializer.serializeRequest(toReadableLogRecords(batch))!;
    expect(Buffer.from(encodeLogsRequest(batch)).equals(Buffer.from(decoded))).toBe(true);
    // 1714555800123456789 as fixed64 little-endian, right after the first log record's tag 0x09.
    const bytes = Buffer.from(encodeLogsRequest(batch));
    const at = bytes.indexOf(Buffer.from([0x09]), bytes.indexOf(Buffer.from('asana-otel-receiver')));
    expect(bytes.readBigUInt64LE(at + 1)).toBe(1_714_555_800_123_456_789n);
  });

  it('writes long text straight into the room a buffer has, whatever its UTF-8 length', () => {
    const texts = ['a'.repeat(128), '日'.repeat(200), '🔐'.repeat(100), '\uD800'.repeat(200), 'é'.repeat(6000), `${'x'.repeat(5461)}é`];
    const batch = { resource, records: texts.map((body, i) => record({ body, attributes: { [`t${i}`]: body } })) };
    const roomy = Buffer.alloc(1024 * 1024);
    const written = encodeLogsRequest(batch, roomy);
    expect(written.buffer).toBe(roomy.buffer);
    expect(Buffer.from(written).equals(reference(batch))).toBe(true);
  });

  it('writes into a buffer it is given when it fits, and grows past one that does not', () => {
    const batch = { resource, records: [record(), record({ body: 'z'.repeat(5000) })] };
    const roomy = Buffer.alloc(64 * 1024);
    const inRoomy = encodeLogsRequest(batch, roomy);
    expect(inRoomy.buffer).toBe(roomy.buffer);
    expect(Buffer.from(inRoomy).equals(reference(batch))).toBe(true);
    const tiny = Buffer.alloc(16);
    const grown = encodeLogsRequest(batch, tiny);
    expect(grown.buffer).not.toBe(tiny.buffer);
    expect(Buffer.from(grown).equals(reference(batch))).toBe(true);
  });
});
