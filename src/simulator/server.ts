import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ActivityEvent, AuditLogEvent } from '../asana/types.ts';
import { ActivityGenerator, type ActivityResources } from './activity.ts';
import { AuditLogPager } from './domain.ts';
import { EventGenerator } from './events.ts';
import { Prng } from './prng.ts';
import { errorResponse, faultResponse, JSON_CONTENT_TYPE, RATE_LIMIT_MESSAGE, type Fault, type SimResponse } from './faults.ts';
import { SlidingWindowLimiter } from './rate-limit.ts';
import { EventStore } from './store.ts';
import { SyncEventLog, type SyncScope } from './sync.ts';

/**
 * AsanaSimulator: an in-process fake of the Asana API parts the receiver uses, over real HTTP
 * (node:http on loopback, port 0 by default). Used by `demo`, the integration tests and the
 * benchmark. Routes are a table; the audit-log paging rules live in domain.ts, the event store in
 * store.ts, the generator in events.ts; the event streams (sync tokens) in sync.ts, their
 * activity generator in activity.ts.
 */

export interface SimulatorOptions {
  /** Bearer token the API accepts. Default 'simulated-token'. */
  token?: string;
  /** The one workspace (organization) the token can read. Default '1200000000000001'. */
  workspaceGid?: string;
  /** Seed of the event generator. Default 1. */
  seed?: number;
  /** Events generated at start, spread over `backlogSpanMs` ending now. Default 0. */
  backlog?: number;
  /** Default 6 hours. */
  backlogSpanMs?: number;
  /** Added to every response. Default 0. */
  latencyMs?: number;
  /** Asana-like rate limit (all requests count, over a sliding 60 s window). Default: none. */
  requestsPerMinute?: number;
  /**
   * Also refuse bursts over requestsPerMinute/60*2 requests within any 1 s window (Asana evaluates
   * its limits over shorter windows too). Default false: only the 60 s window applies.
   */
  rejectBursts?: boolean;
  /** Offsets older than this are refused with 400 (expired). Default: offsets never expire. */
  offsetTtlMs?: number;
  /** false: valid tokens lack the audit-log scope and get 403. Default true. */
  auditScope?: boolean;
  /** false: workspace events answer 403 (not a service account of an Enterprise+ domain). Default true. */
  workspaceEvents?: boolean;
  /** Sync tokens older than this are refused with 412 (Asana: 24 h at most). Default: only expireSyncTokens(). */
  syncTokenTtlMs?: number;
  /** Activity events recorded before start (spread over `backlogSpanMs`): no sync token ever returns them. Default 0. */
  activityBacklog?: number;
  /** Default '127.0.0.1'. */
  host?: string;
  /** Default 0 (any free port). */
  port?: number;
  /** Clock for created_at, offsets and the rate limit. Default Date.now. */
  now?: () => number;
  /** Oldest request-log entries are dropped beyond this many. Default 10,000. */
  requestLogLimit?: number;
  /**
   * Late events in live activity (startLive): this fraction of the live events is recorded up to
   * `maxDelayMs` after its created_at, as Asana sometimes does. Default: none.
   */
  late?: { fraction: number; maxDelayMs: number };
}

export interface RequestLogEntry {
  /** When the request arrived (options.now). */
  at: number;
  /** URL path, without the query. */
  path: string;
  query: Record<string, string>;
  /** Status answered; 0 while pending or when no answer was sent (reset, abandoned hang). */
  status: number;
}

/** What GET /_simulator/stats answers: every answered request since start, by status. */
export interface SimulatorStats {
  requests: number;
  byStatus: Record<number, number>;
  /** options.now of the first and last answered request. */
  firstAt?: number;
  lastAt?: number;
}

export const DEFAULT_TOKEN = 'simulated-token';
/** Outside /api/1.0: the simulator's own counters, for the benchmark. */
export const STATS_PATH = '/_simulator/stats';
export const DEFAULT_WORKSPACE_GID = '1200000000000001';
export const DEFAULT_BACKLOG_SPAN_MS = 6 * 60 * 60 * 1000;
const API_PREFIX = '/api/1.0';
const RATE_WINDOW_MS = 60_000;
const BURST_WINDOW_MS = 1_000;
const LIVE_TICK_MS = 100;
/** Asana: "Asana limits a single sync token to 100 events" (GET /events). */
export const RESOURCE_EVENTS_LIMIT = 100;
/** Asana: "Asana limits a single sync token to 1000 events" (GET /workspaces/{gid}/events). */
export const WORKSPACE_EVENTS_LIMIT = 1000;

