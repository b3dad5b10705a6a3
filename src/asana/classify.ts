import { AsanaRequestError, CredentialsError, type ReceiverError } from '../errors.ts';
import { safeUrl } from '../export/classify.ts';
import { redact } from '../log.ts';
import { parseRetryAfter } from '../retry.ts';
import type { AsanaErrorBody, AuditLogPage, EventsPage } from './types.ts';
import { parseJsonExactGids } from './exact-json.ts';

/**
 * What to do with one Asana response, as data (the client's loop acts on it; nothing here throws).
 * This is the whole retry policy for the Asana side, kept pure so it can be tested by table.
 */
export type AsanaOutcome<T> =
  | { kind: 'ok'; value: T }
  | { kind: 'retry'; reason: string; retryAfterMs?: number; rateLimited: boolean }
  | { kind: 'bad-offset'; message: string }
  /** 412 with a fresh sync token (events API: the first call, or an expired or refused token). */
  | { kind: 'sync-refused'; sync: string; message: string }
  | { kind: 'fatal'; error: ReceiverError };

export interface RequestContext {
  /** What was asked, for messages: "audit log of workspace 123". */
  what: string;
  workspaceGid: string;
  apiUrl: string;
  /** What to check, per fatal answer, when it is not the audit log's (which the defaults describe). */
  hints?: { forbidden?: string; notFound?: string; rejected?: string };
}

/** `{errors:[{message, help, phrase}]}` -> one readable line. Asana support asks for the phrase. */
export function describeAsanaError(bodyText: string): string | undefined {
  let body: AsanaErrorBody;
  try {
    body = JSON.parse(bodyText) as AsanaErrorBody;
  } catch {
    return undefined;
  }
  if (!body || typeof body !== 'object' || !Array.isArray(body.errors)) return undefined;
  const parts = body.errors
    .filter((e) => e && typeof e === 'object')
    .map((e) => {
      let s = typeof e.message === 'string' ? e.message : 'error';
      if (typeof e.phrase === 'string' && e.phrase) s += ` (phrase: "${e.phrase}")`;
      if (typeof e.help === 'string' && e.help) s += ` — ${e.help}`;
      return s;
    });
  return parts.length ? parts.join('; ') : undefined;
}

/** How much of an unexpected body a message quotes. */
export const SNIPPET_CHARS = 120;

/**
 * An upstream body quoted in a message: one line, cut short. Scrubbed before it is cut, so that a
 * secret lying across the cut is replaced whole, never half shown.
 */
export function snippet(text: string, max = SNIPPET_CHARS): string {
  const oneLine = redact(text).replace(/\s+/g, ' ').trim();
  return oneLine.length > max ? `${oneLine.slice(0, max)}…` : oneLine;
}

/** A 200's body as JSON with a `data` array, or why it is not one (the answer is then retried). */
function parseDataPage(bodyText: string): { data: unknown[] } | string {
  let parsed: unknown;
  try {
    parsed = parseJsonExactGids(bodyText);
  } catch {
    return `invalid or truncated JSON (${bodyText.length} bytes: ${snippet(bodyText, 60)})`;
  }
  if (!parsed || typeof parsed !== 'object' || !Array.isArray((parsed as { data?: unknown }).data)) {
    return 'response has no "data" array';
  }
  return parsed as { data: unknown[] };
}

/** 200 of the events endpoints: `data` must be an array and `sync` a token, or the answer is retried. */
export function parseEventsPage(bodyText: string): EventsPage | string {
  const parsed = parseDataPage(bodyText);
  if (typeof parsed === 'string') return parsed;
  const page = parsed as { data: unknown[]; sync?: unknown; has_more?: unknown };
  if (typeof page.sync !== 'string' || page.sync === '') return 'response has no "sync" token';
  return { data: page.data as EventsPage['data'], sync: page.sync, has_more: page.has_more === true };
}

/** The fresh token of a 412 (`{"errors": [...], "sync": "<fresh>"}`), if the body has one. */
export function parseSyncRefusal(bodyText: string): string | undefined {
  try {
    const sync = (JSON.parse(bodyText) as { sync?: unknown } | null)?.sync;
    return typeof sync === 'string' && sync !== '' ? sync : undefined;
  } catch {
    return undefined;
  }
}

/** A 200's body must be JSON of the page's shape; anything else (HTML, cut short) is retried. */
export function parseAuditLogPage(bodyText: string): AuditLogPage | string {
  const parsed = parseDataPage(bodyText);
  if (typeof parsed === 'string') return parsed;
  const page = parsed as { data: unknown[]; next_page?: unknown };
  const offset = usableOffset(page.next_page);
  return { data: page.data as AuditLogPage['data'], next_page: offset === undefined ? null : { offset } };
}

/**
 * The offset of a page's `next_page`, when it is usable. Only a non-empty string is an offset:
 * anything else (absent, null, '', a number, an object) would be saved as the cursor and break the
 * state file or the next request. Without one, the stream reads on by time from the last shipped
 * instant (streams/audit-log/unpageable.ts says where time alone cannot).
 */
