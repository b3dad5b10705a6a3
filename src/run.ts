import type { Config } from './config.ts';
import { AbortedError, ExitCode, ReceiverError } from './errors.ts';
import { createLogger, flushLogger, type Logger } from './log.ts';
import { Receiver, type ReceiverDeps } from './receiver.ts';
import { PACKAGE_NAME, PACKAGE_VERSION } from './version.ts';

/** How long a shutdown may take before the process exits anyway (the promise is 10 s). */
const SHUTDOWN_DEADLINE_MS = 9_000;

/** run / once: the receiver with signal handling. */
export async function runReceiver(mode: 'run' | 'once', config: Config, log?: Logger, deps: ReceiverDeps = {}): Promise<number> {
  const logger = log ?? createLogger(config.log);
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

  let receiver: Receiver | undefined;
  try {
    receiver = await Receiver.create(config, logger, deps);
    logger.info(`${PACKAGE_NAME} ${PACKAGE_VERSION} starting (${mode})`, {
      workspaces: config.asana.workspaceGids,
      streams: config.asana.streams,
      target: receiver.target,
      protocol: config.otlp.protocol,
      stateFile: config.stateFile,
    });
    if (mode === 'once') {
      const shipped = await receiver.once(controller.signal);
      logger.info('caught up', { shipped });
    } else {
      await receiver.run(controller.signal);
    }
    return ExitCode.ok;
  } catch (err) {
    if (err instanceof AbortedError) return ExitCode.ok;
    return reportFatal(err, logger);
  } finally {
    await receiver?.close();
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
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

