import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import protobuf from 'protobufjs';

/**
 * A small loopback OTLP/HTTP collector for tests: node:http on 127.0.0.1, port 0. It decodes what a
 * real collector would (protobuf or JSON, gzip or not), answers like one (200 with an empty
 * Export*ServiceResponse in the request's encoding; errors as a google.rpc.Status), and injects
 * faults on demand. Records are stored flattened, attribute values as plain JS.
 *
 * Faults (failNext, hangNext, resetNext, partialSuccessNext) apply to POST /v1/logs only, in the
 * order they were queued; /v1/metrics requests are decoded and stored as whole requests.
 */

export interface CollectedRecord {
  resource: Record<string, unknown>;
  scope: { name: string; version?: string };
  timeUnixNano: bigint;
  observedTimeUnixNano: bigint;
  severityNumber: number;
  severityText: string;
  eventName: string;
  body: unknown;
  attributes: Record<string, unknown>;
  /** The OTLP AnyValue case each attribute arrived as: tells an int 3 from a double 3.0. */
  attributeTypes: Record<string, AnyValueType>;
}

export type AnyValueType = 'string' | 'bool' | 'int' | 'double' | 'array' | 'kvlist' | 'bytes' | 'empty';

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

/** opentelemetry-proto v1 (common, resource, logs, metrics, collector services) and google.rpc.Status, one package. */
const PROTO = `
syntax = "proto3";
package otlp;

message AnyValue {
  oneof value {
    string string_value = 1;
    bool bool_value = 2;
    int64 int_value = 3;
    double double_value = 4;
    ArrayValue array_value = 5;
    KeyValueList kvlist_value = 6;
    bytes bytes_value = 7;
  }
}
message ArrayValue { repeated AnyValue values = 1; }
message KeyValueList { repeated KeyValue values = 1; }
message KeyValue { string key = 1; AnyValue value = 2; }
message InstrumentationScope {
  string name = 1;
  string version = 2;
  repeated KeyValue attributes = 3;
  uint32 dropped_attributes_count = 4;
}
message Resource {
  repeated KeyValue attributes = 1;
  uint32 dropped_attributes_count = 2;
}

message ExportLogsServiceRequest { repeated ResourceLogs resource_logs = 1; }
message ExportLogsServiceResponse { ExportLogsPartialSuccess partial_success = 1; }
message ExportLogsPartialSuccess { int64 rejected_log_records = 1; string error_message = 2; }
message ResourceLogs {
  Resource resource = 1;
  repeated ScopeLogs scope_logs = 2;
  string schema_url = 3;
}
message ScopeLogs {
  InstrumentationScope scope = 1;
  repeated LogRecord log_records = 2;
  string schema_url = 3;
}
message LogRecord {
  fixed64 time_unix_nano = 1;
  fixed64 observed_time_unix_nano = 11;
  int32 severity_number = 2; // enum SeverityNumber on the wire: a varint
  string severity_text = 3;
  AnyValue body = 5;
  repeated KeyValue attributes = 6;
  uint32 dropped_attributes_count = 7;
  fixed32 flags = 8;
  bytes trace_id = 9;
  bytes span_id = 10;
  string event_name = 12;
}

message ExportMetricsServiceRequest { repeated ResourceMetrics resource_metrics = 1; }
message ExportMetricsServiceResponse { ExportMetricsPartialSuccess partial_success = 1; }
message ExportMetricsPartialSuccess { int64 rejected_data_points = 1; string error_message = 2; }
message ResourceMetrics {
  Resource resource = 1;
  repeated ScopeMetrics scope_metrics = 2;
  string schema_url = 3;
}
message ScopeMetrics {
  InstrumentationScope scope = 1;
  repeated Metric metrics = 2;
  string schema_url = 3;
}
message Metric {
  string name = 1;
  string description = 2;
  string unit = 3;
  oneof data {
    Gauge gauge = 5;
    Sum sum = 7;
    Histogram histogram = 9;
    ExponentialHistogram exponential_histogram = 10;
    Summary summary = 11;
  }
  repeated KeyValue metadata = 12;
}
message Gauge { repeated NumberDataPoint data_points = 1; }
message Sum {
  repeated NumberDataPoint data_points = 1;
  int32 aggregation_temporality = 2; // enum AggregationTemporality
  bool is_monotonic = 3;
}
message Histogram {
  repeated HistogramDataPoint data_points = 1;
  int32 aggregation_temporality = 2;
}
message ExponentialHistogram {
  repeated ExponentialHistogramDataPoint data_points = 1;
  int32 aggregation_temporality = 2;
}
message Summary { repeated SummaryDataPoint data_points = 1; }
message NumberDataPoint {
  repeated KeyValue attributes = 7;
  fixed64 start_time_unix_nano = 2;
  fixed64 time_unix_nano = 3;
  oneof value {
    double as_double = 4;
    sfixed64 as_int = 6;
  }
  repeated Exemplar exemplars = 5;
  uint32 flags = 8;
}
message HistogramDataPoint {
  repeated KeyValue attributes = 9;
  fixed64 start_time_unix_nano = 2;
  fixed64 time_unix_nano = 3;
  fixed64 count = 4;
  optional double sum = 5;
  repeated fixed64 bucket_counts = 6;
  repeated double explicit_bounds = 7;
  repeated Exemplar exemplars = 8;
  uint32 flags = 10;
  optional double min = 11;
  optional double max = 12;
}
message ExponentialHistogramDataPoint {
  repeated KeyValue attributes = 1;
  fixed64 start_time_unix_nano = 2;
  fixed64 time_unix_nano = 3;
  fixed64 count = 4;
  optional double sum = 5;
  sint32 scale = 6;
  fixed64 zero_count = 7;
  Buckets positive = 8;
  Buckets negative = 9;
  uint32 flags = 10;
  repeated Exemplar exemplars = 11;
  optional double min = 12;
  optional double max = 13;
  double zero_threshold = 14;
  message Buckets {
    sint32 offset = 1;
    repeated uint64 bucket_counts = 2;
  }
}
message SummaryDataPoint {
  repeated KeyValue attributes = 7;
  fixed64 start_time_unix_nano = 2;
  fixed64 time_unix_nano = 3;
  fixed64 count = 4;
  double sum = 5;
  repeated ValueAtQuantile quantile_values = 6;
  uint32 flags = 8;
  message ValueAtQuantile {
    double quantile = 1;
    double value = 2;
  }
}
message Exemplar {
  repeated KeyValue filtered_attributes = 7;
  fixed64 time_unix_nano = 2;
  oneof value {
    double as_double = 3;
    sfixed64 as_int = 6;
  }
  bytes span_id = 4;
  bytes trace_id = 5;
}

message Status {
  int32 code = 1;
  string message = 2;
}
`;

