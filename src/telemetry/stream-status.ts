/**
 * What each stream is doing, for /healthz, /readyz and the lag and readiness metrics. Fed by the
 * receiver's observer hooks; every readout is a pure function of the recorded facts and a clock.
 *
 * Alive (/healthz): the process answers and no stream loop has died or hung. A loop that is alive
 * does something at least every few minutes even on a bad day: each Asana attempt ends within 30 s
 * (REQUEST_TIMEOUT_MS) and each export attempt within OTEL_EXPORTER_OTLP_TIMEOUT, and no wait is
 * longer than 5 minutes (RETRY_AFTER_CAP_MS, the backoff cap is 60 s). So a stream with no activity
 * for HUNG_AFTER (10 minutes, or 3 poll intervals if longer) is hung. A stream that stopped on an
 * error confined to it (Asana refusing that workspace: 403, 404) is NOT a dead loop: a restart
 * cannot fix it, and restarting would interrupt the healthy workspaces; it shows in /readyz.
 *
 * Ready (/readyz): every stream has polled and exported successfully recently — a committed page or
 * a caught-up poll within READY_WITHIN = 2 × ASANA_POLL_INTERVAL + 1 minute. Between two polls a
 * healthy stream succeeds once per poll interval; the slack absorbs one slow poll or a 429 pause.
 */

import { redact } from '../log.ts';

export const HUNG_AFTER_MIN_MS = 10 * 60_000;
/**
 * An error message as the health endpoint serves it: one line, at most this long. Messages quote
 * upstream bodies (Asana's, the collector's); the endpoint names the problem, it does not echo them.
 */
export const MAX_ERROR_MESSAGE_CHARS = 300;
export const READY_SLACK_MS = 60_000;

export interface HealthThresholds {
  readyWithinMs: number;
  hungAfterMs: number;
}

export function healthThresholds(pollIntervalMs: number): HealthThresholds {
  return {
    readyWithinMs: 2 * pollIntervalMs + READY_SLACK_MS,
    hungAfterMs: Math.max(HUNG_AFTER_MIN_MS, 3 * pollIntervalMs),
  };
}

export interface StreamError {
  code: string;
  message: string;
  /** ISO time. */
  at: string;
}

/**
 * starting: nothing succeeded yet · running · failed: stopped on an error confined to this stream
 * (the others go on) · died: stopped on an error that stops the process · stopped: shut down.
 */
export type StreamPhase = 'starting' | 'running' | 'failed' | 'died' | 'stopped';

interface Entry {
  key: string;
  stream: string;
  workspaceGid: string;
  phase: StreamPhase;
  lastEventAt?: string;
  lastSuccessAt?: number;
  lastActivityAt: number;
  caughtUp: boolean;
  eventsReceived: number;
  recordsExported: number;
  lastError?: StreamError;
}

/** One stream in the /healthz and /readyz bodies. */
export interface StreamReport {
  key: string;
  stream: string;
  workspaceGid: string;
  state: StreamPhase | 'hung';
  alive: boolean;
  ready: boolean;
  /** Why it is not ready (or not alive); absent when it is both. */
  reason?: string;
  /** The position: created_at of the newest shipped event. */
  lastEventAt: string | null;
  /** now - lastEventAt, in seconds (grows in a quiet domain too: read it with lastSuccessAt). */
  lagSeconds: number | null;
  lastSuccessAt: string | null;
  lastActivityAt: string;
  /** The last poll found nothing more to read. */
  caughtUp: boolean;
  /** Since this process started. */
  eventsReceived: number;
  recordsExported: number;
  lastError: StreamError | null;
}

export interface HealthReport {
  status: 'ok' | 'unhealthy' | 'ready' | 'not_ready';
  checkedAt: string;
  streams: StreamReport[];
}

export class StreamStatusBoard {
  readonly thresholds: HealthThresholds;
  private readonly entries = new Map<string, Entry>();
  private readonly now: () => number;

  constructor(opts: { pollIntervalMs: number; now?: () => number }) {
    this.thresholds = healthThresholds(opts.pollIntervalMs);
    this.now = opts.now ?? Date.now;
  }

  register(info: { key: string; stream: string; workspaceGid: string; lastEventAt?: string }): void {
    const entry: Entry = {
      key: info.key,
      stream: info.stream,
      workspaceGid: info.workspaceGid,
      phase: 'starting',
      lastActivityAt: this.now(),
      caughtUp: false,
      eventsReceived: 0,
      recordsExported: 0,
    };
    if (info.lastEventAt !== undefined) entry.lastEventAt = info.lastEventAt;
    this.entries.set(info.key, entry);
  }

  keys(): string[] {
    return [...this.entries.keys()];
  }

  /** The stream's source and workspace (metric attributes). */
  meta(key: string): { stream: string; workspaceGid: string } | undefined {
    const e = this.entries.get(key);
    return e && { stream: e.stream, workspaceGid: e.workspaceGid };
  }

  /** Keys of the streams reading one workspace (Asana responses name the workspace, not the stream). */
  keysOfWorkspace(workspaceGid: string): string[] {
    return [...this.entries.values()].filter((e) => e.workspaceGid === workspaceGid).map((e) => e.key);
  }

  /** The loop did something (a request answered, an export attempted). */
  activity(key: string): void {
    const e = this.entries.get(key);
    if (e) e.lastActivityAt = this.now();
  }

