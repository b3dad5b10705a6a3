import type { HistoryShape } from './history.ts';

/** What the simulator can be told at start, and what it reports about the requests it saw. */

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
  /** Where in the span the backlog's events sit (history.ts). Default 'even'. */
  backlogShape?: HistoryShape;
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
