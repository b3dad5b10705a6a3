/**
 * A backlog of huge audit events, for measuring memory (the benchmark's large-events scenario and
 * the large-event test): `events` events, each with a `details` string of `eventBytes`, spread
 * evenly over `spanMs` ending a minute before `now`. Pages are built on request, so only one blob
 * is held, never the backlog.
 *
 * Answers GET /workspaces/{gid}/audit_log_events as Asana documents it
 * (https://developers.asana.com/reference/getauditlogevents): events oldest first, start_at
 * inclusive, end_at exclusive, `limit` per page; a next_page offset whenever the query matched
 * anything, even past the end.
 */
export interface LargeAuditLogOptions {
  events: number;
  eventBytes: number;
  spanMs: number;
  now?: number;
  /** The first event's gid (numbers follow); the resource gids start elsewhere. */
  firstGid?: number;
}

export class LargeAuditLog {
  private readonly times: number[];
  private readonly blob: string;
  private readonly firstGid: number;

  constructor(o: LargeAuditLogOptions) {
    const now = o.now ?? Date.now();
    this.blob = 'x'.repeat(o.eventBytes);
    this.firstGid = o.firstGid ?? 1_300_000_000_000_000;
    this.times = Array.from({ length: o.events }, (_, i) => now - o.spanMs + Math.floor((i * o.spanMs) / o.events) - 60_000);
  }

  /** The JSON body of the page the query asks for (start_at, end_at, limit, offset). */
  page(query: URLSearchParams): string {
    const startAt = Date.parse(query.get('start_at') ?? '1970-01-01T00:00:00Z');
    const endAt = Date.parse(query.get('end_at') ?? '9999-01-01T00:00:00Z');
    const limit = Number(query.get('limit') ?? 100);
    const from = Number((query.get('offset') ?? 'o0').slice(1));
    const matching: number[] = [];
    for (let i = 0; i < this.times.length; i++) if (this.times[i]! >= startAt && this.times[i]! < endAt) matching.push(i);
    const page = matching.slice(from, from + limit);
    const next = matching.length > 0 ? { offset: `o${Math.min(from + limit, matching.length)}` } : null;
    return JSON.stringify({ data: page.map((i) => this.event(i)), next_page: next });
  }

  private event(i: number) {
    return {
      gid: String(this.firstGid + i),
      created_at: new Date(this.times[i]!).toISOString(),
      event_type: 'task_deleted',
      event_category: 'content_management',
      actor: { actor_type: 'user', gid: '1200000000000009', name: 'Ada', email: 'ada@example.com' },
      resource: { resource_type: 'task', gid: String(this.firstGid + 100_000_000 + i), name: 'a task' },
      context: { context_type: 'web', client_ip_address: '192.0.2.1' },
      details: { blob: this.blob },
    };
  }
}
