/**
 * `node bench/memory.ts`: where the receiver's resident memory goes. Every figure is the peak RSS
 * (getrusage maxRSS) of a process of its own, reported by a preloaded probe (bench/rss-probe.ts) when
 * the process exits; medians over --runs processes.
 *
 *   node bench/memory.ts [--runs 3] [--backlog 100000] [--only startup,marginal,ceiling,cpu]
 *                        [--flags] [--no-write]
 *
 * Rows:
 *   startup    bare node; each runtime dependency imported alone (as src/ imports it); all of them;
 *              `cli.js --help`; the receiver's module graph loaded (what `once` imports, nothing run)
 *   marginal   all runtime dependencies but one: what leaving that one out of the start-up saves
 *   ceiling    `cli.js once` over a simulated backlog at Asana's ceiling (1,500 requests/min, 150 ms
 *              per call), as `node dist/cli.js` runs it: started without the malloc settings
 *              (outside the container: it restarts itself with them, src/malloc-env.ts), with
 *              glibc's default malloc settings (8 arenas per core, kept) and with the container image's
 *   cpu        the same backlog with no latency and no budget (CPU-bound), with glibc's default malloc
 *              settings and with the container image's
 *   --flags    also the module graph and the ceiling/cpu runs under V8 flags (memory vs CPU);
 *              --flag-set NAME,NAME picks some of them
 *   --cli FILE measure another compiled cli.js (a scratch copy of bench/.build/src with a change in
 *              it; keep it inside the repository so node_modules resolves); --no-build skips tsc
 * The receiver is compiled first (tsconfig.bench.json), as `npm run build` compiles dist/.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { build, built, fmt, median, ROOT, startChild } from './lib.ts';
import { CONTAINER_MALLOC_ENV, GLIBC_DEFAULT_ARENAS, GLIBC_DEFAULT_MALLOC_ENV } from './scenarios/contender.ts';

const { values: opts } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    backlog: { type: 'string', default: '100000' },
    only: { type: 'string', default: 'startup,marginal,ceiling,cpu' },
    flags: { type: 'boolean', default: false },
    'flag-set': { type: 'string' },
    cli: { type: 'string' },
    'no-build': { type: 'boolean', default: false },
    'no-write': { type: 'boolean', default: false },
  },
});
const RUNS = Number(opts.runs);
const BACKLOG = Number(opts.backlog);
const ONLY = new Set(opts.only.split(','));
const ASANA_RPM = 1500;
const LATENCY_MS = 150;
const SPAN_MS = 7 * 86_400_000;
/** src/heap.ts's settings: a heap option on the command line turns them off, so flag rows repeat them. */
const HEAP_TS = ['--semi-space-growth-factor=1', '--heap-growing-percent=50'];

/** Each runtime dependency as src/ loads it (src/undici.ts requires two of undici's modules directly). */
const DEPS: Record<string, string> = {
  winston: `await import('winston');`,
  valibot: `await import('valibot');`,
  yaml: `createRequire(import.meta.url)('yaml');`,
  'undici Agent': `{ const r = createRequire(import.meta.url); r('undici/lib/dispatcher/agent.js'); r('undici/lib/api/api-request.js'); }`,
  '@opentelemetry/api': `await import('@opentelemetry/api');`,
  '@opentelemetry/core': `await import('@opentelemetry/core');`,
  '@opentelemetry/resources': `await import('@opentelemetry/resources');`,
  '@opentelemetry/sdk-logs': `await import('@opentelemetry/sdk-logs');`,
  '@opentelemetry/sdk-metrics': `await import('@opentelemetry/sdk-metrics');`,
  '@opentelemetry/otlp-transformer': `await import('@opentelemetry/otlp-transformer');`,
  '@opentelemetry/semantic-conventions': `await import('@opentelemetry/semantic-conventions');`,
  '@grpc/grpc-js': `await import('@grpc/grpc-js');`,
};
/** Dependencies that would go together (the OpenTelemetry SDK packages share core and api). */
const GROUPS: Record<string, string[]> = {
  'the OpenTelemetry SDK (core, resources, sdk-logs, sdk-metrics, otlp-transformer)': [
    '@opentelemetry/core',
    '@opentelemetry/resources',
    '@opentelemetry/sdk-logs',
    '@opentelemetry/sdk-metrics',
    '@opentelemetry/otlp-transformer',
  ],
  'valibot and yaml': ['valibot', 'yaml'],
  'winston, valibot and yaml': ['winston', 'valibot', 'yaml'],
};
const PRELUDE = `import { createRequire } from 'node:module';\n`;

