import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnCli, tempStateFile } from '../helpers/receiver.ts';

/** Arguments, help and start-up errors of the CLI as a process: what a user types and reads. */
describe('the CLI arguments', () => {
  it('state show reads the state file the --config file names', async () => {
    const stateFile = await tempStateFile();
    const configFile = join(dirname(stateFile), 'receiver.yaml');
    await writeFile(configFile, `ASANA_STATE_FILE: ${JSON.stringify(stateFile)}\n`);
    const show = spawnCli(['state', 'show', '--json', '--config', configFile], {});
    expect((await show.exit).code).toBe(0);
    expect(JSON.parse(show.stdout())).toEqual({ stateFile, streams: [] });
  });

  it('each command has its own --help, with its flags and exit codes', async () => {
    const help = spawnCli(['state', 'reset', '--help'], {});
    expect((await help.exit).code).toBe(0);
    expect(help.stdout()).toContain('Usage: asana-otel-receiver state reset (--stream KEY | --all)');
    expect(help.stdout()).toContain('--stream KEY');
    expect(help.stdout()).toContain('Exit codes:');
  });

  it('an unknown flag names the flag and the command\'s help', async () => {
    const run = spawnCli(['state', 'show', '--jsn'], {});
    expect((await run.exit).code).toBe(2);
    expect(run.stderr()).toContain('state show: unknown flag --jsn');
    expect(run.stderr()).toContain('asana-otel-receiver state show --help');
    expect(run.stderr()).not.toContain('ERR_PARSE_ARGS');
  });

  it('demo --for banana is refused before anything starts', async () => {
    const run = spawnCli(['demo', '--for', 'banana'], {});
    expect((await run.exit).code).toBe(2);
    expect(run.stderr()).toContain('--for "banana" is not a positive duration');
  });

  it('with LOG_FORMAT=json a bad configuration is one JSON line listing every problem, typos named', async () => {
    const run = spawnCli(['once'], { LOG_FORMAT: 'json', ASANA_WORKSPACE_ID: '123', ASANA_POLL_INTERVAL: 'often' });
    expect((await run.exit).code).toBe(2);
    const lines = run.stderr().trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]!) as { problems: string[] };
    expect(line.problems.join('\n')).toContain('ASANA_WORKSPACE_ID is not a known setting and is ignored — did you mean ASANA_WORKSPACE_GID?');
    expect(line.problems.join('\n')).toContain('ASANA_POLL_INTERVAL');
    expect(line.problems.join('\n')).toContain('ASANA_TOKEN');
  });
});
