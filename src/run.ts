import type { Config } from './config/index.ts';
import { AbortedError, ExitCode, ReceiverError } from './errors.ts';
import { safeUrl } from './export/classify.ts';
import { createLogger, flushLogger, type Logger } from './log.ts';
import { Receiver, type ReceiverDeps } from './receiver.ts';
import { startHealthServer, type HealthServer } from './telemetry/health-server.ts';
import { TtyLine } from './progress/tty-line.ts';
import { Telemetry } from './telemetry/telemetry.ts';
import { PACKAGE_NAME, PACKAGE_VERSION } from './version.ts';

/** How long a shutdown may take before the process exits anyway (the promise is 10 s). */
const SHUTDOWN_DEADLINE_MS = 9_000;

export interface RunDeps extends ReceiverDeps {
  /** Tests: called with the health endpoint's URL (http://host:port) once it listens. */
  onHealthListening?: (url: string) => void;
  /** Tests: the progress log line interval (default 10 s). */
  progressLogIntervalMs?: number;
  /** Tests: how often `run` logs what it shipped (default 5 min). */
  summaryIntervalMs?: number;
  /** Tests: a terminal stand-in for the progress bar (default: stderr when it is a terminal and no logger is given). */
  progressLine?: TtyLine;
  /** Stops the receiver as SIGTERM would, without a signal; its reason is what the log says. */
  stop?: AbortSignal;
}

/**
 * run / once: the receiver with signal handling, the health endpoint (`run` only: `once` is a job
 * whose exit code is its health), self-telemetry metrics and backfill progress.
 */
export async function runReceiver(mode: 'run' | 'once', config: Config, log?: Logger, deps: RunDeps = {}): Promise<number> {
  const line = deps.progressLine ?? (log === undefined && process.stderr.isTTY ? new TtyLine(process.stderr) : undefined);
  // On a terminal, log lines go through the progress line so that the bar never garbles them.
  const logger = log ?? createLogger(line ? { ...config.log, stream: line.logStream() } : config.log);
  for (const w of config.warnings ?? []) logger.warn(w);
  const controller = new AbortController();
  let stopping = false;
  const onSignal = (sig: NodeJS.Signals) => {
    if (stopping) {
      logger.warn(`second ${sig}: exiting now; the in-flight page was not committed and will be re-read`);
      process.exit(ExitCode.ok);
    }
    stopping = true;
    logger.info(`${sig} received: abandoning the in-flight page (not committed), flushing, exiting`);
    controller.abort();
    setTimeout(() => {
      logger.warn('shutdown took too long; exiting anyway (nothing uncommitted is lost: it is re-read on start)');
      process.exit(ExitCode.ok);
    }, SHUTDOWN_DEADLINE_MS).unref();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  const onStop = () => {
    if (stopping) return;
    stopping = true;
    logger.info(`${String(deps.stop?.reason)}; stopping: abandoning the in-flight page (not committed), flushing, exiting`);
    controller.abort();
  };
  deps.stop?.addEventListener('abort', onStop, { once: true });

  let receiver: Receiver | undefined;
  let health: HealthServer | undefined;
  const telemetry = new Telemetry(config, logger, { mode, line, progressLogIntervalMs: deps.progressLogIntervalMs, summaryIntervalMs: deps.summaryIntervalMs });
  try {
    // `once` is a job: it stops when the collector stays unreachable (ASANA_ONCE_COLLECTOR_WAIT); `run` waits.
    const delivery = {
      acceptPartialSuccess: config.delivery.acceptPartialSuccess,
      ...(mode === 'once' ? { giveUpAfterMs: config.delivery.onceCollectorWaitMs } : {}),
    };
    receiver = await Receiver.create(config, logger, { delivery, ...deps, observer: telemetry });
    if (mode === 'run' && config.health) {
      health = await startHealthServer(config.health, telemetry.board);
      deps.onHealthListening?.(health.url);
    }
    telemetry.start();
    logger.info(`${PACKAGE_NAME} ${PACKAGE_VERSION} starting (${mode})`, {
      workspaces: config.asana.workspaceGids,
      streams: config.asana.streams,
      target: receiver.target,
      protocol: config.otlp.protocol,
      stateFile: config.stateFile,
      health: health ? `${health.url}/healthz, ${health.url}/readyz` : 'off',
      metrics: config.metrics ? safeUrl(config.metrics.url) : 'off',
    });
    if (mode === 'once') {
      const shipped = await receiver.once(controller.signal);
      telemetry.progress.stop();
      logger.info('caught up', { shipped });
    } else {
      await receiver.run(controller.signal);
    }
    return ExitCode.ok;
  } catch (err) {
    telemetry.progress.stop(); // the bar leaves the terminal before the last lines
    if (err instanceof AbortedError) return ExitCode.ok;
    return reportFatal(err, logger);
  } finally {
    await health?.close();
    await receiver?.close();
    await telemetry.shutdown();
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    deps.stop?.removeEventListener('abort', onStop);
    if (!log) await flushLogger(logger);
  }
}

function reportFatal(err: unknown, logger: Logger): number {
  if (err instanceof ReceiverError) {
    logger.error(err.message, { code: err.code });
    return err.exitCode;
  }
  logger.error(`unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`, { code: 'ERR_UNEXPECTED' });
  return ExitCode.fatal;
}

