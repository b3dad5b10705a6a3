import { describe, expect, it } from 'vitest';
import { decodeExportResponse, decodeJsonResponse, decodeProtobufResponse, mediaType, statusMessageFromProtobuf } from '../../../src/export/response.ts';
import { otlpProto } from '../../helpers/otlp-decode.ts';

const logs = (v: object) => otlpProto.ExportLogsServiceResponse.encode(v).finish();
const metrics = (v: object) => otlpProto.ExportMetricsServiceResponse.encode(v).finish();

describe('mediaType', () => {
  it.each([
    [undefined, ''],
    ['', ''],
    ['Application/JSON; charset=utf-8', 'application/json'],
    [' application/x-protobuf ', 'application/x-protobuf'],
    [['text/html', 'application/json'], 'text/html'],
  ] as Array<[string | string[] | undefined, string]>)('%j -> %j', (value, expected) => {
    expect(mediaType(value)).toBe(expected);
  });
});

describe('decodeProtobufResponse', () => {
  it.each([
    ['empty', new Uint8Array(0), { rejected: 0, message: '' }],
    ['partial success', logs({ partialSuccess: { rejectedLogRecords: 12, errorMessage: 'quota' } }), { rejected: 12, message: 'quota' }],
    ['negative count (int64 -1)', logs({ partialSuccess: { rejectedLogRecords: -1 } }), { rejected: 0, message: '' }],
    ['unknown fields are skipped', new Uint8Array([0x10, 0x05, 0x1a, 0x01, 0x41, ...logs({ partialSuccess: { rejectedLogRecords: 2 } })]), { rejected: 2, message: '' }],
  ])('%s', (_name, bytes, response) => {
    expect(decodeProtobufResponse(bytes, 'logs')).toEqual({ ok: true, response });
  });

  it('metrics: rejected_data_points', () => {
    expect(decodeProtobufResponse(metrics({ partialSuccess: { rejectedDataPoints: 3, errorMessage: 'nan' } }), 'metrics')).toEqual({ ok: true, response: { rejected: 3, message: 'nan' } });
  });

  it.each([
    ['text', new TextEncoder().encode('<html>'), 'not well-formed protobuf'],
    ['field number 0', new Uint8Array([0x02, 0x00]), 'not well-formed protobuf'],
    ['length past the end', new Uint8Array([0x0a, 0x05, 0x08]), 'not well-formed protobuf'],
    ['a group', new Uint8Array([0x0b]), 'not well-formed protobuf'],
    ['partial_success as a varint', new Uint8Array([0x08, 0x01]), 'partial_success is not a message'],
    ['count as bytes', new Uint8Array([0x0a, 0x03, 0x0a, 0x01, 0x41]), 'rejected_log_records is not a varint'],
    ['message not UTF-8', new Uint8Array([0x0a, 0x03, 0x12, 0x01, 0xff]), 'error_message is not UTF-8'],
  ])('%s -> not a response', (_name, bytes, why) => {
    expect(decodeProtobufResponse(bytes, 'logs')).toEqual({ ok: false, why });
  });
});

describe('decodeJsonResponse', () => {
  it.each([
    ['{}', { rejected: 0, message: '' }],
    ['{"partialSuccess":null}', { rejected: 0, message: '' }],
    ['{"partialSuccess":{"rejectedLogRecords":"9","errorMessage":"m","futureField":1}}', { rejected: 9, message: 'm' }],
    ['{"partial_success":{"rejected_log_records":4,"error_message":"n"}}', { rejected: 4, message: 'n' }],
  ])('%s', (text, response) => {
    expect(decodeJsonResponse(text, 'logs')).toEqual({ ok: true, response });
  });

  it('metrics field names', () => {
    expect(decodeJsonResponse('{"partialSuccess":{"rejectedDataPoints":"2"}}', 'metrics')).toEqual({ ok: true, response: { rejected: 2, message: '' } });
    // The logs count means nothing in a metrics response.
    expect(decodeJsonResponse('{"partialSuccess":{"rejectedLogRecords":"2"}}', 'metrics')).toEqual({ ok: true, response: { rejected: 0, message: '' } });
  });

  it.each([
    ['<html>', 'not valid JSON'],
    ['null', 'not a JSON object'],
    ['"ok"', 'not a JSON object'],
    ['{"ok":true}', 'an unknown field "ok"'],
    ['{"partialSuccess":{},"status":"up"}', 'an unknown field "status"'],
    ['{"partialSuccess":[]}', 'partialSuccess is not an object'],
    ['{"partialSuccess":{"rejectedLogRecords":1.5}}', 'partialSuccess.rejectedLogRecords is not an integer'],
    ['{"partialSuccess":{"errorMessage":{}}}', 'partialSuccess.errorMessage is not a string'],
  ])('%s -> not a response', (text, why) => {
    expect(decodeJsonResponse(text, 'logs')).toEqual({ ok: false, why });
  });
});

describe('decodeExportResponse: by media type', () => {
  it.each([
    ['text/html', '<html></html>', 'content type text/html'],
    ['', '{}', 'no content type'],
    ['application/json', '\u00ff', undefined],
  ])('%j', (media, text, why) => {
    const bytes = media === 'application/json' ? new Uint8Array([0xff]) : new TextEncoder().encode(text);
    expect(decodeExportResponse(bytes, media, 'logs')).toEqual({ ok: false, why: why ?? 'not UTF-8 text' });
  });
});

describe('statusMessageFromProtobuf', () => {
  it('reads the message of a google.rpc.Status', () => {
    const bytes = otlpProto.Status.encode({ code: 3, message: 'invalid log record' }).finish();
    expect(statusMessageFromProtobuf(bytes)).toBe('invalid log record');
  });
  it.each([
    ['empty', new Uint8Array(0)],
    ['code only', otlpProto.Status.encode({ code: 14 }).finish()],
    ['text', new TextEncoder().encode('Bad Gateway')],
    ['truncated', otlpProto.Status.encode({ code: 3, message: 'abcdef' }).finish().subarray(0, 5)],
  ])('%s -> undefined', (_name, bytes) => {
    expect(statusMessageFromProtobuf(bytes)).toBeUndefined();
  });
});
