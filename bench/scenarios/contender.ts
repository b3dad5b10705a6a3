/**
 * One measured process against its own servers: a simulated Asana domain (src/simulator/main.ts, or
 * another Asana stand-in such as bench/large-asana.ts) and a loopback OTLP sink (bench/sink.ts),
 * each a process of its own. Every scenario runs its contenders through runContender.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { MALLOC_ENV } from '../../src/malloc-env.ts';
import { built, cpuMsOf, getJson, startChild } from '../lib.ts';

/**
 * The environment the container image gives the receiver (Dockerfile ENV) that changes how it runs:
 * glibc's malloc settings (src/malloc-env.ts; test/unit/dockerfile.test.ts keeps the two in step).
 * The receiver is measured as the image runs it. Started without them, as outside the container, the
 * receiver restarts itself with them: the "outside" contender. With glibc's own defaults (8 arenas
 * per core, thresholds adjusted as it goes; the arenas set through GLIBC_TUNABLES, which the receiver
 * then leaves alone): a row for comparison.
 */
export const CONTAINER_MALLOC_ENV = MALLOC_ENV;
export const GLIBC_DEFAULT_ARENAS = 8 * availableParallelism();
export const GLIBC_DEFAULT_MALLOC_ENV = { GLIBC_TUNABLES: `glibc.malloc.arena_max=${GLIBC_DEFAULT_ARENAS}` } as const;
/** The CPU-bound backlog spans a week: long enough that the receiver backfills it in parallel time slices. */
export const SPAN_MS = 7 * 86_400_000;
/** No budget: as fast as the machine allows (Asana's 1,500/min would cap at 2,500 events/s). */
export const UNLIMITED_RPM = 600_000;

export type Contender = 'baseline' | 'receiver';
/** Every process the benchmark can measure against a simulator and a sink. */
export type Who = Contender | 'receiver-outside' | 'receiver-v8-defaults' | 'receiver-glibc-defaults' | 'sdk-batch';

export interface RunResult {
  events: number;
  wallMs: number;
  cpuMs: number;
  maxRssKb: number;
  received: number;
  distinct: number;
  requests?: number;
  rateLimited?: number;
  /** CPU the simulated Asana and the sink used while the contender ran (ms; NaN off Linux). */
  serversCpuMs: number;
  /** The receiver's JavaScript thread (bench/receiver.ts): its CPU, and its time waiting for a core (ms). */
  mainThreadCpuMs?: number;
  mainThreadWaitMs?: number;
}

export interface Setup {
  /** Arguments of the Asana stand-in. */
  simArgs: string[];
  /** The Asana stand-in (default the simulator); it prints {url, token, workspaceGid} and serves /_simulator/stats. */
  asana?: string;
  /** The backlog's span: both contenders start an hour before it. Default SPAN_MS. */
  spanMs?: number;
  /** The budget the receiver is configured with (the simulator enforces its own, if any). */
  rpm: number;
  sinkDelayMs?: number;
  /** Runs in the same servers after the contender, with its environment (the idle measurement). */
  after?: (env: Record<string, string>) => Promise<void>;
}

interface Sim {
  url: string;
  token: string;
  workspaceGid: string;
  statsUrl: string;
  /** CPU used so far by the simulator and the sink together (ms). */
  serversCpuMs: () => number;
}

async function withServers<T>(asana: string, simArgs: string[], sinkArgs: string[], fn: (sim: Sim, sinkUrl: string) => Promise<T>): Promise<T> {
  const sim = startChild(built(asana), simArgs);
  const sink = startChild(built('bench/sink.ts'), sinkArgs);
  try {
    const s = (await sim.firstLine) as { url: string; token: string; workspaceGid: string };
    const k = (await sink.firstLine) as { url: string };
    const serversCpuMs = () => cpuMsOf(sim.proc.pid) + cpuMsOf(sink.proc.pid);
    return await fn({ ...s, statsUrl: `${new URL(s.url).origin}/_simulator/stats`, serversCpuMs }, k.url);
  } finally {
    await Promise.all([sim.stop(), sink.stop()]);
  }
}

