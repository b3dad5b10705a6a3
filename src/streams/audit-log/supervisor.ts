import { AbortedError } from '../../errors.ts';

/**
 * The backfill workers of one stream, beside its live tail: started together over the pending
 * windows, and stopped together. The first failure of a worker stops the whole stream (the tail
 * too) and is what the stream throws; a shutdown is not a failure.
 */
export class Supervisor {
  /** The workers, while some are running. */
  private running: Promise<void> | undefined;
  /** The first error of a worker. */
  private failure: unknown;

  /** Whether backfill workers are running. */
  get busy(): boolean {
    return this.running !== undefined;
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

  /** Starts `count` workers running `work`; a failure aborts `ctl`, which stops the others and the body. */
  start(ctl: AbortController, count: number, work: () => Promise<void>): void {
    if (this.running) return;
    this.running = Promise.all(Array.from({ length: count }, work)).then(
      () => {
        this.running = undefined;
      },
      (err: unknown) => {
        this.running = undefined;
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
}
