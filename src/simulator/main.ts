/**
 * Standalone simulator, for benchmarks and crash tests that need Asana in another process:
 *
 *   node src/simulator/main.ts --backlog 100000 --latency 150 --rpm 1500 --port 0 --seed 1 --live 2
 *
 * Prints one JSON line {"url","token","workspaceGid"} to stdout once listening, then serves until
 * SIGTERM or SIGINT.
 */
import { parseArgs } from 'node:util';
import { HISTORY_SHAPES, isHistoryShape } from './history.ts';
import { AsanaSimulator, type SimulatorOptions } from './server.ts';

const USAGE = `usage: node src/simulator/main.ts [options]
  --backlog N         events generated at start (default 0)
  --span MS           the backlog spans this many ms ending now (default 6 h)
  --shape S           where the backlog's events sit: even (default), dense-recent (90% in the
                      last day), burst (80% in one hour in the middle), weekday (office hours, recent)
  --latency MS        added to every response
  --rpm N             requests per minute before 429 (default: unlimited)
  --burst             also refuse more than rpm/30 requests within 1 s
  --offset-ttl MS     offsets older than this are refused as expired
  --no-audit-scope    valid tokens get 403 (no audit-log access)
  --no-workspace-events  workspace events answer 403 (not an Enterprise+ service account)
  --sync-ttl MS       sync tokens older than this are refused with 412
  --activity-backlog N  activity events recorded before start (no sync token returns them)
  --live EPS          new audit events per second while running
  --live-activity EPS new activity events per second while running
  --late F            this fraction (0..1) of live events is recorded late (default 0)
  --late-delay MS     late events are recorded up to MS after their created_at (default 600000)
  --seed N            generator seed (default 1)
  --token T           accepted bearer token (default simulated-token)
  --workspace GID     workspace gid (default 1200000000000001)
  --host H            default 127.0.0.1
  --port P            default 0 (any free port)`;

function number(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n < 0) {
    process.stderr.write(`--${name}: expected a non-negative number, got ${JSON.stringify(raw)}\n${USAGE}\n`);
    process.exit(2);
  }
  return n;
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        backlog: { type: 'string' },
        span: { type: 'string' },
        shape: { type: 'string' },
        latency: { type: 'string' },
        rpm: { type: 'string' },
        burst: { type: 'boolean' },
        'offset-ttl': { type: 'string' },
        'no-audit-scope': { type: 'boolean' },
        'no-workspace-events': { type: 'boolean' },
        'sync-ttl': { type: 'string' },
        'activity-backlog': { type: 'string' },
        live: { type: 'string' },
        'live-activity': { type: 'string' },
        late: { type: 'string' },
        'late-delay': { type: 'string' },
        seed: { type: 'string' },
        token: { type: 'string' },
        workspace: { type: 'string' },
        host: { type: 'string' },
        port: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n${USAGE}\n`);
    process.exit(2);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const shape = values.shape ?? 'even';
  if (!isHistoryShape(shape)) {
    process.stderr.write(`--shape: expected one of ${HISTORY_SHAPES.join(', ')}, got ${JSON.stringify(shape)}\n${USAGE}\n`);
    process.exit(2);
  }
  const opts: SimulatorOptions = {
    backlogShape: shape,
    backlog: number('backlog', values.backlog),
    backlogSpanMs: number('span', values.span),
    latencyMs: number('latency', values.latency),
    requestsPerMinute: number('rpm', values.rpm),
    rejectBursts: values.burst ?? false,
    offsetTtlMs: number('offset-ttl', values['offset-ttl']),
    auditScope: !values['no-audit-scope'],
    workspaceEvents: !values['no-workspace-events'],
    syncTokenTtlMs: number('sync-ttl', values['sync-ttl']),
    activityBacklog: number('activity-backlog', values['activity-backlog']),
    seed: number('seed', values.seed),
    token: values.token,
    workspaceGid: values.workspace,
    host: values.host,
    port: number('port', values.port),
  };
  const lateFraction = number('late', values.late);
  if (lateFraction) opts.late = { fraction: Math.min(1, lateFraction), maxDelayMs: number('late-delay', values['late-delay']) ?? 600_000 };
  const sim = await AsanaSimulator.start(opts);
  const live = number('live', values.live);
  const liveActivity = number('live-activity', values['live-activity']);
  if (live || liveActivity) sim.startLive(live ?? 0, { activityPerSecond: liveActivity ?? 0 });
  process.stdout.write(`${JSON.stringify({ url: sim.url, token: sim.token, workspaceGid: sim.workspaceGid })}\n`);

  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    sim.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

await main();
