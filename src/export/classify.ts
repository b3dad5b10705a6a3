import { redact } from '../log.ts';
import { parseRetryAfter, RETRY_AFTER_CAP_MS } from '../retry.ts';
import { decodeExportResponse, mediaType, statusMessageFromProtobuf, type ExportSignal } from './response.ts';
import type { ExportOutcome } from './types.ts';

// One Retry-After parser for both edges (Asana and the collector).
export { parseRetryAfter, RETRY_AFTER_CAP_MS };

/**
 * "Should we retry?" as a pure decision (otel-js `isExportRetryable` habit), per the OTLP/HTTP spec
 * (https://opentelemetry.io/docs/specs/otlp/#failures-1):
 *   - 2xx: an acknowledgement only when its body is the signal's Export*ServiceResponse
 *     (https://opentelemetry.io/docs/specs/otlp/#full-success-1): empty, or protobuf / JSON as its
 *     Content-Type says (response.ts decodes it). Anything else — an HTML login page, a web server
 *     on the wrong port — did not store the records: retryable, naming what answered.
 *   - 2xx reporting rejected records (https://opentelemetry.io/docs/specs/otlp/#partial-success-1):
 *     a distinct outcome, `partial`. The spec says not to resend them; for an audit trail they are
 *     lost unless the caller stops, so the caller decides (export/shipper.ts).
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

/**
 * Response bodies are read up to this many bytes (the sink reads one more, to tell a larger one).
 * An Export*ServiceResponse is a count and a message; a larger 2xx body is something else.
 */
export const MAX_RESPONSE_BYTES = 64 * 1024;

/** How much of an unexpected body a reason quotes. */
export const BODY_PREVIEW_CHARS = 80;

type Headers = Record<string, string | string[] | undefined>;

export interface ClassifyContext {
  /** The URL that was POSTed to; named in the 404 hint and when something else answered. */
  url?: string;
  /** Clock for an HTTP-date Retry-After (tests). */
  now?: number;
  /** The request's encoding: an error body without a Content-Type is read as a Status in it. */
  sent?: 'protobuf' | 'json';
  /** Which Export*ServiceResponse a 2xx must carry (default logs). */
  signal?: ExportSignal;
}

/** The collector's answer (status, headers, body as read, at most MAX_RESPONSE_BYTES + 1 bytes) -> the outcome. */
export function classifyExportResponse(status: number, headers: Headers, body: Uint8Array | string, context: ClassifyContext = {}): ExportOutcome {
  const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
  if (status >= 200 && status < 300) return acknowledgement(status, headers, bytes, context);

  const message = collectorMessage(errorText(headers, bytes, context));
  const said = message ? `: ${message}` : '';
  const http = httpStatus(status);

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

/** A 2xx: delivered, partly delivered, or not an OTLP collector's answer at all. */
function acknowledgement(status: number, headers: Headers, bytes: Uint8Array, context: ClassifyContext): ExportOutcome {
  if (bytes.length === 0) return { kind: 'ok', rejectedRecords: 0 };
  const media = mediaType(header(headers, 'content-type'));
  const signal = context.signal ?? 'logs';
  const decoded =
    bytes.length > MAX_RESPONSE_BYTES ? { ok: false as const, why: `a body over ${MAX_RESPONSE_BYTES / 1024} KiB` } : decodeExportResponse(bytes, media, signal);
  if (!decoded.ok) {
    const expected = signal === 'logs' ? 'ExportLogsServiceResponse' : 'ExportMetricsServiceResponse';
    return {
      kind: 'retryable',
      reason:
        `${httpStatus(status)} but not an OTLP ${expected} (${decoded.why}): the ${describeBody(media, bytes)}; ` +
        `the records were not acknowledged. Something other than an OTLP collector answers at ${describePath(context.url)} ` +
        '(a login portal, a proxy, another server on that port?)',
    };
  }
  const message = collectorMessage(decoded.response.message);
  if (decoded.response.rejected > 0) return { kind: 'partial', rejectedRecords: decoded.response.rejected, message };
  // rejected 0 with a message: a warning from the collector (the spec allows it); the batch is stored.
  return message ? { kind: 'ok', rejectedRecords: 0, message } : { kind: 'ok', rejectedRecords: 0 };
}

/** `text/html body "<!DOCTYPE html>…"`: what answered, scrubbed and cut short. */
export function describeBody(media: string, bytes: Uint8Array): string {
  // Scrubbed before it is cut, so that a secret at the cut is replaced whole, never half shown.
  const text = redact(new TextDecoder().decode(bytes.subarray(0, 4 * 1024)))
    .replace(/[\u0000-\u001f\u007f\ufffd]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  const preview = text.length > BODY_PREVIEW_CHARS ? `${text.slice(0, BODY_PREVIEW_CHARS)}…` : text;
  return `${media ? `${media} body` : 'body without a content type'} "${preview}"`;
}

/** An error body as text for collectorMessage: a protobuf Status's message, or the body itself. */
function errorText(headers: Headers, bytes: Uint8Array, context: ClassifyContext): string {
  const media = mediaType(header(headers, 'content-type'));
  const protobuf = media.includes('protobuf') || (!media && context.sent === 'protobuf');
  const fromStatus = protobuf ? statusMessageFromProtobuf(bytes) : undefined;
  if (fromStatus !== undefined) return fromStatus;
  return media.includes('protobuf') ? '' : new TextDecoder().decode(bytes);
}

function httpStatus(status: number): string {
  return `HTTP ${status}${STATUS_TEXT[status] ? ` ${STATUS_TEXT[status]}` : ''}`;
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
  // Control characters (including newlines) would break log lines apart. Scrubbed before it is cut.
  text = redact(text).replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return text.length > MAX_MESSAGE_CHARS ? `${text.slice(0, MAX_MESSAGE_CHARS)}…` : text;
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
  200: 'OK',
  201: 'Created',
  202: 'Accepted',
  204: 'No Content',
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
