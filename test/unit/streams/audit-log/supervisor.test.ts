import { describe, expect, it } from 'vitest';
import { Supervisor } from '../../../../src/streams/audit-log/supervisor.ts';

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('Supervisor: a worker pool that takes windows added while it runs', () => {
  it('idle workers wait for windows a running one adds (a split), and all stop once none is read', async () => {
    const pool = new Supervisor(3);
    const read: string[] = [];
    let release!: () => void;
    const splitting = new Promise<void>((r) => (release = r));
    await pool.supervise(new AbortController().signal, async (ctl) => {
      expect(pool.idle).toBe(3);
      const work = async (id: string) => {
        read.push(id);
        if (id === 'a') {
          await splitting; // still reading 'a' while the others found the queue empty
          pool.start(ctl, ['a2', 'a3'], work);
        }
      };
      pool.start(ctl, ['a'], work);
      await tick();
      expect(pool.busy).toBe(true); // the two idle workers wait: 'a' may still be split
      expect(pool.idle).toBe(2);
      release();
      await pool.settled();
    });
    expect(read).toEqual(['a', 'a2', 'a3']);
    expect(pool.busy).toBe(false);
  });

  it('queued windows count against the idle workers', async () => {
    const pool = new Supervisor(2);
    await pool.supervise(new AbortController().signal, async (ctl) => {
      let done!: () => void;
      const blocked = new Promise<void>((r) => (done = r));
      pool.start(ctl, ['a', 'b', 'c'], () => blocked);
      await tick();
      expect(pool.idle).toBe(0); // two being read, one waiting for a worker
      done();
      await pool.settled();
    });
  });

  it('the first failure stops the other workers and is what supervise throws', async () => {
    const pool = new Supervisor(2);
    const boom = new Error('boom');
    await expect(
      pool.supervise(new AbortController().signal, async (ctl) => {
        pool.start(ctl, ['a', 'b'], async (id) => {
          if (id === 'a') throw boom;
          await new Promise((_, reject) => ctl.signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true }));
        });
        await pool.settled();
      }),
    ).rejects.toBe(boom);
    expect(pool.busy).toBe(false);
  });

  it('without workers (one slice: the tail alone) nothing starts while the tail reads', async () => {
    const pool = new Supervisor(0);
    expect(pool.idle).toBe(0);
    await pool.supervise(new AbortController().signal, async (ctl) => {
      pool.start(ctl, ['a'], async () => undefined);
      expect(pool.busy).toBe(false);
    });
  });

  /** Reads that block until released, and how many were in progress at most. */
  function blockingReads() {
    const releases = new Map<string, () => void>();
    let inProgress = 0;
    let most = 0;
    const started: string[] = [];
    const read = (id: string) =>
      new Promise<void>((resolve) => {
        started.push(id);
        most = Math.max(most, ++inProgress);
        releases.set(id, () => {
          inProgress--;
          resolve();
        });
      });
    return { read, started, most: () => most, release: (id: string) => releases.get(id)?.() };
  }

  it('the live tail lends its slice while it does not read: one window more is read at once', async () => {
    const pool = new Supervisor(2);
    const r = blockingReads();
    await pool.supervise(new AbortController().signal, async (ctl) => {
      pool.start(ctl, ['a', 'b', 'c', 'd'], r.read);
      await tick();
      expect(r.started).toEqual(['a', 'b']);
      expect(pool.idle).toBe(0);
      pool.lendTailSlice();
      await tick();
      expect(r.started).toEqual(['a', 'b', 'c']); // the lent slice took the next window at once
      expect(pool.capacity).toBe(3);
      for (const id of ['a', 'b', 'c', 'd']) {
        r.release(id);
        await tick();
      }
      await pool.settled();
    });
    expect(r.most()).toBe(3);
  });

  it('taken back, the lent slice finishes its window and takes no other', async () => {
    const pool = new Supervisor(1);
    const r = blockingReads();
    await pool.supervise(new AbortController().signal, async (ctl) => {
      pool.lendTailSlice();
      pool.start(ctl, ['a', 'b', 'c', 'd'], r.read);
      await tick();
      expect(r.started).toEqual(['a', 'b']);
      pool.reclaimTailSlice(); // the tail polls again
      expect(pool.idle).toBe(0);
      r.release('a');
      await tick();
      expect(r.started).toEqual(['a', 'b']); // 'a' was not cut off, and its worker stopped after it
      r.release('b');
      await tick();
      expect(r.started).toEqual(['a', 'b', 'c']); // one window at a time again
      r.release('c');
      await tick();
      r.release('d');
      await pool.settled();
    });
    expect(r.started).toEqual(['a', 'b', 'c', 'd']);
    expect(r.most()).toBe(2);
    expect(pool.busy).toBe(false);
  });

  it('a lent slice counts as an idle worker, for splits, while no window waits for it', async () => {
    const pool = new Supervisor(1);
    const r = blockingReads();
    await pool.supervise(new AbortController().signal, async (ctl) => {
      pool.start(ctl, ['a'], r.read);
      await tick();
      expect(pool.idle).toBe(0);
      pool.lendTailSlice();
      await tick();
      expect(pool.idle).toBe(1); // waiting for a split of 'a'
      pool.start(ctl, ['a2'], r.read);
      await tick();
      expect(r.started).toEqual(['a', 'a2']);
      r.release('a');
      r.release('a2');
      await pool.settled();
    });
    expect(pool.busy).toBe(false);
  });
});