export function usableOffset(nextPage: unknown): string | undefined {
  if (typeof nextPage !== 'object' || nextPage === null) return undefined;
  const offset = (nextPage as { offset?: unknown }).offset;
  return typeof offset === 'string' && offset !== '' ? offset : undefined;
}

export function classifyAsanaResponse<T>(
  status: number,
  headers: Record<string, string | string[] | undefined>,
  bodyText: string,
  ctx: RequestContext,
  parse: (bodyText: string) => T | string,
  now: number = Date.now(),
): AsanaOutcome<T> {
  if (status >= 200 && status < 300) {
    const value = parse(bodyText);
    if (typeof value === 'string') return { kind: 'retry', reason: `HTTP ${status} with ${value}`, rateLimited: false };
    return { kind: 'ok', value };
  }
  // Only error bodies are read for Asana's message: a page of events is parsed once, above.
  const detail = describeAsanaError(bodyText);
  if (status === 429) {
    // Asana: 429 Too Many Requests carries Retry-After (seconds); wait exactly that long.
    const retryAfterMs = parseRetryAfter(headers['retry-after'], now);
    return { kind: 'retry', reason: 'rate limited by Asana (429)', retryAfterMs: retryAfterMs ?? 60_000, rateLimited: true };
  }
  if (status === 401) {
    return {
      kind: 'fatal',
      error: new CredentialsError(
        401,
        `Asana refused the token (401 Not Authorized${detail ? `: ${detail}` : ''}). ` +
          'Check ASANA_TOKEN or ASANA_TOKEN_FILE: the service-account token may be mistyped, revoked or expired ' +
          '(Admin Console → Apps → Service accounts).',
      ),
    };
  }
  if (status === 403) {
    return {
      kind: 'fatal',
      error: new CredentialsError(
        403,
        `Asana denied access to the ${ctx.what} (403 Forbidden${detail ? `: ${detail}` : ''}). ` +
          (ctx.hints?.forbidden ??
            `The Audit Log API needs an Enterprise domain and a service-account token of that domain with the ` +
              `audit-log scope; check ASANA_WORKSPACE_GID (${ctx.workspaceGid}) and the token's scopes.`),
      ),
    };
  }
  if (status === 412) {
    // Events API: "The response will be a 412 Precondition Failed error" on the first call and when
    // "the sync token is either invalid or expired"; the body carries a fresh token.
    const sync = parseSyncRefusal(bodyText);
    if (sync !== undefined) return { kind: 'sync-refused', sync, message: detail ?? 'Sync token invalid or too old' };
    return { kind: 'retry', reason: `Asana answered 412 without a fresh sync token${detail ? `: ${detail}` : ''}`, rateLimited: false };
  }
  if (status === 400 && /offset/i.test(detail ?? bodyText)) {
    return { kind: 'bad-offset', message: detail ?? snippet(bodyText) };
  }
  if (status === 404) {
    return {
      kind: 'fatal',
      error: new AsanaRequestError(
        404,
        `Asana answered 404 for the ${ctx.what}${detail ? `: ${detail}` : ''}. ` +
          (ctx.hints?.notFound ?? `Check ASANA_WORKSPACE_GID (${ctx.workspaceGid}) and ASANA_API_URL (${ctx.apiUrl}).`),
      ),
    };
  }
  if (status >= 300 && status < 400) {
    // Redirects are not followed: the token goes only to ASANA_API_URL, never to where a redirect points.
    const location = headerValue(headers, 'location');
    const to = location === undefined ? 'without a Location' : `to ${redirectTarget(location, ctx.apiUrl)}`;
    return {
      kind: 'fatal',
      error: new AsanaRequestError(
        status,
        `Asana answered HTTP ${status} (a redirect) for the ${ctx.what}, ${to}. Redirects are not followed, so the token is ` +
          `never sent anywhere but ASANA_API_URL (${ctx.apiUrl}): set ASANA_API_URL to the address that answers ` +
          '(Asana\'s is https://app.asana.com/api/1.0).',
      ),
    };
  }
  if (status >= 500 || status === 408 || status === 409 || status === 425) {
    return { kind: 'retry', reason: `Asana answered HTTP ${status}${detail ? `: ${detail}` : bodyText ? `: ${snippet(bodyText)}` : ''}`, rateLimited: false };
  }
  return {
    kind: 'fatal',
    error: new AsanaRequestError(
      status,
      `Asana rejected the request for the ${ctx.what} with HTTP ${status}${detail ? `: ${detail}` : ''}. ` +
        (ctx.hints?.rejected ?? 'Check the ASANA_AUDIT_* filters and ASANA_START_AT.'),
    ),
  };
}

function headerValue(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() === name) return Array.isArray(v) ? v[0] : v;
  }
  return undefined;
}

/** A redirect's Location, resolved against the URL asked, without credentials or query (either may hold a secret). */
function redirectTarget(location: string, apiUrl: string): string {
  try {
    return safeUrl(new URL(location, apiUrl).href);
  } catch {
    return '(an unparseable Location)';
  }
}
