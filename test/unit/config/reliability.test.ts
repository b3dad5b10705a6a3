import { describe, expect, it } from 'vitest';
import { DEFAULTS, ENV_VARS, loadConfig } from '../../../src/config/index.ts';
import { ConfigError } from '../../../src/errors.ts';
import { createLogger, redact } from '../../../src/log.ts';
import { PassThrough } from 'node:stream';

const NOW = new Date('2026-03-01T12:00:00Z');
const BASE = { ASANA_TOKEN: 'MARKER-t0ken-9f3a7c1e5b', ASANA_WORKSPACE_GID: '1200000000000001' };
/** Shaped like an Asana personal-access / service-account token (2/<user>/<app>:<hex>). */
const SHAPED = '2/1204455667788990/1209988776655443:4f0c1e2d3b4a59687766554433221100';

function problems(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env, { now: NOW });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('ASANA_LATE_WINDOW and ASANA_LATE_RESCAN_INTERVAL', () => {
  it('default to 30m and 5m, from DEFAULTS', () => {
    const c = loadConfig(BASE, { now: NOW });
    expect(c.asana.lateWindowMs).toBe(30 * 60_000);
    expect(c.asana.lateRescanIntervalMs).toBe(5 * 60_000);
    const byName = Object.fromEntries(ENV_VARS.map((v) => [v.name, v]));
    expect(byName.ASANA_LATE_WINDOW?.default).toBe(DEFAULTS.lateWindow);
    expect(byName.ASANA_LATE_RESCAN_INTERVAL?.default).toBe(DEFAULTS.lateRescanInterval);
  });

  it('read durations; 0s turns the re-scans off', () => {
    const c = loadConfig({ ...BASE, ASANA_LATE_WINDOW: '1h', ASANA_LATE_RESCAN_INTERVAL: '90s' }, { now: NOW });
    expect(c.asana.lateWindowMs).toBe(3_600_000);
    expect(c.asana.lateRescanIntervalMs).toBe(90_000);
    expect(loadConfig({ ...BASE, ASANA_LATE_WINDOW: '0s' }, { now: NOW }).asana.lateWindowMs).toBe(0);
  });

  it('refuse an interval not shorter than the window, naming both variables', () => {
    const [p] = problems({ ...BASE, ASANA_LATE_WINDOW: '10m', ASANA_LATE_RESCAN_INTERVAL: '10m' });
    expect(p).toMatch(/ASANA_LATE_RESCAN_INTERVAL \(10m\) must be shorter than ASANA_LATE_WINDOW \(10m\)/);
  });

  it('refuse non-durations, a window over 24h and an interval under 1s, all at once', () => {
    const ps = problems({ ...BASE, ASANA_LATE_WINDOW: '2d', ASANA_LATE_RESCAN_INTERVAL: '10ms' });
    expect(ps.join('\n')).toMatch(/ASANA_LATE_WINDOW: 2d is too long: at most 1d/);
    expect(ps.join('\n')).toMatch(/ASANA_LATE_RESCAN_INTERVAL: 10ms is too short: at least 1s/);
    expect(problems({ ...BASE, ASANA_LATE_WINDOW: 'half an hour' })[0]).toMatch(/^ASANA_LATE_WINDOW: "half an hour" is not a duration/);
  });
});

describe('a token pasted into the wrong variable', () => {
  it('is not echoed by any configuration message, even with ASANA_TOKEN unset', () => {
    for (const name of ['ASANA_WORKSPACE_GID', 'ASANA_API_URL', 'ASANA_START_AT', 'ASANA_POLL_INTERVAL', 'LOG_LEVEL', 'ASANA_LATE_WINDOW', 'OTEL_EXPORTER_OTLP_PROTOCOL']) {
      const ps = problems({ ASANA_WORKSPACE_GID: '1200000000000001', [name]: SHAPED });
      expect(ps.join('\n')).toContain(name);
      expect(ps.join('\n')).not.toContain(SHAPED);
      expect(ps.join('\n')).not.toContain('4f0c1e2d3b4a5968');
    }
  });

  it('is redacted from log lines even when it was never registered as a secret', () => {
    expect(redact(`cannot reach Asana at https://x/${SHAPED}/api`)).toBe('cannot reach Asana at https://x/[REDACTED]/api');
    const stream = new PassThrough();
    let out = '';
    stream.on('data', (c: Buffer) => (out += c.toString()));
    const log = createLogger({ level: 'debug', format: 'json', stream });
    log.debug(`token ${SHAPED}`, { header: `Bearer ${SHAPED}`, nested: { deeper: [SHAPED] } });
    expect(out).toContain('[REDACTED]');
    expect(out).not.toContain('4f0c1e2d3b4a5968');
    // Gids, times and URLs are not token-shaped and stay readable.
    expect(redact('workspace 1200000000000001 at 2026-03-01T12:00:00.000Z, http://127.0.0.1:4318/v1/logs')).toBe(
      'workspace 1200000000000001 at 2026-03-01T12:00:00.000Z, http://127.0.0.1:4318/v1/logs',
    );
  });
});
