import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ActivityEvent, AuditLogEvent } from '../asana/types.ts';
import { ActivityGenerator, type ActivityResources } from './activity.ts';
import { AuditLogPager } from './domain.ts';
import { EventGenerator } from './events.ts';
import { errorResponse, faultResponse, JSON_CONTENT_TYPE, RATE_LIMIT_MESSAGE, type Fault, type SimResponse } from './faults.ts';
import { historySegments, type HistoryShape } from './history.ts';
import { LiveActivity } from './live.ts';
import { DEFAULT_BACKLOG_SPAN_MS, DEFAULT_TOKEN, DEFAULT_WORKSPACE_GID, STATS_PATH, type RequestLogEntry, type SimulatorOptions, type SimulatorStats } from './options.ts';
import { SlidingWindowLimiter } from './rate-limit.ts';
import { API_PREFIX, apiRoutes, routeRequest, type Route } from './routes.ts';
import { EventStore } from './store.ts';
import { SyncEventLog } from './sync.ts';

export * from './options.ts';
export { RESOURCE_EVENTS_LIMIT, WORKSPACE_EVENTS_LIMIT } from './routes.ts';

/**
 * AsanaSimulator: an in-process fake of the Asana API parts the receiver uses, over real HTTP
 * (node:http on loopback, port 0 by default). Used by `demo`, the integration tests and the
 * benchmark. This file is the HTTP edge (faults, rate limit, latency, request log); the routes live
 * in routes.ts, the audit-log paging rules in domain.ts, the event store in store.ts, the generator
 * in events.ts, the backlog's shape in history.ts, the live timers in live.ts; the event streams
 * (sync tokens) in sync.ts, their activity generator in activity.ts.
 */

const RATE_WINDOW_MS = 60_000;
const BURST_WINDOW_MS = 1_000;

export class AsanaSimulator {
  readonly token: string;
  readonly workspaceGid: string;
  private readonly o: SimulatorOptions;
  private readonly now: () => number;
  private readonly server: Server;
  private readonly store = new EventStore();
  private readonly generator: EventGenerator;
  private readonly pager: AuditLogPager;
  private readonly activity: ActivityGenerator;
  private readonly syncLog: SyncEventLog;
  private readonly limiter: SlidingWindowLimiter | undefined;
  private readonly burstLimiter: SlidingWindowLimiter | undefined;
  private readonly faults: Fault[] = [];
  private readonly log: RequestLogEntry[] = [];
  private readonly counts: SimulatorStats = { requests: 0, byStatus: {} };
  private readonly waits = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  private readonly routes: Route[];
  private readonly live: LiveActivity;
  private baseUrl = '';
  private closed = false;

