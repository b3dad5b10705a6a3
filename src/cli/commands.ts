/**
 * The commands, their flags and exit codes: the one table `--help` (overall and per command) and the
 * argument parser come from.
 */
import { parseArgs } from 'node:util';
// env-vars.ts, not config/index.ts: help needs the table, not the loader behind loadConfig.
import { DEFAULTS, envVarHelp } from '../config/env-vars.ts';
import { parseDuration } from '../duration.ts';
import { PACKAGE_NAME, PACKAGE_VERSION } from '../version.ts';

export const BIN = 'asana-otel-receiver';

interface Flag {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  readonly value?: string;
  readonly description: string;
}

interface Command {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  readonly flags: Readonly<Record<string, Flag>>;
  /** Exit codes this command uses, and what each means here. */
  readonly exits: ReadonlyArray<readonly [number, string]>;
  /** Configured by the environment variables (their table is part of its help). */
  readonly usesEnv?: boolean;
}

const CONFIG_FLAG: Flag = { type: 'string', value: 'FILE', description: 'YAML file with the same keys as the environment variables (the environment wins)' };
const HELP_FLAG: Flag = { type: 'boolean', short: 'h', description: 'this text' };
const EXIT_OK = [0, 'ok'] as const;
const EXIT_CONFIG = [2, 'bad configuration or arguments'] as const;
const RUN_EXITS = [EXIT_OK, [1, 'fatal error'], EXIT_CONFIG, [3, 'Asana refused the credentials'], [4, 'state file problem'], [5, 'the collector rejected records permanently']] as const;
const STATE_FILE_FLAG: Flag = { type: 'string', value: 'FILE', description: `the checkpoint file (default: ASANA_STATE_FILE from the environment or --config, else ${DEFAULTS.stateFile})` };

export const COMMANDS: readonly Command[] = [
  { name: 'run', summary: 'poll forever (SIGTERM/SIGINT: stop cleanly)', usage: 'run [--config FILE]', flags: { config: CONFIG_FLAG, help: HELP_FLAG }, exits: RUN_EXITS, usesEnv: true },
  {
    name: 'once',
    summary: 'poll every stream until caught up, ship, commit, exit',
    usage: 'once [--config FILE]',
    flags: { config: CONFIG_FLAG, help: HELP_FLAG },
    exits: RUN_EXITS,
    usesEnv: true,
  },
  {
    name: 'validate',
    summary: 'test the setup: configuration, token and audit-log access per workspace, state file, OTLP endpoint; nothing is shipped',
    usage: 'validate [--config FILE]',
    flags: { config: CONFIG_FLAG, help: HELP_FLAG },
    exits: [[0, 'every check passed'], [1, 'a check failed'], EXIT_CONFIG, [3, 'Asana refused the credentials']],
    usesEnv: true,
  },
  {
    name: 'state show',
    summary: "each stream's position: last event time, lag",
    usage: 'state show [--json] [--config FILE] [--state-file FILE]',
    flags: { json: { type: 'boolean', description: 'print JSON instead of text' }, config: CONFIG_FLAG, 'state-file': STATE_FILE_FLAG, help: HELP_FLAG },
    exits: [EXIT_OK, EXIT_CONFIG, [4, 'the state file cannot be read']],
  },
  {
    name: 'state reset',
    summary: "forget a stream's position (it restarts at ASANA_START_AT)",
    usage: 'state reset (--stream KEY | --all) [--config FILE] [--state-file FILE]',
    flags: {
      stream: { type: 'string', value: 'KEY', description: 'the stream to forget (see "state show")' },
      all: { type: 'boolean', description: 'forget every stream (an unreadable file is kept aside)' },
      config: CONFIG_FLAG,
      'state-file': STATE_FILE_FLAG,
      help: HELP_FLAG,
    },
    exits: [EXIT_OK, [2, 'neither --stream nor --all, an unknown stream, or bad arguments'], [4, 'the state file cannot be written']],
  },
  {
    name: 'demo',
    summary: 'the whole pipeline on an embedded simulated Asana domain',
    usage: 'demo [--for 30s] [--backlog N] [--rate N]',
    flags: {
      for: { type: 'string', value: 'DURATION', description: 'stop after this long (e.g. 30s, 5m); unset: until SIGINT' },
      backlog: { type: 'string', value: 'N', description: 'events already in the simulated audit log (default 300)' },
      rate: { type: 'string', value: 'N', description: 'new events per second (default 2)' },
      help: HELP_FLAG,
    },
    exits: [EXIT_OK, [1, 'fatal error'], EXIT_CONFIG],
  },
];

