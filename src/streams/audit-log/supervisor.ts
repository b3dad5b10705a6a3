import { AbortedError } from '../../errors.ts';

/**
 * The backfill workers of one stream, beside its live tail, and the queue of windows they take,
 * oldest first. Windows can be added while the workers run (a split, split.ts): a worker that finds
 * the queue empty waits for one, until no window is being read anymore; then every worker stops.
 * The first failure of a worker stops the whole stream (the tail too) and is what the stream
 * throws; a shutdown is not a failure.
 *
 * The live tail is one of the stream's slices (planner.ts: how many cursors are read at once). While
 * it is not reading — caught up, waiting for its next poll — it lends its slice to the backfill: one
 * worker more, so that the calls in flight stay what the budget was planned for. A backfill on a
 * history that is mostly recent hands the tail's range to windows and leaves the tail only its last
 * hour (split.ts): without the lent slice, one cursor fewer would read for the rest of the backfill.
 * When the tail reads again, the lent worker stops after the window it is reading (a window is
 * never cut off mid-read), so the tail's own reads meanwhile (a poll, the late-event re-scan) are
 * one cursor more for a call or two. The pace is the shared rate limiter's either way.
 */
export class Supervisor {
  /** Workers of its own: the stream's slices but the tail's. */
  private readonly workers: number;
  /** While the live tail lends its slice. */
  private lent = false;
  private readonly queue: string[] = [];
  /** Windows being read now. */
  private active = 0;
  /** Worker loops running. */
  private loops = 0;
  /** Wakes the workers waiting for a window. */
  private waiting: Array<() => void> = [];
  /** While some worker runs: resolves once the last one has stopped. */
  private running: Promise<void> | undefined;
  private stopped: (() => void) | undefined;
  /** How workers read a window, and the stream's controller, from the last start(). */
  private reader: { ctl: AbortController; read: (id: string) => Promise<void> } | undefined;
  /** The first error of a worker. */
  private failure: unknown;

  /** `workers`: how many windows are read at once beside the live tail, while it reads. */
  constructor(workers: number) {
    this.workers = Math.max(0, Math.floor(workers));
  }

  /** Whether backfill workers are running. */
  get busy(): boolean {
    return this.running !== undefined;
  }

  /** Workers allowed now: its own, and the tail's slice while lent. */
  get capacity(): number {
    return this.workers + (this.lent ? 1 : 0);
  }

  /** Workers that would take a new window now: not reading one, and none queued for them. */
  get idle(): number {
    return Math.max(0, this.capacity - this.active - this.queue.length);
  }

  /** The live tail is not reading: its slice reads backfill windows meanwhile (one worker more). */
  lendTailSlice(): void {
    this.lent = true;
    if (this.running) this.spawn();
  }

  /** The live tail reads again: the lent worker stops after its current window. */
  reclaimTailSlice(): void {
    this.lent = false;
    this.wakeAll(); // a worker over the capacity that waits for a window stops at once
  }

  /**
   * Runs `body` (the tail's loop) with the workers it starts; the first failure of either stops
   * both and is what is thrown. Returns only after every worker has stopped.
   */
  async supervise(signal: AbortSignal, body: (ctl: AbortController) => Promise<void>): Promise<void> {
    const ctl = new AbortController();
    const onAbort = () => ctl.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    if (signal.aborted) ctl.abort();
    this.failure = undefined;
    try {
      await body(ctl);
    } catch (err) {
      throw this.failure ?? err;
    } finally {
      ctl.abort();
      signal.removeEventListener('abort', onAbort);
      await this.running;
    }
    if (this.failure !== undefined) throw this.failure;
  }

  /**
   * Queues `windows` (their ids) and starts workers up to the capacity; each runs `read` on one
   * window at a time. A failure aborts `ctl`, which stops the others and the body.
   */
  start(ctl: AbortController, windows: readonly string[], read: (id: string) => Promise<void>): void {
    this.queue.push(...windows.filter((id) => !this.queue.includes(id)));
    this.reader = { ctl, read };
    this.wakeAll();
    if (this.queue.length > 0) this.spawn();
  }

  /** Waits for the workers to finish; throws the first failure, if one stopped them. */
  async settled(): Promise<void> {
    await this.running;
    if (this.failure !== undefined) throw this.failure;
  }

  /** Starts workers until `capacity` run. */
  private spawn(): void {
    const reader = this.reader;
    if (!reader || reader.ctl.signal.aborted) return;
    while (this.loops < this.capacity) {
      if (this.running === undefined) this.running = new Promise<void>((resolve) => (this.stopped = resolve));
      this.loops++;
      void this.work(reader);
    }
  }

  /** One worker: windows from the queue until none is left to read, or its slice is taken back. Never rejects. */
  private async work({ ctl, read }: { ctl: AbortController; read: (id: string) => Promise<void> }): Promise<void> {
    const signal = ctl.signal;
    const onAbort = () => this.wakeAll();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      for (;;) {
        if (signal.aborted) throw new AbortedError();
        // More workers than allowed (the tail took its slice back): this one stops between windows.
        if (this.loops > this.capacity) return;
        const id = this.queue.shift();
        if (id === undefined) {
          // Nothing is being read: no split can add a window anymore.
          if (this.active === 0) return;
          await new Promise<void>((resolve) => this.waiting.push(resolve));
          continue;
        }
        this.active++;
        try {
          await read(id);
        } finally {
          this.active--;
          if (this.active === 0 && this.queue.length === 0) this.wakeAll();
        }
      }
    } catch (err) {
      this.queue.length = 0;
      if (!(err instanceof AbortedError)) this.failure ??= err;
      ctl.abort();
    } finally {
      signal.removeEventListener('abort', onAbort);
      // Counted down as it stops (synchronously), so two workers over the capacity do not both stop for one.
      this.loops--;
      this.wakeAll();
      if (this.loops === 0) {
        const stopped = this.stopped;
        this.running = undefined;
        this.stopped = undefined;
        stopped?.();
      }
    }
  }

  private wakeAll(): void {
    const waiting = this.waiting;
    this.waiting = [];
    for (const wake of waiting) wake();
  }
}
