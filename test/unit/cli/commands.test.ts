import { describe, expect, it } from 'vitest';
import { COMMANDS, commandHelp, parseCommandLine, usage } from '../../../src/cli/commands.ts';

const errorOf = (argv: string[]): string => {
  const r = parseCommandLine(argv);
  if (r.kind !== 'error') throw new Error(`expected an error, got ${r.kind}`);
  return r.message;
};

describe('parseCommandLine', () => {
  it('finds two-word commands and their flags', () => {
    const r = parseCommandLine(['state', 'show', '--json', '--config', 'c.yaml']);
    expect(r).toMatchObject({ kind: 'command', command: { name: 'state show' }, values: { json: true, config: 'c.yaml' } });
    expect(parseCommandLine(['state', 'reset', '--all'])).toMatchObject({ kind: 'command', command: { name: 'state reset' }, values: { all: true } });
  });

  it('names an unknown flag, the command and its help, not Node\'s raw text', () => {
    expect(errorOf(['state', 'show', '--jsn'])).toBe(
      'state show: unknown flag --jsn (it takes --json, --config, --state-file, --help): see asana-otel-receiver state show --help',
    );
    expect(errorOf(['once', '--config'])).toBe('once: --config needs a value (--config FILE): see asana-otel-receiver once --help');
    expect(errorOf(['run', '--json'])).toMatch(/^run: unknown flag --json .*see asana-otel-receiver run --help$/);
    expect(errorOf(['state', 'show', 'extra'])).toMatch(/^state show: unexpected argument "extra"/);
  });

  it('refuses a --for that is not a positive duration', () => {
    expect(errorOf(['demo', '--for', 'banana'])).toBe('demo: --for "banana" is not a positive duration: e.g. --for 30s or --for 5m');
    expect(errorOf(['demo', '--for', '0s'])).toMatch(/^demo: --for "0s" is not a positive duration/);
    expect(errorOf(['demo', '--backlog', 'lots'])).toMatch(/^demo: --backlog "lots" is not a whole number/);
    expect(parseCommandLine(['demo', '--for', '10s'])).toMatchObject({ kind: 'command', values: { for: '10s' } });
  });

  it('unknown commands and a bare "state" point at the help', () => {
    expect(errorOf(['serve'])).toBe('unknown command "serve": see asana-otel-receiver --help');
    expect(errorOf(['state'])).toMatch(/^"state" needs show or reset/);
    expect(parseCommandLine([])).toEqual({ kind: 'usage', ok: false });
    expect(parseCommandLine(['--help'])).toEqual({ kind: 'usage', ok: true });
    expect(parseCommandLine(['-v'])).toEqual({ kind: 'version' });
  });
});

describe('--help per command', () => {
  it('says what each command does, its flags and its exit codes', () => {
    for (const c of COMMANDS) {
      const r = parseCommandLine([...c.name.split(' '), '--help']);
      expect(r).toEqual({ kind: 'help', text: commandHelp(c) });
      const text = commandHelp(c);
      expect(text).toContain(`Usage: asana-otel-receiver ${c.usage}`);
      for (const flag of Object.keys(c.flags)) expect(text).toContain(`--${flag}`);
      expect(text).toMatch(/Exit codes:\n {2}0 {2}/);
    }
  });

  it('lists the environment variables for the commands they configure', () => {
    const run = commandHelp(COMMANDS.find((c) => c.name === 'run')!);
    expect(run).toMatch(/ASANA_WORKSPACE_GID +.*\(required\)/);
    expect(run).toMatch(/OTEL_SERVICE_NAME +.*\(default asana\)/);
    expect(commandHelp(COMMANDS.find((c) => c.name === 'demo')!)).not.toContain('ASANA_WORKSPACE_GID');
  });

  it('the overall usage lists every command', () => {
    for (const c of COMMANDS) expect(usage()).toContain(`asana-otel-receiver ${c.usage}`);
  });
});
