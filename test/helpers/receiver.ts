import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { loadConfig, type Config } from '../../src/config/index.ts';
import { createLogger, type Logger } from '../../src/log.ts';
import { Receiver, type ReceiverDeps } from '../../src/receiver.ts';
import type { AsanaSimulator } from '../../src/simulator/index.ts';
import type { OtlpCollector } from './otlp-collector.ts';

export const ROOT = resolve(import.meta.dirname, '../..');
export const CLI = join(ROOT, 'src/cli.ts');

export async function tempStateFile(): Promise<string> {
  return join(await mkdtemp(join(tmpdir(), 'asana-otel-test-')), 'state.json');
}

/** The environment a user would set, pointed at the simulator and the loopback collector. */
export function envFor(sim: AsanaSimulator, collector: OtlpCollector, stateFile: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ASANA_TOKEN: sim.token,
    ASANA_WORKSPACE_GID: sim.workspaceGid,
    ASANA_API_URL: sim.url,
    ASANA_STATE_FILE: stateFile,
    ASANA_START_AT: '7d',
    ASANA_POLL_INTERVAL: '1s',
    // The simulator is local: a generous budget keeps tests fast. Budget pacing has its own tests.
    ASANA_MAX_REQUESTS_PER_MINUTE: '60000',
    OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
    // A free loopback port: tests run side by side, and 13133 may be a real collector's.
    ASANA_HEALTH_ADDR: '127.0.0.1:0',
    ...extra,
  };
}

export function configFor(sim: AsanaSimulator, collector: OtlpCollector, stateFile: string, extra: Record<string, string> = {}): Config {
  return loadConfig(envFor(sim, collector, stateFile, extra));
}

/** A logger whose output the test can read. */
export function captureLogger(level: 'debug' | 'info' | 'warn' | 'error' = 'info'): { log: Logger; lines: () => string[] } {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c.toString('utf8')));
  const log = createLogger({ level, format: 'json', stream });
  return { log, lines: () => chunks.join('').split('\n').filter(Boolean) };
}

/** Tiny retry delays for tests that drive failures (the real schedule has its own unit tests). */
export const fastBackoff = (attempt: number): number => Math.min(50 * attempt, 200);

/** `once` in-process: create, catch up, close. Resolves with the records shipped. */
export async function runOnce(config: Config, log: Logger, deps: ReceiverDeps = { backoff: fastBackoff }): Promise<number> {
  const receiver = await Receiver.create(config, log, deps);
  try {
    return await receiver.once(new AbortController().signal);
  } finally {
    await receiver.close();
  }
}

export interface CliRun {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** The real CLI in a child process on this Node (24, from the pinned devDependency). */
export function spawnCli(args: string[], env: Record<string, string>): CliRun {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr!.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, stdout: () => out, stderr: () => err, exit };
}

/** Polls `check` until true or the deadline; the test fails with `what` on timeout. */
export async function waitFor(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
