import { describe, expect, it } from 'vitest';
import {
  BODY_PREVIEW_CHARS,
  classifyExportResponse,
  collectorMessage,
  describeBody,
  MAX_RESPONSE_BYTES,
  parseRetryAfter,
  RETRY_AFTER_CAP_MS,
  safeUrl,
} from '../../../src/export/classify.ts';
import { registerSecret } from '../../../src/log.ts';
import { otlpProto } from '../../helpers/otlp-decode.ts';

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
    const reason = 'reason' in outcome ? outcome.reason : '';
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

const JSON_TYPE = { 'content-type': 'application/json; charset=utf-8' };
const PROTOBUF_TYPE = { 'content-type': 'application/x-protobuf' };
const logsResponse = (v: object) => otlpProto.ExportLogsServiceResponse.encode(v).finish();

describe('classifyExportResponse: a 2xx is an acknowledgement only with an ExportLogsServiceResponse', () => {
  it.each([
    ['empty, no content type', {}, '', { kind: 'ok', rejectedRecords: 0 }],
    ['empty, text/html', { 'content-type': 'text/html' }, '', { kind: 'ok', rejectedRecords: 0 }],
    ['JSON {}', JSON_TYPE, '{}', { kind: 'ok', rejectedRecords: 0 }],
    ['JSON, empty partialSuccess', JSON_TYPE, '{"partialSuccess":{}}', { kind: 'ok', rejectedRecords: 0 }],
    ['JSON, a warning only', JSON_TYPE, '{"partialSuccess":{"errorMessage":"a warning only"}}', { kind: 'ok', rejectedRecords: 0, message: 'a warning only' }],
    ['JSON, negative count', JSON_TYPE, '{"partialSuccess":{"rejectedLogRecords":"-1"}}', { kind: 'ok', rejectedRecords: 0 }],
    ['protobuf, empty message', PROTOBUF_TYPE, new Uint8Array(0), { kind: 'ok', rejectedRecords: 0 }],
    ['protobuf, empty partial_success', PROTOBUF_TYPE, logsResponse({ partialSuccess: {} }), { kind: 'ok', rejectedRecords: 0 }],
    ['protobuf, a warning only', PROTOBUF_TYPE, logsResponse({ partialSuccess: { errorMessage: 'slow down' } }), { kind: 'ok', rejectedRecords: 0, message: 'slow down' }],
  ] as Array<[string, Record<string, string>, string | Uint8Array, object]>)('%s -> ok', (_name, headers, body, expected) => {
    expect(classifyExportResponse(200, headers, body, { url: URL_ })).toEqual(expected);
  });

  it.each([
    ['JSON camelCase', JSON_TYPE, '{"partialSuccess":{"rejectedLogRecords":"3","errorMessage":"too old"}}', 3, 'too old'],
    ['JSON proto names', JSON_TYPE, '{"partial_success":{"rejected_log_records":2}}', 2, ''],
    ['JSON number', JSON_TYPE, '{"partialSuccess":{"rejectedLogRecords":7,"errorMessage":"line\\none"}}', 7, 'line one'],
    ['protobuf', PROTOBUF_TYPE, logsResponse({ partialSuccess: { rejectedLogRecords: 4, errorMessage: 'dropped' } }), 4, 'dropped'],
  ] as Array<[string, Record<string, string>, string | Uint8Array, number, string]>)('partial success, %s -> partial', (_name, headers, body, rejectedRecords, message) => {
    expect(classifyExportResponse(202, headers, body)).toEqual({ kind: 'partial', rejectedRecords, message });
  });

  it.each([
    ['an HTML login page', { 'content-type': 'text/html; charset=utf-8' }, '<!DOCTYPE html><html><head><title>Sign in</title></head><body>…</body></html>', ['HTTP 200 OK', 'content type text/html', 'the text/html body "<!DOCTYPE html><html><head><title>Sign in'] ],
    ['plain text', { 'content-type': 'text/plain' }, 'OK', ['content type text/plain', 'the text/plain body "OK"']],
    ['no content type', {}, 'hello', ['no content type', 'the body without a content type "hello"']],
    ['JSON of another service', JSON_TYPE, '{"status":"ok","user":"alice"}', ['an unknown field "status"', 'the application/json body "{"status":"ok"']],
    ['JSON array', JSON_TYPE, '[]', ['not a JSON object']],
    ['JSON cut short', JSON_TYPE, '{"partialSuccess":', ['not valid JSON']],
    ['JSON, count not a number', JSON_TYPE, '{"partialSuccess":{"rejectedLogRecords":"many"}}', ['rejectedLogRecords is not an integer']],
    ['JSON, message not a string', JSON_TYPE, '{"partialSuccess":{"errorMessage":3}}', ['errorMessage is not a string']],
    ['HTML labelled as protobuf', PROTOBUF_TYPE, '<html><body>Welcome</body></html>', ['not well-formed protobuf', 'the application/x-protobuf body "<html><body>Welcome']],
    ['protobuf, partial_success of the wrong wire type', PROTOBUF_TYPE, new Uint8Array([0x08, 0x01]), ['partial_success is not a message']],
    ['protobuf, truncated', PROTOBUF_TYPE, logsResponse({ partialSuccess: { rejectedLogRecords: 4, errorMessage: 'dropped' } }).subarray(0, 5), ['not well-formed protobuf']],
    ['an oversized body', JSON_TYPE, `{"partialSuccess":{"errorMessage":"${'x'.repeat(MAX_RESPONSE_BYTES)}"}}`, ['a body over 64 KiB']],
  ] as Array<[string, Record<string, string>, string | Uint8Array, string[]]>)('%s -> retryable, naming what answered', (_name, headers, body, fragments) => {
    const outcome = classifyExportResponse(200, headers, body, { url: URL_ });
    expect(outcome.kind).toBe('retryable');
    const reason = outcome.kind === 'retryable' ? outcome.reason : '';
    for (const f of [...fragments, 'not an OTLP ExportLogsServiceResponse', 'not acknowledged', 'path "/v1/log" of https://otel.example.com:4318']) expect(reason).toContain(f);
    expect(outcome).not.toHaveProperty('retryAfterMs');
  });

  it('the metrics signal expects an ExportMetricsServiceResponse and its field names', () => {
    const body = '{"partialSuccess":{"rejectedDataPoints":"5","errorMessage":"bad points"}}';
    expect(classifyExportResponse(200, JSON_TYPE, body, { signal: 'metrics' })).toEqual({ kind: 'partial', rejectedRecords: 5, message: 'bad points' });
    const html = classifyExportResponse(200, { 'content-type': 'text/html' }, '<html></html>', { signal: 'metrics' });
    expect(html.kind === 'retryable' && html.reason).toContain('not an OTLP ExportMetricsServiceResponse');
  });

  it('the quoted body is scrubbed before it is cut: a secret is never shown, not even in part', () => {
    const secret = 'otlp-api-key-0123456789abcdef';
    registerSecret(secret);
    for (let at = 0; at < BODY_PREVIEW_CHARS + 5; at += 7) {
      const body = `${'.'.repeat(at)}<p>api key ${secret}</p>`;
      const outcome = classifyExportResponse(200, { 'content-type': 'text/html' }, body);
      const reason = outcome.kind === 'retryable' ? outcome.reason : '';
      expect(reason).not.toContain(secret.slice(0, 8));
      expect(reason.length).toBeLessThan(BODY_PREVIEW_CHARS + 400);
    }
    const partial = classifyExportResponse(200, JSON_TYPE, JSON.stringify({ partialSuccess: { rejectedLogRecords: 1, errorMessage: `key ${secret} refused` } }));
    expect(partial).toEqual({ kind: 'partial', rejectedRecords: 1, message: 'key [REDACTED] refused' });
  });
});

