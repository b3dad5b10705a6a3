import type { AuditLogEvent } from '../asana/types.ts';
import type { EventGenerator } from './events.ts';
import { Prng } from './prng.ts';
import type { EventStore } from './store.ts';

/**
 * Simulated live activity: timers that create audit and activity events as time passes. With `late`,
 * a fraction of the audit events is recorded only some time after its created_at, as Asana sometimes
 * does: they land behind offsets already handed out, and only a start_at query finds them.
 */

const LIVE_TICK_MS = 100;

export interface LiveActivityOptions {
  now: () => number;
  generator: EventGenerator;
  store: EventStore;
  /** Records `count` activity events created now. */
  recordActivity: (count: number) => void;
  late?: { fraction: number; maxDelayMs: number };
  seed: number;
}

export class LiveActivity {
  private readonly o: LiveActivityOptions;
  private readonly lateRng: Prng;
  /** Live events created already but not recorded yet (late events), oldest first. */
  private readonly pendingLate: Array<{ recordAt: number; event: AuditLogEvent }> = [];
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(opts: LiveActivityOptions) {
    this.o = opts;
    this.lateRng = new Prng(opts.seed ^ 0x1a7e);
  }

  /** Late events created already and not recorded yet. */
  get pending(): number {
    return this.pendingLate.length;
  }

  /** About `eventsPerSecond` new audit events and `activityPerSecond` activity events, created now. */
  start(eventsPerSecond: number, activityPerSecond: number): void {
    this.stop();
    if (!(eventsPerSecond > 0) && !(activityPerSecond > 0)) return;
    let due = 0;
    let dueActivity = 0;
    // The live timer records due late events too: it replaces the one stop() left for them.
    if (this.timer) clearInterval(this.timer);
    this.timer = setInterval(() => {
      const now = this.o.now();
      this.recordDueLate(now);
      due += (Math.max(0, eventsPerSecond) * LIVE_TICK_MS) / 1000;
      dueActivity += (Math.max(0, activityPerSecond) * LIVE_TICK_MS) / 1000;
      const n = Math.floor(due);
      if (n > 0) {
        due -= n;
        this.createAudit(n, now);
      }
      const m = Math.floor(dueActivity);
      if (m > 0) {
        dueActivity -= m;
        this.o.recordActivity(m);
      }
    }, LIVE_TICK_MS);
    this.timer.unref();
  }

  /** Stops new live events. Late events already created are still recorded when their time comes. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.pendingLate.length > 0 && !this.closed) {
      this.timer = setInterval(() => {
        this.recordDueLate(this.o.now());
        if (this.pendingLate.length === 0) this.stop();
      }, LIVE_TICK_MS);
      this.timer.unref();
    }
  }

  /** Stops every timer; late events not recorded yet are dropped. */
  close(): void {
    this.closed = true;
    this.stop();
    this.pendingLate.length = 0;
  }

  private createAudit(n: number, now: number): void {
    const late = this.o.late;
    const events = this.o.generator.generate(n, now, now);
    if (!late) {
      this.o.store.insert(events);
      return;
    }
    const onTime: AuditLogEvent[] = [];
    for (const event of events) {
      if (this.lateRng.chance(late.fraction)) this.pendingLate.push({ recordAt: now + this.lateRng.int(1, late.maxDelayMs), event });
      else onTime.push(event);
    }
    this.o.store.insert(onTime);
    this.pendingLate.sort((a, b) => a.recordAt - b.recordAt);
  }

  private recordDueLate(now: number): void {
    let i = 0;
    while (i < this.pendingLate.length && (this.pendingLate[i] as { recordAt: number }).recordAt <= now) i++;
    if (i > 0) this.o.store.insert(this.pendingLate.splice(0, i).map((p) => p.event));
  }
}