const root = protobuf.parse(PROTO).root;
/** protobufjs types of the OTLP messages, for tests that encode or decode bytes themselves. */
export const otlpProto = {
  ExportLogsServiceRequest: root.lookupType('otlp.ExportLogsServiceRequest'),
  ExportLogsServiceResponse: root.lookupType('otlp.ExportLogsServiceResponse'),
  ExportMetricsServiceRequest: root.lookupType('otlp.ExportMetricsServiceRequest'),
  ExportMetricsServiceResponse: root.lookupType('otlp.ExportMetricsServiceResponse'),
  Status: root.lookupType('otlp.Status'),
};

const TO_OBJECT: protobuf.IConversionOptions = { longs: BigInt, defaults: false, arrays: true };

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
      decoded = format === 'protobuf' ? type.toObject(type.decode(bytes), TO_OBJECT) : JSON.parse(bytes.toString('utf8'));
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

// ---- flattening: decoded request (protobufjs object or OTLP/JSON) -> records ----

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

export function flattenLogs(request: unknown): CollectedRecord[] {
  if (!isObj(request)) throw new Error('not an object');
  const out: CollectedRecord[] = [];
  for (const rl of list(request['resourceLogs'])) {
    if (!isObj(rl)) continue;
    const resource = kvsToObject(isObj(rl['resource']) ? rl['resource']['attributes'] : undefined).values;
    for (const sl of list(rl['scopeLogs'])) {
      if (!isObj(sl)) continue;
      const s = isObj(sl['scope']) ? sl['scope'] : {};
      const scope: { name: string; version?: string } = { name: typeof s['name'] === 'string' ? s['name'] : '' };
      if (typeof s['version'] === 'string' && s['version'] !== '') scope.version = s['version'];
      for (const lr of list(sl['logRecords'])) {
        if (!isObj(lr)) continue;
        const attrs = kvsToObject(lr['attributes']);
        out.push({
          resource,
          scope,
          timeUnixNano: toBigInt(lr['timeUnixNano']),
          observedTimeUnixNano: toBigInt(lr['observedTimeUnixNano']),
          severityNumber: Number(lr['severityNumber'] ?? 0),
          severityText: typeof lr['severityText'] === 'string' ? lr['severityText'] : '',
          eventName: typeof lr['eventName'] === 'string' ? lr['eventName'] : '',
          body: lr['body'] === undefined ? undefined : anyValue(lr['body']).value,
          attributes: attrs.values,
          attributeTypes: attrs.types,
        });
      }
    }
  }
  return out;
}

function kvsToObject(kvs: unknown): { values: Record<string, unknown>; types: Record<string, AnyValueType> } {
  const values: Record<string, unknown> = {};
  const types: Record<string, AnyValueType> = {};
  for (const kv of list(kvs)) {
    if (!isObj(kv) || typeof kv['key'] !== 'string') continue;
    const { value, type } = anyValue(kv['value']);
    values[kv['key']] = value;
    types[kv['key']] = type;
  }
  return { values, types };
}

function anyValue(av: unknown): { value: unknown; type: AnyValueType } {
  if (!isObj(av)) return { value: undefined, type: 'empty' };
  if ('stringValue' in av) return { value: String(av['stringValue']), type: 'string' };
  if ('boolValue' in av) return { value: Boolean(av['boolValue']), type: 'bool' };
  if ('intValue' in av) return { value: intToJs(av['intValue']), type: 'int' };
  if ('doubleValue' in av) return { value: Number(av['doubleValue']), type: 'double' };
  if ('arrayValue' in av) {
    const values = isObj(av['arrayValue']) ? list(av['arrayValue']['values']) : [];
    return { value: values.map((v) => anyValue(v).value), type: 'array' };
  }
  if ('kvlistValue' in av) {
    return { value: kvsToObject(isObj(av['kvlistValue']) ? av['kvlistValue']['values'] : undefined).values, type: 'kvlist' };
  }
  if ('bytesValue' in av) {
    const b = av['bytesValue'];
    return { value: typeof b === 'string' ? new Uint8Array(Buffer.from(b, 'base64')) : new Uint8Array(b as Uint8Array), type: 'bytes' };
  }
  return { value: undefined, type: 'empty' };
}

/** int64: a number when it fits exactly, else a bigint. Protobuf gives bigint, OTLP/JSON a string or a number. */
function intToJs(v: unknown): number | bigint {
  const big = toBigInt(v);
  return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
}

function toBigInt(v: unknown): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return BigInt(Math.trunc(v));
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return BigInt(v);
  return 0n;
}
