import protobuf from 'protobufjs';

/**
 * OTLP as the test collectors (otlp-collector.ts over HTTP, tls-collector.ts, grpc-collector.ts)
 * decode it: the opentelemetry-proto messages, parsed with protobufjs, and the flattening of a
 * decoded ExportLogsServiceRequest (protobufjs object or OTLP/JSON) into one record per log record,
 * attribute values as plain JS.
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

/** A protobuf message decoded to protobufjs' plain object: camelCase fields, int64 as bigint, absent fields left out. */
export function decodeMessage(type: protobuf.Type, bytes: Uint8Array): Record<string, unknown> {
  return type.toObject(type.decode(bytes), TO_OBJECT);
}

/** The log records of a protobuf ExportLogsServiceRequest, flattened; throws when the bytes are not one. */
export function decodeLogsRequest(bytes: Uint8Array): CollectedRecord[] {
  return flattenLogs(decodeMessage(otlpProto.ExportLogsServiceRequest, bytes));
}

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
