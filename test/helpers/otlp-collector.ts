import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { decodeMessage, flattenLogs, otlpProto, type CollectedRecord } from './otlp-decode.ts';

/**
 * A small loopback OTLP/HTTP collector for tests: node:http on 127.0.0.1, port 0. It decodes what a
 * real collector would (protobuf or JSON, gzip or not), answers like one (200 with an empty
 * Export*ServiceResponse in the request's encoding; errors as a google.rpc.Status), and injects
 * faults on demand. Records are stored flattened, attribute values as plain JS.
 *
 * Faults (failNext, hangNext, resetNext, partialSuccessNext) apply to POST /v1/logs only, in the
 * order they were queued; /v1/metrics requests are decoded and stored as whole requests.
 */

export interface CollectedRequest {
  method: string;
  path: string;
  contentType: string;
  contentEncoding: string | undefined;
  headers: http.IncomingHttpHeaders;
  /** Log records in the request (0 for metrics, or when it could not be decoded). */
  recordCount: number;
  /** The status answered; null when no answer was sent (socket reset, or the client gave up during a hang). */
  status: number | null;
  fault?: 'fail' | 'hang' | 'reset' | 'partial-success';
}

export interface CollectedMetricsRequest {
  contentType: string;
  /** The decoded ExportMetricsServiceRequest: protobufjs' plain object (camelCase, int64 as bigint) or the parsed JSON. */
  request: unknown;
}

export interface OtlpCollector {
  /** http://127.0.0.1:PORT — what OTEL_EXPORTER_OTLP_ENDPOINT would be. */
  url: string;
  /** url + /v1/logs */
  logsUrl: string;
  metricsUrl: string;
  records: CollectedRecord[];
  requests: CollectedRequest[];
  metricRequests: CollectedMetricsRequest[];
  /** The next `count` log requests are answered `status` (with Retry-After and an error message if given) and not stored. */
  failNext(count: number, status: number, opts?: { retryAfter?: string; body?: string; contentType?: string }): void;
  /** The next `count` log requests are answered only after `ms` (stored then, unless the client gave up). */
  hangNext(count: number, ms: number): void;
  /** The next `count` log requests have their socket destroyed instead of an answer; nothing is stored. */
  resetNext(count: number): void;
  /** The next log request is stored and answered 200 with a partial success. */
  partialSuccessNext(rejected: number, message: string): void;
  clear(): void;
  waitForRecords(n: number, timeoutMs?: number): Promise<CollectedRecord[]>;
  /** Resolves once `n` requests (to any path, answered or not) have arrived. */
  waitForRequests(n: number, timeoutMs?: number): Promise<CollectedRequest[]>;
  close(): Promise<void>;
}

export interface OtlpCollectorOptions {
  /** Port to listen on (default 0: any free port). */
  port?: number;
}

type Fault =
  | { kind: 'fail'; remaining: number; status: number; retryAfter?: string; body?: string; contentType?: string }
  | { kind: 'hang'; remaining: number; ms: number }
  | { kind: 'reset'; remaining: number }
  | { kind: 'partial-success'; remaining: number; rejected: number; message: string };

/** google.rpc.Code for an HTTP status, for the Status body of an error answer. */
function grpcCode(status: number): number {
  if (status === 400) return 3; // INVALID_ARGUMENT
  if (status === 401) return 16; // UNAUTHENTICATED
  if (status === 403) return 7; // PERMISSION_DENIED
  if (status === 404) return 5; // NOT_FOUND
  if (status === 429) return 8; // RESOURCE_EXHAUSTED
  if (status === 502 || status === 503 || status === 504) return 14; // UNAVAILABLE
  return 2; // UNKNOWN
}

