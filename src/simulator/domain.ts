import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { AuditLogEvent, AuditLogPage } from '../asana/types.ts';
import type { Cursor, EventStore } from './store.ts';

/**
 * The paging rules of GET /workspaces/{workspace_gid}/audit_log_events, as Asana documents them
 * (https://developers.asana.com/reference/getauditlogevents):
 *
 * - Events come sorted by creation time, ascending; ties on created_at are ordered by gid.
 * - start_at is inclusive, end_at exclusive; event_type, actor_type, actor_gid and resource_gid
 *   are equality filters; any combination is valid.
 * - limit is 1..100 (the brief's choice for a missing limit: 100).
 * - No event matches the filters: `{"data": [], "next_page": null}`.
 * - Once something matched, every response carries next_page.offset — also when `data` is empty —
 *   so a poller can tail the log: empty data means caught up, and asking again later with the
 *   latest offset returns what was recorded since.
 * - The offset is opaque and expires ("an offset token will expire after some time"). It is bound
 *   to the filters it was issued for (start_at and end_at included): used with other filters, or
 *   tampered with, it is refused with 400.
 *
 * The cursor is the (created_at, gid) of the last returned event, so same-millisecond events are
 * neither skipped nor repeated across page boundaries. An event recorded later with a created_at
 * before an issued cursor is not returned through that cursor (Asana's late events).
 */

/** Asana: "The value must be between 1 and 100." */
export const MAX_LIMIT = 100;
export const DEFAULT_LIMIT = 100;

const OFFSET_VERSION = 1;
const SIGNATURE_BYTES = 16;

export type AuditLogResult =
  | { ok: true; page: AuditLogPage }
  | { ok: false; status: 400; message: string };

interface Filters {
  startMs?: number;
  endMs?: number;
  eventType?: string;
  actorType?: string;
  actorGid?: string;
  resourceGid?: string;
}

/** What an offset carries: the cursor, the filters' hash, and when it was issued. */
interface OffsetPayload {
  v: number;
  t: number;
  g: string;
  f: string;
  i: number;
}

export interface AuditLogPagerOptions {
  store: EventStore;
  now: () => number;
  /** Signs offsets so that forged or edited ones are refused. */
  secret: string;
  /** An offset older than this is refused as expired; unset: offsets never expire. */
  offsetTtlMs?: number;
}

export class AuditLogPager {
  private readonly o: AuditLogPagerOptions;

  constructor(opts: AuditLogPagerOptions) {
    this.o = opts;
  }

  /**
   * One page for the query string of a request. `pathBase` is the request path relative to the API
   * base ("/workspaces/1/audit_log_events"), `apiBase` the absolute base URL, for next_page.path/uri.
   */
  page(params: URLSearchParams, pathBase: string, apiBase: string): AuditLogResult {
    const parsed = parseQuery(params);
    if (typeof parsed === 'string') return { ok: false, status: 400, message: parsed };
    const { filters, limit, offset } = parsed;
    const filterHash = hashFilters(filters);

    let cursor: Cursor | undefined;
    if (offset !== undefined) {
      const payload = this.decodeOffset(offset);
      if (!payload) {
        return { ok: false, status: 400, message: 'offset: The offset is invalid. Use an offset returned by a previous request, unchanged.' };
      }
      if (payload.f !== filterHash) {
        return {
          ok: false,
          status: 400,
          message: 'offset: The offset is invalid for these query parameters. An offset can only be used with the same filters (start_at, end_at, event_type, actor_type, actor_gid, resource_gid) as the request that returned it.',
        };
      }
      if (this.o.offsetTtlMs !== undefined && this.o.now() - payload.i > this.o.offsetTtlMs) {
        return { ok: false, status: 400, message: 'offset: The offset has expired. Start again without an offset (use start_at to resume).' };
      }
      cursor = { t: payload.t, gid: payload.g };
    }

    const store = this.o.store;
    const startIdx = filters.startMs === undefined ? 0 : store.lowerBound(filters.startMs);
    const endIdx = filters.endMs === undefined ? store.size : store.lowerBound(filters.endMs);
    let i = cursor ? Math.max(startIdx, store.upperBound(cursor)) : startIdx;
    const data: AuditLogEvent[] = [];
    let last: Cursor | undefined;
    for (; i < endIdx && data.length < limit; i++) {
      const event = store.at(i);
      if (!matches(event, filters)) continue;
      data.push(event);
      last = { t: store.timeAt(i), gid: event.gid };
    }

    // Nothing matched and no offset was issued yet: next_page is null, as documented.
    if (data.length === 0 && cursor === undefined) return { ok: true, page: { data, next_page: null } };

    const next = last ?? cursor ?? { t: filters.startMs ?? 0, gid: '' };
    const nextOffset = this.encodeOffset({ v: OFFSET_VERSION, t: next.t, g: next.gid, f: filterHash, i: this.o.now() });
    const nextParams = new URLSearchParams(params);
    nextParams.set('limit', String(limit));
    nextParams.set('offset', nextOffset);
    const path = `${pathBase}?${nextParams}`;
    return { ok: true, page: { data, next_page: { offset: nextOffset, path, uri: `${apiBase}${path}` } } };
  }

