import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SeverityNumber } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OtlpConfig } from '../../../src/config/index.ts';
import { AbortedError } from '../../../src/errors.ts';
import { createOtlpLogSink, networkFailure, type OtlpLogSink } from '../../../src/export/otlp.ts';
import { buildResource } from '../../../src/export/resource.ts';
import type { LogBatch } from '../../../src/export/types.ts';
import type { MappedRecord } from '../../../src/mapping/types.ts';
import { PACKAGE_NAME, PACKAGE_VERSION } from '../../../src/version.ts';
import { startOtlpCollector, type OtlpCollector } from '../../helpers/otlp-collector.ts';

const SECRET = 'Bearer s3cr3t-api-key-value';

function record(i: number): MappedRecord {
  return {
    hrTime: [1714555800 + i, 123456789],
    hrTimeObserved: [1714555900, 987654321],
    severityNumber: SeverityNumber.INFO,
    severityText: 'INFO',
    eventName: 'asana.audit.user_login_succeeded',
    body: { gid: `1200000000000000${i}`, event_type: 'user_login_succeeded', actor: { actor_type: 'user', email: 'alice@example.com' }, n: 3, ok: true },
    attributes: {
      'asana.event.type': 'user_login_succeeded',
      'log.record.uid': `1200000000000000${i}`,
      'asana.test.int': 42,
      'asana.test.zero': 0,
      'asana.test.double': 1.5,
      'asana.test.true': true,
      'asana.test.false': false,
      'asana.test.list': ['a', 'b'],
    },
  };
}

function batch(n = 1): LogBatch {
  return {
    resource: buildResource({ resourceAttributes: { 'deployment.environment.name': 'test' }, workspaceGid: '1111' }),
    records: Array.from({ length: n }, (_, i) => record(i)),
  };
}

function config(collector: OtlpCollector, over: Partial<OtlpConfig> = {}): OtlpConfig {
  return {
    url: collector.logsUrl,
    protocol: 'http/protobuf',
    headers: { authorization: SECRET, 'x-scope-orgid': 'tenant-1' },
    compression: 'none',
    timeoutMs: 5_000,
    endpointIsDefault: false,
    tls: {},
    insecure: false,
    ...over,
  };
}

let collector: OtlpCollector;
let sinks: OtlpLogSink[] = [];
const sinkFor = (cfg: OtlpConfig) => {
  const s = createOtlpLogSink(cfg);
  sinks.push(s);
  return s;
};

beforeEach(async () => {
  collector = await startOtlpCollector();
});
afterEach(async () => {
  await Promise.all(sinks.map((s) => s.shutdown()));
  sinks = [];
  await collector.close();
});

