import { AsanaClient } from './asana/client.ts';
import { RateLimiter } from './asana/rate-limiter.ts';
import { loadConfig, type LoadedConfig } from './config/index.ts';
import { AbortedError, ConfigError, ExitCode, ReceiverError } from './errors.ts';
import { safeUrl } from './export/classify.ts';
import { createLogSink, grpcUrl } from './export/sink.ts';
import { createProxyDispatcher, describeRoute } from './net/proxy.ts';
import { asanaProbes, runAsanaProbe, type Check } from './validate-asana.ts';
import { createLogger, redact, registerSecret } from './log.ts';
import { checkFileState } from './state/admin.ts';
import { metricsResource } from './telemetry/metrics.ts';
import { emptyResourceMetrics, postMetrics } from './telemetry/otlp-metrics.ts';

/**
 * `validate`: the "test connection" an admin runs before (or beside) `run`. One line per check,
 * ✓ or ✗ with what to fix; exit 0 only when every check passed, else the exit code of the first
 * failed check (2 configuration, 3 token refused, 4 state file, 5 collector rejects, 1 otherwise).
 *
 *   configuration   every problem at once, as `run` would report them (nothing else runs without it)
 *   Asana           one line per configured stream and workspace (validate-asana.ts): the audit
 *                   log (token, audit-log scope, workspace gid, ASANA_AUDIT_* filters) and the events
 *                   endpoints' sync handshake; bounded: ASANA_ATTEMPTS attempts, ASANA_CHECK_MS at most
 *   state file      readable, a valid checkpoint, writable, not in use by a running receiver
 *   OTLP logs       the endpoint accepts an export request with no records (2xx)
 *   OTLP metrics    the same for the receiver's own metrics, unless OTEL_METRICS_EXPORTER=none
 *
 * Nothing is shipped and no position moves. The token never appears: every line is redacted.
 */

export const ASANA_ATTEMPTS = 3;
export const ASANA_CHECK_MS = 30_000;


export interface ValidateOptions {
  env: Record<string, string | undefined>;
  configFile?: string;
  /** Where the lines go (default stdout). */
  write?: (line: string) => void;
  /** Tests: the bound on the Asana check and the delay between its attempts. */
  asanaCheckMs?: number;
  asanaBackoff?: (attempt: number) => number;
}

export async function runValidate(opts: ValidateOptions): Promise<number> {
  const write = opts.write ?? ((line: string) => void process.stdout.write(`${line}\n`));
  const print = (c: Check) => write(redact(`${c.ok ? '✓' : '✗'} ${c.line}`));

  let config: LoadedConfig;
  try {
    config = loadConfig(opts.env, { configFile: opts.configFile });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    print({ ok: false, line: `configuration: ${err.problems.length} problem${err.problems.length === 1 ? '' : 's'}` });
    for (const p of err.problems) write(redact(`    - ${p}`));
    write('  (the other checks need a valid configuration)');
    return ExitCode.config;
  }
  registerSecret(config.asana.token);
  for (const v of Object.values(config.otlp.headers)) registerSecret(v);
  for (const v of Object.values(config.metrics?.headers ?? {})) registerSecret(v);

  const checks: Check[] = [];
  const run = (c: Check) => {
    checks.push(c);
    print(c);
  };
  const gids = config.asana.workspaceGids;
  run({
    ok: true,
    line:
      `configuration: ${gids.length === 1 ? `workspace ${gids[0]}` : `${gids.length} workspaces`}, streams ${config.asana.streams.join(',')}, ` +
      `Asana API ${safeUrl(config.asana.apiUrl)}`,
  });
  for (const w of config.warnings) write(redact(`    ! ${w}`));

  for (const check of await checkAsana(config, opts)) run(check);
  run(await checkState(config.stateFile));
  run(await checkLogsEndpoint(config));
  if (config.metrics) run(await checkMetricsEndpoint(config));
  else write(`· OTLP metrics: off (${config.warnings.some((w) => w.includes('not sent over OTLP/gRPC')) ? 'not sent over gRPC: see the warning above' : 'OTEL_METRICS_EXPORTER=none'})`);

  const failed = checks.filter((c) => !c.ok);
  write(failed.length === 0 ? 'all checks passed' : `${failed.length} of ${checks.length} checks failed`);
  return failed[0]?.exitCode ?? ExitCode.ok;
}