export function usage(): string {
  const lines = COMMANDS.map((c) => `  ${BIN} ${c.usage}\n      ${c.summary}`);
  return `${PACKAGE_NAME} ${PACKAGE_VERSION}
Ships Asana audit log and activity events as OpenTelemetry log records over OTLP.

Usage:
${lines.join('\n')}
  ${BIN} COMMAND --help   what a command does, its flags and exit codes
  ${BIN} --version        the version

Configuration is by environment variable (${BIN} run --help lists them; the README has the table).
Exit codes: 0 ok, 1 fatal error, 2 bad configuration, 3 credentials refused, 4 state file problem,
5 the collector rejected records permanently.`;
}

export function commandHelp(c: Command): string {
  const flags = Object.entries(c.flags).map(([name, f]) => {
    const left = `${f.short ? `-${f.short}, ` : ''}--${name}${f.value ? ` ${f.value}` : ''}`;
    return `  ${left.padEnd(24)}${f.description}`;
  });
  const exits = c.exits.map(([code, what]) => `  ${code}  ${what}`);
  const env = c.usesEnv ? `\n\nEnvironment variables:\n${envVarHelp()}` : '';
  return `Usage: ${BIN} ${c.usage}\n\n${c.summary[0]!.toUpperCase()}${c.summary.slice(1)}.\n\nFlags:\n${flags.join('\n')}\n\nExit codes:\n${exits.join('\n')}${env}`;
}

export type ParsedArgs =
  | { kind: 'version' }
  | { kind: 'usage'; ok: boolean }
  | { kind: 'help'; text: string }
  | { kind: 'error'; message: string }
  | { kind: 'command'; command: Command; values: Record<string, string | boolean | undefined> };

/** argv -> what to do. Never throws: a bad argument is an error outcome naming it and the command's help. */
export function parseCommandLine(argv: string[]): ParsedArgs {
  const [first, second] = argv;
  if (first === undefined) return { kind: 'usage', ok: false };
  if (first === '-h' || first === '--help') return { kind: 'usage', ok: true };
  if (first === '-v' || first === '--version') return { kind: 'version' };
  const command = COMMANDS.find((c) => c.name === first) ?? COMMANDS.find((c) => c.name === `${first} ${second}`);
  if (command === undefined) {
    if (first === 'state') {
      return { kind: 'error', message: `"state" needs show or reset: see ${BIN} state show --help and ${BIN} state reset --help` };
    }
    return { kind: 'error', message: `unknown command "${first}": see ${BIN} --help` };
  }
  const rest = argv.slice(command.name.split(' ').length);
  const seeHelp = `see ${BIN} ${command.name} --help`;
  let values: Record<string, string | boolean | undefined>;
  try {
    const options = Object.fromEntries(Object.entries(command.flags).map(([n, f]) => [n, f.short ? { type: f.type, short: f.short } : { type: f.type }]));
    const parsed = parseArgs({ args: rest, options, allowPositionals: true, strict: true });
    if (parsed.positionals.length > 0) return { kind: 'error', message: `${command.name}: unexpected argument "${parsed.positionals[0]}": ${seeHelp}` };
    values = parsed.values as Record<string, string | boolean | undefined>;
  } catch (err) {
    return { kind: 'error', message: `${command.name}: ${describeArgError(err, command)}: ${seeHelp}` };
  }
  if (values.help) return { kind: 'help', text: commandHelp(command) };
  if (command.name === 'demo' && typeof values.for === 'string') {
    const ms = parseDuration(values.for);
    if (ms === undefined || ms <= 0) return { kind: 'error', message: `demo: --for "${values.for}" is not a positive duration: e.g. --for 30s or --for 5m` };
  }
  for (const flag of ['backlog', 'rate'] as const) {
    const v = values[flag];
    if (command.name === 'demo' && typeof v === 'string' && !/^\d+$/.test(v)) return { kind: 'error', message: `demo: --${flag} "${v}" is not a whole number: e.g. --${flag} 100` };
  }
  return { kind: 'command', command, values };
}

/** Node's parseArgs messages, said in the command's terms (the flag named, never a stack). */
function describeArgError(err: unknown, command: Command): string {
  const code = (err as { code?: string }).code;
  const message = err instanceof Error ? err.message : String(err);
  const flag = /'(-{1,2}[^' ]+)/.exec(message)?.[1];
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const known = Object.keys(command.flags).map((f) => `--${f}`).join(', ');
    return `unknown flag ${flag ?? ''} (it takes ${known})`;
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const name = flag?.replace(/^-+/, '') ?? '';
    const f = command.flags[name];
    return f?.type === 'string' ? `${flag} needs a value (${flag} ${f.value ?? 'VALUE'})` : `${flag ?? 'a flag'} takes no value`;
  }
  return message.split('\n')[0] ?? message;
}
