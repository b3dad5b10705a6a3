import { describe, expect, it } from 'vitest';
import {
  classifyExportResponse,
  collectorMessage,
  parseRetryAfter,
  partialSuccessOutcome,
  RETRY_AFTER_CAP_MS,
  safeUrl,
  statusMessageFromProtobuf,
} from '../../../src/export/classify.ts';
import { otlpProto } from '../../helpers/otlp-collector.ts';

const NOW = Date.parse('2025-03-01T12:00:00Z');
const URL_ = 'https://otel.example.com:4318/v1/log';

describe('classifyExportResponse: outcome kind by status', () => {
  it.each([
    [200, 'ok'],
    [202, 'ok'],
    [204, 'ok'],
    [299, 'ok'],
    [408, 'retryable'],
    [429, 'retryable'],
    [500, 'retryable'],
    [501, 'retryable'],
    [502, 'retryable'],
    [503, 'retryable'],
    [504, 'retryable'],
    [507, 'retryable'],
    [599, 'retryable'],
    [100, 'retryable'],
    [600, 'retryable'],
    [301, 'rejected'],
    [307, 'rejected'],
    [400, 'rejected'],
    [401, 'rejected'],
    [403, 'rejected'],
    [404, 'rejected'],
    [405, 'rejected'],
    [409, 'rejected'],
    [413, 'rejected'],
    [415, 'rejected'],
    [422, 'rejected'],
    [451, 'rejected'],
  ] as const)('%i -> %s', (status, kind) => {
    const outcome = classifyExportResponse(status, {}, '', { url: URL_, now: NOW });
    expect(outcome.kind).toBe(kind);
    if (outcome.kind === 'rejected') expect(outcome.status).toBe(status);
  });
});

describe('classifyExportResponse: reasons name what to fix', () => {
  it.each([
    [400, '{"code":3,"message":"unknown field \\"foo\\""}', ['HTTP 400 Bad Request', 'malformed', 'unknown field "foo"']],
    [401, '', ['HTTP 401 Unauthorized', 'credentials', 'OTEL_EXPORTER_OTLP_HEADERS']],
    [403, 'tenant disabled', ['HTTP 403 Forbidden', 'OTEL_EXPORTER_OTLP_HEADERS', 'tenant disabled']],
    [404, '404 page not found', ['HTTP 404 Not Found', 'path "/v1/log"', 'https://otel.example.com:4318', '/v1/logs', 'OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_LOGS_ENDPOINT is used as-is', '404 page not found']],
    [413, '', ['HTTP 413 Payload Too Large', 'size limit']],
    [418, "I'm a teapot", ['HTTP 418', "I'm a teapot"]],
    [503, 'queue full', ['HTTP 503 Service Unavailable', 'queue full']],
    [500, '', ['HTTP 500 Internal Server Error']],
  ] as const)('%i', (status, body, fragments) => {
    const outcome = classifyExportResponse(status, {}, body, { url: URL_, now: NOW });
    expect(outcome.kind).not.toBe('ok');
    const reason = outcome.kind === 'ok' ? '' : outcome.reason;
    for (const f of fragments) expect(reason).toContain(f);
  });

  it('404 without a URL still hints at the logs path', () => {
    const outcome = classifyExportResponse(404, {}, '');
    expect(outcome).toMatchObject({ kind: 'rejected', status: 404 });
    expect(outcome.kind === 'rejected' && outcome.reason).toContain('/v1/logs');
  });

  it('a redirect names its target without credentials or query', () => {
    const outcome = classifyExportResponse(308, { location: 'https://u:p@other.example.com/v1/logs?key=secret' }, '');
    expect(outcome.kind).toBe('rejected');
    const reason = outcome.kind === 'rejected' ? outcome.reason : '';
    expect(reason).toContain('https://other.example.com/v1/logs');
    expect(reason).not.toContain('secret');
    expect(reason).not.toContain('u:p');
  });
});

describe('classifyExportResponse: Retry-After', () => {
  it.each([
    [429, { 'retry-after': '7' }, 7_000],
    [503, { 'Retry-After': '0' }, 0],
    [502, { 'retry-after': ['3', '9'] }, 3_000],
    [504, { 'retry-after': '86400' }, RETRY_AFTER_CAP_MS],
    [500, { 'retry-after': '2' }, 2_000],
    [503, { 'retry-after': new Date(NOW + 30_000).toUTCString() }, 30_000],
    [503, { 'retry-after': 'soon' }, undefined],
    [503, {}, undefined],
  ] as Array<[number, Record<string, string | string[]>, number | undefined]>)('%i %j -> %s ms', (status, headers, ms) => {
    const outcome = classifyExportResponse(status, headers, '', { now: NOW });
    expect(outcome.kind).toBe('retryable');
    expect(outcome.kind === 'retryable' ? outcome.retryAfterMs : 'n/a').toBe(ms);
    if (ms === undefined) expect(outcome).not.toHaveProperty('retryAfterMs');
  });

  it('ignores Retry-After on a rejection', () => {
    expect(classifyExportResponse(400, { 'retry-after': '5' }, '')).not.toHaveProperty('retryAfterMs');
  });
});

