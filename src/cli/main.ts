/**
 * The commands, wired: run, once, validate, state show/reset, demo; the table is in commands.ts.
 * Each command's modules are imported when it runs, not before: `--help` or `state show` does not
 * load the exporter, the logger or the simulator, and `run` does not load `validate` or `demo`.
 */
import { ExitCode, ReceiverError } from '../errors.ts';
import { growYoungGeneration } from '../heap.ts';
import { applyMallocEnv } from '../malloc-env.ts';
import { PACKAGE_VERSION } from '../version.ts';
import { commandHelp, parseCommandLine, usage } from './commands.ts';
import { fatalMessage, logFormatFrom } from './fatal-message.ts';

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
  // A command that processes events runs with the container image's malloc settings, however it is
  // started: restarted with them here, before its modules are loaded (malloc-env.ts).
  if (command.name === 'run' || command.name === 'once' || command.name === 'demo') applyMallocEnv();
  switch (command.name) {
    case 'run':
    case 'once': {
      const { runConfigured } = await import('./run-command.ts');
      growYoungGeneration();
      return runConfigured(command.name, configFile);
    }
    case 'validate': {
      const { runValidate } = await import('../validate.ts');
      return runValidate({ env: process.env, configFile });
    }
    case 'state show':
    case 'state reset': {
      const { stateCommand } = await import('./state-command.ts');
      return stateCommand(command.name === 'state show' ? 'show' : 'reset', values as Parameters<typeof stateCommand>[1]);
    }
    case 'demo': {
      const { runDemo } = await import('../demo.ts');
      growYoungGeneration();
      return runDemo({ for: values.for as string | undefined, backlog: values.backlog as string | undefined, rate: values.rate as string | undefined });
    }
    default:
      process.stderr.write(`${commandHelp(command)}\n`);
      return ExitCode.fatal;
  }
}

/**
 * The secrets registered so far scrubbed from a fatal error's text. log.ts holds them; when it was
 * never loaded, none was registered (and loading it now, or failing to, changes nothing).
 */
async function redactor(): Promise<(text: string) => string> {
  try {
    return (await import('../log.ts')).redact;
  } catch {
    return (text) => text;
  }
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
  async (err: unknown) => {
    process.stderr.write(fatalMessage(err, logFormatFrom(process.env), await redactor()));
    process.exitCode = err instanceof ReceiverError ? err.exitCode : ExitCode.fatal;
  },
);
