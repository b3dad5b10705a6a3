/** Process plumbing for the benchmark: children that print JSON lines, medians, formatting. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { statCpuMs } from './thread-times.ts';

/** The repository (the directory of package.json), wherever this file was compiled to. */
export const ROOT = ((): string => {
  let dir = import.meta.dirname;
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  return dir;
})();

/** Where build() puts the compiled receiver, baseline, simulator and sink. */
export const BUILD = join(ROOT, 'bench/.build');

/**
 * Compiles src/ and bench/ to JavaScript (tsconfig.bench.json), the way `npm run build` compiles the
 * shipped receiver: what is measured is what users run (`node dist/cli.js`), not Node's TypeScript
 * type stripping, which costs some 30 MB of memory on its own.
 */
export function build(): void {
  const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.bench.json')], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('tsc -p tsconfig.bench.json failed');
  // src/version.ts reads ../package.json, as dist/version.js does.
  copyFileSync(join(ROOT, 'package.json'), join(BUILD, 'package.json'));
}

/** The compiled form of a .ts file of this repository, e.g. built('bench/sink.ts'). */
export function built(script: string): string {
  return join(BUILD, script.replace(/\.ts$/, '.js'));
}

export interface Child {
  proc: ChildProcess;
  /** Resolves with the first JSON line the child prints. */
  firstLine: Promise<Record<string, unknown>>;
  /** Resolves with the last JSON line printed before exit; rejects on a non-zero exit. */
  result: Promise<Record<string, unknown>>;
  stderr: () => string;
  stop: () => Promise<void>;
}

/** Runs `node <script> ...args` on this Node (24), collecting its JSON lines and its stderr. */
export function startChild(script: string, args: string[], env: Record<string, string> = {}, nodeArgs: string[] = []): Child {
  const proc = spawn(process.execPath, [...nodeArgs, resolve(ROOT, script), ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  proc.stderr!.on('data', (c: Buffer) => {
    err += c.toString('utf8');
    if (err.length > 200_000) err = err.slice(-100_000);
  });
  const lines: Array<Record<string, unknown>> = [];
  let resolveFirst: (v: Record<string, unknown>) => void;
  let rejectFirst: (e: Error) => void;
  const firstLine = new Promise<Record<string, unknown>>((res, rej) => {
    resolveFirst = res;
    rejectFirst = rej;
  });
  createInterface({ input: proc.stdout! }).on('line', (line) => {
    if (process.env.BENCH_ECHO_STDOUT && !line.startsWith('{')) process.stderr.write(`${line}\n`);
    try {
      const v = JSON.parse(line) as Record<string, unknown>;
      lines.push(v);
      if (lines.length === 1) resolveFirst(v);
    } catch {
      // not ours
    }
  });
  const exited = once(proc, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const result = exited.then(([code, signal]) => {
    const last = lines.at(-1);
    if (code !== 0 || !last) {
      const why = `${script} exited with ${code ?? signal}`;
      rejectFirst(new Error(why));
      throw new Error(`${why}\n${err.slice(-4000)}`);
    }
    return last;
  });
  result.catch(() => undefined);
  firstLine.catch(() => undefined);
  return {
    proc,
    firstLine,
    result,
    stderr: () => err,
    stop: async () => {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGTERM');
        await exited;
      }
    },
  };
}

/** CPU time (user + system, ms) a running child has used so far, from /proc (Linux); NaN elsewhere. */
export function cpuMsOf(pid: number | undefined): number {
  return statCpuMs(`/proc/${pid}/stat`);
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  if (n === 0) return Number.NaN;
  return n % 2 ? (s[(n - 1) / 2] as number) : ((s[n / 2 - 1] as number) + (s[n / 2] as number)) / 2;
}

export async function getJson(url: string): Promise<Record<string, unknown>> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url}: ${res.status}`);
  return (await res.json()) as Record<string, unknown>;
}

export function fmt(n: number, digits = 0): string {
  if (!Number.isFinite(n)) return '–';
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}
