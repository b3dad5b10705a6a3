import { parseRetryAfter, RETRY_AFTER_CAP_MS } from '../retry.ts';
import type { ExportOutcome } from './types.ts';

// One Retry-After parser for both edges (Asana and the collector).
export { parseRetryAfter, RETRY_AFTER_CAP_MS };

/**
 * "Should we retry?" as a pure decision (otel-js `isExportRetryable` habit), per the OTLP/HTTP spec
 * (https://opentelemetry.io/docs/specs/otlp/#failures-1):
 *   - 2xx: accepted, possibly a partial success (rejected records are final; never resent).
 *   - 429, 502, 503, 504: retryable, honouring Retry-After.
 *   - other 5xx: retryable too. The spec calls them permanent, but here a dropped page is a hole in
 *     an audit trail, and the cursor cannot move past it anyway; retrying costs only time.
 *   - 408: retryable. The collector (or a proxy) timed out waiting for our request: the same thing
 *     as our own timeout, which is retryable.
 *   - other 4xx (and 3xx: redirects are not followed): rejected. The stream stops with an error
 *     instead of skipping the page; the message says what to fix.
 */

/** The spec's throttling statuses. Other 5xx are retried as well, see above. */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([408, 429, 502, 503, 504]);


/** The collector's message is quoted in logs and errors: keep it to one readable line. */
export const MAX_MESSAGE_CHARS = 500;

type Headers = Record<string, string | string[] | undefined>;

export interface ClassifyContext {
  /** The URL that was POSTed to; named in the 404 hint. */
  url?: string;
  /** Clock for an HTTP-date Retry-After (tests). */
  now?: number;
}

export function classifyExportResponse(status: number, headers: Headers, bodyText: string, context: ClassifyContext = {}): ExportOutcome {
  if (status >= 200 && status < 300) return okOutcome(bodyText);

  const message = collectorMessage(bodyText);
  const said = message ? `: ${message}` : '';
  const http = `HTTP ${status}${STATUS_TEXT[status] ? ` ${STATUS_TEXT[status]}` : ''}`;

  if (RETRYABLE_STATUSES.has(status) || (status >= 500 && status < 600)) {
    const retryAfterMs = parseRetryAfter(header(headers, 'retry-after'), context.now ?? Date.now());
    return retryAfterMs === undefined
      ? { kind: 'retryable', reason: `${http}${said}` }
      : { kind: 'retryable', reason: `${http}${said}`, retryAfterMs };
  }

  switch (status) {
    case 400:
      return { kind: 'rejected', status, reason: `${http}: the collector refused the data as malformed${said}` };
    case 401:
    case 403:
      return {
        kind: 'rejected',
        status,
        reason:
          `${http}: the collector refused our credentials${said}; ` +
          'check the authentication headers in OTEL_EXPORTER_OTLP_HEADERS',
      };
    case 404:
      return {
        kind: 'rejected',
        status,
        reason:
          `${http}: nothing accepts OTLP logs at ${describePath(context.url)}${said}; ` +
          'the OTLP logs path is /v1/logs: OTEL_EXPORTER_OTLP_ENDPOINT gets /v1/logs appended, ' +
          'OTEL_EXPORTER_OTLP_LOGS_ENDPOINT is used as-is',
      };
    case 413:
      return {
        kind: 'rejected',
        status,
        reason: `${http}: the collector's request size limit is smaller than one page of records${said}; raise the limit on the collector`,
      };
  }

  if (status >= 300 && status < 400) {
    const location = header(headers, 'location');
    return {
      kind: 'rejected',
      status,
      reason: `${http}: the collector redirects${location ? ` to ${safeUrl(location)}` : ''} and redirects are not followed; set the endpoint to the final URL${said}`,
    };
  }
  if (status >= 400 && status < 500) return { kind: 'rejected', status, reason: `${http}${said}` };

  // 1xx as a final status, or outside 100..599: a broken proxy in the way, most likely transient.
  return { kind: 'retryable', reason: `unexpected ${http}${said}` };
}


/**
 * The human-readable part of an error body. The spec says it is a google.rpc.Status (in the
 * request's encoding — the sink decodes protobuf ones to their message before calling us); proxies
 * send plain text or HTML. One line, truncated.
 */