/** One line per configured stream (validate-asana.ts), through one client and the route it takes. */
async function checkAsana(config: LoadedConfig, opts: ValidateOptions): Promise<Check[]> {
  const route = describeRoute(config.asana.apiUrl);
  const dispatcher = createProxyDispatcher({ connections: 1 });
  const client = new AsanaClient({
    dispatcher,
    apiUrl: config.asana.apiUrl,
    token: config.asana.token,
    limiter: new RateLimiter(config.asana.maxRequestsPerMinute),
    // The client's retry warnings are not check lines; the outcome is.
    log: createLogger({ level: 'error', format: 'json' }),
    maxAttempts: ASANA_ATTEMPTS,
    backoff: opts.asanaBackoff ?? ((n) => 1_000 * n),
    timeoutMs: 10_000,
  });
  const limitMs = opts.asanaCheckMs ?? ASANA_CHECK_MS;
  try {
    const checks: Check[] = [];
    for (const probe of asanaProbes(config)) {
      checks.push(await runAsanaProbe({ ...probe, title: `${probe.title} (${route})` }, client, config.asana.apiUrl, limitMs));
    }
    return checks;
  } finally {
    await client.close();
    await dispatcher.close().catch(() => undefined);
  }
}

async function checkState(path: string): Promise<Check> {
  const title = `state file ${path}`;
  const warnings: string[] = [];
  try {
    const { exists, streams } = await checkFileState(path, { onWarning: (m) => warnings.push(m) });
    const what = !exists
      ? 'not there yet, its directory is writable (the first run creates it)'
      : `readable and writable, ${streams === 0 ? 'no stream positions yet' : `${streams} stream position${streams === 1 ? '' : 's'}`}`;
    return { ok: true, line: `${title}: ${what}${warnings.length ? ` (${warnings.join('; ')})` : ''}` };
  } catch (err) {
    if (err instanceof ReceiverError) return { ok: false, exitCode: err.exitCode, line: `${title}: ${err.message}` };
    throw err;
  }
}

async function checkLogsEndpoint(config: LoadedConfig): Promise<Check> {
  const route =
    config.otlp.protocol === 'grpc'
      ? describeRoute(grpcUrl(config.otlp.url, config.otlp.insecure))
      : describeRoute(config.otlp.url);
  let sink;
  try {
    sink = await createLogSink(config.otlp);
  } catch (err) {
    // A TLS file that cannot be read (net/tls.ts names the variable).
    return { ok: false, exitCode: ExitCode.config, line: `OTLP logs endpoint: ${err instanceof Error ? err.message : String(err)}` };
  }
  const title = `OTLP logs endpoint ${sink.target} (${config.otlp.protocol}${config.otlp.compression === 'gzip' ? ', gzip' : ''}, ${route})`;
  try {
    const outcome = await sink.probe();
    if (outcome.kind === 'ok') return { ok: true, line: `${title}: accepts an empty export` };
    if (outcome.kind === 'rejected' && outcome.reason.startsWith('TLS ')) {
      return { ok: false, exitCode: ExitCode.exportRejected, line: `${title}: ${outcome.reason}` };
    }
    if (outcome.kind === 'rejected') {
      return { ok: false, exitCode: ExitCode.exportRejected, line: `${title}: rejected an empty export: ${outcome.reason}` };
    }
    if (outcome.kind === 'partial') {
      return { ok: false, exitCode: ExitCode.exportRejected, line: `${title}: rejected ${outcome.rejectedRecords} records of an empty export: ${outcome.message || 'no reason given'}` };
    }
    return {
      ok: false,
      exitCode: ExitCode.fatal,
      line:
        `${title}: unreachable or unavailable: ${outcome.reason}. Fix: start the collector, or point ` +
        `${config.otlp.endpointIsDefault ? 'OTEL_EXPORTER_OTLP_ENDPOINT (unset: the OTel default localhost:4318, 4317 for grpc)' : 'OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_LOGS_ENDPOINT'} at it`,
    };
  } finally {
    await sink.shutdown();
  }
}

async function checkMetricsEndpoint(config: LoadedConfig): Promise<Check> {
  const metrics = config.metrics!;
  const title = `OTLP metrics endpoint ${safeUrl(metrics.url)} (${describeRoute(metrics.url)})`;
  const result = await postMetrics(metrics, emptyResourceMetrics(metricsResource(config.resourceAttributes)));
  if (result.ok) return { ok: true, line: `${title}: accepts an empty export` };
  return {
    ok: false,
    exitCode: ExitCode.fatal,
    line:
      `${title}: ${result.reason}. The receiver's own metrics would be dropped (logs are not affected). ` +
      'Fix: point OTEL_EXPORTER_OTLP_METRICS_ENDPOINT at a collector that accepts OTLP metrics, or set OTEL_METRICS_EXPORTER=none',
  };
}