function receiverEnv(sim: Sim, sinkUrl: string, stateFile: string, startAt: string, rpm: number): Record<string, string> {
  return {
    ASANA_TOKEN: sim.token,
    ASANA_WORKSPACE_GID: sim.workspaceGid,
    ASANA_API_URL: sim.url,
    ASANA_STATE_FILE: stateFile,
    ASANA_START_AT: startAt,
    ASANA_MAX_REQUESTS_PER_MINUTE: String(rpm),
    OTEL_EXPORTER_OTLP_ENDPOINT: sinkUrl,
    LOG_LEVEL: 'warn',
  };
}

export async function runContender(who: Who, sc: Setup): Promise<RunResult> {
  const dir = await mkdtemp(join(tmpdir(), 'asana-otel-bench-'));
  const startAt = new Date(Date.now() - (sc.spanMs ?? SPAN_MS) - 3_600_000).toISOString();
  try {
    const sinkArgs = sc.sinkDelayMs ? ['--delay', String(sc.sinkDelayMs)] : [];
    return await withServers(sc.asana ?? 'src/simulator/main.ts', sc.simArgs, sinkArgs, async (sim, sinkUrl) => {
      let child;
      const serversCpu0 = sim.serversCpuMs();
      const env = receiverEnv(sim, sinkUrl, join(dir, 'state.json'), startAt, sc.rpm);
      if (who === 'receiver') child = startChild(built('bench/receiver.ts'), ['once'], { ...env, ...CONTAINER_MALLOC_ENV });
      else if (who === 'receiver-outside') child = startChild(built('bench/receiver.ts'), ['once'], env);
      else if (who === 'receiver-glibc-defaults') child = startChild(built('bench/receiver.ts'), ['once'], { ...env, ...GLIBC_DEFAULT_MALLOC_ENV });
      // Any heap option on the command line makes src/heap.ts leave V8's own heuristics alone.
      else if (who === 'receiver-v8-defaults') child = startChild(built('bench/receiver.ts'), ['once'], { ...env, ...CONTAINER_MALLOC_ENV }, ['--heap-growing-percent=0']);
      else {
        const mode = who === 'sdk-batch' ? 'sdk-batch' : 'serial';
        child = startChild(built('bench/baseline.ts'), ['--api', sim.url, '--token', sim.token, '--workspace', sim.workspaceGid, '--otlp', sinkUrl, '--start-at', startAt, '--mode', mode]);
      }
      const r = (await child.result) as { events: number; wallMs: number; cpuMs: number; maxRssKb: number; exitCode?: number; mainThreadCpuMs?: number; mainThreadWaitMs?: number };
      const serversCpuMs = sim.serversCpuMs() - serversCpu0;
      if (r.exitCode !== undefined && r.exitCode !== 0) throw new Error(`the receiver exited with ${r.exitCode}:\n${child.stderr().slice(-4000)}`);
      const sink = (await getJson(`${sinkUrl}/stats`)) as { records: number; distinct: number };
      const stats = (await getJson(sim.statsUrl)) as { requests: number; byStatus: Record<string, number> };
      if (sc.after) await sc.after(env);
      return { ...r, received: sink.records, distinct: sink.distinct, requests: stats.requests, rateLimited: stats.byStatus['429'] ?? 0, serversCpuMs };
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Every event of the backlog arrived at the sink (distinct log.record.uid values), or the run fails. */
export function check(r: RunResult, backlog: number, who: string): void {
  if (r.distinct !== backlog) throw new Error(`${who}: ${r.distinct} distinct events arrived, expected ${backlog}`);
}

export const rate = (x: RunResult): number => (x.events / x.wallMs) * 1000;
export const cpuPerK = (x: RunResult): number => x.cpuMs / (x.events / 1000);
export const rssMb = (x: RunResult): number => x.maxRssKb / 1024;

export function log(line: string): void {
  process.stderr.write(`${line}\n`);
}
