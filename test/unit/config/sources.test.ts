import { describe, expect, it } from 'vitest';
import { editDistance, suggestName, unknownEnvNames } from '../../../src/config/sources.ts';
import { loadConfig } from '../../../src/config/index.ts';
import { ConfigError } from '../../../src/errors.ts';

describe('names that are not settings', () => {
  it.each([
    ['ASANA_WORKSPACE_ID', 'ASANA_WORKSPACE_GID'],
    ['asana_token', 'ASANA_TOKEN'],
    ['OTEL_EXPORTER_OTLP_ENDPIONT', 'OTEL_EXPORTER_OTLP_ENDPOINT'],
    ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', undefined],
    ['SOMETHING_ELSE', undefined],
  ])('%s -> %s', (name, hint) => {
    expect(suggestName(name)).toBe(hint);
  });

  it('edit distance', () => {
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('same', 'same')).toBe(0);
  });

  it('warns about ASANA_* and unsupported OTEL_* variables alike, and leaves other names alone', () => {
    expect(unknownEnvNames({ ASANA_WORKSPACE_ID: '1', OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPIONT: 'x', HOME: '/root', OTEL_SERVICE_NAME: 's' })).toEqual([
      'ASANA_WORKSPACE_ID is not a known setting and is ignored — did you mean ASANA_WORKSPACE_GID?',
      'OTEL_EXPORTER_OTLP_ENDPIONT is not supported by this receiver and is ignored — did you mean OTEL_EXPORTER_OTLP_ENDPOINT?',
      'OTEL_TRACES_EXPORTER is not supported by this receiver and is ignored',
    ]);
  });

  it('names the typo among the problems whatever else is wrong', () => {
    try {
      loadConfig({ ASANA_TOKEN: 'MARKER-t0ken-9f3a7c1e5b', ASANA_WORKSPACE_ID: '123', LOG_LEVEL: 'chatty' });
      expect.unreachable();
    } catch (err) {
      const p = (err as ConfigError).problems;
      expect(p).toContain('ASANA_WORKSPACE_ID is not a known setting and is ignored — did you mean ASANA_WORKSPACE_GID?');
      expect(p.some((x) => x.startsWith('ASANA_WORKSPACE_GID is required'))).toBe(true);
      expect(p.some((x) => x.startsWith('LOG_LEVEL'))).toBe(true);
    }
  });
});
