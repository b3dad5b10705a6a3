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

  it('without workers (one slice: the tail alone) nothing starts', async () => {
    const pool = new Supervisor(0);
    expect(pool.idle).toBe(0);
    await pool.supervise(new AbortController().signal, async (ctl) => {
      pool.start(ctl, ['a'], async () => undefined);
      expect(pool.busy).toBe(false);
    });
  });
});
