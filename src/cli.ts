#!/usr/bin/env node
// First: GC settings for a long-running process, before anything else allocates (heap.ts).
import './heap.ts';
import { commandHelp, parseCommandLine, usage } from './cli/commands.ts';
import { fatalMessage, logFormatFrom } from './cli/fatal-message.ts';
import { stateCommand } from './cli/state-command.ts';
import { loadConfig, type Config } from './config/index.ts';
import { runDemo } from './demo.ts';
import { ExitCode, ReceiverError } from './errors.ts';
import { redact, registerSecret } from './log.ts';
import { runReceiver } from './run.ts';
import { runValidate } from './validate.ts';
import { PACKAGE_VERSION } from './version.ts';

/** Commands: run, once, validate, state show/reset, demo — wiring only; the table is in cli/commands.ts. */
async function main(argv: string[]): Promise<number> {
  const parsed = parseCommandLine(argv);
  switch (parsed.kind) {
    case 'version':
      process.stdout.write(`${PACKAGE_VERSION}\n`);
      return ExitCode.ok;
    case 'usage':
      (parsed.ok ? process.stdout : process.stderr).write(`${usage()}\n`);
      return parsed.ok ? ExitCode.ok : ExitCode.config;
    case 'help':
      process.stdout.write(`${parsed.text}\n`);
      return ExitCode.ok;
    case 'error':
      process.stderr.write(`${parsed.message}\n`);
      return ExitCode.config;
  }
  const { command, values } = parsed;
  const configFile = typeof values.config === 'string' ? values.config : undefined;
  switch (command.name) {
    case 'run':
    case 'once':
      return runReceiver(command.name, loadConfigOrExit(configFile));
    case 'validate':
      return runValidate({ env: process.env, configFile });
    case 'state show':
    case 'state reset':
      return stateCommand(command.name === 'state show' ? 'show' : 'reset', values as Parameters<typeof stateCommand>[1]);
    case 'demo':
      return runDemo({ for: values.for as string | undefined, backlog: values.backlog as string | undefined, rate: values.rate as string | undefined });
    default:
      process.stderr.write(`${commandHelp(command)}\n`);
      return ExitCode.fatal;
  }
}

function loadConfigOrExit(configFile: string | undefined): Config {
  const config = loadConfig(process.env, { configFile });
  registerSecret(config.asana.token);
  for (const v of Object.values(config.otlp.headers)) registerSecret(v);
  for (const v of Object.values(config.metrics?.headers ?? {})) registerSecret(v);
  return config;
}

// `... | head` closes stdout early: that is the reader's choice, not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? ExitCode.ok);
  throw err;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(fatalMessage(err, logFormatFrom(process.env), redact));
    process.exitCode = err instanceof ReceiverError ? err.exitCode : ExitCode.fatal;
  },
);