  /** A transient problem the stream is retrying. */
  problem(key: string, code: string, message: string): void {
    const e = this.entries.get(key);
    // A stopped stream keeps the error it stopped on (Asana answers name the workspace, not the stream).
    if (!e || e.phase === 'failed' || e.phase === 'died') return;
    e.lastActivityAt = this.now();
    e.lastError = { code, message: servedMessage(message), at: new Date(e.lastActivityAt).toISOString() };
  }

  /** A page was exported, acknowledged and committed. */
  pageCommitted(key: string, received: number, exported: number, lastEventAt: string | undefined): void {
    const e = this.entries.get(key);
    if (!e || e.phase === 'failed' || e.phase === 'died') return;
    this.succeeded(e);
    e.caughtUp = false;
    e.eventsReceived += received;
    e.recordsExported += exported;
    if (lastEventAt !== undefined) e.lastEventAt = lastEventAt;
  }

  /** A poll found nothing more to read. */
  caughtUp(key: string): void {
    const e = this.entries.get(key);
    if (!e || e.phase === 'failed' || e.phase === 'died') return;
    this.succeeded(e);
    e.caughtUp = true;
  }

  /** The stream stopped on an error; `confined`: the others go on. */
  failed(key: string, error: { code?: unknown; message?: unknown }, confined: boolean): void {
    const e = this.entries.get(key);
    if (!e) return;
    e.phase = confined ? 'failed' : 'died';
    e.lastActivityAt = this.now();
    e.lastError = {
      code: typeof error.code === 'string' ? error.code : 'ERR_UNEXPECTED',
      message: servedMessage(typeof error.message === 'string' ? error.message : String(error)),
      at: new Date(e.lastActivityAt).toISOString(),
    };
  }

  /** Shutdown: the loops end on purpose. */
  stopped(): void {
    for (const e of this.entries.values()) if (e.phase === 'starting' || e.phase === 'running') e.phase = 'stopped';
  }

  lastEventAt(key: string): string | undefined {
    return this.entries.get(key)?.lastEventAt;
  }

  /** /healthz: 200 while every stream loop is alive. */
  liveness(): { ok: boolean; body: HealthReport } {
    const streams = this.reports();
    const ok = streams.every((s) => s.alive);
    return { ok, body: { status: ok ? 'ok' : 'unhealthy', checkedAt: new Date(this.now()).toISOString(), streams } };
  }

  /** /readyz: 200 once every stream has polled and exported successfully recently. */
  readiness(): { ok: boolean; body: HealthReport } {
    const streams = this.reports();
    const ok = streams.length > 0 && streams.every((s) => s.ready);
    return { ok, body: { status: ok ? 'ready' : 'not_ready', checkedAt: new Date(this.now()).toISOString(), streams } };
  }

  reports(): StreamReport[] {
    return [...this.entries.values()].map((e) => this.report(e));
  }

  private succeeded(e: Entry): void {
    const now = this.now();
    e.lastSuccessAt = now;
    e.lastActivityAt = now;
    if (e.phase === 'starting') e.phase = 'running';
  }

  private report(e: Entry): StreamReport {
    const now = this.now();
    const { readyWithinMs, hungAfterMs } = this.thresholds;
    const idleMs = now - e.lastActivityAt;
    const hung = (e.phase === 'starting' || e.phase === 'running') && idleMs > hungAfterMs;
    let reason: string | undefined;
    if (hung) reason = `no activity for ${seconds(idleMs)} s (more than ${seconds(hungAfterMs)} s): the stream loop is hung`;
    else if (e.phase === 'died') reason = `stopped on ${e.lastError?.code ?? 'an error'}; the receiver is exiting`;
    else if (e.phase === 'failed') reason = `stopped on ${e.lastError?.code ?? 'an error'}: ${e.lastError?.message ?? ''}`.trim();
    else if (e.phase === 'stopped') reason = 'shut down';
    else if (e.lastSuccessAt === undefined) reason = 'no successful poll yet';
    else if (now - e.lastSuccessAt > readyWithinMs) {
      reason = `last successful poll ${seconds(now - e.lastSuccessAt)} s ago (ready means within ${seconds(readyWithinMs)} s)`;
    }
    const lastEventMs = e.lastEventAt === undefined ? Number.NaN : Date.parse(e.lastEventAt);
    const report: StreamReport = {
      key: e.key,
      stream: e.stream,
      workspaceGid: e.workspaceGid,
      state: hung ? 'hung' : e.phase,
      alive: !hung && e.phase !== 'died',
      ready: reason === undefined,
      lastEventAt: e.lastEventAt ?? null,
      lagSeconds: Number.isNaN(lastEventMs) ? null : Math.max(0, seconds(now - lastEventMs)),
      lastSuccessAt: e.lastSuccessAt === undefined ? null : new Date(e.lastSuccessAt).toISOString(),
      lastActivityAt: new Date(e.lastActivityAt).toISOString(),
      caughtUp: e.caughtUp,
      eventsReceived: e.eventsReceived,
      recordsExported: e.recordsExported,
      lastError: e.lastError ?? null,
    };
    if (reason !== undefined) report.reason = reason;
    return report;
  }
}

/**
 * Scrubbed by the logs' scrubber (registered secrets, token shapes), then cut: in that order, so a
 * secret at the cut is replaced whole and never shows in part.
 */
export function servedMessage(message: string): string {
  const text = redact(message).replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return text.length > MAX_ERROR_MESSAGE_CHARS ? `${text.slice(0, MAX_ERROR_MESSAGE_CHARS)}…` : text;
}

function seconds(ms: number): number {
  return Math.round(ms / 1000);
}