const ALL_V8_FLAGS: Record<string, string[]> = {
  '--max-semi-space-size=1': [...HEAP_TS, '--max-semi-space-size=1'],
  '--max-semi-space-size=2': [...HEAP_TS, '--max-semi-space-size=2'],
  '--max-old-space-size=64': [...HEAP_TS, '--max-old-space-size=64'],
  '--optimize-for-size': ['--optimize-for-size'],
  '--lite-mode': ['--lite-mode'],
  '--jitless': ['--jitless'],
  '--no-opt': ['--no-opt'],
  '--single-threaded-gc': ['--single-threaded-gc'],
  '--v8-pool-size=1': ['--v8-pool-size=1'],
};

const V8_FLAGS = opts['flag-set']
  ? Object.fromEntries(opts['flag-set'].split(',').map((n) => [n, ALL_V8_FLAGS[n] ?? n.split(' ')]))
  : ALL_V8_FLAGS;
if (opts['flag-set']) opts.flags = true;
const CLI = opts.cli ?? built('src/cli.ts');

interface Probe {
  maxRssKb: number;
  cpuMs: number;
  wallMs: number;
}

/**
 * Runs `node [nodeArgs] --import rss-probe args` in ROOT and returns what the probe wrote at exit.
 * `code` instead of a script: an ES module evaluated with `--input-type=module -e`.
 */