export function collectorMessage(bodyText: string): string {
  let text = bodyText.trim();
  if (!text) return '';
  if (text.startsWith('{')) {
    try {
      const parsed = JSON.parse(text) as unknown;
      if (isRecord(parsed)) {
        const m = parsed['message'] ?? (isRecord(parsed['error']) ? parsed['error']['message'] : parsed['error']);
        if (typeof m === 'string') text = m;
      }
    } catch {
      // Not JSON after all: quote it as text.
    }
  } else if (/^<(!doctype|html)/i.test(text)) {
    const title = /<title>([^<]*)<\/title>/i.exec(text)?.[1];
    text = title ? `(HTML page) ${title}` : '(HTML page)';
  }
  // Control characters (including newlines) would break log lines apart.
  text = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return text.length > MAX_MESSAGE_CHARS ? `${text.slice(0, MAX_MESSAGE_CHARS)}…` : text;
}

/**
 * The error message inside a protobuf google.rpc.Status (`int32 code = 1; string message = 2;
 * repeated Any details = 3;`): what an OTLP/HTTP collector sends with a 4xx/5xx to a protobuf
 * request. Returns undefined when the bytes are not such a message.
 */
export function statusMessageFromProtobuf(bytes: Uint8Array): string | undefined {
  let pos = 0;
  let message: string | undefined;
  const varint = (): number => {
    let result = 0;
    for (let shift = 0; shift < 64; shift += 7) {
      const b = bytes[pos++];
      if (b === undefined) throw new Error('truncated');
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
    }
    throw new Error('varint too long');
  };
  try {
    while (pos < bytes.length) {
      const tag = varint();
      const field = Math.floor(tag / 8);
      const wire = tag % 8;
      if (field === 0) return undefined;
      if (wire === 0) varint();
      else if (wire === 1) pos += 8;
      else if (wire === 5) pos += 4;
      else if (wire === 2) {
        const len = varint();
        if (pos + len > bytes.length) return undefined;
        if (field === 2) message = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(pos, pos + len));
        pos += len;
      } else return undefined;
      if (pos > bytes.length) return undefined;
    }
  } catch {
    return undefined;
  }
  return message;
}

/** 2xx: a JSON ExportLogsServiceResponse may carry a partial success. Empty or unparseable: plain ok. */
function okOutcome(bodyText: string): ExportOutcome {
  const text = bodyText.trim();
  if (!text.startsWith('{')) return { kind: 'ok', rejectedRecords: 0 };
  try {
    return partialSuccessOutcome(JSON.parse(text) as unknown);
  } catch {
    return { kind: 'ok', rejectedRecords: 0 };
  }
}

/**
 * An ExportLogsServiceResponse (as decoded by otlp-transformer, or parsed from JSON, where int64 is
 * a string and snake_case is tolerated) -> the ok outcome.
 */
export function partialSuccessOutcome(response: unknown): ExportOutcome {
  if (!isRecord(response)) return { kind: 'ok', rejectedRecords: 0 };
  const ps = response['partialSuccess'] ?? response['partial_success'];
  if (!isRecord(ps)) return { kind: 'ok', rejectedRecords: 0 };
  const rawCount = ps['rejectedLogRecords'] ?? ps['rejected_log_records'];
  const count = Number(rawCount ?? 0);
  const rawMessage = ps['errorMessage'] ?? ps['error_message'];
  const message = typeof rawMessage === 'string' ? collectorMessage(rawMessage) : '';
  const rejectedRecords = Number.isFinite(count) && count > 0 ? Math.trunc(count) : 0;
  return message ? { kind: 'ok', rejectedRecords, message } : { kind: 'ok', rejectedRecords };
}

/** A URL for messages: no credentials, no query string (either may hold an API key). */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(unparseable URL)';
  }
}

function describePath(url: string | undefined): string {
  if (!url) return 'that URL path';
  try {
    const u = new URL(url);
    return `path "${u.pathname}" of ${u.protocol}//${u.host}`;
  } catch {
    return 'that URL path';
  }
}

function header(headers: Headers, name: string): string | undefined {
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() === name) return Array.isArray(v) ? v[0] : v;
  }
  return undefined;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};
