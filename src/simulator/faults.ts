import { STATUS_CODES } from 'node:http';

/**
 * Faults a test can queue with `failNext(count, fault)`; each one replaces one answer.
 *
 * - `{status, retryAfter?, body?, contentType?}`: that status (default body: Asana's envelope,
 *   with an error phrase on 500 as Asana sends it).
 * - `{kind: 'html'}`: a 502 HTML page, as a load balancer in front of the API answers.
 * - `{kind: 'truncated'}`: the real answer with its JSON cut in half (Content-Length matches the cut).
 * - `{kind: 'reset'}`: the connection is reset without an answer.
 * - `{kind: 'hang', ms}`: nothing for `ms`, then the real answer (if the client still listens).
 */
export type Fault =
  | { kind?: 'status'; status: number; retryAfter?: number | string; body?: string | object; contentType?: string }
  | { kind: 'html'; status?: number }
  | { kind: 'truncated' }
  | { kind: 'reset' }
  | { kind: 'hang'; ms: number };

/** One HTTP answer, before it is written. */
export interface SimResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export const JSON_CONTENT_TYPE = 'application/json; charset=UTF-8';
export const ERRORS_HELP = 'For more information on API status codes and how to handle them, read the docs on errors: https://developers.asana.com/docs/errors';
/** Asana's 429 message. */
export const RATE_LIMIT_MESSAGE = 'You have made too many requests recently. Please, be chill.';
/** Asana's 500 envelope carries a phrase that support can look up. */
export const SERVER_ERROR_PHRASE = '6 sad squid snuggle softly';

/** Asana's error envelope: `{"errors":[{"message", "help"}]}`. */
export function errorResponse(status: number, message: string, extra: { phrase?: string; headers?: Record<string, string> } = {}): SimResponse {
  const error: Record<string, string> = { message };
  if (extra.phrase !== undefined) error.phrase = extra.phrase;
  else error.help = ERRORS_HELP;
  return { status, headers: { 'content-type': JSON_CONTENT_TYPE, ...extra.headers }, body: JSON.stringify({ errors: [error] }) };
}

/** The answer of a `{status, …}` or `{kind: 'html'}` fault. */
export function faultResponse(fault: Extract<Fault, { status: number }> | Extract<Fault, { kind: 'html' }>): SimResponse {
  if (fault.kind === 'html') {
    const status = fault.status ?? 502;
    const title = `${status} ${STATUS_CODES[status] ?? 'Error'}`;
    return {
      status,
      headers: { 'content-type': 'text/html' },
      body: `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`,
    };
  }
  const headers: Record<string, string> = {};
  if (fault.retryAfter !== undefined) headers['retry-after'] = String(fault.retryAfter);
  if (fault.body !== undefined) {
    headers['content-type'] = fault.contentType ?? (typeof fault.body === 'string' ? 'text/plain' : JSON_CONTENT_TYPE);
    return { status: fault.status, headers, body: typeof fault.body === 'string' ? fault.body : JSON.stringify(fault.body) };
  }
  let response: SimResponse;
  if (fault.status === 500) response = errorResponse(500, 'Server Error', { phrase: SERVER_ERROR_PHRASE });
  else if (fault.status === 429) response = errorResponse(429, RATE_LIMIT_MESSAGE);
  else response = errorResponse(fault.status, STATUS_CODES[fault.status] ?? 'Error');
  if (fault.contentType !== undefined) headers['content-type'] = fault.contentType;
  return { ...response, headers: { ...response.headers, ...headers } };
}