export async function startOtlpCollector(opts: OtlpCollectorOptions = {}): Promise<OtlpCollector> {
  let records: CollectedRecord[] = [];
  let requests: CollectedRequest[] = [];
  let metricRequests: CollectedMetricsRequest[] = [];
  let faults: Fault[] = [];
  const waiters = new Set<() => void>();
  const hangs = new Set<() => void>();
  const notify = () => {
    for (const w of [...waiters]) w();
  };
  const waitFor = <T>(ready: () => T | undefined, timeoutMs: number, what: () => string): Promise<T> =>
    new Promise((resolve, reject) => {
      const check = () => {
        const value = ready();
        if (value === undefined) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve(value);
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`waited ${timeoutMs} ms for ${what()}; the collector has ${records.length} records from ${requests.length} requests`));
      }, timeoutMs);
      waiters.add(check);
      check();
    });

  const takeFault = (): Fault | undefined => {
    const f = faults[0];
    if (!f) return undefined;
    if (--f.remaining <= 0) faults.shift();
    return f;
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      handle(req, res, Buffer.concat(chunks)).catch((err: unknown) => {
        if (!res.headersSent && !res.destroyed) {
          res.writeHead(500, { 'content-type': 'text/plain' }).end(`collector helper failed: ${String(err)}`);
        }
      });
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse, raw: Buffer): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const contentType = String(req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    const contentEncoding = req.headers['content-encoding'];
    const entry: CollectedRequest = { method: req.method ?? '', path, contentType, contentEncoding, headers: req.headers, recordCount: 0, status: null };
    requests.push(entry);
    notify();
    const reply = (status: number, body: Uint8Array | string, type: string, extra: Record<string, string> = {}) => {
      entry.status = status;
      res.writeHead(status, { 'content-type': type, ...extra }).end(body);
    };

    if (path !== '/v1/logs' && path !== '/v1/metrics') return reply(404, '404 page not found', 'text/plain');
    if (req.method !== 'POST') return reply(405, '405 method not allowed, supported: [POST]', 'text/plain');
    const format = contentType === 'application/x-protobuf' ? 'protobuf' : contentType === 'application/json' ? 'json' : undefined;
    if (!format) return reply(415, `415 unsupported media type, supported: [application/json, application/x-protobuf]`, 'text/plain');

    const fault = path === '/v1/logs' ? takeFault() : undefined;
    if (fault) entry.fault = fault.kind;
    if (fault?.kind === 'reset') {
      req.socket.destroy();
      return;
    }

    const errorReply = (status: number, message: string, extra: Record<string, string> = {}) =>
      format === 'protobuf'
        ? reply(status, otlpProto.Status.encode({ code: grpcCode(status), message }).finish(), 'application/x-protobuf', extra)
        : reply(status, JSON.stringify({ code: grpcCode(status), message }), 'application/json', extra);

    let decoded: unknown;
    try {
      const bytes = contentEncoding === 'gzip' ? gunzipSync(raw) : raw;
      const type = path === '/v1/logs' ? otlpProto.ExportLogsServiceRequest : otlpProto.ExportMetricsServiceRequest;
      decoded = format === 'protobuf' ? decodeMessage(type, bytes) : JSON.parse(bytes.toString('utf8'));
    } catch (err) {
      return errorReply(400, `could not decode the request: ${err instanceof Error ? err.message : String(err)}`);
    }

    if (path === '/v1/metrics') {
      metricRequests.push({ contentType, request: decoded });
      return format === 'protobuf' ? reply(200, new Uint8Array(0), 'application/x-protobuf') : reply(200, '{}', 'application/json');
    }

    let flat: CollectedRecord[];
    try {
      flat = flattenLogs(decoded);
    } catch (err) {
      return errorReply(400, `malformed ExportLogsServiceRequest: ${err instanceof Error ? err.message : String(err)}`);
    }
    entry.recordCount = flat.length;

    if (fault?.kind === 'hang') {
      const clientGone = await new Promise<boolean>((resolve) => {
        const done = (gone: boolean) => {
          clearTimeout(timer);
          hangs.delete(release);
          res.off('close', onClose);
          resolve(gone);
        };
        const release = () => done(true);
        const onClose = () => done(true);
        const timer = setTimeout(() => done(false), fault.ms);
        hangs.add(release);
        res.once('close', onClose);
      });
      if (clientGone || res.destroyed) return;
    }

    if (fault?.kind === 'fail') {
      const extra: Record<string, string> = fault.retryAfter !== undefined ? { 'retry-after': fault.retryAfter } : {};
      if (fault.contentType !== undefined) return reply(fault.status, fault.body ?? '', fault.contentType, extra);
      if (fault.body === undefined) return reply(fault.status, '', format === 'protobuf' ? 'application/x-protobuf' : 'application/json', extra);
      return errorReply(fault.status, fault.body, extra);
    }

    records.push(...flat);
    notify();

    const partialSuccess = fault?.kind === 'partial-success' ? { rejectedLogRecords: fault.rejected, errorMessage: fault.message } : undefined;
    if (format === 'protobuf') {
      const body = otlpProto.ExportLogsServiceResponse.encode(partialSuccess ? { partialSuccess } : {}).finish();
      return reply(200, body, 'application/x-protobuf');
    }
    // proto3 JSON: int64 as a string.
    const json = partialSuccess ? { partialSuccess: { rejectedLogRecords: String(partialSuccess.rejectedLogRecords), errorMessage: partialSuccess.errorMessage } } : {};
    return reply(200, JSON.stringify(json), 'application/json');
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    logsUrl: `${url}/v1/logs`,
    metricsUrl: `${url}/v1/metrics`,
    get records() {
      return records;
    },
    get requests() {
      return requests;
    },
    get metricRequests() {
      return metricRequests;
    },
    failNext(count, status, o = {}) {
      faults.push({ kind: 'fail', remaining: count, status, ...o });
    },
    hangNext(count, ms) {
      faults.push({ kind: 'hang', remaining: count, ms });
    },
    resetNext(count) {
      faults.push({ kind: 'reset', remaining: count });
    },
    partialSuccessNext(rejected, message) {
      faults.push({ kind: 'partial-success', remaining: 1, rejected, message });
    },
    clear() {
      records = [];
      requests = [];
      metricRequests = [];
      faults = [];
    },
    waitForRecords(n, timeoutMs = 5_000) {
      return waitFor(() => (records.length >= n ? records : undefined), timeoutMs, () => `${n} records`);
    },
    waitForRequests(n, timeoutMs = 5_000) {
      return waitFor(() => (requests.length >= n ? requests : undefined), timeoutMs, () => `${n} requests`);
    },
    async close() {
      for (const release of [...hangs]) release();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
