import { AbortedError } from '../../errors.ts';

/**
 * The backfill workers of one stream, beside its live tail, and the queue of windows they take,
 * oldest first. Windows can be added while the workers run (a split, split.ts): a worker that finds
 * the queue empty waits for one, until no window is being read anymore; then every worker stops.
 * The first failure of a worker stops the whole stream (the tail too) and is what the stream
 * throws; a shutdown is not a failure.
 */
export class Supervisor {
  private readonly workers: number;
  private readonly queue: string[] = [];
  /** Windows being read now. */
  private active = 0;
  /** Wakes the workers waiting for a window. */
  private waiting: Array<() => void> = [];
  /** The workers, while some are running. */
  private running: Promise<void> | undefined;
  /** The first error of a worker. */
  private failure: unknown;

  /** `workers`: how many windows are read at once, beside the live tail. */
  constructor(workers: number) {
    this.workers = Math.max(0, Math.floor(workers));
  }

  /** Whether backfill workers are running. */
  get busy(): boolean {
    return this.running !== undefined;
  }

  /** Workers that would take a new window now: not reading one, and none queued for them. */
  get idle(): number {
    return Math.max(0, this.workers - this.active - this.queue.length);
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
   * Queues `windows` (their ids) and starts the workers if they are not running; each runs `read`
   * on one window at a time. A failure aborts `ctl`, which stops the others and the body.
   */
  start(ctl: AbortController, windows: readonly string[], read: (id: string) => Promise<void>): void {
    this.queue.push(...windows.filter((id) => !this.queue.includes(id)));
    this.wakeAll();
    if (this.running || this.workers === 0 || this.queue.length === 0) return;
    this.running = Promise.all(Array.from({ length: this.workers }, () => this.work(ctl.signal, read))).then(
      () => {
        this.running = undefined;
      },
      (err: unknown) => {
        this.running = undefined;
        this.queue.length = 0;
        if (!(err instanceof AbortedError)) this.failure ??= err;
        ctl.abort();
      },
    );
  }

  /** Waits for the workers to finish; throws the first failure, if one stopped them. */
  async settled(): Promise<void> {
    await this.running;
    if (this.failure !== undefined) throw this.failure;
  }

  private async work(signal: AbortSignal, read: (id: string) => Promise<void>): Promise<void> {
    const onAbort = () => this.wakeAll();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      for (;;) {
        if (signal.aborted) throw new AbortedError();
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
    } finally {
      signal.removeEventListener('abort', onAbort);
      this.wakeAll();
    }
  }

  private wakeAll(): void {
    const waiting = this.waiting;
    this.waiting = [];
    for (const wake of waiting) wake();
  }
}
