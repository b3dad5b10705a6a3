/**
 * The checkpoint store over one state file (state-file.ts), guarded by a lock (lock.ts).
 *
 * Rules:
 * - commit() resolves only once the new content is durable (atomic-write.ts). Writes are
 *   serialized; commits arriving during a write are grouped into the next one. Memory follows the
 *   file: a failed write leaves both the file and get() at the last durable value.
 * - A store that finds its lock gone or someone else's (heartbeat) stops committing.
 */
import { StateError } from '../errors.ts';
import { removeLeftoverTemps } from './atomic-write.ts';
import { nodeStateFs, type StateFs } from './fs.ts';
import { acquireLock, heartbeat, LOCK_HEARTBEAT_MS, LOCK_STALE_MS, ownWhereabouts, releaseLock, type LockContext } from './lock.ts';
import type { LockOwner, Whereabouts } from './lock-decision.ts';
import type { StreamState } from './schema.ts';
import { readStateFile, writeStateFile } from './state-file.ts';
import type { StateStore } from './types.ts';

export interface FileStateStoreOptions {
  /** Take the lock (default true). false is for read-only commands such as `state show`. */
  lock?: boolean;
  /** Lock taken over, lock lost, heartbeat failed. Default: process.emitWarning. */
  onWarning?: (message: string) => void;
  /** Replace some file operations (tests). */
  fs?: Partial<StateFs>;
  /** Tests only. */
  heartbeatMs?: number;
  /** Tests only. */
  staleAfterMs?: number;
  /** Tests only: claim another pid, hostname or namespace in the lock (two "containers" on one machine). */
  identity?: Partial<Whereabouts>;
}

export interface StoreContext extends LockContext {
  heartbeatMs: number;
}

export function storeContext(path: string, opts: FileStateStoreOptions): StoreContext {
  return {
    path,
    lockPath: `${path}.lock`,
    fs: { ...nodeStateFs, ...opts.fs },
    onWarning: opts.onWarning ?? ((message) => process.emitWarning(message, { code: 'ASANA_OTEL_STATE' })),
    heartbeatMs: opts.heartbeatMs ?? LOCK_HEARTBEAT_MS,
    staleAfterMs: opts.staleAfterMs ?? LOCK_STALE_MS,
    self: { ...ownWhereabouts(), ...opts.identity },
  };
}

export async function openFileStateStore(path: string, opts: FileStateStoreOptions = {}): Promise<StateStore> {
  const ctx = storeContext(path, opts);
  const lock = opts.lock === false ? undefined : await acquireLock(ctx);
  try {
    const streams = await readStateFile(ctx.fs, ctx.path);
    if (lock) await removeLeftoverTemps(ctx.fs, ctx.path);
    return new FileStateStore(ctx, streams, lock);
  } catch (err) {
    if (lock) await releaseLock(ctx, lock);
    throw err;
  }
}

class FileStateStore implements StateStore {
  readonly path: string;
  private readonly ctx: StoreContext;
  /** The last durable content: replaced only after a write succeeded. */
  private streams: Map<string, StreamState>;
  private readonly lock: LockOwner | undefined;
  private readonly heartbeat: NodeJS.Timeout | undefined;
  /** Set when the heartbeat finds the lock file gone or someone else's: commits stop. */
  private lockLost: string | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  /** Commits waiting for the next write (see commit). */
  private openBatch: { changes: Map<string, StreamState>; done: Promise<void> } | undefined;
  private closed = false;

  constructor(ctx: StoreContext, streams: Map<string, StreamState>, lock: LockOwner | undefined) {
    this.path = ctx.path;
    this.ctx = ctx;
    this.streams = streams;
    this.lock = lock;
    if (lock) {
      this.heartbeat = setInterval(() => void this.touchLock(lock), ctx.heartbeatMs);
      this.heartbeat.unref();
    }
  }

  get(key: string): StreamState | undefined {
    const s = this.streams.get(key);
    return s === undefined ? undefined : structuredClone(s);
  }

  entries(): Array<[string, StreamState]> {
    return [...this.streams].map(([k, s]) => [k, structuredClone(s)]);
  }

  /**
   * Group commit: commits made while an earlier write is still running are written together by the
   * next one (the newest state per key), and each resolves once that write is durable. Many time
   * slices committing page after page then cost one temp-file-fsync-rename per write, not per page.
   */
  commit(key: string, state: StreamState): Promise<void> {
    let batch = this.openBatch;
    if (batch === undefined) {
      const changes = new Map<string, StreamState>();
      const done = this.enqueue(async () => {
        // From here on, new commits wait for the next write.
        if (this.openBatch?.changes === changes) this.openBatch = undefined;
        const next = new Map(this.streams);
        for (const [k, v] of changes) next.set(k, v);
        await writeStateFile(this.ctx.fs, this.path, next);
        this.streams = next;
      });
      batch = { changes, done };
      this.openBatch = batch;
    }
    batch.changes.set(key, state);
    return batch.done;
  }

  delete(key: string): Promise<boolean> {
    this.openBatch = undefined; // a commit after the delete must not be written before it
    return this.enqueue(async () => {
      if (!this.streams.has(key)) return false;
      const next = new Map(this.streams);
      next.delete(key);
      await writeStateFile(this.ctx.fs, this.path, next);
      this.streams = next;
      return true;
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    await this.queue;
    if (this.lock && this.lockLost === undefined) await releaseLock(this.ctx, this.lock);
  }

  /** Runs writes one at a time: several streams commit concurrently. */
  private enqueue<T>(fn: () => Promise<T>): Promise<T> {
    const run = async (): Promise<T> => {
      if (this.closed) throw new StateError('ERR_STATE_WRITE', `state file ${this.path}: the store is closed`);
      if (this.lockLost !== undefined) throw new StateError('ERR_STATE_LOCKED', this.lockLost);
      return fn();
    };
    const p = this.queue.then(run);
    this.queue = p.catch(() => undefined);
    return p;
  }

  private async touchLock(lock: LockOwner): Promise<void> {
    if (this.lockLost !== undefined || this.closed) return;
    const outcome = await heartbeat(this.ctx, lock);
    if (this.closed || outcome.kind === 'refreshed') return; // closed: released meanwhile
    if (outcome.kind === 'lost') this.lockLost = outcome.message;
    this.ctx.onWarning(outcome.message);
  }
}
