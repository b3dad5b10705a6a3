/**
 * Per-thread times of a process, from /proc (Linux). A module of its own, with nothing but node:fs:
 * the measured receiver imports it, and must not load more than it would anyway.
 */
import { readFileSync } from 'node:fs';

/** CPU time (user + system, ms) in a /proc stat file: a process's (/proc/PID/stat) or a thread's; NaN when unreadable. */
export function statCpuMs(path: string): number {
  try {
    const fields = readFileSync(path, 'utf8').split(') ')[1]!.split(' ');
    // utime and stime are fields 14 and 15 of the stat file, in clock ticks (100 per second on Linux).
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return Number.NaN;
  }
}

/**
 * One thread's CPU time and the time it spent runnable but waiting for a core (ms), from
 * /proc/PID/task/TID/stat and schedstat (Linux, with scheduler statistics); NaN elsewhere. The main
 * thread of a process has TID = PID.
 */
export function threadTimesOf(pid: number, tid = pid): { cpuMs: number; waitMs: number } {
  const cpuMs = statCpuMs(`/proc/${pid}/task/${tid}/stat`);
  try {
    // schedstat: time on a CPU, time waiting on a run queue (both ns), timeslices run.
    const waitNs = Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[1]);
    return { cpuMs, waitMs: waitNs / 1e6 };
  } catch {
    return { cpuMs, waitMs: Number.NaN };
  }
}