describe.each([
  ['http/protobuf', 'none', 'application/x-protobuf'],
  ['http/protobuf', 'gzip', 'application/x-protobuf'],
  ['http/json', 'none', 'application/json'],
  ['http/json', 'gzip', 'application/json'],
] as const)('%s, compression %s', (protocol, compression, contentType) => {
  const cfg = () => config(collector, { protocol, compression });

  it('delivers records exactly as mapped, with resource, scope and headers', async () => {
    const sink = sinkFor(cfg());
    const outcome = await sink.export(batch(3));
    expect(outcome).toEqual({ kind: 'ok', rejectedRecords: 0 });

    expect(collector.records).toHaveLength(3);
    const [first] = collector.records;
    expect(first).toEqual({
      resource: { 'service.name': 'asana', 'service.version': PACKAGE_VERSION, 'asana.workspace.gid': '1111', 'deployment.environment.name': 'test' },
      scope: { name: PACKAGE_NAME, version: PACKAGE_VERSION },
      timeUnixNano: 1714555800123456789n,
      observedTimeUnixNano: 1714555900987654321n,
      severityNumber: 9,
      severityText: 'INFO',
      eventName: 'asana.audit.user_login_succeeded',
      body: { gid: '12000000000000000', event_type: 'user_login_succeeded', actor: { actor_type: 'user', email: 'alice@example.com' }, n: 3, ok: true },
      attributes: {
        'asana.event.type': 'user_login_succeeded',
        'log.record.uid': '12000000000000000',
        'asana.test.int': 42,
        'asana.test.zero': 0,
        'asana.test.double': 1.5,
        'asana.test.true': true,
        'asana.test.false': false,
        'asana.test.list': ['a', 'b'],
      },
      attributeTypes: {
        'asana.event.type': 'string',
        'log.record.uid': 'string',
        'asana.test.int': 'int',
        'asana.test.zero': 'int',
        'asana.test.double': 'double',
        'asana.test.true': 'bool',
        'asana.test.false': 'bool',
        'asana.test.list': 'array',
      },
    });
    expect(collector.records.map((r) => r.timeUnixNano)).toEqual([1714555800123456789n, 1714555801123456789n, 1714555802123456789n]);

    expect(collector.requests).toHaveLength(1);
    const [req] = collector.requests;
    expect(req).toMatchObject({ method: 'POST', path: '/v1/logs', contentType, recordCount: 3, status: 200 });
    expect(req?.contentEncoding).toBe(compression === 'gzip' ? 'gzip' : undefined);
    expect(req?.headers['user-agent']).toBe(`asana-otel-receiver/${PACKAGE_VERSION}`);
    expect(req?.headers['authorization']).toBe(SECRET);
    expect(req?.headers['x-scope-orgid']).toBe('tenant-1');
  });

  it('a partial success is its own outcome, with the count and the message (the shipper decides)', async () => {
    collector.partialSuccessNext(2, 'records older than 7 days');
    const outcome = await sinkFor(cfg()).export(batch(3));
    expect(outcome).toEqual({ kind: 'partial', rejectedRecords: 2, message: 'records older than 7 days' });
  });

  it('400 -> rejected with the collector message', async () => {
    collector.failNext(1, 400, { body: 'log record has no body' });
    const outcome = await sinkFor(cfg()).export(batch());
    expect(outcome.kind).toBe('rejected');
    expect(outcome).toMatchObject({ status: 400 });
    expect(outcome.kind === 'rejected' && outcome.reason).toContain('log record has no body');
    expect(collector.records).toHaveLength(0);
  });

  it('503 with Retry-After -> retryable with the delay', async () => {
    collector.failNext(1, 503, { retryAfter: '7', body: 'memory limiter' });
    const outcome = await sinkFor(cfg()).export(batch());
    expect(outcome).toEqual({ kind: 'retryable', reason: 'HTTP 503 Service Unavailable: memory limiter', retryAfterMs: 7_000 });
  });
});

