/**
 * A healthy receiver is visibly healthy: `run` logs one short line at info now and then — records
 * shipped since the last line and in all, and each stream's position and lag — so a log pipeline
 * that shows nothing else still shows that events flow (or that the domain is quiet).
 */
import { formatDuration } from '../duration.ts';
import type { Logger } from '../log.ts';
import type { StreamReport } from './stream-status.ts';

/** How often `run` logs its summary. */
export const SUMMARY_INTERVAL_MS = 5 * 60_000;

type StreamLine = Pick<StreamReport, 'key' | 'lagSeconds' | 'caughtUp' | 'ready' | 'reason'>;

/** The summary's message and fields, from what was shipped and each stream's report. Pure. */
export function summaryLine(shippedSinceLast: number, shippedInAll: number, intervalMs: number, streams: readonly StreamLine[]): { message: string; fields: Record<string, unknown> } {
  const parts = streams.map((s) => {
    const lag = s.lagSeconds === null ? 'no events yet' : `lag ${formatDuration(s.lagSeconds * 1000, { units: 1, smallest: 's' })}`;
    const state = !s.ready ? `not ready: ${s.reason ?? 'unknown'}` : s.caughtUp ? 'caught up' : 'reading';
    return `${s.key} ${lag}, ${state}`;
  });
  return {
    message: `shipped ${shippedSinceLast} records in the last ${formatDuration(intervalMs, { units: 1 })} (${shippedInAll} since start); ${parts.join('; ') || 'no streams'}`,
    fields: {
      shipped: shippedSinceLast,
      shippedTotal: shippedInAll,
      streams: Object.fromEntries(streams.map((s) => [s.key, { lagSeconds: s.lagSeconds, caughtUp: s.caughtUp, ready: s.ready }])),
    },
  };
}

/** Counts shipped records and logs summaryLine every `intervalMs` while started. */
export class ShippedSummary {
  private sinceLast = 0;
  private inAll = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly log: Logger;
  private readonly reports: () => readonly StreamLine[];
  private readonly intervalMs: number;

  constructor(opts: { log: Logger; reports: () => readonly StreamLine[]; intervalMs?: number }) {
    this.log = opts.log;
    this.reports = opts.reports;
    this.intervalMs = opts.intervalMs ?? SUMMARY_INTERVAL_MS;
  }

  shipped(records: number): void {
    this.sinceLast += records;
    this.inAll += records;
  }

  start(): void {
    this.timer ??= setInterval(() => this.emit(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private emit(): void {
    const { message, fields } = summaryLine(this.sinceLast, this.inAll, this.intervalMs, this.reports());
    this.sinceLast = 0;
    this.log.info(message, fields);
  }
}
