import { describe, expect, it } from 'vitest';
import { AbortedError } from '../../../../src/errors.ts';
import { PageQueue } from '../../../../src/streams/audit-log/page-queue.ts';

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