describe('describeBody', () => {
  it.each([
    ['text/html', 'line\r\none\u0000two', 'text/html body "line one two"'],
    ['', 'x'.repeat(200), `body without a content type "${'x'.repeat(BODY_PREVIEW_CHARS)}…"`],
    ['application/octet-stream', '\u0001\u0002\u0003', 'application/octet-stream body ""'],
  ])('%s %j', (media, body, expected) => {
    expect(describeBody(media, new TextEncoder().encode(body))).toBe(expected);
  });
});

describe('classifyExportResponse: error bodies', () => {
  it.each([
    ['a protobuf Status', PROTOBUF_TYPE, otlpProto.Status.encode({ code: 3, message: 'invalid log record' }).finish(), undefined, 'HTTP 400 Bad Request: the collector refused the data as malformed: invalid log record'],
    ['a Status without content type, to a protobuf request', {}, otlpProto.Status.encode({ code: 3, message: 'bad' }).finish(), 'protobuf', 'HTTP 400 Bad Request: the collector refused the data as malformed: bad'],
    ['text without content type, to a JSON request', {}, 'plain words', 'json', 'HTTP 400 Bad Request: the collector refused the data as malformed: plain words'],
    ['protobuf that is not a Status', PROTOBUF_TYPE, new Uint8Array([0xff]), undefined, 'HTTP 400 Bad Request: the collector refused the data as malformed'],
  ] as Array<[string, Record<string, string>, Uint8Array | string, 'protobuf' | 'json' | undefined, string]>)('%s', (_name, headers, body, sent, reason) => {
    expect(classifyExportResponse(400, headers, body, sent ? { sent } : {})).toEqual({ kind: 'rejected', status: 400, reason });
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

describe('safeUrl', () => {
  it.each([
    ['https://user:pass@collector.example.com:4318/v1/logs?api-key=abc#x', 'https://collector.example.com:4318/v1/logs'],
    ['http://127.0.0.1:4318/v1/logs', 'http://127.0.0.1:4318/v1/logs'],
    ['not a url', '(unparseable URL)'],
  ])('%s -> %s', (url, expected) => {
    expect(safeUrl(url)).toBe(expected);
  });
});
