/**
 * Whether a lock file found in place may be taken over. A pure function of what was observed.
 *
 * The holder is identified by a random instance id, not by hostname and pid: two containers on one
 * state volume can share both (the same hostname, PID 1 in two PID namespaces). A lock is taken over
 * when its heartbeat is stale (not refreshed for staleAfterMs), and before that only when the holder
 * provably is gone: it ran in this very PID namespace (same boot, same namespace id), and its pid no
 * longer exists there, or is this process's own pid (a process in our namespace with our pid is us,
 * and this process does not hold the lock). A PID namespace id belongs to one namespace while it
 * lives, so a holder in another container never compares as ours. Without those ids (another
 * kernel, a lock written by an older release) only the heartbeat decides.
 */

/** The content of a lock file. */
export interface LockOwner {
  /** Random, new for every lock taken: tells two holders apart whatever their pid and hostname. */
  instance: string;
  pid: number;
  hostname: string;
  startedAt: string;
  /** Linux: /proc/sys/kernel/random/boot_id. */
  bootId?: string;
  /** Linux: the target of /proc/self/ns/pid, e.g. "pid:[4026531836]". */
  pidNamespace?: string;
}

/** Where this process runs, as a lock file records it. */
export type Whereabouts = Pick<LockOwner, 'pid' | 'hostname' | 'bootId' | 'pidNamespace'>;

export interface LockObservation {
  /** The lock file's content; undefined when it cannot be parsed (a holder still writing it, or damage). */
  owner: LockOwner | undefined;
  /** Time since the lock file was last touched (its heartbeat). */
  ageMs: number;
  /** This process already holds this lock (another store on the same file). */
  heldHere: boolean;
  /** Where this process runs. */
  self: Whereabouts;
  /** Whether a pid exists in this process's PID namespace (asked only when the holder ran there). */
  pidExists: (pid: number) => boolean;
  staleAfterMs: number;
  /** For messages. */
  path: string;
  lockPath: string;
}

export type LockDecision = { kind: 'held'; message: string } | { kind: 'take-over'; message: string };

export function decideLock(o: LockObservation): LockDecision {
  const { owner, ageMs, path, lockPath } = o;
  const ageText = `last refreshed ${Math.round(ageMs / 1000)} s ago`;
  const stale = ageMs > o.staleAfterMs;
  if (o.heldHere) return { kind: 'held', message: `state file ${path} is already open in this process (${lockPath}); close the other store first` };
  if (owner === undefined) {
    if (stale) return { kind: 'take-over', message: `took over the unreadable lock ${lockPath} (${ageText})` };
    return {
      kind: 'held',
      message: `state file ${path} is locked by ${lockPath}, which is unreadable (${ageText}; another receiver may be starting). If no receiver uses this file, delete the lock file`,
    };
  }
  const who = `pid ${owner.pid} on host ${owner.hostname}, instance ${owner.instance}, started ${owner.startedAt}`;
  if (stale) return { kind: 'take-over', message: `took over the lock ${lockPath} of ${who}: ${ageText}, so its holder is gone or hung` };
  if (sameNamespace(owner, o.self)) {
    if (owner.pid === o.self.pid) {
      return { kind: 'take-over', message: `took over the lock ${lockPath} of ${who}: that is this process's own pid in the same PID namespace, so its holder is gone` };
    }
    if (!o.pidExists(owner.pid)) return { kind: 'take-over', message: `took over the lock ${lockPath} of ${who}: that process no longer exists` };
  }
  return {
    kind: 'held',
    message: `state file ${path} is in use by another asana-otel-receiver (${who}; lock ${lockPath}, ${ageText}). Two processes must not share one state file: stop the other one or give this one its own ASANA_STATE_FILE`,
  };
}

/** The holder ran in this process's PID namespace: its pid means the same process here. */
function sameNamespace(owner: LockOwner, self: Whereabouts): boolean {
  return (
    owner.hostname === self.hostname &&
    owner.bootId !== undefined &&
    owner.pidNamespace !== undefined &&
    owner.bootId === self.bootId &&
    owner.pidNamespace === self.pidNamespace
  );
}

/** A lock file's content, or undefined when it is not one this release (or an older one) wrote. */
export function parseLockOwner(text: string): LockOwner | undefined {
  let v: Partial<Record<keyof LockOwner, unknown>> | null;
  try {
    v = JSON.parse(text) as Partial<Record<keyof LockOwner, unknown>> | null;
  } catch {
    return undefined; // unreadable: judged by its age alone
  }
  if (!v || typeof v !== 'object') return undefined;
  // pid must be a positive integer: process.kill(0 or negative) addresses process groups.
  if (!Number.isSafeInteger(v.pid) || (v.pid as number) <= 0 || typeof v.hostname !== 'string') return undefined;
  const owner: LockOwner = {
    // A lock of a release before instance ids: no instance can match it, so it is never taken for ours.
    instance: typeof v.instance === 'string' ? v.instance : '?',
    pid: v.pid as number,
    hostname: v.hostname,
    startedAt: typeof v.startedAt === 'string' ? v.startedAt : '?',
  };
  if (typeof v.bootId === 'string') owner.bootId = v.bootId;
  if (typeof v.pidNamespace === 'string') owner.pidNamespace = v.pidNamespace;
  return owner;
}
