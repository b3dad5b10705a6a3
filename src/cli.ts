#!/usr/bin/env node
// First: GC settings for a long-running process, before anything else allocates (heap.ts).
import './heap.ts';
import { parseArgs } from 'node:util';
import { DEFAULTS, loadConfig, type Config } from './config.ts';
import { runDemo } from './demo.ts';
import { ExitCode, ReceiverError } from './errors.ts';
import { redact, registerSecret } from './log.ts';
import { runReceiver } from './run.ts';
import { openFileStateStore, resetFileState } from './state/file-store.ts';
import { runValidate } from './validate.ts';
import { PACKAGE_NAME, PACKAGE_VERSION } from './version.ts';

const USAGE = `${PACKAGE_NAME} ${PACKAGE_VERSION}
Ships Asana audit log and activity events as OpenTelemetry log records over OTLP.

Usage:
  asana-otel-receiver run   [--config FILE]   poll forever (SIGTERM/SIGINT: stop cleanly)
  asana-otel-receiver once  [--config FILE]   poll every stream until caught up, ship, commit, exit
  asana-otel-receiver validate [--config FILE]
                                              test the setup: configuration, token and audit-log access
                                              per workspace, state file, OTLP endpoint; nothing is shipped
  asana-otel-receiver state show  [--json]    each stream's position: last event time, lag
  asana-otel-receiver state reset (--stream KEY | --all)
                                              forget a stream's position (it restarts at ASANA_START_AT)
  asana-otel-receiver demo  [--for 30s] [--backlog N] [--rate N]
                                              the whole pipeline on an embedded simulated Asana domain
Options:
  --config FILE      YAML file with the same keys as the environment variables (env wins)
  --state-file FILE  for 'state': the checkpoint file (default: ASANA_STATE_FILE or ${DEFAULTS.stateFile})
  -h, --help         this text;  -v, --version  the version

Configuration is by environment variable; see the README for the table.
Exit codes: 0 ok, 1 fatal error, 2 bad configuration, 3 credentials refused, 4 state file problem,
5 the collector rejected records permanently.`;

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      config: { type: 'string' },
      'state-file': { type: 'string' },
      stream: { type: 'string' },
      all: { type: 'boolean' },
      json: { type: 'boolean' },
      for: { type: 'string' },
      backlog: { type: 'string' },
      rate: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'v' },
    },
  });
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n\n${USAGE}\n`);
    return ExitCode.config;
  }
  const { values, positionals } = parsed;
  if (values.version) {
    process.stdout.write(`${PACKAGE_VERSION}\n`);
    return ExitCode.ok;
  }
  const [command, sub] = positionals;
  if (values.help || !command) {
    process.stdout.write(`${USAGE}\n`);
    return values.help ? ExitCode.ok : ExitCode.config;
  }
  switch (command) {
    case 'run':
    case 'once':
      return runReceiver(command, loadConfigOrExit(values.config));
    case 'validate':
      return runValidate({ env: process.env, configFile: values.config });
    case 'state':
      return stateCommand(sub, values);
    case 'demo':
      return runDemo({ for: values.for, backlog: values.backlog, rate: values.rate });
    default:
      process.stderr.write(`unknown command "${command}"\n\n${USAGE}\n`);
      return ExitCode.config;
  }
}

function loadConfigOrExit(configFile: string | undefined): Config {
  const config = loadConfig(process.env, { configFile });
  registerSecret(config.asana.token);
  for (const v of Object.values(config.otlp.headers)) registerSecret(v);
  return config;
}

async function stateCommand(sub: string | undefined, values: { 'state-file'?: string; stream?: string; all?: boolean; json?: boolean }): Promise<number> {
  const path = values['state-file'] ?? process.env.ASANA_STATE_FILE ?? DEFAULTS.stateFile;
  if (sub === 'show') {
    const store = await openFileStateStore(path, { lock: false });
    const entries = store.entries();
    await store.close();
    const now = Date.now();
    const rows = entries.map(([key, s]) => {
      // The newest shipped event of any cursor: the live tail's, or a backfill window's after a re-split.
      const lastEventAt = [s.lastEventAt, ...(s.backfill ?? []).map((w) => w.lastEventAt)].reduce<string | undefined>(
        (a, b) => (b !== undefined && (a === undefined || b > a) ? b : a),
        undefined,
      );
      return {
        key,
        lastEventAt: lastEventAt ?? null,
        lagSeconds: lastEventAt ? Math.max(0, Math.round((now - Date.parse(lastEventAt)) / 1000)) : null,
        eventsShipped: s.eventsShipped,
        startAt: s.startAt ?? null,
        hasOffset: Boolean(s.offset),
        hasSyncToken: Boolean(s.sync),
        updatedAt: s.updatedAt,
        // Older time windows still being backfilled in parallel, oldest first.
        backfill: (s.backfill ?? []).map((w) => ({ startAt: w.startAt, endAt: w.endAt, lastEventAt: w.lastEventAt ?? null, eventsShipped: w.eventsShipped })),
      };
    });
    if (values.json) {
      process.stdout.write(`${JSON.stringify({ stateFile: path, streams: rows }, null, 2)}\n`);
    } else if (rows.length === 0) {
      process.stdout.write(`${path}: no stream positions yet (first run starts at ASANA_START_AT)\n`);
    } else {
      process.stdout.write(`${path}\n`);
      for (const r of rows) {
        const lag = r.lagSeconds === null ? 'no events shipped yet' : `lag ${formatDuration(r.lagSeconds)}`;
        process.stdout.write(
          `  ${r.key}\n    last event ${r.lastEventAt ?? '-'} (${lag}), ${r.eventsShipped} shipped, ` +
            `updated ${r.updatedAt}${r.hasOffset || r.hasSyncToken ? '' : `, resumes at ${r.startAt ?? r.lastEventAt}`}\n`,
        );
        if (r.backfill.length > 0) {
          const oldest = r.backfill[0]!;
          process.stdout.write(
            `    backfilling ${r.backfill.length} older time window${r.backfill.length === 1 ? '' : 's'} in parallel, ` +
              `from ${oldest.lastEventAt ?? oldest.startAt} up to ${r.backfill.at(-1)!.endAt}\n`,
          );
        }
      }
    }
    return ExitCode.ok;
  }
  if (sub === 'reset') {
    if (!values.all && !values.stream) {
      process.stderr.write('state reset needs --stream KEY (see "state show") or --all: a position is never forgotten by accident\n');
      return ExitCode.config;
    }
    if (values.all) {
      // Works on a corrupt file too (it is kept aside as <file>.corrupt-<time>): that is the case
      // the corrupt-file error sends users here for.
      const { removed, corruptCopy } = await resetFileState(path);
      if (corruptCopy) process.stdout.write(`kept the unreadable state file as ${corruptCopy}\n`);
      for (const key of removed) process.stdout.write(`forgot ${key}: it restarts at ASANA_START_AT on the next run\n`);
      if (removed.length === 0 && !corruptCopy) process.stdout.write(`${path}: nothing to reset\n`);
      return ExitCode.ok;
    }
    const store = await openFileStateStore(path);
    try {
      const key = values.stream!;
      if (!(await store.delete(key))) {
        process.stderr.write(`no stream "${key}" in ${path}; "state show" lists them\n`);
        return ExitCode.config;
      }
      process.stdout.write(`forgot ${key}: it restarts at ASANA_START_AT on the next run\n`);
      return ExitCode.ok;
    } finally {
      await store.close();
    }
  }
  process.stderr.write('usage: state show [--json] | state reset (--stream KEY | --all)\n');
  return ExitCode.config;
}

function formatDuration(seconds: number): string {
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)}m`;
  if (seconds < 172_800) return `${Math.round(seconds / 3600)}h`;
  return `${Math.round(seconds / 86_400)}d`;
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
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`${redact(message)}\n`);
    process.exitCode = err instanceof ReceiverError ? err.exitCode : ExitCode.fatal;
  },
);