interface RouteContext {
  url: URL;
  params: Record<string, string>;
}

interface Route {
  method: string;
  /** Matched against the path below /api/1.0; named groups become `params`. */
  pattern: RegExp;
  handle: (ctx: RouteContext) => SimResponse;
}

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
  private live: NodeJS.Timeout | undefined;
  private readonly lateRng: Prng;
  /** Live events created already but not recorded yet (late events), oldest first. */
  private readonly pendingLate: Array<{ recordAt: number; event: AuditLogEvent }> = [];
  private baseUrl = '';
  private closed = false;

  private constructor(opts: SimulatorOptions) {
    this.o = opts;
    this.token = opts.token ?? DEFAULT_TOKEN;
    this.workspaceGid = opts.workspaceGid ?? DEFAULT_WORKSPACE_GID;
    this.now = opts.now ?? Date.now;
    const seed = opts.seed ?? 1;
    this.generator = new EventGenerator({ seed, workspaceGid: this.workspaceGid });
    this.lateRng = new Prng(seed ^ 0x1a7e);
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
    this.routes = [
      {
        method: 'GET',
        pattern: /^\/workspaces\/(?<workspace_gid>[^/]+)\/audit_log_events$/,
        handle: (ctx) => this.auditLogEvents(ctx),
      },
      {
        method: 'GET',
        pattern: /^\/workspaces\/(?<workspace_gid>[^/]+)\/events$/,
        handle: (ctx) => this.workspaceEvents(ctx),
      },
      {
        method: 'GET',
        pattern: /^\/events$/,
        handle: (ctx) => this.resourceEvents(ctx),
      },
    ];
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
      sim.generate(opts.backlog, { from: new Date(end - (opts.backlogSpanMs ?? DEFAULT_BACKLOG_SPAN_MS)), to: new Date(end) });
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

  /** Appends `count` realistic events, created in [from, to) — by default all now. */
  generate(count: number, opts: { from?: Date; to?: Date } = {}): AuditLogEvent[] {
    const from = opts.from?.getTime() ?? this.now();
    const to = opts.to?.getTime() ?? (opts.from ? from : this.now());
    const events = this.generator.generate(count, from, to);
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
    return this.pendingLate.length;
  }

  /**
   * Simulated live activity: about `eventsPerSecond` new audit events and `activityPerSecond`
   * activity events, created now — and with options.late, a fraction of the audit events recorded
   * only some time after their created_at.
   */
  startLive(eventsPerSecond: number, opts: { activityPerSecond?: number } = {}): void {
    this.stopLive();
    const activityPerSecond = opts.activityPerSecond ?? 0;
    if (!(eventsPerSecond > 0) && !(activityPerSecond > 0)) return;
    let due = 0;
    let dueActivity = 0;
    this.live = setInterval(() => {
      const now = this.now();
      this.recordDueLate(now);
      due += (Math.max(0, eventsPerSecond) * LIVE_TICK_MS) / 1000;
      dueActivity += (Math.max(0, activityPerSecond) * LIVE_TICK_MS) / 1000;
      const n = Math.floor(due);
      if (n > 0) {
        due -= n;
        const late = this.o.late;
        if (!late) {
          this.generate(n);
        } else {
          const onTime: AuditLogEvent[] = [];
          for (const event of this.generator.generate(n, now, now)) {
            if (this.lateRng.chance(late.fraction)) this.pendingLate.push({ recordAt: now + this.lateRng.int(1, late.maxDelayMs), event });
            else onTime.push(event);
          }
          this.store.insert(onTime);
          this.pendingLate.sort((a, b) => a.recordAt - b.recordAt);
        }
      }
      const m = Math.floor(dueActivity);
      if (m > 0) {
        dueActivity -= m;
        this.generateActivity(m);
      }
    }, LIVE_TICK_MS);
    this.live.unref();
  }

  private recordDueLate(now: number): void {
    let i = 0;
    while (i < this.pendingLate.length && (this.pendingLate[i] as { recordAt: number }).recordAt <= now) i++;
    if (i > 0) this.store.insert(this.pendingLate.splice(0, i).map((p) => p.event));
  }

  /** Stops new live events. Late events already created are still recorded when their time comes. */
  stopLive(): void {
    if (this.live) clearInterval(this.live);
    this.live = undefined;
    if (this.pendingLate.length > 0 && !this.closed) {
      this.live = setInterval(() => {
        this.recordDueLate(this.now());
        if (this.pendingLate.length === 0) this.stopLive();
      }, LIVE_TICK_MS);
      this.live.unref();
    }
  }

  /** The next `count` requests get `fault` instead of their answer (queued after earlier faults). */
  failNext(count: number, fault: Fault): void {
    for (let i = 0; i < count; i++) this.faults.push(fault);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopLive();
    this.pendingLate.length = 0;
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
    else response = this.route(req, url);
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

  private route(req: IncomingMessage, url: URL): SimResponse {
    const path = url.pathname.startsWith(`${API_PREFIX}/`) ? url.pathname.slice(API_PREFIX.length) : undefined;
    const route = path === undefined ? undefined : this.routes.find((r) => r.method === req.method && r.pattern.test(path));
    if (!route || path === undefined) return errorResponse(404, 'No matching route for request');
    // Asana: 401 when the token is missing or not valid.
    if (req.headers.authorization !== `Bearer ${this.token}`) return errorResponse(401, 'Not Authorized');
    const params: Record<string, string> = {};
    for (const [k, v] of Object.entries(route.pattern.exec(path)?.groups ?? {})) {
      try {
        params[k] = decodeURIComponent(v);
      } catch {
        return errorResponse(404, 'No matching route for request');
      }
    }
    return route.handle({ url, params });
  }

  private auditLogEvents(ctx: RouteContext): SimResponse {
    const gid = ctx.params.workspace_gid ?? '';
    if (gid !== this.workspaceGid) {
      return errorResponse(403, `workspace: You do not have access to workspace ${gid}, or it does not exist. The token can read the audit log of workspace ${this.workspaceGid} only.`);
    }
    // Asana: only service accounts of Enterprise domains can read the audit log.
    if (this.o.auditScope === false) {
      return errorResponse(403, 'This token does not have access to the audit log API. Only service accounts of Enterprise domains with the audit log scope can read audit log events.');
    }
    const pathBase = ctx.url.pathname.slice(API_PREFIX.length);
    const result = this.pager.page(ctx.url.searchParams, pathBase, this.baseUrl);
    if (!result.ok) return errorResponse(result.status, result.message);
    return { status: 200, headers: { 'content-type': JSON_CONTENT_TYPE }, body: JSON.stringify(result.page) };
  }

  private workspaceEvents(ctx: RouteContext): SimResponse {
    const gid = ctx.params.workspace_gid ?? '';
    if (gid !== this.workspaceGid) {
      return errorResponse(403, `workspace: You do not have access to workspace ${gid}, or it does not exist. The token can read workspace ${this.workspaceGid} only.`);
    }
    // Asana: "access to this API is exclusively available through a service account in an Enterprise+ domain".
    if (this.o.workspaceEvents === false) {
      return errorResponse(403, 'Workspace events are only available to service accounts of Enterprise+ domains.');
    }
    return this.syncAnswer({ kind: 'workspace' }, ctx.url.searchParams, WORKSPACE_EVENTS_LIMIT);
  }

  private resourceEvents(ctx: RouteContext): SimResponse {
    const resource = ctx.url.searchParams.get('resource');
    if (resource === null || resource === '') return errorResponse(400, 'resource: Missing input');
    if (!/^\d+$/.test(resource)) return errorResponse(400, `resource: Not a valid gid: ${resource}`);
    if (!this.activity.isResource(resource) && !this.syncLog.hasScope(resource)) return errorResponse(404, `resource: Unknown object: ${resource}`);
    return this.syncAnswer({ kind: 'resource', gid: resource }, ctx.url.searchParams, RESOURCE_EVENTS_LIMIT);
  }

  /** 200 {data, sync, has_more}, or 412 {errors, sync} on the first call and for a refused token. */
  private syncAnswer(scope: SyncScope, params: URLSearchParams, limit: number): SimResponse {
    const sync = params.get('sync');
    const result = this.syncLog.read(scope, sync === null || sync === '' ? undefined : sync, limit);
    if (!result.ok) {
      return { status: 412, headers: { 'content-type': JSON_CONTENT_TYPE }, body: JSON.stringify({ errors: [{ message: result.message }], sync: result.sync }) };
    }
    return { status: 200, headers: { 'content-type': JSON_CONTENT_TYPE }, body: JSON.stringify({ data: result.data, sync: result.sync, has_more: result.hasMore }) };
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