describe('OTLP sink transport failures', () => {
  it('socket reset -> retryable, and the keep-alive pool recovers', async () => {
    const sink = sinkFor(config(collector));
    collector.resetNext(1);
    const outcome = await sink.export(batch());
    expect(outcome.kind).toBe('retryable');
    expect(outcome.kind === 'retryable' && outcome.reason).toMatch(/closed|socket|reset/i);
    expect(await sink.export(batch())).toEqual({ kind: 'ok', rejectedRecords: 0 });
    expect(collector.records).toHaveLength(1);
  });

  it('no answer within timeoutMs -> retryable, and nothing was stored', async () => {
    const sink = sinkFor(config(collector, { timeoutMs: 150 }));
    collector.hangNext(1, 5_000);
    const started = Date.now();
    const outcome = await sink.export(batch());
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(outcome).toEqual({ kind: 'retryable', reason: 'no answer within 150 ms (OTEL_EXPORTER_OTLP_TIMEOUT)' });
    // The next request is answered normally.
    expect(await sink.export(batch())).toEqual({ kind: 'ok', rejectedRecords: 0 });
    expect(collector.records).toHaveLength(1);
  });

  it('a slow answer inside the timeout is fine', async () => {
    const sink = sinkFor(config(collector, { timeoutMs: 2_000 }));
    collector.hangNext(1, 100);
    expect(await sink.export(batch())).toEqual({ kind: 'ok', rejectedRecords: 0 });
    expect(collector.records).toHaveLength(1);
  });

  it('connection refused -> retryable naming the error code', async () => {
    const url = collector.logsUrl;
    await collector.close();
    const sink = sinkFor({ ...config(collector), url: url });
    const outcome = await sink.export(batch());
    expect(outcome.kind).toBe('retryable');
    expect(outcome.kind === 'retryable' && outcome.reason).toContain('ECONNREFUSED');
    collector = await startOtlpCollector(); // for afterEach
  });

  it('shutdown signal during a request -> AbortedError promptly', async () => {
    const sink = sinkFor(config(collector));
    collector.hangNext(1, 10_000);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    const started = Date.now();
    await expect(sink.export(batch(), ac.signal)).rejects.toBeInstanceOf(AbortedError);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('an already aborted signal sends nothing', async () => {
    const sink = sinkFor(config(collector));
    await expect(sink.export(batch(), AbortSignal.abort())).rejects.toBeInstanceOf(AbortedError);
    expect(collector.requests).toHaveLength(0);
  });

  it('export after shutdown() -> AbortedError; shutdown is idempotent', async () => {
    const sink = sinkFor(config(collector));
    expect((await sink.export(batch())).kind).toBe('ok');
    await sink.shutdown();
    await sink.shutdown();
    await expect(sink.export(batch())).rejects.toBeInstanceOf(AbortedError);
  });

  it('an empty batch is not sent', async () => {
    const sink = sinkFor(config(collector));
    expect(await sink.export({ ...batch(), records: [] })).toEqual({ kind: 'ok', rejectedRecords: 0 });
    expect(collector.requests).toHaveLength(0);
  });
});

describe('OTLP sink status handling', () => {
  it('404 on a wrong path names the path and the fix', async () => {
    const sink = sinkFor({ ...config(collector), url: `${collector.url}/v1/log` });
    const outcome = await sink.export(batch());
    expect(outcome).toMatchObject({ kind: 'rejected', status: 404 });
    const reason = outcome.kind === 'rejected' ? outcome.reason : '';
    expect(reason).toContain('"/v1/log"');
    expect(reason).toContain('OTEL_EXPORTER_OTLP_ENDPOINT gets /v1/logs appended');
  });

  it('401 names OTEL_EXPORTER_OTLP_HEADERS but never a header value', async () => {
    collector.failNext(1, 401, { body: 'invalid api key' });
    const sink = sinkFor(config(collector));
    const outcome = await sink.export(batch());
    expect(outcome).toMatchObject({ kind: 'rejected', status: 401 });
    const reason = outcome.kind === 'rejected' ? outcome.reason : '';
    expect(reason).toContain('OTEL_EXPORTER_OTLP_HEADERS');
    expect(reason).toContain('invalid api key');
    expect(reason).not.toContain('s3cr3t');
  });

  it('an error answered as plain text by a proxy', async () => {
    collector.failNext(1, 502, { body: 'upstream connect error', contentType: 'text/plain' });
    const outcome = await sinkFor(config(collector)).export(batch());
    expect(outcome).toEqual({ kind: 'retryable', reason: 'HTTP 502 Bad Gateway: upstream connect error' });
  });

  it('an error with an empty body', async () => {
    collector.failNext(1, 500);
    const outcome = await sinkFor(config(collector, { protocol: 'http/json' })).export(batch());
    expect(outcome).toEqual({ kind: 'retryable', reason: 'HTTP 500 Internal Server Error' });
  });

  it('configured headers cannot override the wire-format headers', async () => {
    const sink = sinkFor(config(collector, { headers: { 'Content-Type': 'text/plain', 'x-a': '1' } }));
    expect((await sink.export(batch())).kind).toBe('ok');
    expect(collector.requests[0]?.contentType).toBe('application/x-protobuf');
    expect(collector.requests[0]?.headers['x-a']).toBe('1');
  });

  it('target is safe to log', () => {
    const sink = sinkFor({ ...config(collector), url: 'https://user:pw@collector.example.com/v1/logs?token=abc' });
    expect(sink.target).toBe('https://collector.example.com/v1/logs');
  });
});

/** Not a collector: a loopback server answering every POST with one fixed 200 (a portal, a web server). */
async function startImpostor(contentType: string, body: string | Buffer): Promise<{ url: string; posts: () => number; close: () => Promise<void> }> {
  let posts = 0;
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      posts++;
      res.writeHead(200, { 'content-type': contentType });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1/logs`,
    posts: () => posts,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

describe('OTLP sink: a 2xx from something that is not an OTLP collector', () => {
  const LOGIN_PAGE = '<!DOCTYPE html><html><head><title>Corporate SSO - Sign in</title></head><body>' + 'x'.repeat(300_000) + '</body></html>';

  it.each([
    ['http/protobuf', 'text/html; charset=utf-8', LOGIN_PAGE, 'text/html body "<!DOCTYPE html><html><head><title>Corporate SSO - Sign in'],
    ['http/json', 'text/html', LOGIN_PAGE, 'text/html body "<!DOCTYPE html>'],
    ['http/json', 'application/json', '{"status":"ok"}', 'unknown field "status"'],
    ['http/protobuf', 'application/x-protobuf', '<html>not protobuf</html>', 'not well-formed protobuf'],
  ] as const)('%s, answered %s -> retryable naming what answered', async (protocol, contentType, body, fragment) => {
    const impostor = await startImpostor(contentType, body);
    try {
      const sink = sinkFor({ ...config(collector, { protocol }), url: impostor.url });
      for (const send of [() => sink.export(batch(2)), () => sink.probe()]) {
        const outcome = await send();
        expect(outcome.kind).toBe('retryable');
        const reason = outcome.kind === 'retryable' ? outcome.reason : '';
        expect(reason).toContain('HTTP 200 OK but not an OTLP ExportLogsServiceResponse');
        expect(reason).toContain(fragment);
        expect(reason.length).toBeLessThan(600);
      }
      expect(impostor.posts()).toBe(2);
    } finally {
      await impostor.close();
    }
  });

  it('a long body is read only up to the limit, and the pool recovers for the next export', async () => {
    const impostor = await startImpostor('application/json', `{"partialSuccess":{"errorMessage":"${'y'.repeat(5_000_000)}"}}`);
    try {
      const sink = sinkFor({ ...config(collector), url: impostor.url });
      const outcome = await sink.export(batch(1));
      expect(outcome.kind === 'retryable' && outcome.reason).toContain('a body over 64 KiB');
      expect((await sink.export(batch(1))).kind).toBe('retryable');
      expect(impostor.posts()).toBe(2);
    } finally {
      await impostor.close();
    }
  });
});

describe('networkFailure', () => {
  const tlsError = (code: string) => Object.assign(new Error('fetch failed'), { cause: Object.assign(new Error(code), { code }) });
  it('a TLS failure stops with its cause and the variable to set', () => {
    const out = networkFailure(tlsError('UNABLE_TO_VERIFY_LEAF_SIGNATURE'), { target: 'https://c:4318/v1/logs', expired: false, timeoutMs: 10_000 });
    expect(out).toMatchObject({ kind: 'rejected' });
    expect(out.reason).toMatch(/unknown CA.*OTEL_EXPORTER_OTLP_LOGS_CERTIFICATE/);
    expect(out.reason).not.toMatch(/start the collector/);
  });
  it('the metrics signal names the metrics variable', () => {
    expect(networkFailure(tlsError('SELF_SIGNED_CERT_IN_CHAIN'), { target: 'https://c', expired: false, timeoutMs: 1, signal: 'metrics' }).reason).toMatch(/OTEL_EXPORTER_OTLP_METRICS_CERTIFICATE/);
  });
  it('a refused connection is retried', () => {
    expect(networkFailure(tlsError('ECONNREFUSED'), { target: 'http://c', expired: false, timeoutMs: 1 })).toMatchObject({ kind: 'retryable', reason: expect.stringMatching(/ECONNREFUSED/) });
  });
  const closed = () => Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
  it('an https collector closing the connection, no client certificate configured: retried, mutual TLS hinted', () => {
    const out = networkFailure(closed(), { target: 'https://c:4318/v1/logs', expired: false, timeoutMs: 1 });
    expect(out).toMatchObject({ kind: 'retryable', reason: expect.stringMatching(/other side closed.*mutual TLS.*OTEL_EXPORTER_OTLP_LOGS_CLIENT_CERTIFICATE/) });
  });
  it('no mutual TLS hint with plain http', () => {
    expect(networkFailure(closed(), { target: 'http://c:4318/v1/logs', expired: false, timeoutMs: 1 })).toEqual({ kind: 'retryable', reason: 'other side closed (UND_ERR_SOCKET)' });
  });
  it('a client certificate configured: retried, the hint says to check the certificate, not to set it', () => {
    const out = networkFailure(closed(), { target: 'https://c:4318/v1/logs', expired: false, timeoutMs: 1, clientCertificate: true });
    expect(out).toMatchObject({ kind: 'retryable', reason: expect.stringMatching(/check that it trusts the certificate in OTEL_EXPORTER_OTLP_LOGS_CLIENT_CERTIFICATE/) });
  });
  it('the alert a diagnostic handshake read: permanent, both variables named', () => {
    const out = networkFailure(closed(), { target: 'https://c:4318/v1/logs', expired: false, timeoutMs: 1, alertCode: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED' });
    expect(out).toMatchObject({ kind: 'rejected', reason: expect.stringMatching(/refused or required a client certificate.*OTEL_EXPORTER_OTLP_LOGS_CLIENT_CERTIFICATE.*OTEL_EXPORTER_OTLP_LOGS_CLIENT_KEY/) });
  });
  it('a timeout is retried and names the variable', () => {
    expect(networkFailure(new Error('aborted'), { target: 'http://c', expired: true, timeoutMs: 500 })).toEqual({ kind: 'retryable', reason: 'no answer within 500 ms (OTEL_EXPORTER_OTLP_TIMEOUT)' });
  });
});