  private constructor(opts: SimulatorOptions) {
    this.o = opts;
    this.token = opts.token ?? DEFAULT_TOKEN;
    this.workspaceGid = opts.workspaceGid ?? DEFAULT_WORKSPACE_GID;
    this.now = opts.now ?? Date.now;
    const seed = opts.seed ?? 1;
    this.generator = new EventGenerator({ seed, workspaceGid: this.workspaceGid });
    this.pager = new AuditLogPager({
      store: this.store,
      now: this.now,
      // Not a secret, only a signature key: the same configuration accepts its own offsets across restarts.
      secret: createHash('sha256').update(`asana-simulator|${this.workspaceGid}|${seed}`).digest('hex'),
      offsetTtlMs: opts.offsetTtlMs,
    });
    const syncSecret = createHash('sha256').update(`asana-simulator-sync|${this.workspaceGid}|${seed}`).digest('hex');
    this.activity = new ActivityGenerator({ seed });
    this.syncLog = new SyncEventLog({ now: this.now, secret: syncSecret, ttlMs: opts.syncTokenTtlMs });
    if (opts.requestsPerMinute !== undefined) {
      this.limiter = new SlidingWindowLimiter(opts.requestsPerMinute, RATE_WINDOW_MS);
      if (opts.rejectBursts) this.burstLimiter = new SlidingWindowLimiter(Math.max(1, Math.ceil((opts.requestsPerMinute / 60) * 2)), BURST_WINDOW_MS);
    }
    this.routes = apiRoutes({
      workspaceGid: this.workspaceGid,
      auditScope: opts.auditScope !== false,
      workspaceEvents: opts.workspaceEvents !== false,
      pager: this.pager,
      syncLog: this.syncLog,
      activity: this.activity,
      baseUrl: () => this.baseUrl,
    });
    this.live = new LiveActivity({ now: this.now, generator: this.generator, store: this.store, recordActivity: (n) => this.generateActivity(n), late: opts.late, seed });
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent && !res.destroyed) {
          const r = errorResponse(500, `Simulator failure: ${err instanceof Error ? err.message : String(err)}`, { phrase: 'simulator bug' });
          res.writeHead(r.status, r.headers).end(r.body);
        }
      });
    });
  }

  static async start(opts: SimulatorOptions = {}): Promise<AsanaSimulator> {
    const sim = new AsanaSimulator(opts);
    if (opts.backlog) {
      const end = sim.now();
      sim.generate(opts.backlog, { from: new Date(end - (opts.backlogSpanMs ?? DEFAULT_BACKLOG_SPAN_MS)), to: new Date(end), shape: opts.backlogShape });
    }
    if (opts.activityBacklog) {
      const end = sim.now();
      sim.generateActivity(opts.activityBacklog, { from: new Date(end - (opts.backlogSpanMs ?? DEFAULT_BACKLOG_SPAN_MS)), to: new Date(end) });
    }
    const host = opts.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      sim.server.once('error', reject);
      sim.server.listen(opts.port ?? 0, host, () => {
        sim.server.off('error', reject);
        resolve();
      });
    });
    const { port } = sim.server.address() as AddressInfo;
    sim.baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}${API_PREFIX}`;
    return sim;
  }

  /** Base URL of the API, e.g. http://127.0.0.1:PORT/api/1.0 */
  get url(): string {
    return this.baseUrl;
  }

  /** Every event, sorted by (created_at, gid). */
  get events(): readonly AuditLogEvent[] {
    return this.store.events;
  }

  get requests(): ReadonlyArray<RequestLogEntry> {
    return this.log;
  }

  /**
   * Appends `count` realistic events, created in [from, to) — by default all now — spread as `shape`
   * says (default 'even').
   */
  generate(count: number, opts: { from?: Date; to?: Date; shape?: HistoryShape } = {}): AuditLogEvent[] {
    const from = opts.from?.getTime() ?? this.now();
    const to = opts.to?.getTime() ?? (opts.from ? from : this.now());
    const events: AuditLogEvent[] = [];
    for (const segment of historySegments(opts.shape ?? 'even', count, from, to)) {
      for (const e of this.generator.generate(segment.count, segment.fromMs, segment.toMs)) events.push(e);
    }
    this.store.insert(events);
    return events;
  }

  /** Adds events as given (for tests); a missing gid or created_at is filled in (fresh gid, now). */
  add(events: Array<Partial<AuditLogEvent>>): AuditLogEvent[] {
    const full = events.map((e): AuditLogEvent => ({
      ...e,
      gid: e.gid ?? this.freshGid(),
      created_at: e.created_at ?? new Date(this.now()).toISOString(),
    }));
    this.store.insert(full);
    return full;
  }

  /** Every activity event (events API), in the order recorded. */
  get activityEvents(): readonly ActivityEvent[] {
    return this.syncLog.events;
  }

  /** The activity events that reach the event stream of a project, task, portfolio or goal. */
  activityOf(resourceGid: string): ActivityEvent[] {
    return this.syncLog.eventsOf(resourceGid);
  }

  /** The projects, tasks, portfolios and goals whose event streams GET /events serves. */
  get activityResources(): ActivityResources {
    return this.activity.resources;
  }

  /**
   * Records `count` realistic activity events (task, story, project, portfolio and goal changes),
   * created in [from, to) — by default all now. With `projectGid`, task events stay in that project.
   */
  generateActivity(count: number, opts: { from?: Date; to?: Date; projectGid?: string } = {}): ActivityEvent[] {
    const from = opts.from?.getTime() ?? this.now();
    const to = opts.to?.getTime() ?? (opts.from ? from : this.now());
    const items = this.activity.generate(count, from, to, { projectGid: opts.projectGid });
    this.syncLog.append(items);
    return items.map((i) => i.event);
  }

  /**
   * Records activity events as given (for tests); a missing created_at is now. They reach the
   * workspace stream and the streams of their resource and parent (and what those bubble up to).
   */
  addActivity(events: ActivityEvent[]): ActivityEvent[] {
    const full = events.map((e): ActivityEvent => ({ ...e, created_at: e.created_at === undefined ? new Date(this.now()).toISOString() : e.created_at }));
    this.syncLog.append(full.map((event) => ({ event, scopes: this.activity.scopesOf(event.resource?.gid ?? undefined, event.parent?.gid ?? undefined) })));
    return full;
  }

  /** Every sync token handed out so far is refused from now on (412 with a fresh token). */
  expireSyncTokens(): void {
    this.syncLog.expireAll();
  }

  /**
   * Asana's late events: `count` events recorded now whose created_at lies `minDelayMs`..`maxDelayMs`
   * in the past (default: 1 to 10 minutes). The store keeps (created_at, gid) order, so they land
   * behind the offsets already handed out: an offset never returns them, only a start_at query does.
   */
  recordLate(count: number, opts: { minDelayMs?: number; maxDelayMs?: number } = {}): AuditLogEvent[] {
    const now = this.now();
    const min = opts.minDelayMs ?? 60_000;
    const max = Math.max(min, opts.maxDelayMs ?? 600_000);
    const events = this.generator.generate(count, now - max, now - min);
    this.store.insert(events);
    return events;
  }

  /** Late events of live activity not recorded yet (options.late). */
  get pendingLateEvents(): number {
    return this.live.pending;
  }

  /**
   * Simulated live activity: about `eventsPerSecond` new audit events and `activityPerSecond`
   * activity events, created now — and with options.late, a fraction of the audit events recorded
   * only some time after their created_at.
   */
  startLive(eventsPerSecond: number, opts: { activityPerSecond?: number } = {}): void {
    this.live.start(eventsPerSecond, opts.activityPerSecond ?? 0);
  }

  /** Stops new live events. Late events already created are still recorded when their time comes. */
  stopLive(): void {
    this.live.stop();
  }

  /** The next `count` requests get `fault` instead of their answer (queued after earlier faults). */
  failNext(count: number, fault: Fault): void {
    for (let i = 0; i < count; i++) this.faults.push(fault);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.live.close();
    for (const w of this.waits) {
      clearTimeout(w.timer);
      w.resolve();
    }
    this.waits.clear();
    const closing = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closing;
  }

  // ---- HTTP -----------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://simulator');
    if (url.pathname === STATS_PATH) {
      // Not part of Asana's API and not counted: the benchmark reads what the "server" saw here.
      res.writeHead(200, { 'content-type': JSON_CONTENT_TYPE }).end(JSON.stringify(this.stats));
      return;
    }
    // Never the Authorization header: the log is for assertions and may be printed.
    const entry: RequestLogEntry = { at: this.now(), path: url.pathname, query: Object.fromEntries(url.searchParams), status: 0 };
    this.record(entry);
    const fault = this.faults.shift();
    const overLimit = this.checkRate(entry.at);

    if (fault?.kind === 'reset') {
      req.socket.resetAndDestroy();
      return;
    }
    if (fault?.kind === 'hang') await this.wait(fault.ms);

    let response: SimResponse;
    if (fault && (fault.kind === undefined || fault.kind === 'status' || fault.kind === 'html')) response = faultResponse(fault);
    else if (overLimit) response = overLimit;
    else response = routeRequest(this.routes, this.token, req.method, req.headers.authorization, url);
    if (fault?.kind === 'truncated') {
      response = { ...response, body: response.body.slice(0, Math.floor(response.body.length / 2)) };
    }

    if (this.o.latencyMs) await this.wait(this.o.latencyMs);
    if (this.closed || res.destroyed || req.socket.destroyed) return;
    if (url.searchParams.has('opt_pretty') && response.headers['content-type'] === JSON_CONTENT_TYPE) {
      try {
        response = { ...response, body: JSON.stringify(JSON.parse(response.body), null, 2) };
      } catch {
        // a truncated body stays truncated
      }
    }
    entry.status = response.status;
    this.countStatus(response.status, entry.at);
    res.writeHead(response.status, { ...response.headers, 'content-length': String(Buffer.byteLength(response.body)) });
    res.end(response.body);
  }

  /** Counts the request against the budget (refused requests count too); the 429 if over it. */
  private checkRate(now: number): SimResponse | undefined {
    if (!this.limiter) return undefined;
    const minute = this.limiter.hit(now);
    const second = this.burstLimiter?.hit(now);
    const retryAfter = Math.max(minute.allowed ? 0 : minute.retryAfterSeconds, second && !second.allowed ? second.retryAfterSeconds : 0);
    if (retryAfter === 0) return undefined;
    return errorResponse(429, RATE_LIMIT_MESSAGE, { headers: { 'retry-after': String(retryAfter) } });
  }

  /** Answers by status since start (the request log keeps only the newest entries). */
  get stats(): SimulatorStats {
    return { requests: this.counts.requests, byStatus: { ...this.counts.byStatus }, firstAt: this.counts.firstAt, lastAt: this.counts.lastAt };
  }

  private countStatus(status: number, at: number): void {
    const c = this.counts;
    c.requests++;
    c.byStatus[status] = (c.byStatus[status] ?? 0) + 1;
    c.firstAt ??= at;
    c.lastAt = at;
  }

  private record(entry: RequestLogEntry): void {
    this.log.push(entry);
    const limit = this.o.requestLogLimit ?? 10_000;
    if (this.log.length > limit + 1_000) this.log.splice(0, this.log.length - limit);
  }

  private freshGid(): string {
    let gid = this.generator.nextEventGid();
    while (this.store.has(gid)) gid = this.generator.nextEventGid();
    return gid;
  }

  /** A delay that close() cuts short, so no timer outlives the server. */
  private wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const w = {
        timer: setTimeout(() => {
          this.waits.delete(w);
          resolve();
        }, ms),
        resolve,
      };
      this.waits.add(w);
    });
  }
}
