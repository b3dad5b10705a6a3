/**
 * glibc's malloc arenas: the receiver runs with MALLOC_ARENA_MAX=2 however it is started, as the
 * container image sets it (Dockerfile ENV).
 *
 * glibc gives each thread that allocates (V8's compiler and GC helpers, libuv's file-system pool)
 * an arena of its own, up to 8 per core, and each keeps the memory it touched: on the benchmark's
 * CPU-bound backlog the receiver's peak RSS is 5-15 MB higher with glibc's default than with two
 * (npm run bench, "glibc's default malloc arenas" row). glibc reads MALLOC_ARENA_MAX once, when the
 * process starts (mallopt(3), M_ARENA_MAX; the environment variable is its tunable), so a process
 * started without it cannot take it afterwards: a command that processes events restarts itself
 * with it through process.execve (https://nodejs.org/api/process.html#processexecvefile-args-env),
 * before anything else is loaded. The same process id, arguments, node options and standard
 * streams; only the environment gains MALLOC_ARENA_MAX. Other file descriptors the parent passed
 * are not kept (execve keeps only the standard streams): a parent that talks to the receiver over
 * one sets MALLOC_ARENA_MAX itself.
 *
 * Whoever sets MALLOC_ARENA_MAX themselves (any value; glibc's own default is 8 per core) keeps
 * it. Elsewhere than Linux, or where the process has an IPC channel to its parent (which a new
 * image would lose) or node has no process.execve, the receiver goes on as it was started.
 */
export const MALLOC_ARENA_MAX = '2';

export interface ProcessStart {
  platform: string;
  env: Readonly<Record<string, string | undefined>>;
  execPath: string;
  execArgv: readonly string[];
  /** process.argv: node's path, the script, then the command's arguments. */
  argv: readonly string[];
  /** Whether node has process.execve. */
  canExec: boolean;
  /** Whether the process talks to its parent over an IPC channel (child_process.fork). */
  hasIpcChannel: boolean;
}

export interface Restart {
  file: string;
  args: string[];
  env: Record<string, string>;
}

/** How to restart the process with MALLOC_ARENA_MAX, or undefined when it runs as it is (above). */
export function arenaRestart(p: ProcessStart): Restart | undefined {
  if (p.platform !== 'linux' || !p.canExec || p.hasIpcChannel) return undefined;
  if (p.env['MALLOC_ARENA_MAX'] !== undefined) return undefined;
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(p.env)) if (v !== undefined) env[k] = v;
  env['MALLOC_ARENA_MAX'] = MALLOC_ARENA_MAX;
  return { file: p.execPath, args: [p.execPath, ...p.execArgv, ...p.argv.slice(1)], env };
}

/**
 * Restarts this process with MALLOC_ARENA_MAX when arenaRestart says so: returns only when it does
 * not (or when execve failed: then the process goes on with glibc's default arenas).
 */
export function limitMallocArenas(): void {
  const restart = arenaRestart({
    platform: process.platform,
    env: process.env,
    execPath: process.execPath,
    execArgv: process.execArgv,
    argv: process.argv,
    canExec: typeof process.execve === 'function',
    hasIpcChannel: process.channel !== undefined,
  });
  if (!restart) return;
  try {
    process.execve!(restart.file, restart.args, restart.env);
  } catch {
    // execve(2) failed (the process state is unchanged): run with glibc's default arenas.
  }
}
