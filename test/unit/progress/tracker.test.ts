import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/log.ts';
import { farBehindMs, Progress } from '../../../src/progress/tracker.ts';
import { TtyLine } from '../../../src/progress/tty-line.ts';
import { captureLogger } from '../../helpers/receiver.ts';

const HOUR = 3_600_000;
const T0 = Date.parse('2025-06-02T12:00:00Z');

describe('progress tracking', () => {
  function tracker(mode: 'once' | 'run', opts: { tty?: boolean } = {}) {
    const clock = { now: T0 };
    const { log, lines } = captureLogger();
    const out = new PassThrough();
    let written = '';
    out.on('data', (c: Buffer) => (written += c.toString('utf8')));
    const line = opts.tty ? new TtyLine(Object.assign(out, { columns: 120 })) : undefined;
    const p = new Progress({ mode, pollIntervalMs: 30_000, log, ...(line ? { line } : {}), now: () => clock.now });
    return { p, clock, lines, line, written: () => written };
  }

  it('once, without a terminal: a log line per tick with rate, position and an ETA from how fast event time advances', () => {
    const { p, clock, lines } = tracker('once');
    p.register('audit_log/1', new Date(T0 - 10 * HOUR).toISOString());
    p.tick(); // sample at T0
    // 10 s later the stream shipped 2,000 events and is 9 h behind: 9 h remain at ~1 h / 10 s.
    clock.now += 10_000;
    p.pageCommitted('audit_log/1', 2_000, new Date(clock.now - 9 * HOUR).toISOString());
    p.tick();
    const progress = lines().map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => String(l.message).startsWith('backfill'));
    expect(progress.at(-1)).toMatchObject({
      message: expect.stringMatching(/^backfill: 10% · 2,000 events · 200\/s · 9h behind · ETA 1m30s$/),
      events: 2000,
      eventsPerSecond: 200,
      behindSeconds: 9 * 3600,
      etaSeconds: 90,
      streams: 1,
    });
    p.caughtUp('audit_log/1');
    expect(p.backfilling()).toEqual([]);
    p.stop();
  });

  it('run: progress only while a stream is far behind, then a closing line', () => {
    const { p, clock, lines } = tracker('run');
    expect(farBehindMs(30_000)).toBe(5 * 60_000);
    p.register('audit_log/1', new Date(T0 - 60_000).toISOString());
    p.tick();
    p.pageCommitted('audit_log/1', 5, new Date(T0 - 30_000).toISOString());
    p.tick();
    expect(p.backfilling()).toEqual([]); // 30 s behind is not a backfill
    expect(lines().some((l) => l.includes('backfill'))).toBe(false);

    // A collector outage later: the stream resumes 2 h behind.
    p.pageCommitted('audit_log/1', 100, new Date(T0 - 2 * HOUR).toISOString());
    clock.now += 10_000;
    p.tick();
    expect(p.backfilling()).toEqual(['audit_log/1']);
    expect(lines().filter((l) => l.includes('"backfill:')).length).toBe(1);

    clock.now += 10_000;
    p.pageCommitted('audit_log/1', 100, new Date(clock.now - 1_000).toISOString());
    p.caughtUp('audit_log/1');
    p.tick();
    expect(lines().at(-1)).toContain('backfill done: 100 events in 10s');
    p.stop();
  });

  it('on a terminal: the bar is redrawn in place, log lines go above it, and stop() clears it', () => {
    const { p, clock, line, written } = tracker('once', { tty: true });
    p.register('audit_log/1', new Date(T0 - HOUR).toISOString());
    p.tick();
    clock.now += 1_000;
    p.pageCommitted('audit_log/1', 100, new Date(clock.now - HOUR / 2).toISOString());
    p.tick();
    expect(written()).toContain('\r\u001b[2Kbackfill [');
    expect(written()).toContain(']  50% 100 events · 100/s · 30m behind · ETA 1s');

    const log = createLogger({ level: 'info', format: 'json', stream: line!.logStream() });
    const before = written().length;
    log.info('a log line');
    const after = written().slice(before);
    // cleared, the log line, then the bar again
    expect(after).toMatch(/^\r\u001b\[2K\{.*"message":"a log line".*\}\nbackfill \[/s);

    p.stop();
    expect(written().endsWith('\r\u001b[2K')).toBe(true);
  });
});
