/**
 * The checkpoint file: versioned JSON, written atomically, guarded by a lock file.
 *
 *   { "version": 1, "streams": { "audit_log/123": StreamState, … } }
 *
 * Rules:
 * - A missing file is a first run. A file that cannot be read or understood stops start-up with an
 *   error naming the file and the fix; it is never silently replaced by an empty state, which would
 *   re-ship or skip an audit trail.
 * - commit() resolves only once the new content is durable: temp file in the same directory, write,
 *   fsync, rename over the file, fsync the directory. Writes are serialized; commits arriving during
 *   a write are grouped into the next one. Memory follows the file:
 *   a failed write leaves both the file and get() at the last durable value.
 * - `<file>.lock` (O_EXCL, JSON {pid, hostname, startedAt}) keeps a second process off the file. The
 *   holder touches it every LOCK_HEARTBEAT_MS; a lock is stale when its process is gone (same host),
 *   when it carries our own pid on our own host (a container restart reuses PID 1: it cannot be another
 *   live process), or when it has not been touched for LOCK_STALE_MS.
 */
import { randomBytes } from 'node:crypto';
import * as fsp from 'node:fs/promises';
import { hostname as osHostname } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { StateError } from '../errors.ts';
import type { StateStore, StreamState } from './types.ts';

/** The state file format this version reads and writes. */
export const STATE_VERSION = 1;
/** How often the lock holder refreshes the lock file's mtime. */
export const LOCK_HEARTBEAT_MS = 10_000;
/** A lock not refreshed for this long belongs to a dead or hung process (6 missed heartbeats). */
export const LOCK_STALE_MS = 60_000;

const FIX = 'run `asana-otel-receiver state reset --all` (every stream restarts at ASANA_START_AT) or restore a backup of the file';

/** The file operations the store uses; injectable so tests can make a write fail. */
export interface StateFileHandle {
  writeFile(data: string, encoding: 'utf8'): Promise<void>;
  sync(): Promise<void>;
  close(): Promise<void>;
}
export interface StateFs {
  readFile(path: string): Promise<string>;
  /** flags: 'wx' (create exclusively) or 'r' (a directory, to fsync it). */
  open(path: string, flags: 'wx' | 'r'): Promise<StateFileHandle>;
  rename(from: string, to: string): Promise<void>;
  mkdir(path: string): Promise<void>;
  unlink(path: string): Promise<void>;
  stat(path: string): Promise<{ mtimeMs: number }>;
  utimes(path: string, time: Date): Promise<void>;
  readdir(path: string): Promise<string[]>;
  copyFile(from: string, to: string): Promise<void>;
}

export const nodeStateFs: StateFs = {
  readFile: (p) => fsp.readFile(p, 'utf8'),
  open: (p, flags) => fsp.open(p, flags),
  rename: (a, b) => fsp.rename(a, b),
  mkdir: async (p) => {
    await fsp.mkdir(p, { recursive: true });
  },
  unlink: (p) => fsp.unlink(p),
  stat: (p) => fsp.stat(p),
  utimes: (p, t) => fsp.utimes(p, t, t),
  readdir: (p) => fsp.readdir(p),
  copyFile: (a, b) => fsp.copyFile(a, b),
};

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
}

interface LockInfo {
  pid: number;
  hostname: string;
  startedAt: string;
}

/** Lock files this process holds (resolved paths): a second open in the same process is refused too. */
const heldHere = new Set<string>();

export async function openFileStateStore(path: string, opts: FileStateStoreOptions = {}): Promise<StateStore> {
  const ctx = context(path, opts);
  const lock = opts.lock === false ? undefined : await acquireLock(ctx);
  try {
    const streams = await readStateFile(ctx);
    if (lock) await removeLeftoverTemps(ctx);
    return new FileStateStore(ctx, streams, lock);
  } catch (err) {
    if (lock) await releaseLock(ctx, lock);
    throw err;
  }
}

/**
 * `state reset --all`: replaces the file with an empty state under the lock, even when the file is
 * corrupt (the one way out of ERR_STATE_CORRUPT besides a backup). A corrupt file is kept next to it
 * as `<file>.corrupt-<time>` for inspection. Returns the keys that were forgotten.
 */
