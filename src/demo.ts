import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from './config/index.ts';
import { parseDuration } from './duration.ts';
import { ExitCode } from './errors.ts';
import { createConsoleSink } from './export/console.ts';
import { createLogger, flushLogger, registerSecret } from './log.ts';
import { watchParent } from './parent-watch.ts';
import { runReceiver } from './run.ts';
import { AsanaSimulator } from './simulator/index.ts';

export interface DemoOptions {
  /** Stop after this long (e.g. "30s"); default: until SIGINT/SIGTERM. */
  for?: string;
  /** Events in the simulated 7-day backlog. */
  backlog?: string;
  /** Simulated live events per second. */
  rate?: string;
}

/**
 * `demo`: the real pipeline — Asana client, audit log and workspace events streams, mapping, export,
 * state — against the embedded simulated Asana domain. An audit backlog first, then live audit and
 * activity events until stopped (the activity stream starts at the first sync, as at Asana). Records
 * are printed readably to stdout, or exported to OTEL_EXPORTER_OTLP_(LOGS_)ENDPOINT when set.
 */
export async function runDemo(opts: DemoOptions): Promise<number> {
  const backlog = opts.backlog ? Number(opts.backlog) : 300;
  const rate = opts.rate ? Number(opts.rate) : 2;
  if (!Number.isInteger(backlog) || backlog < 0 || !(rate >= 0)) {
    process.stderr.write('demo: --backlog takes a whole number of events and --rate a number of events per second\n');
    return ExitCode.config;
  }
  const sim = await AsanaSimulator.start({ backlog, backlogSpanMs: 6 * 3600_000 });
  const dir = await mkdtemp(join(tmpdir(), 'asana-otel-demo-'));
  try {
    const env = {
      ...process.env,
      ASANA_TOKEN: sim.token,
      ASANA_TOKEN_FILE: undefined,
      ASANA_WORKSPACE_GID: sim.workspaceGid,
      ASANA_API_URL: sim.url,
      ASANA_STREAMS: 'audit_log,workspace_events',
      ASANA_START_AT: '7d',
      ASANA_POLL_INTERVAL: process.env.ASANA_POLL_INTERVAL ?? '2s',
      ASANA_STATE_FILE: join(dir, 'state.json'),
      LOG_FORMAT: process.env.LOG_FORMAT ?? 'pretty',
      // The demo serves /healthz and /readyz on a free loopback port (its start-up line names it),
      // so it never collides with a collector's health_check on 13133.
      ASANA_HEALTH_ADDR: process.env.ASANA_HEALTH_ADDR ?? '127.0.0.1:0',
      // When it prints to the console there is no collector for the receiver's own metrics either.
      OTEL_METRICS_EXPORTER:
        process.env.OTEL_METRICS_EXPORTER ?? (process.env.OTEL_EXPORTER_OTLP_ENDPOINT || process.env.OTEL_EXPORTER_OTLP_LOGS_ENDPOINT ? undefined : 'none'),
    };
    const config = loadConfig(env);
    registerSecret(config.asana.token);
    const log = createLogger(config.log);
    log.warn(
      `SIMULATED DATA: this demo runs against an embedded fake Asana domain at ${sim.url} ` +
        `(workspace ${sim.workspaceGid}, ${backlog} backlog audit events, ${rate} live audit and ${rate} live activity events/s). Nothing here comes from a real Asana account.`,
    );
    const toConsole = config.otlp.endpointIsDefault;
    log.info(toConsole ? 'printing records to stdout (set OTEL_EXPORTER_OTLP_ENDPOINT to export over OTLP instead)' : `exporting to ${config.otlp.url}`);
    if (rate > 0) sim.startLive(rate, { activityPerSecond: rate });
    const stopAfter = opts.for ? parseDuration(opts.for) : undefined;
    // The receiver stops as on SIGTERM, and the log says why.
    const stopper = new AbortController();
    const stop = (why: string) => stopper.abort(`demo: ${why}`);
    const timer = stopAfter ? setTimeout(() => stop(`ran for ${opts.for}`), stopAfter) : undefined;
    // `npm run demo` does not pass SIGTERM on: the demo must not outlive the process that started it.
    const unwatch = watchParent((ppid) => stop(`the process that started it (pid ${ppid}) is gone`));
    const code = await runReceiver('run', config, log, { ...(toConsole ? { sink: createConsoleSink() } : {}), stop: stopper.signal });
    unwatch();
    if (timer) clearTimeout(timer);
    sim.stopLive();
    await flushLogger(log);
    return code;
  } finally {
    await sim.close();
    await rm(dir, { recursive: true, force: true });
  }
}
