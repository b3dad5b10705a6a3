/**
 * glibc's malloc settings: the receiver runs with the container image's (Dockerfile ENV) however it
 * is started. Each is a glibc tunable read once, when the process starts (mallopt(3),
 * https://man7.org/linux/man-pages/man3/mallopt.3.html; the environment variables are the
 * tunables' aliases), measured on the benchmark's backlogs (npm run bench):
 *
 * - MALLOC_ARENA_MAX=2. glibc gives each thread that allocates (V8's compiler and GC helpers,
 *   libuv's file-system pool) an arena of its own, up to 8 per core, and each keeps the memory it
 *   touched: peak RSS 5-15 MB higher CPU-bound with glibc's default ("glibc's default malloc
 *   arenas" row).
 * - MALLOC_MMAP_THRESHOLD_ and MALLOC_TRIM_THRESHOLD_ at 128 KiB, glibc's initial values, fixed. By
 *   default glibc raises both each time a block it had mapped on its own is freed (up to 32 MiB and
 *   64 MiB): from then on blocks of that size come from the arenas, and memory freed there is given
 *   back to the system only past the raised trim threshold. Setting either value turns that
 *   adjustment off (mallopt(3), M_MMAP_THRESHOLD): 5-6 MB less peak RSS at Asana's ceiling,
 *   2-3 MB CPU-bound, the CPU the same within the noise.
 *
 * A process started without them cannot take them afterwards: a command that processes events
 * restarts itself with the missing ones through process.execve
 * (https://nodejs.org/api/process.html#processexecvefile-args-env), before anything else is
 * loaded. The same process id, arguments, node options and standard streams; only the environment
 * gains them. Other file descriptors the parent passed are not kept (execve keeps only the standard
 * streams): a parent that talks to the receiver over one sets them itself.
 *
 * A value the user set (any value, empty included) is kept. Whoever sets a malloc tunable through
 * GLIBC_TUNABLES keeps glibc's settings as they are. Elsewhere than Linux, or where the process has
 * an IPC channel to its parent (which a new image would lose) or node has no process.execve, the
 * receiver goes on as it was started.
 */
export const MALLOC_ENV = {
  MALLOC_ARENA_MAX: '2',
  MALLOC_MMAP_THRESHOLD_: '131072',
  MALLOC_TRIM_THRESHOLD_: '131072',
} as const;

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

/** How to restart the process with the malloc settings it lacks, or undefined when it runs as it is (above). */
export function mallocRestart(p: ProcessStart): Restart | undefined {
  if (p.platform !== 'linux' || !p.canExec || p.hasIpcChannel) return undefined;
  if (/(^|:)glibc\.malloc\./.test(p.env['GLIBC_TUNABLES'] ?? '')) return undefined;
  const missing = Object.entries(MALLOC_ENV).filter(([k]) => p.env[k] === undefined);
  if (missing.length === 0) return undefined;
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(p.env)) if (v !== undefined) env[k] = v;
  for (const [k, v] of missing) env[k] = v;
  return { file: p.execPath, args: [p.execPath, ...p.execArgv, ...p.argv.slice(1)], env };
}

/**
 * Restarts this process with the malloc settings when mallocRestart says so: returns only when it
 * does not (or when execve failed: then the process goes on with glibc's defaults).
 */
export function applyMallocEnv(): void {
  const restart = mallocRestart({
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
    // execve(2) failed (the process state is unchanged): run with glibc's defaults.
  }
}