export async function resetFileState(
  path: string,
  opts: FileStateStoreOptions = {},
): Promise<{ removed: string[]; corruptCopy?: string }> {
  const ctx = context(path, opts);
  const lock = opts.lock === false ? undefined : await acquireLock(ctx);
  try {
    let removed: string[] = [];
    let corruptCopy: string | undefined;
    try {
      removed = [...(await readStateFile(ctx)).keys()];
    } catch (err) {
      if (!(err instanceof StateError) || err.code !== 'ERR_STATE_CORRUPT') throw err;
      corruptCopy = `${ctx.path}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      try {
        await ctx.fs.copyFile(ctx.path, corruptCopy);
      } catch (copyErr) {
        throw new StateError('ERR_STATE_WRITE', `cannot keep a copy of the corrupt state file ${ctx.path} at ${corruptCopy} (${describe(copyErr)})`, {
          cause: copyErr,
        });
      }
    }
    await writeStateFile(ctx, new Map());
    return corruptCopy === undefined ? { removed } : { removed, corruptCopy };
  } finally {
    if (lock) await releaseLock(ctx, lock);
  }
}

// --- `validate` (issue 4) ---

/**
 * `validate`: could a receiver use this state file right now? Takes the lock exactly as a receiver
 * would — a live receiver's lock is reported (ERR_STATE_LOCKED), never broken; a stale one is taken
 * over as `run` would — reads and checks the file, then creates, writes, fsyncs and removes a probe
 * file next to it: the directory operations every commit needs (a probe left by a crash carries the
 * temp-file prefix, so the next start removes it). The state itself is not changed.
 */
export async function checkFileState(path: string, opts: FileStateStoreOptions = {}): Promise<{ exists: boolean; streams: number }> {
  const ctx = context(path, opts);
  const lock = await acquireLock(ctx);
  try {
    const streams = await readStateFile(ctx);
    const exists = await ctx.fs.stat(ctx.path).then(
      () => true,
      () => false,
    );
    const probe = join(ctx.dir, `${tempPrefix(ctx)}validate-${process.pid}-${randomBytes(4).toString('hex')}`);
    try {
      const fh = await ctx.fs.open(probe, 'wx');
      try {
        await fh.writeFile('asana-otel-receiver validate\n', 'utf8');
        await fh.sync();
      } finally {
        await fh.close().catch(() => undefined);
      }
    } catch (err) {
      throw new StateError('ERR_STATE_WRITE', `cannot write next to state file ${path} (${describe(err)}): make its directory writable by this user, or point ASANA_STATE_FILE elsewhere`, {
        cause: err,
      });
    } finally {
      await ctx.fs.unlink(probe).catch(() => undefined);
    }
    return { exists, streams: streams.size };
  } finally {
    await releaseLock(ctx, lock);
  }
}

// ---------------------------------------------------------------------------------------------

interface Ctx {
  path: string;
  dir: string;
  lockPath: string;
  fs: StateFs;
  onWarning: (message: string) => void;
  heartbeatMs: number;
  staleAfterMs: number;
}

function context(path: string, opts: FileStateStoreOptions): Ctx {
  return {
    path,
    dir: dirname(path),
    lockPath: `${path}.lock`,
    fs: { ...nodeStateFs, ...opts.fs },
    onWarning: opts.onWarning ?? ((message) => process.emitWarning(message, { code: 'ASANA_OTEL_STATE' })),
    heartbeatMs: opts.heartbeatMs ?? LOCK_HEARTBEAT_MS,
    staleAfterMs: opts.staleAfterMs ?? LOCK_STALE_MS,
  };
}

class FileStateStore implements StateStore {
  readonly path: string;
  private readonly ctx: Ctx;
  /** The last durable content: replaced only after a write succeeded. */
  private streams: Map<string, StreamState>;
  private readonly lock: LockInfo | undefined;
  private readonly heartbeat: NodeJS.Timeout | undefined;
  /** Set when the heartbeat finds the lock file gone or someone else's: commits stop. */
  private lockLost: string | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  /** Commits waiting for the next write (see commit). */
  private openBatch: { changes: Map<string, StreamState>; done: Promise<void> } | undefined;
  private closed = false;

  constructor(ctx: Ctx, streams: Map<string, StreamState>, lock: LockInfo | undefined) {
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
        await writeStateFile(this.ctx, next);
        this.streams = next;
      });
      batch = { changes, done };
      this.openBatch = batch;
    }
    batch.changes.set(key, structuredClone(state));
    return batch.done;
  }

  delete(key: string): Promise<boolean> {
    this.openBatch = undefined; // a commit after the delete must not be written before it
    return this.enqueue(async () => {
      if (!this.streams.has(key)) return false;
      const next = new Map(this.streams);
      next.delete(key);
      await writeStateFile(this.ctx, next);
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

  private async touchLock(lock: LockInfo): Promise<void> {
    if (this.lockLost !== undefined || this.closed) return;
    const { fs, lockPath } = this.ctx;
    try {
      const current = parseLock(await fs.readFile(lockPath));
      if (this.closed) return; // released meanwhile
      if (!current || current.pid !== lock.pid || current.hostname !== lock.hostname || current.startedAt !== lock.startedAt) {
        const who = current ? `pid ${current.pid} on host ${current.hostname}` : 'an unreadable lock';
        this.lockLost = `lost the lock on state file ${this.path}: ${lockPath} now belongs to ${who}; stopping commits so two processes never write one file`;
        this.ctx.onWarning(this.lockLost);
        return;
      }
      await fs.utimes(lockPath, new Date());
    } catch (err) {
      if (this.closed) return;
      if (errCode(err) === 'ENOENT') {
        this.lockLost = `lost the lock on state file ${this.path}: ${lockPath} was deleted; stopping commits so two processes never write one file`;
        this.ctx.onWarning(this.lockLost);
        return;
      }
      this.ctx.onWarning(`cannot refresh the lock file ${lockPath} (${describe(err)}); after ${this.ctx.staleAfterMs / 1000} s another process may take it over`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Reading and writing

const filtersSchema = z.looseObject({
  eventType: z.string().optional(),
  actorType: z.string().optional(),
  actorGid: z.string().optional(),
  resourceGid: z.string().optional(),
});

const windowStateSchema = z.looseObject({
  startAt: z.string().min(1),
  endAt: z.string().min(1),
  offset: z.string().optional(),
  offsetStartAt: z.string().optional(),
  lastEventAt: z.string().optional(),
  lastEventGid: z.string().optional(),
  lastEventGids: z.array(z.string()).optional(),
  eventsShipped: z.number().int().nonnegative(),
});

/**
 * Checks what the receiver relies on; unknown fields pass through and are written back unchanged.
 * That is also what keeps version 1 readable by releases older than a field: `caughtUpAt` and
 * `backfill` (issue 5) are optional, an older receiver follows the live tail's cursor and writes
 * the pending backfill windows back untouched, and a newer one resumes them.
 */
const streamStateSchema = z.looseObject({
  stream: z.string().min(1),
  workspaceGid: z.string().min(1),
  filters: filtersSchema,
  offset: z.string().optional(),
  startAt: z.string().optional(),
  lastEventAt: z.string().optional(),
  lastEventGid: z.string().optional(),
  lastEventGids: z.array(z.string()).optional(),
  sync: z.string().optional(),
  syncAt: z.string().optional(),
  resourceGid: z.string().optional(),
  caughtUpAt: z.string().optional(),
  shippedWindow: z.object({ since: z.string(), gids: z.record(z.string(), z.number()) }).optional(),
  eventsShipped: z.number().int().nonnegative(),
  updatedAt: z.string(),
  backfill: z.array(windowStateSchema).optional(),
});

const stateFileSchema = z.object({
  version: z.literal(STATE_VERSION),
  streams: z.record(z.string(), streamStateSchema),
});

async function readStateFile(ctx: Ctx): Promise<Map<string, StreamState>> {
  let text: string;
  try {
    text = await ctx.fs.readFile(ctx.path);
  } catch (err) {
    if (errCode(err) === 'ENOENT') return new Map(); // first run
    throw new StateError(
      'ERR_STATE_READ',
      `cannot read state file ${ctx.path} (${describe(err)}): make it readable by this user, or point ASANA_STATE_FILE at the right file; the receiver does not start over without it`,
      { cause: err },
    );
  }
  const corrupt = (what: string, cause?: unknown) =>
    new StateError('ERR_STATE_CORRUPT', `state file ${ctx.path} is not a valid checkpoint (${what}); the receiver will not start over on its own: ${FIX}`, {
      cause,
    });
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw corrupt(text.trim() === '' ? 'the file is empty' : `bad JSON: ${describe(err)}`, err);
  }
  const version = (data as { version?: unknown } | null)?.version;
  if (typeof version === 'number' && Number.isInteger(version) && version > STATE_VERSION) {
    throw new StateError(
      'ERR_STATE_CORRUPT',
      `state file ${ctx.path} has version ${version}, written by a newer asana-otel-receiver; this one reads version ${STATE_VERSION}: upgrade, or ${FIX}`,
    );
  }
  const parsed = stateFileSchema.safeParse(data);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, 3)
      .map((i) => `${i.path.length ? i.path.map(String).join('.') : 'top level'}: ${i.message}`)
      .join('; ');
    throw corrupt(`wrong shape: ${issues}`, parsed.error);
  }
  return new Map(Object.entries(parsed.data.streams) as Array<[string, StreamState]>);
}

/** Temp files are `<name>.tmp-<pid>-<random>` next to the state file: rename needs one filesystem. */
function tempPrefix(ctx: Ctx): string {
  return `${basename(ctx.path)}.tmp-`;
}

async function writeStateFile(ctx: Ctx, streams: Map<string, StreamState>): Promise<void> {
  const sorted = Object.fromEntries([...streams].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const text = `${JSON.stringify({ version: STATE_VERSION, streams: sorted }, null, 2)}\n`;
  const { fs, dir, path } = ctx;
  const tmp = join(dir, `${tempPrefix(ctx)}${process.pid}-${randomBytes(4).toString('hex')}`);
  let step = 'create a temporary file';
  try {
    let fh: StateFileHandle;
    try {
      fh = await fs.open(tmp, 'wx');
    } catch (err) {
      // The directory is created on the first write, or again if it was removed meanwhile; not
      // before every write (a recursive mkdir is several system calls, and writes come page after page).
      if (errCode(err) !== 'ENOENT') throw err;
      step = 'create its directory';
      await fs.mkdir(dir);
      step = 'create a temporary file';
      fh = await fs.open(tmp, 'wx');
    }
    step = 'write the temporary file';
    try {
      await fh.writeFile(text, 'utf8');
      await fh.sync();
    } catch (err) {
      await fh.close().catch(() => undefined);
      throw err;
    }
    await fh.close();
    step = 'rename the temporary file over it';
    await fs.rename(tmp, path);
  } catch (err) {
    await fs.unlink(tmp).catch(() => undefined);
    throw new StateError('ERR_STATE_WRITE', `cannot write state file ${path} (${step}: ${describe(err)}); the previous checkpoint is unchanged`, {
      cause: err,
    });
  }
  try {
    await fsyncDir(ctx);
  } catch (err) {
    throw new StateError('ERR_STATE_WRITE', `state file ${path} was replaced but its directory could not be synced (${describe(err)}); the new checkpoint may not survive a crash`, {
      cause: err,
    });
  }
}

/** Makes the rename durable. Some platforms cannot fsync a directory; there it is skipped. */
async function fsyncDir(ctx: Ctx): Promise<void> {
  let fh: StateFileHandle;
  try {
    fh = await ctx.fs.open(ctx.dir, 'r');
  } catch (err) {
    if (['EISDIR', 'EPERM', 'EACCES'].includes(errCode(err) ?? '')) return;
    throw err;
  }
  try {
    await fh.sync();
  } catch (err) {
    if (!['EINVAL', 'ENOTSUP', 'EBADF', 'EPERM'].includes(errCode(err) ?? '')) throw err;
  } finally {
    await fh.close().catch(() => undefined);
  }
}

/** Temp files left by a crash between write and rename. Only under the lock: nobody else is writing. */
async function removeLeftoverTemps(ctx: Ctx): Promise<void> {
  let names: string[];
  try {
    names = await ctx.fs.readdir(ctx.dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (name.startsWith(tempPrefix(ctx))) await ctx.fs.unlink(join(ctx.dir, name)).catch(() => undefined);
  }
}

// ---------------------------------------------------------------------------------------------
// The lock

function parseLock(text: string): LockInfo | undefined {
  try {
    const v = JSON.parse(text) as Partial<LockInfo> | null;
    // pid must be a positive integer: process.kill(0 or negative) addresses process groups.
    if (v && Number.isSafeInteger(v.pid) && (v.pid as number) > 0 && typeof v.hostname === 'string') {
      return { pid: v.pid as number, hostname: v.hostname, startedAt: typeof v.startedAt === 'string' ? v.startedAt : '?' };
    }
  } catch {
    // unreadable: judged by its age alone
  }
  return undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return errCode(err) !== 'ESRCH'; // EPERM: it exists, it just is not ours
  }
}

type Verdict = { kind: 'gone' } | { kind: 'held'; message: string } | { kind: 'stale'; message: string };

async function judgeLock(ctx: Ctx): Promise<Verdict> {
  const { fs, lockPath, path } = ctx;
  let text: string;
  let mtimeMs: number;
  try {
    text = await fs.readFile(lockPath);
    mtimeMs = (await fs.stat(lockPath)).mtimeMs;
  } catch (err) {
    if (errCode(err) === 'ENOENT') return { kind: 'gone' };
    throw new StateError('ERR_STATE_LOCKED', `state file ${path} is locked (${lockPath}) and the lock cannot be read (${describe(err)})`, { cause: err });
  }
  const ageMs = Date.now() - mtimeMs;
  const ageText = `last refreshed ${Math.round(ageMs / 1000)} s ago`;
  const info = parseLock(text);
  const host = osHostname();
  if (info === undefined) {
    if (ageMs > ctx.staleAfterMs) return { kind: 'stale', message: `took over the unreadable lock ${lockPath} (${ageText})` };
    return {
      kind: 'held',
      message: `state file ${path} is locked by ${lockPath}, which is unreadable (${ageText}; another receiver may be starting). If no receiver uses this file, delete the lock file`,
    };
  }
  const who = `pid ${info.pid} on host ${info.hostname}, started ${info.startedAt}`;
  if (info.hostname === host && info.pid === process.pid && heldHere.has(resolve(lockPath))) {
    return { kind: 'held', message: `state file ${path} is already open in this process (${lockPath}); close the other store first` };
  }
  if (info.hostname === host && info.pid === process.pid) {
    return { kind: 'stale', message: `took over the lock ${lockPath} of ${who}: that is this process's own pid, so its holder is gone (e.g. a container restart reusing the pid)` };
  }
  if (info.hostname === host && !isAlive(info.pid)) {
    return { kind: 'stale', message: `took over the lock ${lockPath} of ${who}: that process no longer exists` };
  }
  if (ageMs > ctx.staleAfterMs) {
    return { kind: 'stale', message: `took over the lock ${lockPath} of ${who}: ${ageText}, so its holder is gone or hung` };
  }
  return {
    kind: 'held',
    message: `state file ${path} is in use by another asana-otel-receiver (${who}; lock ${lockPath}, ${ageText}). Two processes must not share one state file: stop the other one or give this one its own ASANA_STATE_FILE`,
  };
}

async function acquireLock(ctx: Ctx): Promise<LockInfo> {
  const { fs, lockPath, path } = ctx;
  const mine: LockInfo = { pid: process.pid, hostname: osHostname(), startedAt: new Date().toISOString() };
  try {
    await fs.mkdir(ctx.dir);
  } catch (err) {
    throw new StateError('ERR_STATE_WRITE', `cannot create the directory of state file ${path} (${describe(err)}): point ASANA_STATE_FILE at a path this user can write`, { cause: err });
  }
  // A few rounds: between judging a lock stale and creating ours, another process may have won.
  for (let round = 0; round < 3; round++) {
    let fh: StateFileHandle;
    try {
      fh = await fs.open(lockPath, 'wx');
    } catch (err) {
      if (errCode(err) !== 'EEXIST') {
        throw new StateError('ERR_STATE_WRITE', `cannot create the lock file ${lockPath} for state file ${path} (${describe(err)}): make the directory writable by this user, or point ASANA_STATE_FILE elsewhere`, { cause: err });
      }
      const verdict = await judgeLock(ctx);
      if (verdict.kind === 'held') throw new StateError('ERR_STATE_LOCKED', verdict.message);
      if (verdict.kind === 'stale') {
        ctx.onWarning(verdict.message);
        await fs.unlink(lockPath).catch((e: unknown) => {
          if (errCode(e) !== 'ENOENT') throw new StateError('ERR_STATE_LOCKED', `cannot remove the stale lock ${lockPath} (${describe(e)})`, { cause: e });
        });
      }
      continue;
    }
    try {
      await fh.writeFile(`${JSON.stringify(mine)}\n`, 'utf8');
      await fh.sync();
      await fh.close();
    } catch (err) {
      await fh.close().catch(() => undefined);
      await fs.unlink(lockPath).catch(() => undefined);
      throw new StateError('ERR_STATE_WRITE', `cannot write the lock file ${lockPath} (${describe(err)})`, { cause: err });
    }
    heldHere.add(resolve(lockPath));
    return mine;
  }
  throw new StateError('ERR_STATE_LOCKED', `state file ${path}: another process keeps taking the lock ${lockPath}; is a second receiver starting?`);
}

/** Removes the lock file if it is still ours. */
async function releaseLock(ctx: Ctx, lock: LockInfo): Promise<void> {
  heldHere.delete(resolve(ctx.lockPath));
  try {
    const current = parseLock(await ctx.fs.readFile(ctx.lockPath));
    if (current && current.pid === lock.pid && current.hostname === lock.hostname && current.startedAt === lock.startedAt) {
      await ctx.fs.unlink(ctx.lockPath);
    }
  } catch (err) {
    if (errCode(err) !== 'ENOENT') ctx.onWarning(`cannot remove the lock file ${ctx.lockPath} (${describe(err)}); it turns stale after ${ctx.staleAfterMs / 1000} s`);
  }
}

// ---------------------------------------------------------------------------------------------

function errCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
