import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ActivityEvent } from '../asana/types.ts';

/**
 * The event streams of the events API, as Asana documents them (GET /events,
 * https://developers.asana.com/reference/getevents, and GET /workspaces/{workspace_gid}/events,
 * https://developers.asana.com/docs/workspace-events):
 *
 * - A stream is the workspace's (every event) or one resource's (the events that reach it: change
 *   events bubble up from tasks to their project).
 * - The first request has no sync token and is answered 412 Precondition Failed with a fresh token,
 *   "the same as if the sync token had expired". A token points at a position in the stream: the
 *   events after it are what the next request returns.
 * - At most `limit` events per answer (Asana: 100 for a resource, 1000 for a workspace), with
 *   `has_more: true` when more wait; every answer carries the next token.
 * - Re-requesting a token returns the same events again (plus any recorded since, up to the limit).
 * - Tokens expire: after `ttlMs` (Asana: "always expire after 24 hours, but may expire sooner") or
 *   when the test calls expireAll(). An expired, forged or foreign token is answered 412 with a fresh
 *   token at the head of the stream: the events in between are lost to that client.
 */

export const SYNC_REFUSED_MESSAGE =
  'Sync token invalid or too old. If you are attempting to keep resources in sync, you must fetch the full dataset for this query now and use the new sync token for the next sync.';

/** The stream of a workspace, or of a resource gid. */
export type SyncScope = { kind: 'workspace' } | { kind: 'resource'; gid: string };

export type SyncResult =
  | { ok: true; data: ActivityEvent[]; sync: string; hasMore: boolean }
  | { ok: false; sync: string; message: string };

interface TokenPayload {
  /** Scope: "w" or "r:<gid>". */
  s: string;
  /** Position: the number of events of the whole log the token has passed. */
  q: number;
  /** Issued at (simulator clock, ms). */
  i: number;
  /** Expiry epoch: tokens of an older epoch are refused. */
  e: number;
}

const SIGNATURE_BYTES = 12;

export interface SyncEventLogOptions {
  now: () => number;
  /** Signs tokens so that forged or edited ones are refused. */
  secret: string;
  /** Tokens older than this are refused as expired; unset: only expireAll() expires them. */
  ttlMs?: number;
}

export class SyncEventLog {
  private readonly o: SyncEventLogOptions;
  private readonly log: ActivityEvent[] = [];
  /** resource gid -> positions (indices into `log`) of the events that reach it, ascending. */
  private readonly byScope = new Map<string, number[]>();
  private epoch = 0;

  constructor(opts: SyncEventLogOptions) {
    this.o = opts;
  }

  /** Every event, in the order Asana recorded them. */
  get events(): readonly ActivityEvent[] {
    return this.log;
  }

  /** The events that reach the stream of `gid`. */
  eventsOf(gid: string): ActivityEvent[] {
    return (this.byScope.get(gid) ?? []).map((i) => this.log[i] as ActivityEvent);
  }

  /** Whether any event reached the stream of `gid`. */
  hasScope(gid: string): boolean {
    return this.byScope.has(gid);
  }

  append(items: ReadonlyArray<{ event: ActivityEvent; scopes: readonly string[] }>): void {
    for (const { event, scopes } of items) {
      const index = this.log.length;
      this.log.push(event);
      for (const gid of new Set(scopes)) {
        const list = this.byScope.get(gid) ?? [];
        list.push(index);
        this.byScope.set(gid, list);
      }
    }
  }

  /** Refuses every token issued so far (a test's way to make Asana expire them). */
  expireAll(): void {
    this.epoch++;
  }

  /** One answer for `scope` and the request's token (undefined on the first request). */
  read(scope: SyncScope, token: string | undefined, limit: number): SyncResult {
    const scopeKey = scope.kind === 'workspace' ? 'w' : `r:${scope.gid}`;
    const payload = token === undefined ? undefined : this.decode(token);
    const now = this.o.now();
    const valid =
      payload !== undefined &&
      payload.s === scopeKey &&
      payload.e === this.epoch &&
      (this.o.ttlMs === undefined || now - payload.i <= this.o.ttlMs);
    if (!valid) {
      // The fresh token starts at the head: nothing recorded before it is ever returned through it.
      return { ok: false, sync: this.encode({ s: scopeKey, q: this.log.length, i: now, e: this.epoch }), message: SYNC_REFUSED_MESSAGE };
    }
    const positions = scope.kind === 'workspace' ? undefined : (this.byScope.get(scope.gid) ?? []);
    const data: ActivityEvent[] = [];
    let position = payload.q;
    let hasMore = false;
    if (positions === undefined) {
      const end = Math.min(this.log.length, payload.q + limit);
      for (let i = payload.q; i < end; i++) data.push(this.log[i] as ActivityEvent);
      position = end;
      hasMore = end < this.log.length;
    } else {
      let k = lowerBound(positions, payload.q);
      for (; k < positions.length && data.length < limit; k++) {
        const i = positions[k] as number;
        data.push(this.log[i] as ActivityEvent);
        position = i + 1;
      }
      hasMore = k < positions.length;
      // Nothing for this resource: the token may move to the head (nothing it skips is its own).
      if (data.length === 0) position = Math.max(payload.q, this.log.length);
    }
    return { ok: true, data, sync: this.encode({ s: scopeKey, q: position, i: now, e: this.epoch }), hasMore };
  }

  /** base64url(JSON) "." base64url(truncated HMAC): opaque and tamper-evident. */
  private encode(p: TokenPayload): string {
    const body = Buffer.from(JSON.stringify(p)).toString('base64url');
    return `${body}.${this.sign(body).toString('base64url')}`;
  }

  private decode(token: string): TokenPayload | undefined {
    const [body, sig, extra] = token.split('.');
    if (!body || !sig || extra !== undefined) return undefined;
    // Compared as text: base64url decoding ignores stray trailing characters.
    const given = Buffer.from(sig);
    const expected = Buffer.from(this.sign(body).toString('base64url'));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    try {
      const p = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Partial<TokenPayload>;
      if (typeof p.s !== 'string' || typeof p.q !== 'number' || typeof p.i !== 'number' || typeof p.e !== 'number') return undefined;
      return { s: p.s, q: p.q, i: p.i, e: p.e };
    } catch {
      return undefined;
    }
  }

  private sign(body: string): Buffer {
    return createHmac('sha256', this.o.secret).update(body).digest().subarray(0, SIGNATURE_BYTES);
  }
}

/** Index of the first element >= value in an ascending list. */
function lowerBound(list: readonly number[], value: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((list[mid] as number) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
