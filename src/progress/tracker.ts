import type { Logger } from '../log.ts';
import { formatCount, formatEta, formatProgressBar, formatProgressFacts, type ProgressSnapshot } from './format.ts';
import type { TtyLine } from './tty-line.ts';

/**
 * Progress of long work: a backfill. `once` is a backfill from start to finish; `run` is in one while
 * a stream is far behind — the newest shipped event is older than FAR_BEHIND (3 poll intervals, at
 * least 5 minutes) and the stream has not caught up since. On a terminal a one-line bar on stderr
 * (redrawn in place with `\r`; log lines are printed above it), otherwise one log line every 10 s.
 *
 * events/s: records shipped over the last RATE_WINDOW_MS. ETA: per stream, the event time still to
 * cover (now - lastEventAt) divided by the rate at which its lastEventAt advanced over that window;
 * the slowest stream's ETA is the ETA. The fraction done is the event time covered since the
 * backfill began over the event time there was to cover, summed over the streams.
 */

export const PROGRESS_LOG_INTERVAL_MS = 10_000;
export const PROGRESS_REDRAW_MS = 250;
export const RATE_WINDOW_MS = 30_000;
export const FAR_BEHIND_MIN_MS = 5 * 60_000;

export function farBehindMs(pollIntervalMs: number): number {
  return Math.max(FAR_BEHIND_MIN_MS, 3 * pollIntervalMs);
}

interface StreamProgress {
  /** Where the backfill of this stream began (ms), if known. */
  from?: number;
  lastEventAt?: number;
  caughtUp: boolean;
}

interface Sample {
  at: number;
  events: number;
  eventTimes: Map<string, number | undefined>;
}

export interface ProgressOptions {
  mode: 'once' | 'run';
  pollIntervalMs: number;
  /** Progress lines without a terminal, and the closing line of a backfill in `run`. */
  log: Logger;
  /** On a terminal: the bar goes here instead of log lines. */
  line?: TtyLine;
  /** Log line interval (non-terminal output); tests shorten it. */
  logIntervalMs?: number;
  now?: () => number;
}

export class Progress {
  private readonly o: ProgressOptions;
  private readonly now: () => number;
  private readonly streams = new Map<string, StreamProgress>();
  private readonly farBehind: number;
  private samples: Sample[] = [];
  private events = 0;
  private active = false;
  private activeSince = 0;
  private eventsAtStart = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(opts: ProgressOptions) {
    this.o = opts;
    this.now = opts.now ?? Date.now;
    this.farBehind = farBehindMs(opts.pollIntervalMs);
  }

  /** `position`: the stream's newest shipped event, or where it starts (ISO time). */
  register(key: string, position: string | undefined): void {
    const at = position === undefined ? Number.NaN : Date.parse(position);
    this.streams.set(key, Number.isNaN(at) ? { caughtUp: false } : { from: at, lastEventAt: at, caughtUp: false });
  }

  pageCommitted(key: string, shipped: number, lastEventAt: string | undefined): void {
    const s = this.streams.get(key);
    if (!s) return;
    this.events += shipped;
    s.caughtUp = false;
    const at = lastEventAt === undefined ? Number.NaN : Date.parse(lastEventAt);
    if (!Number.isNaN(at)) {
      s.lastEventAt = at;
      s.from ??= at;
    }
    if (this.o.line && this.active) this.render();
  }

  caughtUp(key: string): void {
    const s = this.streams.get(key);
    if (s) s.caughtUp = true;
  }

  /** The stream stopped for good (failed): it no longer holds the backfill open. */
  ended(key: string): void {
    this.caughtUp(key);
  }

  start(): void {
    if (this.timer) return;
    const every = this.o.line ? PROGRESS_REDRAW_MS : (this.o.logIntervalMs ?? PROGRESS_LOG_INTERVAL_MS);
    this.sample();
    this.timer = setInterval(() => this.tick(), every);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.o.line?.clear();
  }

