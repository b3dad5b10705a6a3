import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  DEFAULTS,
  ENV_VARS,
  KNOWN_STREAMS,
  loadConfig,
  redactConfig,
  resolveStartAt,
  type LoadedConfig,
} from '../../../src/config/index.ts';
import { ConfigError } from '../../../src/errors.ts';

const NOW = new Date('2026-03-01T12:00:00Z');
/** A marker token: if it shows up in any message, the test fails. */
const TOKEN = 'MARKER-t0ken-9f3a7c1e5b';
const BASE = { ASANA_TOKEN: TOKEN, ASANA_WORKSPACE_GID: '1200000000000001' };

const dir = mkdtempSync(join(tmpdir(), 'config-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let fileCount = 0;
function file(content: string): string {
  const p = join(dir, `f${++fileCount}`);
  writeFileSync(p, content);
  return p;
}

function load(env: Record<string, string | undefined>, configFile?: string): LoadedConfig {
  return loadConfig(env, configFile === undefined ? { now: NOW } : { now: NOW, configFile });
}

/** The ConfigError loadConfig throws; fails the test if it does not throw one. */
function problems(env: Record<string, string | undefined>, configFile?: string): string[] {
  try {
    load(env, configFile);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    const e = err as ConfigError;
    expect(e.code).toBe('ERR_CONFIG');
    expect(e.exitCode).toBe(2);
    expect(e.message).not.toContain(TOKEN);
    for (const p of e.problems) expect(p).not.toContain(TOKEN);
    return e.problems;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig: defaults', () => {
  it('needs only the token and the workspace', () => {
    const c = load(BASE);
    expect(c).toEqual({
      asana: {
        token: TOKEN,
        workspaceGids: ['1200000000000001'],
        apiUrl: 'https://app.asana.com/api/1.0',
        streams: ['audit_log'],
        startAt: { kind: 'ago', ms: 24 * 3_600_000 },
        pollIntervalMs: 30_000,
        maxRequestsPerMinute: 1500,
        auditFilters: {},
        eventResources: [],
        lateWindowMs: 30 * 60_000,
        lateRescanIntervalMs: 5 * 60_000,
      },
      stateFile: resolve('./data/state.json'), // absolute: messages name it unambiguously
      delivery: { acceptPartialSuccess: false, onceCollectorWaitMs: 300_000 },
      otlp: {
        url: 'http://localhost:4318/v1/logs',
        protocol: 'http/protobuf',
        headers: {},
        compression: 'none',
        timeoutMs: 10_000,
        endpointIsDefault: true,
        tls: {},
        insecure: false,
      },
      resourceAttributes: {},
      log: { level: 'info', format: 'json' },
      warnings: [],
      health: { host: '0.0.0.0', port: 13133 },
      metrics: {
        url: 'http://localhost:4318/v1/metrics',
        protocol: 'http/protobuf',
        headers: {},
        compression: 'none',
        timeoutMs: 10_000,
        intervalMs: 60_000,
        endpointIsDefault: true,
        tls: {},
        insecure: false,
      },
    });
    expect(c.serviceName).toBeUndefined();
  });

  it('takes every default from DEFAULTS, and ENV_VARS shows them', () => {
    const c = load(BASE);
    expect(c.asana.apiUrl).toBe(DEFAULTS.apiUrl);
    expect(c.asana.streams).toEqual(DEFAULTS.streams);
    expect(c.stateFile).toBe(resolve(DEFAULTS.stateFile));
    expect(c.asana.maxRequestsPerMinute).toBe(DEFAULTS.maxRequestsPerMinute);
    expect(c.otlp.timeoutMs).toBe(DEFAULTS.otlpTimeoutMs);
    const byName = Object.fromEntries(ENV_VARS.map((v) => [v.name, v]));
    expect(byName.ASANA_POLL_INTERVAL?.default).toBe('30s');
    expect(byName.ASANA_START_AT?.default).toBe('24h');
    expect(byName.ASANA_MAX_REQUESTS_PER_MINUTE?.default).toBe('1500');
    expect(byName.ASANA_TOKEN).toMatchObject({ required: true });
    expect(byName.ASANA_WORKSPACE_GID).toMatchObject({ required: true });
    for (const v of ENV_VARS) expect(v.description.length, v.name).toBeGreaterThan(5);
    expect(new Set(ENV_VARS.map((v) => v.name)).size).toBe(ENV_VARS.length);
  });

  it('treats empty variables as unset', () => {
    const c = load({ ...BASE, ASANA_POLL_INTERVAL: '', LOG_LEVEL: '  ', OTEL_EXPORTER_OTLP_ENDPOINT: '' });
    expect(c.asana.pollIntervalMs).toBe(30_000);
    expect(c.log.level).toBe('info');
    expect(c.otlp.endpointIsDefault).toBe(true);
  });

  it('exports the known streams as one constant', () => {
    expect(KNOWN_STREAMS).toContain('audit_log');
  });
});

describe('loadConfig: Asana settings', () => {
  it('reads every Asana setting', () => {
    const c = load({
      ...BASE,
      ASANA_WORKSPACE_GID: ' 111, 222 ,111,',
      ASANA_API_URL: 'http://127.0.0.1:9999/api/1.0//',
      ASANA_STREAMS: 'audit_log',
      ASANA_START_AT: '2026-02-01T00:00:00Z',
      ASANA_POLL_INTERVAL: '5m',
      ASANA_STATE_FILE: '/var/lib/x/state.json',
      ASANA_MAX_REQUESTS_PER_MINUTE: '150',
      ASANA_AUDIT_EVENT_TYPE: 'user_login_succeeded',
      ASANA_AUDIT_ACTOR_GID: '42',
      ASANA_AUDIT_RESOURCE_GID: '43',
      LOG_LEVEL: 'debug',
      LOG_FORMAT: 'pretty',
    });
    expect(c.asana.workspaceGids).toEqual(['111', '222']);
    expect(c.asana.apiUrl).toBe('http://127.0.0.1:9999/api/1.0');
    expect(c.asana.startAt).toEqual({ kind: 'time', at: new Date('2026-02-01T00:00:00Z') });
    expect(c.asana.pollIntervalMs).toBe(300_000);
    expect(c.stateFile).toBe('/var/lib/x/state.json');
    expect(c.asana.maxRequestsPerMinute).toBe(150);
    expect(c.asana.auditFilters).toEqual({ eventType: 'user_login_succeeded', actorGid: '42', resourceGid: '43' });
    expect(c.log).toEqual({ level: 'debug', format: 'pretty' });
    expect(c.warnings).toEqual([]);
  });

  it('accepts a duration or an ISO time for ASANA_START_AT, and resolveStartAt applies it', () => {
    const ago = load({ ...BASE, ASANA_START_AT: '7d' }).asana.startAt;
    expect(ago).toEqual({ kind: 'ago', ms: 7 * 86_400_000 });
    expect(resolveStartAt(ago, NOW).toISOString()).toBe('2026-02-22T12:00:00.000Z');
    const at = load({ ...BASE, ASANA_START_AT: '2026-02-27T10:00:00+02:00' }).asana.startAt;
    expect(resolveStartAt(at, NOW).toISOString()).toBe('2026-02-27T08:00:00.000Z');
    expect(load({ ...BASE, ASANA_START_AT: '2026-02-27' }).asana.startAt).toEqual({ kind: 'time', at: new Date('2026-02-27T00:00:00Z') });
  });

  it('warns (does not fail) when ASANA_START_AT reaches back more than 90 days', () => {
    expect(load({ ...BASE, ASANA_START_AT: '90d' }).warnings).toEqual([]);
    const w1 = load({ ...BASE, ASANA_START_AT: '120d' }).warnings;
    expect(w1).toHaveLength(1);
    expect(w1[0]).toMatch(/ASANA_START_AT.*90 days.*no longer exist/);
    const w2 = load({ ...BASE, ASANA_START_AT: '2025-01-01T00:00:00Z' }).warnings;
    expect(w2[0]).toMatch(/ASANA_START_AT.*90 days/);
  });

  it('warns about an undocumented actor type but passes it on', () => {
    const c = load({ ...BASE, ASANA_AUDIT_ACTOR_TYPE: 'robot' });
    expect(c.asana.auditFilters).toEqual({ actorType: 'robot' });
    expect(c.warnings.join('\n')).toMatch(/ASANA_AUDIT_ACTOR_TYPE.*robot/);
    expect(load({ ...BASE, ASANA_AUDIT_ACTOR_TYPE: 'external_administrator' }).warnings).toEqual([]);
  });

  it('warns about an unknown ASANA_ variable (a typo)', () => {
    expect(load({ ...BASE, ASANA_WORKSPACE: '1' }).warnings.join('\n')).toMatch(/ASANA_WORKSPACE is not a known setting/);
  });
});

describe('loadConfig: each problem names its variable', () => {
  it.each([
    ['ASANA_WORKSPACE_GID', 'abc', /ASANA_WORKSPACE_GID: "abc" is not a gid/],
    ['ASANA_WORKSPACE_GID', '12,x1', /ASANA_WORKSPACE_GID: "x1" is not a gid/],
    ['ASANA_WORKSPACE_GID', ',', /ASANA_WORKSPACE_GID: names no workspace gid/],
    ['ASANA_API_URL', 'ftp://example.com', /ASANA_API_URL: "ftp:\/\/example.com" is not an http\(s\) URL/],
    ['ASANA_API_URL', 'not a url', /ASANA_API_URL: .*not an http\(s\) URL/],
    ['ASANA_STREAMS', 'audit_log,bogus', /ASANA_STREAMS: unknown stream "bogus": use audit_log/],
    ['ASANA_START_AT', 'yesterday', /ASANA_START_AT: "yesterday" is neither an ISO-8601 time/],
    ['ASANA_START_AT', '2026-02-01T00:00:00', /ASANA_START_AT: .*with a zone/],
    ['ASANA_START_AT', '2026-03-02T00:00:00Z', /ASANA_START_AT: .*is in the future/],
    ['ASANA_POLL_INTERVAL', '30', /ASANA_POLL_INTERVAL: "30" is not a duration/],
    ['ASANA_POLL_INTERVAL', '500ms', /ASANA_POLL_INTERVAL: 500ms is too short: at least 1s/],
    ['ASANA_MAX_REQUESTS_PER_MINUTE', '0', /ASANA_MAX_REQUESTS_PER_MINUTE: must be at least 1/],
    ['ASANA_MAX_REQUESTS_PER_MINUTE', '1.5', /ASANA_MAX_REQUESTS_PER_MINUTE: "1.5" is not a positive integer/],
    ['ASANA_AUDIT_ACTOR_GID', 'me', /ASANA_AUDIT_ACTOR_GID: "me" is not a gid/],
    ['ASANA_AUDIT_RESOURCE_GID', 'x', /ASANA_AUDIT_RESOURCE_GID: "x" is not a gid/],
    ['OTEL_EXPORTER_OTLP_ENDPOINT', 'localhost:4318', /OTEL_EXPORTER_OTLP_ENDPOINT: .*not an http\(s\) URL/],
    ['OTEL_EXPORTER_OTLP_LOGS_ENDPOINT', 'grpc://c:4317', /OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: .*not an http\(s\) URL/],
    ['OTEL_EXPORTER_OTLP_PROTOCOL', 'grpc/json', /OTEL_EXPORTER_OTLP_PROTOCOL: "grpc\/json" is not a protocol: use grpc, http\/protobuf or http\/json/],
    ['OTEL_EXPORTER_OTLP_LOGS_PROTOCOL', 'thrift', /OTEL_EXPORTER_OTLP_LOGS_PROTOCOL: "thrift" is not a protocol/],
    ['OTEL_EXPORTER_OTLP_COMPRESSION', 'zstd', /OTEL_EXPORTER_OTLP_COMPRESSION: "zstd" is not a compression: use gzip or none/],
    ['OTEL_EXPORTER_OTLP_LOGS_TIMEOUT', '10s', /OTEL_EXPORTER_OTLP_LOGS_TIMEOUT: "10s" is not a positive integer: milliseconds/],
    ['OTEL_EXPORTER_OTLP_HEADERS', 'novalue', /OTEL_EXPORTER_OTLP_HEADERS: entry 1 is not key=value/],
    ['OTEL_EXPORTER_OTLP_LOGS_HEADERS', 'bad key=1', /OTEL_EXPORTER_OTLP_LOGS_HEADERS: entry 1: "bad key" is not a valid HTTP header name/],
    ['OTEL_RESOURCE_ATTRIBUTES', 'a=%E0%A4%A', /OTEL_RESOURCE_ATTRIBUTES: entry 1 \(a\): the value is not valid percent-encoding/],
    ['LOG_LEVEL', 'verbose', /LOG_LEVEL: "verbose" is not a log level: use error, warn, info, debug/],
    ['LOG_FORMAT', 'xml', /LOG_FORMAT: "xml" is not a log format/],
  ])('%s=%j', (name, value, pattern) => {
    const p = problems({ ...BASE, [name]: value });
    expect(p).toHaveLength(1);
    expect(p[0]).toMatch(pattern);
  });

  it('says what the token is and where to get it when it is missing', () => {
    expect(problems({ ASANA_WORKSPACE_GID: '1' })).toEqual([
      'ASANA_TOKEN (or ASANA_TOKEN_FILE) is required: the Asana service-account token (Admin Console → Apps → Service accounts)',
    ]);
  });

  it('refuses actor_type together with actor_gid (the API says to exclude actor_type then)', () => {
    const p = problems({ ...BASE, ASANA_AUDIT_ACTOR_TYPE: 'user', ASANA_AUDIT_ACTOR_GID: '42' });
    expect(p).toHaveLength(1);
    expect(p[0]).toMatch(/ASANA_AUDIT_ACTOR_TYPE and ASANA_AUDIT_ACTOR_GID are both set.*unset ASANA_AUDIT_ACTOR_TYPE/);
  });

  it('reports every problem at once', () => {
    const p = problems({
      ASANA_POLL_INTERVAL: 'often',
      ASANA_START_AT: 'soon',
      ASANA_STREAMS: 'nope',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'thrift',
      LOG_LEVEL: 'chatty',
      ASANA_AUDIT_ACTOR_TYPE: 'user',
      ASANA_AUDIT_ACTOR_GID: '1',
    });
    const names = p.map((x) => x.split(/[ :]/)[0]);
    expect(names).toEqual([
      'ASANA_TOKEN',
      'ASANA_WORKSPACE_GID',
      'ASANA_STREAMS',
      'ASANA_START_AT',
      'ASANA_POLL_INTERVAL',
      'ASANA_AUDIT_ACTOR_TYPE',
      'OTEL_EXPORTER_OTLP_PROTOCOL',
      'LOG_LEVEL',
    ]);
    try {
      load({ LOG_LEVEL: 'chatty' });
    } catch (err) {
      expect((err as Error).message).toMatch(/^invalid configuration:\n {2}- ASANA_TOKEN .*\n {2}- ASANA_WORKSPACE_GID .*\n {2}- LOG_LEVEL/);
    }
  });
});

describe('loadConfig: the token', () => {
  it('reads ASANA_TOKEN_FILE and trims it', () => {
    const c = load({ ASANA_WORKSPACE_GID: '1', ASANA_TOKEN_FILE: file(`  ${TOKEN}\n\n`) });
    expect(c.asana.token).toBe(TOKEN);
  });

  it('refuses ASANA_TOKEN and ASANA_TOKEN_FILE together', () => {
    const p = problems({ ...BASE, ASANA_TOKEN_FILE: file(TOKEN) });
    expect(p).toEqual(['ASANA_TOKEN and ASANA_TOKEN_FILE are both set: set only one']);
  });

  it('names the path of an unreadable token file', () => {
    const missing = join(dir, 'no-such-secret');
    const p = problems({ ASANA_WORKSPACE_GID: '1', ASANA_TOKEN_FILE: missing });
    expect(p).toHaveLength(1);
    expect(p[0]).toContain('ASANA_TOKEN_FILE');
    expect(p[0]).toContain(missing);
    expect(p[0]).toContain('ENOENT');
    // A relative path is named absolute: the receiver's working directory is rarely the user's.
    expect(problems({ ASANA_WORKSPACE_GID: '1', ASANA_TOKEN_FILE: 'secrets/asana-token' })[0]).toContain(resolve('secrets/asana-token'));
  });

  it('refuses an empty token file', () => {
    expect(problems({ ASANA_WORKSPACE_GID: '1', ASANA_TOKEN_FILE: file('\n  \n') })[0]).toMatch(/ASANA_TOKEN_FILE: .* is empty/);
  });

  it('refuses a token with a "Bearer " prefix or inner whitespace, without echoing it', () => {
    expect(problems({ ...BASE, ASANA_TOKEN: `Bearer ${TOKEN}` })[0]).toMatch(/ASANA_TOKEN: the token contains spaces/);
    expect(problems({ ASANA_WORKSPACE_GID: '1', ASANA_TOKEN_FILE: file(`${TOKEN}\nsecond line`) })[0]).toMatch(/ASANA_TOKEN_FILE: the token contains/);
  });

  it('never appears in a message, even pasted into the wrong variable', () => {
    // problems() checks every message for the marker.
    const p = problems({
      ...BASE,
      ASANA_WORKSPACE_GID: TOKEN,
      ASANA_API_URL: TOKEN,
      ASANA_STREAMS: TOKEN,
      ASANA_START_AT: TOKEN,
      ASANA_POLL_INTERVAL: TOKEN,
      ASANA_MAX_REQUESTS_PER_MINUTE: TOKEN,
      ASANA_AUDIT_ACTOR_GID: TOKEN,
      OTEL_EXPORTER_OTLP_ENDPOINT: TOKEN,
      OTEL_EXPORTER_OTLP_PROTOCOL: TOKEN,
      OTEL_EXPORTER_OTLP_HEADERS: `authorization=${TOKEN},${TOKEN}`,
      OTEL_EXPORTER_OTLP_COMPRESSION: TOKEN,
      OTEL_EXPORTER_OTLP_TIMEOUT: TOKEN,
      LOG_LEVEL: TOKEN,
      LOG_FORMAT: TOKEN,
    });
    expect(p.length).toBeGreaterThanOrEqual(12);
    expect(p.join('\n')).toContain('[REDACTED]');
    // …also from a token file, and from a YAML file that holds it
    problems({ ASANA_WORKSPACE_GID: '1', ASANA_TOKEN_FILE: file(TOKEN), LOG_LEVEL: TOKEN });
    problems({}, file(`ASANA_TOKEN: ${TOKEN}\nASANA_WORKSPACE_GID: ${TOKEN}\n`));
    problems({}, file(`ASANA_TOKEN: ${TOKEN}: oops\n`)); // YAML syntax error on the token's line
    // …and not in warnings either
    const c = load({ ...BASE, ASANA_AUDIT_ACTOR_TYPE: TOKEN });
    expect(c.warnings.join('\n')).not.toContain(TOKEN);
  });

  it('redactConfig hides the token and header values', () => {
    const c = load({ ...BASE, OTEL_EXPORTER_OTLP_HEADERS: 'Authorization=Basic%20abc' });
    const r = redactConfig(c);
    expect(JSON.stringify(r)).not.toContain(TOKEN);
    expect(r.otlp.headers).toEqual({ authorization: '[REDACTED]' });
    expect(c.asana.token).toBe(TOKEN); // the original is untouched
  });
});

describe('loadConfig: YAML file', () => {
  it('reads the same keys as the environment', () => {
    const f = file(
      [
        'ASANA_TOKEN: file-token-value',
        'ASANA_WORKSPACE_GID: 1200000000000001234', // unquoted: beyond 2^53, must stay exact
        'ASANA_POLL_INTERVAL: 1m',
        'ASANA_MAX_REQUESTS_PER_MINUTE: 150',
        'OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318/"',
        'ASANA_AUDIT_EVENT_TYPE:', // empty: unset
      ].join('\n'),
    );
    const c = load({}, f);
    expect(c.asana.token).toBe('file-token-value');
    expect(c.asana.workspaceGids).toEqual(['1200000000000001234']);
    expect(c.asana.pollIntervalMs).toBe(60_000);
    expect(c.asana.maxRequestsPerMinute).toBe(150);
    expect(c.otlp.url).toBe('http://collector:4318/v1/logs');
    expect(c.otlp.endpointIsDefault).toBe(false);
    expect(c.asana.auditFilters).toEqual({});
  });

  it('precedence: environment > file > default', () => {
    const f = file('ASANA_POLL_INTERVAL: 1m\nASANA_START_AT: 7d\nASANA_WORKSPACE_GID: "1"\n');
    const c = load({ ASANA_TOKEN: TOKEN, ASANA_POLL_INTERVAL: '2m' }, f);
    expect(c.asana.pollIntervalMs).toBe(120_000); // env wins
    expect(c.asana.startAt).toEqual({ kind: 'ago', ms: 7 * 86_400_000 }); // file beats the default
    expect(c.asana.workspaceGids).toEqual(['1']);
    expect(c.log.level).toBe('info'); // default
  });

  it('lets an empty environment variable fall through to the file', () => {
    const f = file('LOG_LEVEL: debug\n');
    expect(load({ ...BASE, LOG_LEVEL: '' }, f).log.level).toBe('debug');
  });

  it('names an unknown key and the file', () => {
    const f = file('ASANA_WORKSPACE_GID: "1"\nASANA_POLL_INTERVALL: 1m\nasana_token: x\n');
    const p = problems({ ASANA_TOKEN: TOKEN }, f);
    expect(p).toHaveLength(2);
    expect(p[0]).toContain(`config file ${f}: unknown key "ASANA_POLL_INTERVALL"`);
    expect(p[1]).toContain('unknown key "asana_token" is not a known setting — did you mean ASANA_TOKEN?');
  });

  it('names the file in a value problem that came from it', () => {
    const f = file('LOG_LEVEL: loud\n');
    expect(problems(BASE, f)).toEqual([`LOG_LEVEL (in ${f}): "loud" is not a log level: use error, warn, info, debug`]);
  });

  it('names a file given by a relative path by its absolute path', () => {
    const f = file('LOG_LEVEL: loud\n');
    const relativePath = relative(process.cwd(), f);
    expect(problems(BASE, relativePath)).toEqual([`LOG_LEVEL (in ${f}): "loud" is not a log level: use error, warn, info, debug`]);
    expect(problems(BASE, 'no-such-dir/receiver.yaml')[0]).toContain(`config file ${resolve('no-such-dir/receiver.yaml')} cannot be read`);
  });

  it('reports file problems together with environment problems', () => {
    const f = file('ASANA_STREAMS:\n  - audit_log\nLOG_FORMAT: [json]\n');
    const p = problems({ ASANA_WORKSPACE_GID: '1' }, f);
    expect(p).toHaveLength(3);
    expect(p[0]).toContain(`ASANA_STREAMS (in ${f}): must be a single value`);
    expect(p[1]).toContain(`LOG_FORMAT (in ${f}): must be a single value`);
    expect(p[2]).toMatch(/^ASANA_TOKEN \(or ASANA_TOKEN_FILE\) is required/);
  });

  it('names a missing or malformed file', () => {
    const missing = join(dir, 'nope.yaml');
    expect(problems(BASE, missing)[0]).toMatch(new RegExp(`config file ${missing} cannot be read \\(ENOENT\\)`));
    expect(problems(BASE, file('ASANA_STREAMS: [audit_log\n'))[0]).toMatch(/config file .*: invalid YAML at line \d+, column \d+/);
    expect(problems(BASE, file('- a\n- b\n'))[0]).toMatch(/must be a map of setting names/);
  });

  it('treats an empty file as no settings', () => {
    expect(load(BASE, file('# nothing yet\n')).asana.pollIntervalMs).toBe(30_000);
  });
});

describe('loadConfig: OTLP (OTel spec)', () => {
  const otlp = (env: Record<string, string>) => load({ ...BASE, ...env }).otlp;

  it('appends /v1/logs to the generic endpoint, respecting a trailing slash', () => {
    expect(otlp({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }).url).toBe('http://c:4318/v1/logs');
    expect(otlp({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318/' }).url).toBe('http://c:4318/v1/logs');
    expect(otlp({ OTEL_EXPORTER_OTLP_ENDPOINT: 'https://c/otlp' }).url).toBe('https://c/otlp/v1/logs');
    expect(otlp({ OTEL_EXPORTER_OTLP_ENDPOINT: 'https://c/otlp/' }).url).toBe('https://c/otlp/v1/logs');
    expect(otlp({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }).endpointIsDefault).toBe(false);
  });

  it('uses the logs endpoint as-is, over the generic one', () => {
    const o = otlp({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://generic:4318', OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: 'http://logs:1234/custom' });
    expect(o.url).toBe('http://logs:1234/custom');
    expect(o.endpointIsDefault).toBe(false);
    expect(otlp({ OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: 'http://logs:1234/' }).url).toBe('http://logs:1234/');
  });

  it('does not validate a generic endpoint the logs endpoint overrides', () => {
    expect(otlp({ OTEL_EXPORTER_OTLP_ENDPOINT: 'bogus', OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: 'http://l/v1/logs' }).url).toBe('http://l/v1/logs');
  });

  it('resolves protocol, compression and timeout, the logs-specific variable winning', () => {
    expect(otlp({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }).protocol).toBe('http/json');
    expect(otlp({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_LOGS_PROTOCOL: 'http/protobuf' }).protocol).toBe('http/protobuf');
    expect(otlp({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_LOGS_PROTOCOL: 'http/json' }).protocol).toBe('http/json');
    expect(problems({ ...BASE, OTEL_EXPORTER_OTLP_LOGS_PROTOCOL: 'thrift' })[0]).toMatch(/^OTEL_EXPORTER_OTLP_LOGS_PROTOCOL: "thrift" is not a protocol/);
    expect(otlp({ OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip' }).compression).toBe('gzip');
    expect(otlp({ OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip', OTEL_EXPORTER_OTLP_LOGS_COMPRESSION: 'none' }).compression).toBe('none');
    expect(otlp({ OTEL_EXPORTER_OTLP_TIMEOUT: '5000' }).timeoutMs).toBe(5000);
    expect(otlp({ OTEL_EXPORTER_OTLP_TIMEOUT: '5000', OTEL_EXPORTER_OTLP_LOGS_TIMEOUT: '2500' }).timeoutMs).toBe(2500);
  });

  it('parses headers: percent-decoded, trimmed, the logs-specific value winning per key', () => {
    const o = otlp({
      OTEL_EXPORTER_OTLP_HEADERS: 'Authorization=Basic%20dXNlcjpwdw%3D%3D, x-scope=generic , x-tenant=a',
      OTEL_EXPORTER_OTLP_LOGS_HEADERS: 'X-Tenant=logs%2Cteam,api-key=k=v',
    });
    expect(o.headers).toEqual({
      authorization: 'Basic dXNlcjpwdw==',
      'x-scope': 'generic',
      'x-tenant': 'logs,team',
      'api-key': 'k=v',
    });
  });

  it('never echoes a header value in a problem', () => {
    const p = problems({ ...BASE, OTEL_EXPORTER_OTLP_HEADERS: 'authorization=secret%zzvalue' });
    expect(p[0]).toMatch(/OTEL_EXPORTER_OTLP_HEADERS: entry 1 \(authorization\)/);
    expect(p[0]).not.toContain('secret');
  });

  it('parses OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES', () => {
    const c = load({ ...BASE, OTEL_SERVICE_NAME: 'asana-prod', OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=prod,team=sec%20ops' });
    expect(c.serviceName).toBe('asana-prod');
    expect(c.resourceAttributes).toEqual({ 'deployment.environment': 'prod', team: 'sec ops' });
  });
});

describe('loadConfig: health endpoint and self-telemetry', () => {
  it('ASANA_HEALTH_ADDR: host:port, IPv6 in brackets, an empty host for every interface, or off', () => {
    expect(load({ ...BASE, ASANA_HEALTH_ADDR: '127.0.0.1:8080' }).health).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(load({ ...BASE, ASANA_HEALTH_ADDR: '[::1]:13133' }).health).toEqual({ host: '::1', port: 13133 });
    expect(load({ ...BASE, ASANA_HEALTH_ADDR: ':9000' }).health).toEqual({ host: '0.0.0.0', port: 9000 });
    expect(load({ ...BASE, ASANA_HEALTH_ADDR: 'localhost:0' }).health).toEqual({ host: 'localhost', port: 0 });
    expect(load({ ...BASE, ASANA_HEALTH_ADDR: 'off' }).health).toBeUndefined();
    expect(load({ ...BASE, ASANA_HEALTH_ADDR: 'OFF' }).health).toBeUndefined();
    // Empty means unset, as for every variable: the default, not "off".
    expect(load({ ...BASE, ASANA_HEALTH_ADDR: '' }).health).toEqual({ host: '0.0.0.0', port: 13133 });
  });

  it('ASANA_HEALTH_ADDR problems say what a valid value looks like', () => {
    for (const bad of ['13133', 'host:', 'host:99999', 'http://x:1', 'a b:1']) {
      expect(problems({ ...BASE, ASANA_HEALTH_ADDR: bad })[0]).toMatch(/^ASANA_HEALTH_ADDR: ".*" is not host:port: e\.g\. 0\.0\.0\.0:13133, .*or off/);
    }
  });

  it('metrics go to the generic endpoint + /v1/metrics, or the metrics endpoint as-is, never the logs one', () => {
    const m = (env: Record<string, string>) => load({ ...BASE, ...env }).metrics!;
    expect(m({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318/' }).url).toBe('http://c:4318/v1/metrics');
    expect(m({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: 'http://loki/otlp/v1/logs' })).toMatchObject({
      url: 'http://c:4318/v1/metrics',
      endpointIsDefault: false,
    });
    expect(m({ OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: 'http://loki/otlp/v1/logs' })).toMatchObject({ url: 'http://localhost:4318/v1/metrics', endpointIsDefault: true });
    expect(m({ OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'http://m:9/custom' }).url).toBe('http://m:9/custom');
    expect(problems({ ...BASE, OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'nope' })[0]).toMatch(/^OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: "nope" is not an http\(s\) URL/);
  });

  it('metrics use the generic protocol, headers, compression and timeout (the _LOGS_ ones are for logs)', () => {
    const c = load({
      ...BASE,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_LOGS_PROTOCOL: 'http/protobuf',
      OTEL_EXPORTER_OTLP_HEADERS: 'x-generic=g',
      OTEL_EXPORTER_OTLP_LOGS_HEADERS: 'x-logs=l',
      OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip',
      OTEL_EXPORTER_OTLP_LOGS_COMPRESSION: 'none',
      OTEL_EXPORTER_OTLP_TIMEOUT: '4000',
      OTEL_METRIC_EXPORT_INTERVAL: '250',
    });
    expect(c.metrics).toMatchObject({ protocol: 'http/json', headers: { 'x-generic': 'g' }, compression: 'gzip', timeoutMs: 4000, intervalMs: 250 });
    expect(c.otlp).toMatchObject({ protocol: 'http/protobuf', headers: { 'x-generic': 'g', 'x-logs': 'l' }, compression: 'none' });
  });

  it('a bad generic variable only the metrics would use turns metrics off with a warning, never stops the logs', () => {
    const c = load({ ...BASE, OTEL_EXPORTER_OTLP_PROTOCOL: 'thrift', OTEL_EXPORTER_OTLP_LOGS_PROTOCOL: 'http/json' });
    expect(c.otlp.protocol).toBe('http/json');
    expect(c.metrics).toBeUndefined();
    expect(c.warnings.join('\n')).toMatch(/OTEL_EXPORTER_OTLP_PROTOCOL: "thrift" is not a protocol.*the receiver's own metrics are off/);
  });

  it('OTEL_METRICS_EXPORTER=none turns metrics off; other exporters are refused by name', () => {
    const c = load({ ...BASE, OTEL_METRICS_EXPORTER: 'none', OTEL_EXPORTER_OTLP_PROTOCOL: 'thrift', OTEL_EXPORTER_OTLP_LOGS_PROTOCOL: 'http/json' });
    expect(c.metrics).toBeUndefined();
    expect(c.warnings).toEqual([]); // nothing to say about settings metrics would have used
    expect(problems({ ...BASE, OTEL_METRICS_EXPORTER: 'prometheus' })[0]).toMatch(/^OTEL_METRICS_EXPORTER: "prometheus" is not supported: use otlp .* or none/);
    expect(problems({ ...BASE, OTEL_METRIC_EXPORT_INTERVAL: '1m' })[0]).toMatch(/^OTEL_METRIC_EXPORT_INTERVAL: "1m" is not a positive integer/);
  });
});

describe('loadConfig: start-up refusals that never echo the value', () => {
  it('refuses credentials in ASANA_API_URL, naming the variable', () => {
    for (const url of ['https://me:s3cretpw@app.asana.com/api/1.0', 'https://s3cretpw@app.asana.com/api/1.0']) {
      const p = problems({ ...BASE, ASANA_API_URL: url });
      expect(p).toEqual(['ASANA_API_URL: contains credentials (user:password@): remove them; the token goes in ASANA_TOKEN']);
    }
  });

  it('refuses a token with a non-ASCII or control character', () => {
    for (const token of ['2/1234/5678:abc\u2013def', 'abc\u0000def', 'abcdef\u00e9']) {
      const p = problems({ ...BASE, ASANA_TOKEN: token });
      expect(p[0]).toMatch(/^ASANA_TOKEN: the token contains spaces, control or non-ASCII characters/);
      expect(p.join('\n')).not.toContain(token);
    }
  });

  it('caps every duration at Node\'s timer limit (or lower) with a clear problem', () => {
    expect(problems({ ...BASE, ASANA_POLL_INTERVAL: '30d' })[0]).toMatch(/^ASANA_POLL_INTERVAL: 30d is too long: at most /);
    expect(load({ ...BASE, ASANA_POLL_INTERVAL: '24d' }).asana.pollIntervalMs).toBe(24 * 86_400_000);
    expect(problems({ ...BASE, ASANA_LATE_WINDOW: '25h' })[0]).toMatch(/^ASANA_LATE_WINDOW: 25h is too long: at most 1d/);
  });
});

describe('loadConfig: delivery', () => {
  const base = { ASANA_TOKEN: 'MARKER-t0ken-9f3a7c1e5b', ASANA_WORKSPACE_GID: '1200000000000001' };
  it('reads ASANA_ACCEPT_PARTIAL_SUCCESS and ASANA_ONCE_COLLECTOR_WAIT', () => {
    expect(loadConfig({ ...base, ASANA_ACCEPT_PARTIAL_SUCCESS: 'TRUE', ASANA_ONCE_COLLECTOR_WAIT: '90s' }).delivery).toEqual({ acceptPartialSuccess: true, onceCollectorWaitMs: 90_000 });
  });
  it.each([
    ['ASANA_ACCEPT_PARTIAL_SUCCESS', 'yes'],
    ['ASANA_ONCE_COLLECTOR_WAIT', '300'],
    ['ASANA_ONCE_COLLECTOR_WAIT', '30d'],
  ])('%s=%s is refused, naming the variable', (name, value) => {
    expect(() => loadConfig({ ...base, [name]: value })).toThrow(name);
  });
});

describe('loadConfig: the receiver\'s metrics and gRPC', () => {
  const base = { ASANA_TOKEN: 'MARKER-t0ken-9f3a7c1e5b', ASANA_WORKSPACE_GID: '1200000000000001' };
  it('logs over gRPC: metrics resolved to grpc are off, with one warning naming the fix; logs keep grpc', () => {
    const c = loadConfig({ ...base, OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' });
    expect(c.otlp.protocol).toBe('grpc');
    expect(c.metrics).toBeUndefined();
    expect(c.warnings.filter((w) => w.includes('not sent over OTLP/gRPC'))).toEqual([expect.stringContaining('OTEL_EXPORTER_OTLP_METRICS_PROTOCOL=http/protobuf')]);
  });
  it('metrics over OTLP/HTTP beside logs over gRPC', () => {
    const c = loadConfig({ ...base, OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'http/protobuf' });
    expect(c.metrics?.protocol).toBe('http/protobuf');
    expect(c.warnings.some((w) => w.includes('not sent over OTLP/gRPC'))).toBe(false);
  });
});
