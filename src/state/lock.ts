/**
 * `<file>.lock` keeps a second process off a state file. It is created with O_EXCL and holds a
 * LockOwner as JSON; the holder touches it every heartbeat, and whoever finds it in place asks
 * decideLock whether it may be taken over. The lock lives beside the path as configured (a link's
 * name, not its target): the path is what the receivers sharing a volume are configured with.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, readlinkSync } from 'node:fs';
import { hostname as osHostname } from 'node:os';
import { dirname, resolve } from 'node:path';
import { StateError } from '../errors.ts';
import { describe, errCode, type StateFileHandle, type StateFs } from './fs.ts';
import { decideLock, parseLockOwner, type LockOwner, type Whereabouts } from './lock-decision.ts';

/** How often the lock holder refreshes the lock file's mtime. */
export const LOCK_HEARTBEAT_MS = 10_000;
/** A lock not refreshed for this long belongs to a dead or hung process (6 missed heartbeats). */
export const LOCK_STALE_MS = 60_000;

export interface LockContext {
  path: string;
  lockPath: string;
  fs: StateFs;
  onWarning: (message: string) => void;
  staleAfterMs: number;
  /** Where this process runs; tests may claim another identity. */
  self: Whereabouts;
}

/** Lock files this process holds (resolved paths): a second open in the same process is refused too. */
const heldHere = new Set<string>();

let whereabouts: Whereabouts | undefined;
/** This process's pid, hostname and (on Linux) boot and PID-namespace ids. */
export function ownWhereabouts(): Whereabouts {
  if (whereabouts === undefined) {
    whereabouts = { pid: process.pid, hostname: osHostname() };
    const bootId = attempt(() => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim());
    const pidNamespace = attempt(() => readlinkSync('/proc/self/ns/pid'));
    if (bootId) whereabouts.bootId = bootId;
    if (pidNamespace) whereabouts.pidNamespace = pidNamespace;
  }
  return whereabouts;
}

function attempt(fn: () => string): string | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}

function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return errCode(err) !== 'ESRCH'; // EPERM: it exists, it just is not ours
  }
}

export async function acquireLock(ctx: LockContext): Promise<LockOwner> {
  const { fs, lockPath, path } = ctx;
  const mine: LockOwner = { instance: randomUUID(), ...ctx.self, startedAt: new Date().toISOString() };
  try {
    await fs.mkdir(dirname(lockPath));
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
      const decision = await judgeLock(ctx);
      if (decision === 'gone') continue;
      if (decision.kind === 'held') throw new StateError('ERR_STATE_LOCKED', decision.message);
      ctx.onWarning(decision.message);
      await fs.unlink(lockPath).catch((e: unknown) => {
        if (errCode(e) !== 'ENOENT') throw new StateError('ERR_STATE_LOCKED', `cannot remove the stale lock ${lockPath} (${describe(e)})`, { cause: e });
      });
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

async function judgeLock(ctx: LockContext): Promise<ReturnType<typeof decideLock> | 'gone'> {
  const { fs, lockPath, path } = ctx;
  let text: string;
  let mtimeMs: number;
  try {
    text = await fs.readFile(lockPath);
    mtimeMs = (await fs.stat(lockPath)).mtimeMs;
  } catch (err) {
    if (errCode(err) === 'ENOENT') return 'gone';
    throw new StateError('ERR_STATE_LOCKED', `state file ${path} is locked (${lockPath}) and the lock cannot be read (${describe(err)})`, { cause: err });
  }
  return decideLock({
    owner: parseLockOwner(text),
    ageMs: Date.now() - mtimeMs,
    heldHere: heldHere.has(resolve(lockPath)),
    self: ctx.self,
    pidExists,
    staleAfterMs: ctx.staleAfterMs,
    path,
    lockPath,
  });
}

/** What a heartbeat found: the lock refreshed, or why it is no longer ours (commits must stop). */
export type HeartbeatOutcome = { kind: 'refreshed' } | { kind: 'lost'; message: string } | { kind: 'failed'; message: string };

/** Refreshes the lock's mtime if the lock file still carries `lock`'s instance. */
export async function heartbeat(ctx: LockContext, lock: LockOwner): Promise<HeartbeatOutcome> {
  const { fs, lockPath, path } = ctx;
  try {
    const current = parseLockOwner(await fs.readFile(lockPath));
    if (current?.instance !== lock.instance) {
      const who = current ? `pid ${current.pid} on host ${current.hostname}, instance ${current.instance}` : 'an unreadable lock';
      return { kind: 'lost', message: `lost the lock on state file ${path}: ${lockPath} now belongs to ${who}; stopping commits so two processes never write one file` };
    }
    await fs.utimes(lockPath, new Date());
    return { kind: 'refreshed' };
  } catch (err) {
    if (errCode(err) === 'ENOENT') {
      return { kind: 'lost', message: `lost the lock on state file ${path}: ${lockPath} was deleted; stopping commits so two processes never write one file` };
    }
    return { kind: 'failed', message: `cannot refresh the lock file ${lockPath} (${describe(err)}); after ${ctx.staleAfterMs / 1000} s another process may take it over` };
  }
}

/** Removes the lock file if it is still ours. */
export async function releaseLock(ctx: LockContext, lock: LockOwner): Promise<void> {
  heldHere.delete(resolve(ctx.lockPath));
  try {
    const current = parseLockOwner(await ctx.fs.readFile(ctx.lockPath));
    if (current?.instance === lock.instance) await ctx.fs.unlink(ctx.lockPath);
  } catch (err) {
    if (errCode(err) !== 'ENOENT') ctx.onWarning(`cannot remove the lock file ${ctx.lockPath} (${describe(err)}); it turns stale after ${ctx.staleAfterMs / 1000} s`);
  }
}
