/**
 * The collector's answer body, decoded: an Export{Logs,Metrics}ServiceResponse with a 2xx, a
 * google.rpc.Status with an error. Pure; what the decoded answer means is classify.ts's business.
 *
 * OTLP/HTTP (https://opentelemetry.io/docs/specs/otlp/#otlphttp-response): a successful response
 * body is the signal's Export*ServiceResponse, encoded as the Content-Type says:
 *   - application/x-protobuf: `message ExportLogsServiceResponse { ExportLogsPartialSuccess
 *     partial_success = 1; }`, `message ExportLogsPartialSuccess { int64 rejected_log_records = 1;
 *     string error_message = 2; }` (metrics: rejected_data_points). Unknown fields are skipped, as
 *     protobuf parsers do; a known field of the wrong wire type, or bytes that are not well-formed
 *     protobuf, are not such a message.
 *   - application/json: the protobuf JSON mapping, `{"partialSuccess": {"rejectedLogRecords": "3",
 *     "errorMessage": "..."}}` (int64 as a string or a number; the proto field names are accepted
 *     too). The top-level object may hold nothing but partialSuccess: any other key says the JSON
 *     is some other service's answer.
 */

export type ExportSignal = 'logs' | 'metrics';

/** A decoded response: what it says was rejected (0 and '' when it reports no partial success). */
export interface DecodedResponse {
  rejected: number;
  message: string;
}

/** The decoded response, or why the body is not one. */
export type DecodeResult = { ok: true; response: DecodedResponse } | { ok: false; why: string };

const REJECTED_FIELD: Record<ExportSignal, readonly [string, string]> = {
  logs: ['rejectedLogRecords', 'rejected_log_records'],
  metrics: ['rejectedDataPoints', 'rejected_data_points'],
};

/** "Application/JSON; charset=utf-8" -> "application/json"; '' when absent. */
export function mediaType(contentType: string | string[] | undefined): string {
  const value = Array.isArray(contentType) ? contentType[0] : contentType;
  return (value ?? '').split(';')[0]!.trim().toLowerCase();
}

/** A 2xx body with its media type (see mediaType) as the signal's Export*ServiceResponse. */
export function decodeExportResponse(bytes: Uint8Array, media: string, signal: ExportSignal): DecodeResult {
  if (media === 'application/x-protobuf') return decodeProtobufResponse(bytes, signal);
  if (media === 'application/json') {
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      return { ok: false, why: 'not UTF-8 text' };
    }
    return decodeJsonResponse(text, signal);
  }
  return { ok: false, why: media ? `content type ${media}` : 'no content type' };
}

export function decodeProtobufResponse(bytes: Uint8Array, signal: ExportSignal): DecodeResult {
  const top = readFields(bytes);
  if (!top) return { ok: false, why: 'not well-formed protobuf' };
  let response: DecodedResponse = { rejected: 0, message: '' };
  for (const f of top) {
    if (f.field !== 1) continue;
    if (!(f.value instanceof Uint8Array)) return { ok: false, why: 'partial_success is not a message' };
    const inner = readFields(f.value);
    if (!inner) return { ok: false, why: 'partial_success is not well-formed protobuf' };
    response = { rejected: 0, message: '' };
    for (const g of inner) {
      if (g.field === 1) {
        if (typeof g.value !== 'bigint') return { ok: false, why: `${REJECTED_FIELD[signal][1]} is not a varint` };
        response.rejected = Number(BigInt.asIntN(64, g.value));
      } else if (g.field === 2) {
        if (!(g.value instanceof Uint8Array)) return { ok: false, why: 'error_message is not a string' };
        try {
          response.message = new TextDecoder('utf-8', { fatal: true }).decode(g.value);
        } catch {
          return { ok: false, why: 'error_message is not UTF-8' };
        }
      }
    }
  }
  return { ok: true, response: { rejected: Math.max(0, response.rejected), message: response.message } };
}

export function decodeJsonResponse(text: string, signal: ExportSignal): DecodeResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { ok: false, why: 'not valid JSON' };
  }
  if (!isRecord(parsed)) return { ok: false, why: 'not a JSON object' };
  const other = Object.keys(parsed).find((k) => k !== 'partialSuccess' && k !== 'partial_success');
  if (other !== undefined) return { ok: false, why: `an unknown field "${other.slice(0, 40)}"` };
  const ps = parsed['partialSuccess'] ?? parsed['partial_success'];
  if (ps === undefined || ps === null) return { ok: true, response: { rejected: 0, message: '' } };
  if (!isRecord(ps)) return { ok: false, why: 'partialSuccess is not an object' };

  const [camel, snake] = REJECTED_FIELD[signal];
  const rawCount = ps[camel] ?? ps[snake] ?? 0;
  const count = typeof rawCount === 'number' ? rawCount : typeof rawCount === 'string' && /^-?\d+$/.test(rawCount.trim()) ? Number(rawCount) : Number.NaN;
  if (!Number.isInteger(count)) return { ok: false, why: `partialSuccess.${camel} is not an integer` };
  const rawMessage = ps['errorMessage'] ?? ps['error_message'] ?? '';
  if (typeof rawMessage !== 'string') return { ok: false, why: 'partialSuccess.errorMessage is not a string' };
  return { ok: true, response: { rejected: Math.max(0, count), message: rawMessage } };
}

/**
 * The error message inside a protobuf google.rpc.Status (`int32 code = 1; string message = 2;
 * repeated Any details = 3;`): what an OTLP/HTTP collector sends with a 4xx/5xx to a protobuf
 * request. Returns undefined when the bytes are not such a message.
 */
export function statusMessageFromProtobuf(bytes: Uint8Array): string | undefined {
  const fields = readFields(bytes);
  if (!fields) return undefined;
  let message: string | undefined;
  for (const f of fields) {
    if (f.field !== 2) continue;
    if (!(f.value instanceof Uint8Array)) return undefined;
    try {
      message = new TextDecoder('utf-8', { fatal: true }).decode(f.value);
    } catch {
      return undefined;
    }
  }
  return message;
}

/** One protobuf field: a varint (wire type 0), bytes (2), or a fixed-width value (1, 5) as its raw bytes' length only. */
interface WireField {
  field: number;
  value: bigint | Uint8Array | 'fixed';
}

/**
 * The fields of a protobuf message, or undefined when the bytes are not well-formed: a truncated
 * value, a length past the end, field number 0, or a group (wire types 3 and 4, absent in proto3).
 */
function readFields(bytes: Uint8Array): WireField[] | undefined {
  const fields: WireField[] = [];
  let pos = 0;
  const varint = (): bigint | undefined => {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      const b = bytes[pos++];
      if (b === undefined) return undefined;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
    }
    return undefined;
  };
  while (pos < bytes.length) {
    const tag = varint();
    if (tag === undefined) return undefined;
    const field = Number(tag >> 3n);
    const wire = Number(tag & 7n);
    if (field === 0) return undefined;
    if (wire === 0) {
      const v = varint();
      if (v === undefined) return undefined;
      fields.push({ field, value: v });
    } else if (wire === 1 || wire === 5) {
      pos += wire === 1 ? 8 : 4;
      if (pos > bytes.length) return undefined;
      fields.push({ field, value: 'fixed' });
    } else if (wire === 2) {
      const len = varint();
      if (len === undefined || BigInt(pos) + len > BigInt(bytes.length)) return undefined;
      fields.push({ field, value: bytes.subarray(pos, pos + Number(len)) });
      pos += Number(len);
    } else {
      return undefined;
    }
  }
  return fields;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