  /** base64url(JSON payload) "." base64url(truncated HMAC): opaque, JWT-like, tamper-evident. */
  private encodeOffset(payload: OffsetPayload): string {
    const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
    return `${body}.${this.sign(body).toString('base64url')}`;
  }

  private decodeOffset(offset: string): OffsetPayload | undefined {
    const [body, sig, extra] = offset.split('.');
    if (!body || !sig || extra !== undefined) return undefined;
    const given = Buffer.from(sig, 'base64url');
    const expected = this.sign(body);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    try {
      const p = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Partial<OffsetPayload>;
      if (p.v !== OFFSET_VERSION || typeof p.t !== 'number' || typeof p.g !== 'string' || typeof p.f !== 'string' || typeof p.i !== 'number') {
        return undefined;
      }
      return { v: p.v, t: p.t, g: p.g, f: p.f, i: p.i };
    } catch {
      return undefined;
    }
  }

  private sign(body: string): Buffer {
    return createHmac('sha256', this.o.secret).update(body).digest().subarray(0, SIGNATURE_BYTES);
  }
}

function parseQuery(params: URLSearchParams): { filters: Filters; limit: number; offset?: string } | string {
  // An empty parameter (`event_type=`) counts as absent.
  const get = (name: string) => {
    const v = params.get(name);
    return v === null || v === '' ? undefined : v;
  };
  const filters: Filters = {
    eventType: get('event_type'),
    actorType: get('actor_type'),
    actorGid: get('actor_gid'),
    resourceGid: get('resource_gid'),
  };
  for (const name of ['start_at', 'end_at'] as const) {
    const raw = get(name);
    if (raw === undefined) continue;
    const ms = Date.parse(raw);
    if (Number.isNaN(ms)) return `${name}: Not a valid date-time: ${JSON.stringify(raw)}. Use ISO 8601, e.g. 2021-01-01T00:00:00.000Z.`;
    if (name === 'start_at') filters.startMs = ms;
    else filters.endMs = ms;
  }
  let limit = DEFAULT_LIMIT;
  const rawLimit = params.get('limit');
  if (rawLimit !== null) {
    limit = /^\d+$/.test(rawLimit) ? Number(rawLimit) : Number.NaN;
    if (!(limit >= 1 && limit <= MAX_LIMIT)) {
      return `limit: The value must be between 1 and ${MAX_LIMIT}, got ${JSON.stringify(rawLimit)}.`;
    }
  }
  return { filters, limit, offset: get('offset') };
}

/** Equal filters hash equally however the times were spelled (…Z vs +00:00). */
function hashFilters(f: Filters): string {
  const canonical = JSON.stringify([f.startMs ?? null, f.endMs ?? null, f.eventType ?? null, f.actorType ?? null, f.actorGid ?? null, f.resourceGid ?? null]);
  return createHash('sha256').update(canonical).digest('base64url').slice(0, 16);
}

function matches(e: AuditLogEvent, f: Filters): boolean {
  if (f.eventType !== undefined && e.event_type !== f.eventType) return false;
  if (f.actorType !== undefined && e.actor?.actor_type !== f.actorType) return false;
  if (f.actorGid !== undefined && e.actor?.gid !== f.actorGid) return false;
  if (f.resourceGid !== undefined && e.resource?.gid !== f.resourceGid) return false;
  return true;
}
