import { describe, expect, it } from 'vitest';
import { AbortedError } from '../../../../src/errors.ts';
import { admitsFetch, ByteBudget, PageQueue } from '../../../../src/streams/audit-log/page-queue.ts';

describe('PageQueue', () => {
  it('holds pages until removed, and makes the producer wait while it is full', async () => {
    const q = new PageQueue<number>(2, new AbortController().signal);
    q.push(1);
    q.push(2);
    let room = false;
    const waiting = q.waitForSpace().then(() => (room = true));
    await Promise.resolve();
    expect(room).toBe(false);
    expect(await q.peek()).toBe(1); // peek does not take it: it stays until its commit
    expect(await q.peek()).toBe(1);
    q.remove();
    await waiting;
    expect(room).toBe(true);
    expect(await q.peek()).toBe(2);
  });

  it('wakes a waiting consumer when a page arrives', async () => {
    const q = new PageQueue<string>(1, new AbortController().signal);
    const next = q.peek();
    q.push('page');
    expect(await next).toBe('page');
  });

  it('abort wakes the waiter with AbortedError, and later waits fail at once', async () => {
    const ctl = new AbortController();
    const q = new PageQueue<number>(1, ctl.signal);
    const next = q.peek();
    ctl.abort();
    await expect(next).rejects.toBeInstanceOf(AbortedError);
    q.push(1);
    await expect(q.waitForSpace()).rejects.toBeInstanceOf(AbortedError);
  });
});

describe('admitsFetch: the byte budget of a stream', () => {
  const MB = 1024 * 1024;
  it.each([
    { name: 'nothing held or fetched: one page gets through, however large', held: 0, fetching: 0, last: 500 * MB, expected: true },
    { name: 'no page size seen yet: a second fetch waits', held: 0, fetching: 1, last: undefined, expected: false },
    { name: 'small pages: many fetches at once', held: 1 * MB, fetching: 7, last: 130 * 1024, expected: true },
    { name: 'huge pages: a second one fits', held: 0, fetching: 1, last: 12 * MB, expected: true },
    { name: 'huge pages: a third one does not', held: 20 * MB, fetching: 1, last: 20 * MB, expected: false },
    { name: 'a huge page held: the next waits for its commit', held: 40 * MB, fetching: 0, last: 40 * MB, expected: false },
    { name: 'exactly at the budget', held: 16 * MB, fetching: 0, last: 16 * MB, expected: true },
  ])('$name', ({ held, fetching, last, expected }) => {
    expect(admitsFetch({ held, fetching, pageBytes: last, maxBytes: 32 * MB })).toBe(expected);
  });
});

describe('PageQueue with a byte budget', () => {
  const sizeOf = (n: number) => n;

  it('a huge page alone gets through; the next fetch waits for its removal', async () => {
    const budget = new ByteBudget(100);
    const q = new PageQueue<number>(2, new AbortController().signal, { budget, sizeOf });
    await q.waitForSpace();
    q.push(1_000);
    expect(budget.heldBytes).toBe(1_000);
    let admitted = false;
    const next = q.waitForSpace().then(() => (admitted = true));
    await new Promise((r) => setTimeout(r, 10));
    expect(admitted).toBe(false);
    expect(await q.peek()).toBe(1_000);
    q.remove();
    await next;
    expect(admitted).toBe(true);
    expect(budget.heldBytes).toBe(0);
  });

  it('another window waiting on the budget is woken by this window\'s commit', async () => {
    const budget = new ByteBudget(100);
    const signal = new AbortController().signal;
    const a = new PageQueue<number>(2, signal, { budget, sizeOf });
    const b = new PageQueue<number>(2, signal, { budget, sizeOf });
    await a.waitForSpace();
    a.push(80);
    let admitted = false;
    const waiting = b.waitForSpace().then(() => (admitted = true));
    await new Promise((r) => setTimeout(r, 10));
    expect(admitted).toBe(false);
    a.remove();
    await waiting;
    expect(admitted).toBe(true);
  });

  it('before any page size is known, one fetch per stream at a time', async () => {
    const budget = new ByteBudget(100);
    const signal = new AbortController().signal;
    const a = new PageQueue<number>(2, signal, { budget, sizeOf });
    const b = new PageQueue<number>(2, signal, { budget, sizeOf });
    await a.waitForSpace();
    let admitted = false;
    const waiting = b.waitForSpace().then(() => (admitted = true));
    await new Promise((r) => setTimeout(r, 10));
    expect(admitted).toBe(false);
    a.push(10); // a small page: now many fit
    await waiting;
    expect(admitted).toBe(true);
  });

  it('the consumer and the producer can wait at once (an empty queue over the budget): both are woken', async () => {
    const budget = new ByteBudget(100);
    const signal = new AbortController().signal;
    const other = new PageQueue<number>(2, signal, { budget, sizeOf });
    await other.waitForSpace();
    other.push(200);
    const q = new PageQueue<number>(2, signal, { budget, sizeOf });
    const page = q.peek();
    const room = q.waitForSpace();
    other.remove();
    await room;
    q.push(5);
    expect(await page).toBe(5);
  });

  it('a short page does not open the gate: fetches are counted at the largest recent page', async () => {
    const budget = new ByteBudget(100);
    const signal = new AbortController().signal;
    const a = new PageQueue<number>(2, signal, { budget, sizeOf });
    await a.waitForSpace();
    a.push(60);
    a.remove();
    await a.waitForSpace();
    a.push(5); // a window's short last page
    a.remove();
    await a.waitForSpace(); // one fetch in flight, counted at 60
    expect(budget.admits()).toBe(false); // 0 held + 2 x 60 > 100
  });

  it('abort gives the bytes held, and the fetch in flight, back to the budget', async () => {
    const budget = new ByteBudget(150);
    const ctl = new AbortController();
    const q = new PageQueue<number>(2, ctl.signal, { budget, sizeOf });
    await q.waitForSpace();
    q.push(70);
    await q.waitForSpace();
    expect(budget.admits()).toBe(false); // 70 held + 2 fetches x 70 > 150
    ctl.abort();
    expect(budget.heldBytes).toBe(0);
    expect(budget.admits()).toBe(true);
  });
});
