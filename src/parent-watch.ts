/**
 * Noticing that the process that started us is gone. `npm run demo` does not pass SIGTERM on to its
 * script: when npm is killed, the script is re-parented (to PID 1 or a subreaper) and would run on
 * alone. A child that must not outlive its parent polls: its parent pid changed, or the original
 * parent no longer exists.
 */

export const PARENT_POLL_MS = 500;

/**
 * Whether the parent the process started under is gone: the current parent pid differs from the one
 * at start (re-parented), or signalling the original parent with 0 says it does not exist (ESRCH).
 * An EPERM answer means it exists (under another user).
 */
export function parentGone(startPpid: number, currentPpid: number, probe: (pid: number) => 'alive' | 'gone'): boolean {
  if (startPpid <= 1) return false; // started under init (a container's PID 1): there is no parent to outlive
  if (currentPpid !== startPpid) return true;
  return probe(startPpid) === 'gone';
}

function probePid(pid: number): 'alive' | 'gone' {
  try {
    process.kill(pid, 0);
    return 'alive';
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH' ? 'gone' : 'alive';
  }
}

/** Calls `onGone` once when the parent is gone; returns a function that stops watching. */
export function watchParent(onGone: (ppid: number) => void, intervalMs = PARENT_POLL_MS): () => void {
  const startPpid = process.ppid;
  const timer = setInterval(() => {
    if (!parentGone(startPpid, process.ppid, probePid)) return;
    clearInterval(timer);
    onGone(startPpid);
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
