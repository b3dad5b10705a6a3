/**
 * Environment variables (and an optional YAML file with the same keys) -> one typed, validated Config.
 *
 * Precedence, per variable: environment > YAML file > DEFAULTS (CLI flags are applied by the CLI as
 * environment overrides). An empty value counts as unset (as the OTel spec defines for its variables).
 * Every problem is reported at once in one ConfigError, each naming the variable and what to fix; a
 * name that is not a setting is named among them, with the setting it is probably a typo of. The Asana
 * token never appears in a message; OTLP header values are never echoed either.
 */
import { readFileSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import {
  ASANA_RETENTION_MS,
  AUDIT_ACTOR_TYPES,
  EVENT_STREAMS,
  SYNC_TOKEN_WARN_AGE_MS,
  type AuditLogFilters,
} from '../asana/vocabulary.ts';
import { formatDuration } from '../duration.ts';
import { ConfigError } from '../errors.ts';
import { REDACTED, scrubber } from '../scrub.ts';
import { DEFAULT_TEXT, DEFAULTS, MAX_LATE_WINDOW_MS, MAX_POLL_INTERVAL_MS, MAX_TIMER_MS, MIN_POLL_INTERVAL_MS, type EnvVarName, type Raw } from './env-vars.ts';
import { resolveEventResources } from './event-resources.ts';
import { resolveOtlpSignal, signalVar, type OtlpReport, type SettingSource } from './otlp.ts';
import {
  anyText,
  boolean,
  duration,
  gid,
  gidList,
  healthAddr,
  httpUrl,
  keyValueList,
  LOG_FORMATS,
  LOG_LEVELS,
  mapParsed,
  metricsExporter,
  milliseconds,
  NOT_PRINTABLE_ASCII,
  oneOf,
  parseSetting,
  positiveInt,
  startAt as startAtParser,
  streamList,
  type Parser,
} from './parsers.ts';
import { errCode, pickKnown, readConfigFile, unknownEnvNames } from './sources.ts';
import type { Config, LoadedConfig, MetricsConfig, StartAt } from './types.ts';

/** Resolves ASANA_START_AT against a clock: the instant a stream without a checkpoint starts at. */
export function resolveStartAt(startAt: StartAt, now: Date): Date {
  return startAt.kind === 'time' ? new Date(startAt.at.getTime()) : new Date(now.getTime() - startAt.ms);
}

/** The merged sources: environment > file > default, and where each value came from. */
function settingSource(env: Record<string, string | undefined>, given: string | undefined, problems: string[]): SettingSource & { fromEnv: Raw; fromFile: Raw } {
  // Messages name the file by absolute path: the receiver's working directory is rarely the user's.
  const configFile = given === undefined ? undefined : resolvePath(given);
  const fromEnv = pickKnown(env);
  const fromFile = configFile === undefined ? {} : readConfigFile(configFile, problems);
  const valueOf = (name: EnvVarName): string | undefined => fromEnv[name] ?? fromFile[name];
  return {
    fromEnv,
    fromFile,
    given: valueOf,
    value: (name) => valueOf(name) ?? DEFAULT_TEXT[name],
    where: (name) => (fromEnv[name] === undefined && fromFile[name] !== undefined ? `${name} (in ${configFile})` : name),
  };
}

/**
 * ASANA_STATE_FILE alone (flag > env > file > default), for the commands that only read the state
 * file: they need no token. Problems in the file are reported as a ConfigError.
 */
export function resolveStateFile(env: Record<string, string | undefined>, opts: { configFile?: string; flag?: string } = {}): string {
  if (opts.flag !== undefined && opts.flag.trim() !== '') return resolvePath(opts.flag);
  const problems: string[] = [];
  const src = settingSource(env, opts.configFile, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return resolvePath(src.value('ASANA_STATE_FILE') ?? DEFAULTS.stateFile);
}

/**
 * Reads the configuration. Throws ConfigError listing every problem. `now` is for tests
 * (ASANA_START_AT checks); `configFile` is the `--config` YAML file.
 */
export function loadConfig(env: Record<string, string | undefined>, opts: { configFile?: string; now?: Date } = {}): LoadedConfig {
  const now = opts.now ?? new Date();
  const problems: string[] = [];
  const warnings: string[] = [];
  const src = settingSource(env, opts.configFile, problems);
  const { given, value, where } = src;
  const unknownNames = unknownEnvNames(env);

  /** Runs one variable's value (given or default) through its parser; collects the problems. */
  const check = <T>(name: EnvVarName, parser: Parser<T>): T | undefined =>
    parseSetting(value(name), parser, (problem) => problems.push(`${where(name)}: ${problem}`));

  // --- Asana ---
  const token = resolveToken(given('ASANA_TOKEN'), given('ASANA_TOKEN_FILE'), where, problems);

  let workspaceGids: string[] | undefined;
  if (given('ASANA_WORKSPACE_GID') === undefined) {
    problems.push(
      'ASANA_WORKSPACE_GID is required: the gid of the Asana workspace or organization (domain) whose audit log to read, e.g. 1234567890 (comma-separate several)',
    );
  } else {
    workspaceGids = check('ASANA_WORKSPACE_GID', gidList);
  }

  const apiUrl = check('ASANA_API_URL', mapParsed(httpUrl(`e.g. ${DEFAULTS.apiUrl}`, { noCredentials: true }), (u) => u.replace(/\/+$/, '')));
  const streams = check('ASANA_STREAMS', streamList);
  const startAt = check('ASANA_START_AT', startAtParser(now));
  if (startAt !== undefined && now.getTime() - resolveStartAt(startAt, now).getTime() > ASANA_RETENTION_MS) {
    warnings.push(
      `${where('ASANA_START_AT')}: ${value('ASANA_START_AT')} reaches back more than 90 days: Asana deletes audit-log events after 90 days, so events older than that no longer exist; streams start at the oldest event Asana still has`,
    );
  }
  const pollIntervalMs = check('ASANA_POLL_INTERVAL', duration(MIN_POLL_INTERVAL_MS, 'e.g. 30s or 5m', MAX_POLL_INTERVAL_MS));
  const eventStreams = (streams ?? []).filter((s) => EVENT_STREAMS.includes(s));
  if (pollIntervalMs !== undefined && pollIntervalMs >= SYNC_TOKEN_WARN_AGE_MS && eventStreams.length > 0) {
    warnings.push(
      `${where('ASANA_POLL_INTERVAL')}: ${value('ASANA_POLL_INTERVAL')} approaches the lifetime of Asana sync tokens (at most 24 h, sooner under load) used by ${eventStreams.join(' and ')}: ` +
        'a token that expires between two polls loses the events in between (a gap record reports it); poll every few minutes instead',
    );
  }
  const eventResources = resolveEventResources(
    given('ASANA_EVENT_RESOURCES'),
    (streams ?? []).includes('resource_events'),
    workspaceGids,
    where('ASANA_EVENT_RESOURCES'),
    problems,
    warnings,
  );
  const lateWindowMs = check('ASANA_LATE_WINDOW', duration(0, 'e.g. 30m, or 0s to turn late-event re-scans off', MAX_LATE_WINDOW_MS));
  const lateRescanIntervalMs = check('ASANA_LATE_RESCAN_INTERVAL', duration(MIN_POLL_INTERVAL_MS, 'e.g. 5m', MAX_LATE_WINDOW_MS));
  if (lateWindowMs !== undefined && lateRescanIntervalMs !== undefined && lateWindowMs > 0 && lateRescanIntervalMs >= lateWindowMs) {
    // An event recorded late must still be inside the window at the next re-scan.
    problems.push(
      `${where('ASANA_LATE_RESCAN_INTERVAL')} (${formatDuration(lateRescanIntervalMs)}) must be shorter than ${where('ASANA_LATE_WINDOW')} (${formatDuration(lateWindowMs)}): a late event could leave the window between two re-scans`,
    );
  }
  // Absolute from here on, so every message names the file unambiguously (relative: to the working directory).
  const stateFile = check('ASANA_STATE_FILE', mapParsed(anyText, (p) => resolvePath(p)));
  const acceptPartialSuccess = check('ASANA_ACCEPT_PARTIAL_SUCCESS', boolean);
  const onceCollectorWaitMs = check('ASANA_ONCE_COLLECTOR_WAIT', duration(1_000, 'e.g. 5m', MAX_TIMER_MS));
  const maxRequestsPerMinute = check('ASANA_MAX_REQUESTS_PER_MINUTE', positiveInt('the per-token budget (Asana: 1500 on paid plans, 150 on free)'));

  const auditFilters: AuditLogFilters = {};
  const eventType = check('ASANA_AUDIT_EVENT_TYPE', anyText);
  if (eventType !== undefined) auditFilters.eventType = eventType;
  const actorType = check('ASANA_AUDIT_ACTOR_TYPE', anyText);
  if (actorType !== undefined) {
    auditFilters.actorType = actorType;
    if (!(AUDIT_ACTOR_TYPES as readonly string[]).includes(actorType)) {
      warnings.push(
        `${where('ASANA_AUDIT_ACTOR_TYPE')}: "${actorType}" is not an actor type the Asana API documents (${AUDIT_ACTOR_TYPES.join(', ')}); passing it on as given`,
      );
    }
  }
  const actorGid = check('ASANA_AUDIT_ACTOR_GID', gid);
  if (actorGid !== undefined) auditFilters.actorGid = actorGid;
  const resourceGid = check('ASANA_AUDIT_RESOURCE_GID', gid);
  if (resourceGid !== undefined) auditFilters.resourceGid = resourceGid;
  if (given('ASANA_AUDIT_ACTOR_TYPE') !== undefined && given('ASANA_AUDIT_ACTOR_GID') !== undefined) {
    problems.push(
      'ASANA_AUDIT_ACTOR_TYPE and ASANA_AUDIT_ACTOR_GID are both set: the Asana API says "if actor_gid is included, actor_type should be excluded"; unset ASANA_AUDIT_ACTOR_TYPE',
    );
  }

  // --- OTLP: one resolver for both signals ---
  const otlp = resolveOtlpSignal('logs', src, {
    problem: (name, message) => problems.push(`${where(name)}: ${message}`),
    note: (name, message) => warnings.push(`${where(name)}: ${message}`),
  });

  const serviceName = check('OTEL_SERVICE_NAME', anyText);
  const resourceAttributes = check('OTEL_RESOURCE_ATTRIBUTES', keyValueList('attribute')) ?? {};
  const level = check('LOG_LEVEL', oneOf(LOG_LEVELS, (text) => `"${text}" is not a log level: use ${LOG_LEVELS.join(', ')}`));
  const format = check('LOG_FORMAT', oneOf(LOG_FORMATS, (text) => `"${text}" is not a log format: use json or pretty`));

  // --- Health endpoint and self-telemetry ---
  const health = check('ASANA_HEALTH_ADDR', healthAddr);
  const exporter = check('OTEL_METRICS_EXPORTER', metricsExporter);
  const intervalMs = check('OTEL_METRIC_EXPORT_INTERVAL', milliseconds('60000'));
  const metricsOtlp = exporter === 'otlp' ? resolveOtlpSignal('metrics', src, metricsReport(src, problems, warnings)) : undefined;
  // The receiver's own metrics go over OTLP/HTTP only: metrics resolved to grpc are turned off, said once at start-up.
  const metricsOverGrpc = metricsOtlp?.protocol === 'grpc';
  if (metricsOverGrpc) {
    warnings.push(
      `${where(given('OTEL_EXPORTER_OTLP_METRICS_PROTOCOL') !== undefined ? 'OTEL_EXPORTER_OTLP_METRICS_PROTOCOL' : 'OTEL_EXPORTER_OTLP_PROTOCOL')}: ` +
        "the receiver's own metrics are not sent over OTLP/gRPC, so they are off (logs are not affected); to have them, set " +
        "OTEL_EXPORTER_OTLP_METRICS_PROTOCOL=http/protobuf and OTEL_EXPORTER_OTLP_METRICS_ENDPOINT to the collector's OTLP/HTTP port (4318), or OTEL_METRICS_EXPORTER=none to silence this",
    );
  }
  const metrics: MetricsConfig | undefined = metricsOtlp && !metricsOverGrpc && intervalMs !== undefined ? { ...metricsOtlp, intervalMs } : undefined;

  // The token must not leak through any message, however it got there (e.g. pasted into the wrong variable).
  const scrub = scrubber([env.ASANA_TOKEN, src.fromFile.ASANA_TOKEN, token]);
  if (problems.length > 0) throw new ConfigError([...problems, ...unknownNames].map(scrub));
  if (
    token === undefined || workspaceGids === undefined || apiUrl === undefined || streams === undefined ||
    startAt === undefined || pollIntervalMs === undefined || stateFile === undefined ||
    lateWindowMs === undefined || lateRescanIntervalMs === undefined || maxRequestsPerMinute === undefined ||
    otlp === undefined || level === undefined || format === undefined ||
    acceptPartialSuccess === undefined || onceCollectorWaitMs === undefined
  ) {
    // Unreachable: every undefined above came with a problem.
    throw new ConfigError(['internal: a setting failed without a message']);
  }

  const config: LoadedConfig = {
    asana: { token, workspaceGids, apiUrl, streams, startAt, pollIntervalMs, maxRequestsPerMinute, auditFilters, eventResources, lateWindowMs, lateRescanIntervalMs },
    stateFile,
    otlp,
    delivery: { acceptPartialSuccess, onceCollectorWaitMs },
    resourceAttributes,
    log: { level, format },
    warnings: [...unknownNames, ...warnings].map(scrub),
  };
  if (serviceName !== undefined) config.serviceName = serviceName;
  if (health) config.health = health;
  if (metrics) config.metrics = metrics;
  return config;
}

/**
 * The receiver's own metrics never stop it from shipping logs: a problem in a METRICS variable stops
 * start-up, but a bad generic variable is the logs' problem (reported there) unless the logs use their
 * own _LOGS_ variant instead; then it only turns metrics off, with a warning.
 */
function metricsReport(src: SettingSource, problems: string[], warnings: string[]): OtlpReport {
  const logsVariant = (name: EnvVarName): EnvVarName | undefined => {
    const setting = /^OTEL_EXPORTER_OTLP_(?!LOGS_|METRICS_)(.+)$/.exec(name)?.[1];
    return setting === undefined ? undefined : signalVar('logs', setting as Parameters<typeof signalVar>[1]);
  };
  return {
    problem(name, message) {
      const logs = logsVariant(name);
      if (logs === undefined) problems.push(`${src.where(name)}: ${message}`);
      else if (src.given(logs) !== undefined) {
        warnings.push(`${src.where(name)}: ${message}; the receiver's own metrics are off (logs use ${logs}). Set OTEL_METRICS_EXPORTER=none to silence this`);
      }
    },
    note(name, message) {
      if (logsVariant(name) === undefined) warnings.push(`${src.where(name)}: ${message}`);
    },
  };
}

function resolveToken(token: string | undefined, tokenFile: string | undefined, where: (name: EnvVarName) => string, problems: string[]): string | undefined {
  if (token !== undefined && tokenFile !== undefined) {
    problems.push('ASANA_TOKEN and ASANA_TOKEN_FILE are both set: set only one');
    return undefined;
  }
  let value = token;
  let name: EnvVarName = 'ASANA_TOKEN';
  if (tokenFile !== undefined) {
    name = 'ASANA_TOKEN_FILE';
    try {
      value = readFileSync(tokenFile, 'utf8').trim();
    } catch (err) {
      problems.push(`${where(name)}: cannot read the token file ${resolvePath(tokenFile)} (${errCode(err)}): mount the secret there or fix the path`);
      return undefined;
    }
    if (value === '') {
      problems.push(`${where(name)}: the token file ${resolvePath(tokenFile)} is empty`);
      return undefined;
    }
  }
  if (value === undefined) {
    problems.push('ASANA_TOKEN (or ASANA_TOKEN_FILE) is required: the Asana service-account token (Admin Console → Apps → Service accounts)');
    return undefined;
  }
  // Would corrupt the Authorization header (and some HTTP errors echo header values).
  if (/\s/.test(value) || NOT_PRINTABLE_ASCII.test(value)) {
    problems.push(
      `${where(name)}: the token contains spaces, control or non-ASCII characters: it must be the bare token, without "Bearer " (check for a pasted quote or dash)`,
    );
    return undefined;
  }
  return value;
}

/** A copy of the config that is safe to print (`validate`, debug logs): token and header values hidden. */
export function redactConfig<C extends Config>(config: C): C {
  const hide = (headers: Record<string, string>) => Object.fromEntries(Object.keys(headers).map((k) => [k, REDACTED]));
  const out: C = { ...config, asana: { ...config.asana, token: REDACTED }, otlp: { ...config.otlp, headers: hide(config.otlp.headers) } };
  if (config.metrics) out.metrics = { ...config.metrics, headers: hide(config.metrics.headers) };
  return out;
}
