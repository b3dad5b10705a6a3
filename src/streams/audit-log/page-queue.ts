import { AbortedError } from '../../errors.ts';

/**
 * The pages between one cursor's fetcher and its exporter: at most `capacity`, kept until their
 * commit (peek, then remove), so the fetcher waits while the collector is slow. One producer, one
 * consumer: only one of them can be waiting at a time. Abort wakes the waiter with AbortedError.
 */
export class PageQueue<T> {
  private readonly items: T[] = [];
  private readonly capacity: number;
  private readonly signal: AbortSignal;
  private wake: (() => void) | undefined;

  constructor(capacity: number, signal: AbortSignal) {
    this.capacity = capacity;
    this.signal = signal;
    signal.addEventListener('abort', () => this.notify(), { once: true });
  }

  push(item: T): void {
    this.items.push(item);
    this.notify();
  }

  remove(): void {
    this.items.shift();
    this.notify();
  }

  async peek(): Promise<T> {
    while (this.items.length === 0) await this.wait();
    return this.items[0] as T;
  }

  async waitForSpace(): Promise<void> {
    while (this.items.length >= this.capacity) await this.wait();
  }

  private async wait(): Promise<void> {
    if (this.signal.aborted) throw new AbortedError();
    await new Promise<void>((resolve) => {
      this.wake = resolve;
    });
    if (this.signal.aborted) throw new AbortedError();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
