import { AbortedError } from '../../errors.ts';

/**
 * Encoded request bodies one stream holds in flight at most, across all of its windows: pages
 * fetched ahead and waiting for their export, and the one being exported. Pages of ordinary events
 * (~130 KB each) never reach it and PIPELINE_DEPTH alone bounds them; pages of huge events (100
 * events of 200 KB: 20 MB a page) do, and then fewer windows read ahead at once. A page larger than
 * the budget still gets through, alone.
 */
export const STREAM_BYTE_BUDGET = 32 * 1024 * 1024;

/** A fetch in flight is counted at the largest of this many recent page sizes. */
export const PAGE_SIZES_REMEMBERED = 16;

/**
 * The bytes a stream's queues hold, shared by them (one per window read at once), and the rule
 * that admits another fetch. A page's size is known only once it was fetched, so a fetch is
 * counted at the largest size of the recent pages (a window's short last page says nothing about
 * the next window's); before any page was seen, one fetch runs alone.
 */
export class ByteBudget {
  readonly maxBytes: number;
  private held = 0;
  private fetching = 0;
  private readonly recentPageBytes: number[] = [];
  private readonly listeners = new Set<() => void>();

  constructor(maxBytes = STREAM_BYTE_BUDGET) {
    this.maxBytes = maxBytes;
  }

  /** Bytes held in queues now (tests, logs). */
  get heldBytes(): number {
    return this.held;
  }

  /** May another fetch start now? */
  admits(): boolean {
    const pageBytes = this.recentPageBytes.length === 0 ? undefined : Math.max(...this.recentPageBytes);
    return admitsFetch({ held: this.held, fetching: this.fetching, pageBytes, maxBytes: this.maxBytes });
  }

  /** Calls `wake` whenever bytes are given back (a queue waiting for room re-checks then). */
  subscribe(wake: () => void): () => void {
    this.listeners.add(wake);
    return () => this.listeners.delete(wake);
  }

  startFetch(): void {
    this.fetching++;
  }

  /** A fetch ended: with the size of the page it brought into a queue, or without a page (undefined). */
  endFetch(pageBytes?: number): void {
    this.fetching = Math.max(0, this.fetching - 1);
    this.hold(pageBytes);
    this.notify();
  }

  /** A page of `pageBytes` entered a queue (undefined: not a page, no size seen). */
  hold(pageBytes: number | undefined): void {
    if (pageBytes === undefined) return;
    this.held += pageBytes;
    this.recentPageBytes.push(pageBytes);
    if (this.recentPageBytes.length > PAGE_SIZES_REMEMBERED) this.recentPageBytes.shift();
  }

  release(bytes: number): void {
    if (bytes <= 0) return;
    this.held = Math.max(0, this.held - bytes);
    this.notify();
  }

  private notify(): void {
    for (const wake of [...this.listeners]) wake();
  }
}

/**
 * Whether another fetch may start: always when the stream holds nothing and fetches nothing (one
 * page gets through however large); before any page size is known, only then; otherwise when the
 * bytes held plus every fetch in flight, this one included, at the expected page size fit the budget.
 */
export function admitsFetch(s: { held: number; fetching: number; pageBytes: number | undefined; maxBytes: number }): boolean {
  if (s.held === 0 && s.fetching === 0) return true;
  if (s.pageBytes === undefined) return false;
  return s.held + (s.fetching + 1) * s.pageBytes <= s.maxBytes;
}

export interface PageQueueOptions<T> {
  /** The stream's byte budget, shared by its queues; without one only `capacity` bounds the queue. */
  budget?: ByteBudget;
  /**
   * This queue may always fetch a page while it holds none (the live tail: a backfill window slow
   * to answer, or holding the budget, must not keep it from staying fresh).
   */
  firstPageAlways?: boolean;
  /** An item's bytes for the budget: a page's encoded body (0 when not encoded ahead); undefined for an item that is no page. */
  sizeOf?: (item: T) => number | undefined;
}

/**
 * The pages between one cursor's fetcher and its exporter: at most `capacity`, and within the
 * stream's byte budget, kept until their commit (peek, then remove), so the fetcher waits while the
 * collector is slow. One producer, one consumer. Abort wakes every waiter with AbortedError and
 * gives the bytes held back to the budget (pages not committed are dropped: they are re-read).
 */
export class PageQueue<T> {
  private readonly items: Array<{ item: T; bytes: number | undefined }> = [];
  private readonly capacity: number;
  private readonly signal: AbortSignal;
  private readonly budget: ByteBudget | undefined;
  private readonly sizeOf: (item: T) => number | undefined;
  private readonly waiters = new Set<() => void>();
  /** The producer passed waitForSpace and has not pushed since: a fetch in flight. */
  private fetching = false;
  private readonly firstPageAlways: boolean;

  constructor(capacity: number, signal: AbortSignal, opts: PageQueueOptions<T> = {}) {
    this.capacity = capacity;
    this.signal = signal;
    this.budget = opts.budget;
    this.sizeOf = opts.sizeOf ?? (() => undefined);
    this.firstPageAlways = opts.firstPageAlways ?? false;
    const unsubscribe = this.budget?.subscribe(() => this.notify());
    signal.addEventListener(
      'abort',
      () => {
        unsubscribe?.();
        this.endFetch();
        for (const { bytes } of this.items) this.budget?.release(bytes ?? 0);
        this.items.length = 0;
        this.notify();
      },
      { once: true },
    );
  }

  push(item: T): void {
    if (this.signal.aborted) return; // dropped: nothing of it is committed
    const bytes = this.budget ? this.sizeOf(item) : undefined;
    this.items.push({ item, bytes });
    if (this.fetching) this.endFetch(bytes);
    else this.budget?.hold(bytes);
    this.notify();
  }

  remove(): void {
    const first = this.items.shift();
    if (first) this.budget?.release(first.bytes ?? 0);
    this.notify();
  }

  async peek(): Promise<T> {
    while (this.items.length === 0) await this.wait();
    return (this.items[0] as { item: T }).item;
  }

  /** Waits until the producer may fetch another page; the fetch counts against the budget until its push. */
  async waitForSpace(): Promise<void> {
    if (this.signal.aborted) throw new AbortedError();
    this.endFetch(); // a fetch that brought nothing (the producer asks again)
    while (this.items.length >= this.capacity || !this.admitted()) await this.wait();
    if (this.budget) {
      this.fetching = true;
      this.budget.startFetch();
    }
  }

  private admitted(): boolean {
    if (this.budget === undefined) return true;
    return (this.firstPageAlways && this.items.length === 0) || this.budget.admits();
  }

  private endFetch(bytes?: number): void {
    if (!this.fetching) return;
    this.fetching = false;
    this.budget?.endFetch(bytes);
  }

  private async wait(): Promise<void> {
    if (this.signal.aborted) throw new AbortedError();
    await new Promise<void>((resolve) => this.waiters.add(resolve));
    if (this.signal.aborted) throw new AbortedError();
  }

  private notify(): void {
    const waiting = [...this.waiters];
    this.waiters.clear();
    for (const wake of waiting) wake();
  }
}