  /** Streams in a backfill right now. */
  backfilling(): string[] {
    const now = this.now();
    const out: string[] = [];
    for (const [key, s] of this.streams) {
      if (s.caughtUp) continue;
      if (this.o.mode === 'once' || (s.lastEventAt !== undefined && now - s.lastEventAt > this.farBehind)) out.push(key);
    }
    return out;
  }

  snapshot(): ProgressSnapshot {
    const now = this.now();
    const keys = this.backfilling();
    const oldest = this.samples[0];
    const dt = oldest ? now - oldest.at : 0;
    const eventsPerSecond = oldest && dt > 0 ? ((this.events - oldest.events) * 1000) / dt : 0;
    let behindMs = 0;
    let etaMs: number | undefined = keys.length > 0 ? 0 : undefined;
    let covered = 0;
    let total = 0;
    for (const [key, s] of this.streams) {
      const last = s.lastEventAt;
      if (s.from !== undefined && now > s.from) {
        total += now - s.from;
        covered += s.caughtUp ? now - s.from : Math.max(0, (last ?? s.from) - s.from);
      }
      if (!keys.includes(key)) continue;
      const behind = last === undefined ? 0 : Math.max(0, now - last);
      behindMs = Math.max(behindMs, behind);
      const before = oldest?.eventTimes.get(key);
      const advance = last !== undefined && before !== undefined && dt > 0 ? (last - before) / dt : 0;
      if (advance > 0 && etaMs !== undefined) etaMs = Math.max(etaMs, behind / advance);
      else etaMs = undefined;
    }
    const snap: ProgressSnapshot = { events: this.events - this.eventsAtStart, eventsPerSecond, behindMs, streams: keys.length };
    if (etaMs !== undefined) snap.etaMs = etaMs;
    if (total > 0) snap.fraction = covered / total;
    return snap;
  }

  /** One timer step: sample, then draw or log while a backfill is on. */
  tick(): void {
    this.sample();
    const busy = this.backfilling().length > 0;
    if (busy && !this.active) {
      this.active = true;
      this.activeSince = this.now();
      if (this.o.mode === 'run') {
        // A backfill in `run` is measured from where each stream was when it began.
        this.eventsAtStart = this.events;
        for (const st of this.streams.values()) if (st.lastEventAt !== undefined) st.from = st.lastEventAt;
      }
    }
    if (!busy && this.active) {
      this.active = false;
      this.o.line?.clear();
      if (this.o.mode === 'run') {
        const events = this.events - this.eventsAtStart;
        this.o.log.info(`backfill done: ${formatCount(events)} events in ${formatEta(this.now() - this.activeSince)}; the streams are caught up`, { events });
      }
      return;
    }
    if (this.active) this.render();
  }

  private render(): void {
    const snap = this.snapshot();
    if (this.o.line) {
      this.o.line.draw(formatProgressBar(snap, this.o.line.columns));
    } else {
      this.o.log.info(`backfill: ${snap.fraction === undefined ? '' : `${Math.floor(snap.fraction * 100)}% · `}${formatProgressFacts(snap)}`, {
        events: snap.events,
        eventsPerSecond: Math.round(snap.eventsPerSecond * 10) / 10,
        behindSeconds: Math.round(snap.behindMs / 1000),
        etaSeconds: snap.etaMs === undefined ? null : Math.round(snap.etaMs / 1000),
        streams: snap.streams,
      });
    }
  }

  private sample(): void {
    const now = this.now();
    const eventTimes = new Map<string, number | undefined>();
    for (const [key, s] of this.streams) eventTimes.set(key, s.lastEventAt);
    this.samples.push({ at: now, events: this.events, eventTimes });
    // Keep one sample older than the window, so the rate always spans the whole window.
    while (this.samples.length > 2 && now - this.samples[1]!.at > RATE_WINDOW_MS) this.samples.shift();
  }
}