async function measure(target: { script: string; args?: string[] } | { code: string }, env: Record<string, string> = {}, nodeArgs: string[] = []): Promise<Probe> {
  const dir = await mkdtemp(join(tmpdir(), 'asana-otel-mem-'));
  const out = join(dir, 'probe.json');
  try {
    const probe = ['--import', built('bench/rss-probe.ts')];
    const isCode = 'code' in target;
    const args = isCode ? ['--input-type=module', '-e', PRELUDE + target.code] : (target.args ?? []);
    const script = isCode ? undefined : target.script;
    const proc = spawn(process.execPath, [...nodeArgs, ...probe, ...(script ? [script] : []), ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...env, RSS_PROBE_OUT: out },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    proc.stderr.on('data', (c: Buffer) => (err = (err + c.toString('utf8')).slice(-8000)));
    const code = await new Promise<number | null>((res) => proc.on('exit', res));
    const text = await readFile(out, 'utf8').catch(() => '');
    if (!text) throw new Error(`no probe result (exit ${code}):\n${err}`);
    const r = JSON.parse(text) as Probe & { exitCode: number };
    if (code !== 0) throw new Error(`exit ${code}:\n${err}`);
    return r;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function medianOf(fn: () => Promise<Probe>): Promise<Probe & { all: number[] }> {
  const rs: Probe[] = [];
  for (let i = 0; i < RUNS; i++) rs.push(await fn());
  return {
    maxRssKb: median(rs.map((r) => r.maxRssKb)),
    cpuMs: median(rs.map((r) => r.cpuMs)),
    wallMs: median(rs.map((r) => r.wallMs)),
    all: rs.map((r) => r.maxRssKb),
  };
}

/** `cli.js once` against its own simulator and sink. */
async function runOnce(simExtra: string[], rpm: number, env: Record<string, string>, nodeArgs: string[] = [], seed = '1'): Promise<Probe> {
  const dir = await mkdtemp(join(tmpdir(), 'asana-otel-mem-'));
  const sim = startChild(built('src/simulator/main.ts'), ['--backlog', String(BACKLOG), '--span', String(SPAN_MS), '--seed', seed, ...simExtra]);
  const sink = startChild(built('bench/sink.ts'), []);
  try {
    const s = (await sim.firstLine) as { url: string; token: string; workspaceGid: string };
    const k = (await sink.firstLine) as { url: string };
    const r = await measure(
      { script: CLI, args: ['once'] },
      {
        ASANA_TOKEN: s.token,
        ASANA_WORKSPACE_GID: s.workspaceGid,
        ASANA_API_URL: s.url,
        ASANA_STATE_FILE: join(dir, 'state.json'),
        ASANA_START_AT: new Date(Date.now() - SPAN_MS - 3_600_000).toISOString(),
        ASANA_MAX_REQUESTS_PER_MINUTE: String(rpm),
        OTEL_EXPORTER_OTLP_ENDPOINT: k.url,
        LOG_LEVEL: 'warn',
        ...env,
      },
      nodeArgs,
    );
    const stats = (await (await fetch(`${k.url}/stats`)).json()) as { distinct: number };
    if (stats.distinct !== BACKLOG) throw new Error(`${stats.distinct} distinct events arrived, expected ${BACKLOG}`);
    return r;
  } finally {
    await Promise.all([sim.stop(), sink.stop()]);
    await rm(dir, { recursive: true, force: true });
  }
}

const rows: Array<{ section: string; name: string; r: Probe & { all: number[] } }> = [];
const mb = (kb: number) => kb / 1024;
function add(section: string, name: string, r: Probe & { all: number[] }): void {
  rows.push({ section, name, r });
  process.stderr.write(`${section} | ${name}: ${fmt(mb(r.maxRssKb), 1)} MB (${r.all.map((k) => fmt(mb(k), 1)).join(', ')}), ${fmt(r.cpuMs)} ms CPU, ${fmt(r.wallMs)} ms\n`);
}

const CEILING_SIM = ['--latency', String(LATENCY_MS), '--rpm', String(ASANA_RPM), '--burst'];
const ALL_DEPS = Object.values(DEPS).join('\n');
const RECEIVER_GRAPH = ['heap.js', 'config.js', 'log.js', 'receiver.js', 'run.js'].map((f) => `await import(${JSON.stringify(join(dirname(CLI), f))});`).join('\n');

if (!opts['no-build']) build();
if (ONLY.has('startup')) {
  add('startup', 'bare node', await medianOf(() => measure({ code: '' })));
  for (const [name, code] of Object.entries(DEPS)) add('startup', `import ${name}`, await medianOf(() => measure({ code })));
  add('startup', 'all runtime dependencies', await medianOf(() => measure({ code: ALL_DEPS })));
  add('startup', 'cli.js --help', await medianOf(() => measure({ script: CLI, args: ['--help'] })));
  add('startup', 'cli.js --help, the malloc settings', await medianOf(() => measure({ script: CLI, args: ['--help'] }, CONTAINER_MALLOC_ENV)));
  add('startup', 'receiver module graph', await medianOf(() => measure({ code: RECEIVER_GRAPH })));
  if (opts.flags) for (const [name, flags] of Object.entries(V8_FLAGS)) add('startup', `receiver module graph ${name}`, await medianOf(() => measure({ code: RECEIVER_GRAPH }, {}, flags)));
}
if (ONLY.has('marginal')) {
  for (const [name, left] of [...Object.keys(DEPS).map((n) => [n, [n]] as const), ...Object.entries(GROUPS)]) {
    const code = Object.entries(DEPS)
      .filter(([n]) => !left.includes(n))
      .map(([, c]) => c)
      .join('\n');
    add('marginal', `all but ${name}`, await medianOf(() => measure({ code })));
  }
}
if (ONLY.has('ceiling')) {
  add('ceiling', 'once, started without the malloc settings', await medianOf(() => runOnce(CEILING_SIM, ASANA_RPM, {})));
  add('ceiling', `once, glibc's default malloc settings (${GLIBC_DEFAULT_ARENAS} arenas)`, await medianOf(() => runOnce(CEILING_SIM, ASANA_RPM, GLIBC_DEFAULT_MALLOC_ENV)));
  add('ceiling', 'once, the malloc settings', await medianOf(() => runOnce(CEILING_SIM, ASANA_RPM, CONTAINER_MALLOC_ENV)));
  if (opts.flags) for (const [name, flags] of Object.entries(V8_FLAGS)) add('ceiling', `once, the malloc settings ${name}`, await medianOf(() => runOnce(CEILING_SIM, ASANA_RPM, CONTAINER_MALLOC_ENV, flags)));
}
if (ONLY.has('cpu')) {
  add('cpu', `once, glibc's default malloc settings (${GLIBC_DEFAULT_ARENAS} arenas)`, await medianOf(() => runOnce([], 600_000, GLIBC_DEFAULT_MALLOC_ENV)));
  add('cpu', 'once, the malloc settings', await medianOf(() => runOnce([], 600_000, CONTAINER_MALLOC_ENV)));
  if (opts.flags) for (const [name, flags] of Object.entries(V8_FLAGS)) add('cpu', `once, the malloc settings ${name}`, await medianOf(() => runOnce([], 600_000, CONTAINER_MALLOC_ENV, flags)));
}

const table = [
  `Peak RSS (maxRSS of the process), medians of ${RUNS}, ${fmt(BACKLOG)}-event backlog, node ${process.version}:`,
  '',
  '| scenario | process | peak RSS MB | runs (MB) | CPU ms | wall ms |',
  '|---|---|---:|---|---:|---:|',
  ...rows.map(({ section, name, r }) => `| ${section} | ${name} | ${fmt(mb(r.maxRssKb), 1)} | ${r.all.map((k) => fmt(mb(k), 1)).join(', ')} | ${fmt(r.cpuMs)} | ${fmt(r.wallMs)} |`),
].join('\n');
process.stdout.write(`${table}\n`);
if (!opts['no-write']) await writeFile(join(ROOT, 'bench/results/memory.md'), `${table}\n`);
