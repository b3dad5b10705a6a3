import { describe, expect, it } from 'vitest';
import { fatalMessage, logFormatFrom } from '../../../src/cli/fatal-message.ts';
import { loadConfig } from '../../../src/config/index.ts';
import { ConfigError } from '../../../src/errors.ts';

const NOW = new Date('2026-03-01T12:00:00Z');
const configError = (): ConfigError => {
  try {
    loadConfig({ ASANA_POLL_INTERVAL: 'often', ASANA_WORKSPACE_ID: '1' });
  } catch (err) {
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
};

describe('fatalMessage', () => {
  it('LOG_FORMAT=json: one JSON line listing every configuration problem', () => {
    const out = fatalMessage(configError(), 'json', (t) => t, NOW);
    expect(out.endsWith('\n')).toBe(true);
    expect(out.trimEnd().split('\n')).toHaveLength(1);
    const line = JSON.parse(out) as { level: string; message: string; code: string; problems: string[]; timestamp: string };
    expect(line).toMatchObject({ level: 'error', message: 'invalid configuration', code: 'ERR_CONFIG', timestamp: NOW.toISOString() });
    expect(line.problems.map((p) => p.split(/[ :]/)[0])).toEqual(['ASANA_TOKEN', 'ASANA_WORKSPACE_GID', 'ASANA_POLL_INTERVAL', 'ASANA_WORKSPACE_ID']);
  });

  it('pretty: the message as text, and every line passes through the redactor', () => {
    const out = fatalMessage(new Error('boom secret'), 'pretty', (t) => t.replace('secret', '[REDACTED]'));
    expect(out).toBe('boom [REDACTED]\n');
    expect(fatalMessage(new Error('boom secret'), 'json', (t) => t.replace('secret', '[REDACTED]'))).not.toContain('secret');
  });

  it('reads LOG_FORMAT from the environment, the default when unset or invalid', () => {
    expect(logFormatFrom({ LOG_FORMAT: 'pretty' })).toBe('pretty');
    expect(logFormatFrom({ LOG_FORMAT: ' json ' })).toBe('json');
    expect(logFormatFrom({ LOG_FORMAT: 'xml' })).toBe('json');
    expect(logFormatFrom({})).toBe('json');
  });
});