describe('classifyExportResponse: 2xx partial success from a JSON body', () => {
  it.each([
    ['', { kind: 'ok', rejectedRecords: 0 }],
    ['{}', { kind: 'ok', rejectedRecords: 0 }],
    ['not json', { kind: 'ok', rejectedRecords: 0 }],
    ['{"partialSuccess":{}}', { kind: 'ok', rejectedRecords: 0 }],
    ['{"partialSuccess":{"rejectedLogRecords":"3","errorMessage":"too old"}}', { kind: 'ok', rejectedRecords: 3, message: 'too old' }],
    ['{"partial_success":{"rejected_log_records":2}}', { kind: 'ok', rejectedRecords: 2 }],
    ['{"partialSuccess":{"errorMessage":"a warning only"}}', { kind: 'ok', rejectedRecords: 0, message: 'a warning only' }],
    ['{"partialSuccess":{"rejectedLogRecords":"-1"}}', { kind: 'ok', rejectedRecords: 0 }],
  ])('%s', (body, expected) => {
    expect(classifyExportResponse(200, {}, body)).toEqual(expected);
  });
});

describe('parseRetryAfter', () => {
  it.each([
    [undefined, undefined],
    ['', undefined],
    ['   ', undefined],
    ['0', 0],
    ['1', 1_000],
    [' 12 ', 12_000],
    ['300', 300_000],
    ['301', RETRY_AFTER_CAP_MS],
    ['99999999999', RETRY_AFTER_CAP_MS],
    ['-5', undefined],
    ['1.5', undefined],
    ['5s', undefined],
    ['2020', RETRY_AFTER_CAP_MS], // digits are delay-seconds, never a year
    ['12:00', undefined],
    ['Sat, 01 Mar 2025 12:00:10 GMT', 10_000],
    ['Sat, 01 Mar 2025 12:10:00 GMT', RETRY_AFTER_CAP_MS],
    ['Sat, 01 Mar 2025 11:59:00 GMT', 0],
    ['Saturday, 01-Mar-25 12:00:20 GMT', 20_000],
    ['not a date', undefined],
    [['4', '8'], 4_000],
  ] as const)('%j -> %s', (value, expected) => {
    expect(parseRetryAfter(value as string | string[] | undefined, NOW)).toBe(expected);
  });

  it('defaults `now` to the clock', () => {
    const ms = parseRetryAfter(new Date(Date.now() + 60_000).toUTCString());
    expect(ms).toBeGreaterThan(55_000);
    expect(ms).toBeLessThanOrEqual(60_000);
  });
});

describe('collectorMessage', () => {
  it.each([
    ['', ''],
    ['  plain text \n', 'plain text'],
    ['line one\nline two', 'line one line two'],
    ['{"code":3,"message":"bad body"}', 'bad body'],
    ['{"error":{"message":"nested"}}', 'nested'],
    ['{"error":"flat"}', 'flat'],
    ['{"other":1}', '{"other":1}'],
    ['{broken', '{broken'],
    ['<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head></html>', '(HTML page) 502 Bad Gateway'],
    ['<html><body>x</body></html>', '(HTML page)'],
  ])('%j -> %j', (body, expected) => {
    expect(collectorMessage(body)).toBe(expected);
  });

  it('truncates long messages', () => {
    const m = collectorMessage('x'.repeat(5_000));
    expect(m.length).toBeLessThanOrEqual(501);
    expect(m.endsWith('…')).toBe(true);
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

describe('partialSuccessOutcome', () => {
  it.each([
    [undefined, { kind: 'ok', rejectedRecords: 0 }],
    [{}, { kind: 'ok', rejectedRecords: 0 }],
    [{ partialSuccess: { rejectedLogRecords: 4, errorMessage: 'dropped' } }, { kind: 'ok', rejectedRecords: 4, message: 'dropped' }],
    [{ partialSuccess: { rejectedLogRecords: 0, errorMessage: '' } }, { kind: 'ok', rejectedRecords: 0 }],
  ])('%j', (response, expected) => {
    expect(partialSuccessOutcome(response)).toEqual(expected);
  });
});

describe('safeUrl', () => {
  it.each([
    ['https://user:pass@collector.example.com:4318/v1/logs?api-key=abc#x', 'https://collector.example.com:4318/v1/logs'],
    ['http://127.0.0.1:4318/v1/logs', 'http://127.0.0.1:4318/v1/logs'],
    ['not a url', '(unparseable URL)'],
  ])('%s -> %s', (url, expected) => {
    expect(safeUrl(url)).toBe(expected);
  });
});
