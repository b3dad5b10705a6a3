/**
 * The one configuration module: environment variables (and an optional YAML file with the same
 * keys) -> one typed, validated Config. Defaults live here (DEFAULTS) and nowhere else.
 *
 * Precedence, per variable: environment > YAML file > DEFAULTS (CLI flags are applied by the CLI as
 * environment overrides). Then the OTel spec's own rule: a signal-specific variable
 * (OTEL_EXPORTER_OTLP_LOGS_*) wins over the generic one (OTEL_EXPORTER_OTLP_*).
 * An empty value counts as unset (as the OTel spec defines for its variables).
 *
 * Every problem is reported at once in one ConfigError, each naming the variable and what to fix.
 * The Asana token never appears in a message; OTLP header values are never echoed either.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { z } from 'zod';
import { formatDuration, parseDuration } from './duration.ts';
import { ConfigError } from './errors.ts';

/**
 * Streams this version can read: the Audit Log API, the workspace event stream
 * (GET /workspaces/{gid}/events) and the event streams of single resources (GET /events?resource=).
 */
export const KNOWN_STREAMS = ['audit_log', 'workspace_events', 'resource_events'] as const;
/** The streams that follow Asana sync tokens (the events API). */
export const EVENT_STREAMS: readonly StreamName[] = ['workspace_events', 'resource_events'];
export type StreamName = (typeof KNOWN_STREAMS)[number];
export type OtlpProtocol = 'http/protobuf' | 'http/json';
export type LogFormat = 'json' | 'pretty';
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
export type MetricsExporter = 'otlp' | 'none';

export interface AuditLogFilters {
  eventType?: string;
  actorType?: string;
  actorGid?: string;
  resourceGid?: string;
}

/** One ASANA_EVENT_RESOURCES entry: a project, task, portfolio or goal, and the workspace it belongs to. */
export interface EventResource {
  workspaceGid: string;
  resourceGid: string;
}

/** ASANA_START_AT: an absolute time, or a duration back from "now" resolved at use. */
export type StartAt = { kind: 'time'; at: Date } | { kind: 'ago'; ms: number };

export interface OtlpConfig {
  /** Full URL logs are POSTed to (…/v1/logs appended to OTEL_EXPORTER_OTLP_ENDPOINT per spec). */
  logsUrl: string;
  protocol: OtlpProtocol;
  headers: Record<string, string>;
  compression: 'gzip' | 'none';
  timeoutMs: number;
  /** True when neither OTEL_EXPORTER_OTLP_ENDPOINT nor ..._LOGS_ENDPOINT was set (spec default used). */
  endpointIsDefault: boolean;
}

export interface Config {
  asana: {
    token: string;
    workspaceGids: string[];
    apiUrl: string;
    streams: StreamName[];
    startAt: StartAt;
    pollIntervalMs: number;
    maxRequestsPerMinute: number;
    auditFilters: AuditLogFilters;
    /** ASANA_EVENT_RESOURCES: the resources whose event streams resource_events reads (empty when disabled). */
    eventResources: EventResource[];
    /** ASANA_LATE_WINDOW: how far back late events are looked for; 0 turns the re-scans off. */
    lateWindowMs: number;
    /** ASANA_LATE_RESCAN_INTERVAL: how often the trailing window is re-scanned. */
    lateRescanIntervalMs: number;
  };
  stateFile: string;
  otlp: OtlpConfig;
  /** OTEL_SERVICE_NAME, if set (wins over the default service.name `asana`). */
  serviceName?: string;
  /** OTEL_RESOURCE_ATTRIBUTES, parsed. */
  resourceAttributes: Record<string, string>;
  log: { level: LogLevel; format: LogFormat };
  /** Problems that do not stop start-up (log them at warn). Always set by loadConfig. */
  warnings?: string[];
  // --- health endpoint and self-telemetry (issue 4) ---
  /** ASANA_HEALTH_ADDR; absent when it is `off`. */
  health?: HealthAddr;
  /** Self-telemetry metrics over OTLP; absent when OTEL_METRICS_EXPORTER=none. */
  metrics?: MetricsConfig;
}

/** Where /healthz and /readyz are served (node:http). Port 0 picks a free port (tests). */
export interface HealthAddr {
  host: string;
  port: number;
}

/**
 * The receiver's own metrics (OTLP/HTTP). The generic OTEL_EXPORTER_OTLP_* settings apply, as the
 * OTel spec says: the _LOGS_ variants are for logs only.
 */
export interface MetricsConfig {
  /** Full URL metrics are POSTed to (…/v1/metrics appended to OTEL_EXPORTER_OTLP_ENDPOINT per spec). */
  url: string;
  protocol: OtlpProtocol;
  headers: Record<string, string>;
  compression: 'gzip' | 'none';
  timeoutMs: number;
  /** OTEL_METRIC_EXPORT_INTERVAL. */
  intervalMs: number;
  /** True when neither OTEL_EXPORTER_OTLP_ENDPOINT nor ..._METRICS_ENDPOINT was set. */
  endpointIsDefault: boolean;
}

/** What loadConfig returns: warnings always present. */
export interface LoadedConfig extends Config {
  warnings: string[];
}

/** Asana deletes audit-log events after 90 days (Asana API reference, "Get audit log events"). */
export const ASANA_RETENTION_MS = 90 * 86_400_000;
/**
 * Asana (Events API): "Sync tokens always expire after 24 hours, but may expire sooner, depending on
 * load on the service." A stream that polls less often than this loses events (a gap record says so).
 */
export const SYNC_TOKEN_LIFETIME_MS = 24 * 3_600_000;
/** Poll intervals (or saved tokens) from this age on are warned about: half the lifetime, since tokens may expire sooner. */
export const SYNC_TOKEN_WARN_AGE_MS = SYNC_TOKEN_LIFETIME_MS / 2;
/** The longest ASANA_LATE_WINDOW accepted: every gid shipped within it is kept in the state file. */
export const MAX_LATE_WINDOW_MS = 24 * 3_600_000;
/** The smallest poll interval accepted: below this the receiver only burns the request budget. */
export const MIN_POLL_INTERVAL_MS = 1_000;
/** actor_type values the Audit Log API documents. Others are passed on with a warning. */
export const AUDIT_ACTOR_TYPES = ['user', 'asana', 'asana_support', 'anonymous', 'external_administrator'] as const;
const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
const LOG_FORMATS = ['json', 'pretty'] as const;
/** OTLP/HTTP signal path (OTel spec, "Endpoint URLs for OTLP/HTTP"). */
const OTLP_LOGS_PATH = 'v1/logs';
const OTLP_METRICS_PATH = 'v1/metrics';

/**
 * Every default, in one place (contrib's createDefaultConfig). ENV_VARS shows them as the text a user
 * would write, and loadConfig parses that text like user input, so a default can never disagree with
 * what its variable accepts.
 */
export const DEFAULTS = {
  apiUrl: 'https://app.asana.com/api/1.0',
  streams: ['audit_log'] as readonly StreamName[],
  startAt: '24h',
  pollInterval: '30s',
  /** Asana has been seen recording audit events up to ~30 minutes after their created_at. */
  lateWindow: '30m',
  lateRescanInterval: '5m',
  stateFile: './data/state.json',
  /** Asana: 1500 requests/min per token on paid plans, 150 on free ones. */
  maxRequestsPerMinute: 1500,
  /** OTel spec default for OTLP/HTTP; the logs URL is this + /v1/logs. */
  otlpEndpoint: 'http://localhost:4318',
  otlpProtocol: 'http/protobuf' as OtlpProtocol,
  otlpCompression: 'none' as 'gzip' | 'none',
  otlpTimeoutMs: 10_000,
  logLevel: 'info' as LogLevel,
  logFormat: 'json' as LogFormat,
  // --- health endpoint and self-telemetry (issue 4) ---
  /** The OpenTelemetry Collector's health_check extension listens here too: probes need no new port. */
  healthAddr: '0.0.0.0:13133',
  /** OTel spec: OTEL_METRICS_EXPORTER defaults to otlp; `none` turns metrics off. */
  metricsExporter: 'otlp' as MetricsExporter,
  /** OTel spec default of OTEL_METRIC_EXPORT_INTERVAL. */
  metricExportIntervalMs: 60_000,
} as const;

export interface EnvVarSpec {
  readonly name: string;
  readonly description: string;
  /** The default as written in DEFAULTS (or derived from it); absent when there is none. */
  readonly default?: string;
  /** Start-up fails without it (ASANA_TOKEN may be replaced by ASANA_TOKEN_FILE). */
  readonly required?: boolean;
}

/**
 * Every variable the receiver reads, in README/--help order. The YAML file accepts exactly these keys.
 * The README configuration table and `--help` are generated from (or checked against) this list.
 */
const ENV_VAR_LIST = [
  {
    name: 'ASANA_TOKEN',
    description: 'Asana service-account token (Admin Console → Apps → Service accounts). Never logged.',
    required: true,
  },
  {
    name: 'ASANA_TOKEN_FILE',
    description: 'Path of a file holding the token instead (Docker/Kubernetes secrets); read and trimmed. Set this or ASANA_TOKEN, not both.',
  },
  {
    name: 'ASANA_WORKSPACE_GID',
    description: 'Gid of the workspace/organization (domain) whose events to read; comma-separated for several.',
    required: true,
  },
  { name: 'ASANA_API_URL', description: 'Asana API base URL (http or https).', default: DEFAULTS.apiUrl },
  {
    name: 'ASANA_STREAMS',
    description: `Comma-separated streams to read: ${KNOWN_STREAMS.join(', ')}.`,
    default: DEFAULTS.streams.join(','),
  },
  {
    name: 'ASANA_START_AT',
    description:
      'Where a stream without a checkpoint starts: an ISO-8601 time (2024-05-01T00:00:00Z) or a duration back from now (24h, 7d, 90d). Asana keeps audit-log events for 90 days.',
    default: DEFAULTS.startAt,
  },
  {
    name: 'ASANA_POLL_INTERVAL',
    description: `Pause between polls once caught up (30s, 5m); at least ${formatDuration(MIN_POLL_INTERVAL_MS)}.`,
    default: DEFAULTS.pollInterval,
  },
  {
    name: 'ASANA_LATE_WINDOW',
    description:
      'Asana may record an audit event minutes after its created_at, behind the position already read: the receiver re-reads this trailing window and ships the events it had not shipped (0s turns it off; at most 24h).',
    default: DEFAULTS.lateWindow,
  },
  {
    name: 'ASANA_LATE_RESCAN_INTERVAL',
    description: `How often the late-event window is re-read (shorter than ASANA_LATE_WINDOW; at least ${formatDuration(MIN_POLL_INTERVAL_MS)}).`,
    default: DEFAULTS.lateRescanInterval,
  },
  { name: 'ASANA_STATE_FILE', description: 'Checkpoint file (where each stream is).', default: DEFAULTS.stateFile },
  {
    name: 'ASANA_MAX_REQUESTS_PER_MINUTE',
    description: "The token's request budget per minute (Asana: 1500 on paid plans, 150 on free).",
    default: String(DEFAULTS.maxRequestsPerMinute),
  },
  {
    name: 'ASANA_EVENT_RESOURCES',
    description:
      'For the resource_events stream (required with it): comma-separated gids of projects, tasks, portfolios or goals whose events to read. With several workspaces write workspace_gid:resource_gid.',
  },
  { name: 'ASANA_AUDIT_EVENT_TYPE', description: 'Audit log API filter event_type (optional).' },
  {
    name: 'ASANA_AUDIT_ACTOR_TYPE',
    description: `Audit log API filter actor_type (optional: ${AUDIT_ACTOR_TYPES.join(', ')}). Not together with ASANA_AUDIT_ACTOR_GID.`,
  },
  { name: 'ASANA_AUDIT_ACTOR_GID', description: 'Audit log API filter actor_gid (optional).' },
  { name: 'ASANA_AUDIT_RESOURCE_GID', description: 'Audit log API filter resource_gid (optional).' },
  {
    name: 'OTEL_EXPORTER_OTLP_ENDPOINT',
    description: 'OTLP/HTTP base URL; /v1/logs is appended.',
    default: DEFAULTS.otlpEndpoint,
  },
  {
    name: 'OTEL_EXPORTER_OTLP_LOGS_ENDPOINT',
    // No default of its own: unset, the generic endpoint + /v1/logs is used.
    description: `Full OTLP/HTTP logs URL, used as-is (wins over OTEL_EXPORTER_OTLP_ENDPOINT; unset: ${appendLogsPath(DEFAULTS.otlpEndpoint)}).`,
  },
  {
    name: 'OTEL_EXPORTER_OTLP_PROTOCOL',
    description: 'http/protobuf or http/json (grpc is not supported).',
    default: DEFAULTS.otlpProtocol,
  },
  { name: 'OTEL_EXPORTER_OTLP_LOGS_PROTOCOL', description: 'Protocol for logs (wins over OTEL_EXPORTER_OTLP_PROTOCOL).' },
  { name: 'OTEL_EXPORTER_OTLP_HEADERS', description: 'Headers sent to the collector: key=value,key2=value2 (values percent-decoded).' },
  { name: 'OTEL_EXPORTER_OTLP_LOGS_HEADERS', description: 'Headers for logs; win per key over OTEL_EXPORTER_OTLP_HEADERS.' },
  {
    name: 'OTEL_EXPORTER_OTLP_COMPRESSION',
    description: 'gzip or none.',
    default: DEFAULTS.otlpCompression,
  },
  { name: 'OTEL_EXPORTER_OTLP_LOGS_COMPRESSION', description: 'Compression for logs (wins over OTEL_EXPORTER_OTLP_COMPRESSION).' },
  {
    name: 'OTEL_EXPORTER_OTLP_TIMEOUT',
    description: 'Export timeout in milliseconds.',
    default: String(DEFAULTS.otlpTimeoutMs),
  },
  { name: 'OTEL_EXPORTER_OTLP_LOGS_TIMEOUT', description: 'Export timeout for logs (wins over OTEL_EXPORTER_OTLP_TIMEOUT).' },
  { name: 'OTEL_SERVICE_NAME', description: 'service.name of the emitted records (default: asana).' },
  { name: 'OTEL_RESOURCE_ATTRIBUTES', description: 'Extra resource attributes: key=value,key2=value2 (values percent-decoded).' },
  { name: 'LOG_LEVEL', description: "The receiver's own log level: error, warn, info, debug.", default: DEFAULTS.logLevel },
  { name: 'LOG_FORMAT', description: "The receiver's own log format: json or pretty.", default: DEFAULTS.logFormat },
  // --- health endpoint and self-telemetry (issue 4) ---
  {
    name: 'ASANA_HEALTH_ADDR',
    description: 'host:port of the health endpoint (/healthz, /readyz) served by `run`; `off` disables it.',
    default: DEFAULTS.healthAddr,
  },
  {
    name: 'OTEL_METRICS_EXPORTER',
    description: "The receiver's own metrics: otlp (to the OTLP endpoint) or none.",
    default: DEFAULTS.metricsExporter,
  },
  {
    name: 'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT',
    description: `Full OTLP/HTTP metrics URL, used as-is (wins over OTEL_EXPORTER_OTLP_ENDPOINT; unset: ${appendSignalPath(DEFAULTS.otlpEndpoint, OTLP_METRICS_PATH)}).`,
  },
  {
    name: 'OTEL_METRIC_EXPORT_INTERVAL',
    description: 'Milliseconds between two exports of the receiver\'s own metrics.',
    default: String(DEFAULTS.metricExportIntervalMs),
  },
] as const satisfies readonly EnvVarSpec[];

export type EnvVarName = (typeof ENV_VAR_LIST)[number]['name'];
export const ENV_VARS: ReadonlyArray<EnvVarSpec & { readonly name: EnvVarName }> = ENV_VAR_LIST;
const ENV_VAR_NAMES: ReadonlySet<string> = new Set(ENV_VARS.map((v) => v.name));

type Raw = Partial<Record<EnvVarName, string>>;
/** Each variable's default as text, from ENV_VARS (which takes it from DEFAULTS). */
const DEFAULT_TEXT: Raw = Object.fromEntries(
  ENV_VARS.flatMap((v) => (v.default === undefined ? [] : [[v.name, v.default]])),
);

/** Resolves ASANA_START_AT against a clock: the instant a stream without a checkpoint starts at. */
export function resolveStartAt(startAt: StartAt, now: Date): Date {
  return startAt.kind === 'time' ? new Date(startAt.at.getTime()) : new Date(now.getTime() - startAt.ms);
}

/**
 * Reads the configuration. Throws ConfigError listing every problem. `now` is for tests
 * (ASANA_START_AT checks); `configFile` is the `--config` YAML file.
 */
export function loadConfig(
  env: Record<string, string | undefined>,
  opts: { configFile?: string; now?: Date } = {},
): LoadedConfig {
  const now = opts.now ?? new Date();
  const problems: string[] = [];
  const warnings: string[] = [];

  const fromEnv = pickKnown(env);
  const fromFile = opts.configFile === undefined ? {} : readConfigFile(opts.configFile, problems);
  for (const name of Object.keys(env)) {
    if (name.startsWith('ASANA_') && !ENV_VAR_NAMES.has(name)) warnings.push(`${name} is not a known setting and is ignored (typo?)`);
  }

  /** The value after env > file; `value` adds the default. */
  const given = (name: EnvVarName): string | undefined => fromEnv[name] ?? fromFile[name];
  const value = (name: EnvVarName): string | undefined => given(name) ?? DEFAULT_TEXT[name];
  /** The variable's name, and the file when that is where the value came from. */
  const where = (name: EnvVarName): string =>
    fromEnv[name] === undefined && fromFile[name] !== undefined ? `${name} (in ${opts.configFile})` : name;
  /** Runs one variable's value through its schema; collects the problems. */
  const check = <T>(name: EnvVarName, schema: z.ZodType<T>): T | undefined => {
    const r = schema.safeParse(value(name));
    if (r.success) return r.data;
    for (const issue of r.error.issues) problems.push(`${where(name)}: ${issue.message}`);
    return undefined;
  };

  // --- Asana ---
  const token = resolveToken(given('ASANA_TOKEN'), given('ASANA_TOKEN_FILE'), where, problems);

  let workspaceGids: string[] | undefined;
  if (given('ASANA_WORKSPACE_GID') === undefined) {
    problems.push(
      'ASANA_WORKSPACE_GID is required: the gid of the Asana workspace or organization (domain) whose audit log to read, e.g. 1234567890 (comma-separate several)',
    );
  } else {
    workspaceGids = check('ASANA_WORKSPACE_GID', gidListSchema);
  }

  const apiUrl = check('ASANA_API_URL', httpUrlSchema(`e.g. ${DEFAULTS.apiUrl}`).transform((u) => u.replace(/\/+$/, '')));
  const streams = check('ASANA_STREAMS', streamsSchema);
  const startAt = check('ASANA_START_AT', startAtSchema(now));
  if (startAt !== undefined && now.getTime() - resolveStartAt(startAt, now).getTime() > ASANA_RETENTION_MS) {
    warnings.push(
      `${where('ASANA_START_AT')}: ${value('ASANA_START_AT')} reaches back more than 90 days: Asana deletes audit-log events after 90 days, so events older than that no longer exist; streams start at the oldest event Asana still has`,
    );
  }
  const pollIntervalMs = check('ASANA_POLL_INTERVAL', durationSchema(MIN_POLL_INTERVAL_MS, 'e.g. 30s or 5m'));
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
  const lateWindowMs = check('ASANA_LATE_WINDOW', durationSchema(0, 'e.g. 30m, or 0s to turn late-event re-scans off', MAX_LATE_WINDOW_MS));
  const lateRescanIntervalMs = check('ASANA_LATE_RESCAN_INTERVAL', durationSchema(MIN_POLL_INTERVAL_MS, 'e.g. 5m'));
  if (lateWindowMs !== undefined && lateRescanIntervalMs !== undefined && lateWindowMs > 0 && lateRescanIntervalMs >= lateWindowMs) {
    // An event recorded late must still be inside the window at the next re-scan.
    problems.push(
      `${where('ASANA_LATE_RESCAN_INTERVAL')} (${formatDuration(lateRescanIntervalMs)}) must be shorter than ${where('ASANA_LATE_WINDOW')} (${formatDuration(lateWindowMs)}): a late event could leave the window between two re-scans`,
    );
  }
  const stateFile = check('ASANA_STATE_FILE', z.string());
  const maxRequestsPerMinute = check(
    'ASANA_MAX_REQUESTS_PER_MINUTE',
    positiveIntSchema('the per-token budget (Asana: 1500 on paid plans, 150 on free)'),
  );

  const auditFilters: AuditLogFilters = {};
  const eventType = check('ASANA_AUDIT_EVENT_TYPE', z.string().optional());
  if (eventType !== undefined) auditFilters.eventType = eventType;
  const actorType = check('ASANA_AUDIT_ACTOR_TYPE', z.string().optional());
  if (actorType !== undefined) {
    auditFilters.actorType = actorType;
    if (!(AUDIT_ACTOR_TYPES as readonly string[]).includes(actorType)) {
      warnings.push(
        `${where('ASANA_AUDIT_ACTOR_TYPE')}: "${actorType}" is not an actor type the Asana API documents (${AUDIT_ACTOR_TYPES.join(', ')}); passing it on as given`,
      );
    }
  }
  const actorGid = check('ASANA_AUDIT_ACTOR_GID', gidSchema.optional());
  if (actorGid !== undefined) auditFilters.actorGid = actorGid;
  const resourceGid = check('ASANA_AUDIT_RESOURCE_GID', gidSchema.optional());
  if (resourceGid !== undefined) auditFilters.resourceGid = resourceGid;
  if (given('ASANA_AUDIT_ACTOR_TYPE') !== undefined && given('ASANA_AUDIT_ACTOR_GID') !== undefined) {
    problems.push(
      'ASANA_AUDIT_ACTOR_TYPE and ASANA_AUDIT_ACTOR_GID are both set: the Asana API says "if actor_gid is included, actor_type should be excluded"; unset ASANA_AUDIT_ACTOR_TYPE',
    );
  }

  // --- OTLP (OTel spec, "OpenTelemetry Protocol Exporter" configuration) ---
  const logsEndpointSet = given('OTEL_EXPORTER_OTLP_LOGS_ENDPOINT') !== undefined;
  const endpointIsDefault = !logsEndpointSet && given('OTEL_EXPORTER_OTLP_ENDPOINT') === undefined;
  const logsUrl = logsEndpointSet
    ? check('OTEL_EXPORTER_OTLP_LOGS_ENDPOINT', httpUrlSchema('e.g. http://collector:4318/v1/logs'))
    : check('OTEL_EXPORTER_OTLP_ENDPOINT', httpUrlSchema('e.g. http://collector:4318').transform(appendLogsPath));

  const signal = (logs: EnvVarName, generic: EnvVarName): EnvVarName => (given(logs) !== undefined ? logs : generic);
  const protocol = check(signal('OTEL_EXPORTER_OTLP_LOGS_PROTOCOL', 'OTEL_EXPORTER_OTLP_PROTOCOL'), protocolSchema);
  const compression = check(
    signal('OTEL_EXPORTER_OTLP_LOGS_COMPRESSION', 'OTEL_EXPORTER_OTLP_COMPRESSION'),
    z.enum(['gzip', 'none'], { error: (iss) => `"${String(iss.input)}" is not a compression: use gzip or none` }),
  );
  const timeoutMs = check(
    signal('OTEL_EXPORTER_OTLP_LOGS_TIMEOUT', 'OTEL_EXPORTER_OTLP_TIMEOUT'),
    positiveIntSchema('milliseconds, e.g. 10000'),
  );
  // Per key, the logs-specific headers win (OTel spec).
  const headers = {
    ...check('OTEL_EXPORTER_OTLP_HEADERS', keyValueListSchema('header')),
    ...check('OTEL_EXPORTER_OTLP_LOGS_HEADERS', keyValueListSchema('header')),
  };

  const serviceName = check('OTEL_SERVICE_NAME', z.string().optional());
  const resourceAttributes = check('OTEL_RESOURCE_ATTRIBUTES', keyValueListSchema('attribute')) ?? {};

  const level = check(
    'LOG_LEVEL',
    z.enum(LOG_LEVELS, { error: (iss) => `"${String(iss.input)}" is not a log level: use ${LOG_LEVELS.join(', ')}` }),
  );
  const format = check(
    'LOG_FORMAT',
    z.enum(LOG_FORMATS, { error: (iss) => `"${String(iss.input)}" is not a log format: use json or pretty` }),
  );

  // --- Health endpoint and self-telemetry (issue 4) ---
  const health = check('ASANA_HEALTH_ADDR', healthAddrSchema);
  const metrics = metricsConfig();

  // The token must not leak through any message, however it got there (e.g. pasted into the wrong variable).
  const scrub = scrubber([env.ASANA_TOKEN, fromFile.ASANA_TOKEN, token]);
  if (problems.length > 0) throw new ConfigError(problems.map(scrub));
  if (
    token === undefined || workspaceGids === undefined || apiUrl === undefined || streams === undefined ||
    startAt === undefined || pollIntervalMs === undefined || stateFile === undefined ||
    lateWindowMs === undefined || lateRescanIntervalMs === undefined ||
    maxRequestsPerMinute === undefined || logsUrl === undefined || protocol === undefined ||
    compression === undefined || timeoutMs === undefined || level === undefined || format === undefined
  ) {
    // Unreachable: every undefined above came with a problem.
    throw new ConfigError(['internal: a setting failed without a message']);
  }

  const config: LoadedConfig = {
    asana: {
      token,
      workspaceGids,
      apiUrl,
      streams,
      startAt,
      pollIntervalMs,
      maxRequestsPerMinute,
      auditFilters,
      eventResources,
      lateWindowMs,
      lateRescanIntervalMs,
    },
    stateFile,
    otlp: { logsUrl, protocol, headers, compression, timeoutMs, endpointIsDefault },
    resourceAttributes,
    log: { level, format },
    warnings: warnings.map(scrub),
  };
  if (serviceName !== undefined) config.serviceName = serviceName;
  if (health) config.health = health;
  if (metrics) config.metrics = metrics;
  return config;

  /**
   * OTEL_METRICS_EXPORTER and the OTLP settings metrics use: the METRICS endpoint, else the generic
   * OTEL_EXPORTER_OTLP_* ones (never the _LOGS_ ones, per the OTel spec). A generic variable the logs
   * block already checked is not reported twice.
   */
  function metricsConfig(): MetricsConfig | undefined {
    const exporter = check('OTEL_METRICS_EXPORTER', metricsExporterSchema);
    const intervalMs = check('OTEL_METRIC_EXPORT_INTERVAL', positiveIntSchema('milliseconds, e.g. 60000'));
    if (exporter !== 'otlp') return undefined;
    const quiet = <T>(name: EnvVarName, schema: z.ZodType<T>): T | undefined => {
      const r = schema.safeParse(value(name));
      return r.success ? r.data : undefined;
    };
    /**
     * A generic variable the logs block already checked (a problem there was reported), or one the
     * logs do not use because their _LOGS_ variant wins: then a bad value only turns metrics off,
     * with a warning. The receiver's own metrics never stop it from shipping logs.
     */
    const generic = <T>(name: EnvVarName, logsName: EnvVarName, schema: z.ZodType<T>): T | undefined => {
      const r = schema.safeParse(value(name));
      if (r.success) return r.data;
      if (given(logsName) !== undefined) {
        const why = r.error.issues.map((i) => i.message).join('; ');
        warnings.push(`${where(name)}: ${why}; the receiver's own metrics are off (logs use ${logsName}). Set OTEL_METRICS_EXPORTER=none to silence this`);
      }
      return undefined;
    };
    const metricsEndpointSet = given('OTEL_EXPORTER_OTLP_METRICS_ENDPOINT') !== undefined;
    const url = metricsEndpointSet
      ? check('OTEL_EXPORTER_OTLP_METRICS_ENDPOINT', httpUrlSchema('e.g. http://collector:4318/v1/metrics'))
      : generic(
          'OTEL_EXPORTER_OTLP_ENDPOINT',
          'OTEL_EXPORTER_OTLP_LOGS_ENDPOINT',
          httpUrlSchema('e.g. http://collector:4318').transform((e) => appendSignalPath(e, OTLP_METRICS_PATH)),
        );
    const mProtocol = generic('OTEL_EXPORTER_OTLP_PROTOCOL', 'OTEL_EXPORTER_OTLP_LOGS_PROTOCOL', protocolSchema);
    const mCompression = generic(
      'OTEL_EXPORTER_OTLP_COMPRESSION',
      'OTEL_EXPORTER_OTLP_LOGS_COMPRESSION',
      z.enum(['gzip', 'none'], { error: (iss) => `"${String(iss.input)}" is not a compression: use gzip or none` }),
    );
    const mTimeoutMs = generic('OTEL_EXPORTER_OTLP_TIMEOUT', 'OTEL_EXPORTER_OTLP_LOGS_TIMEOUT', positiveIntSchema('milliseconds, e.g. 10000'));
    const mHeaders = quiet('OTEL_EXPORTER_OTLP_HEADERS', keyValueListSchema('header')) ?? {};
    if (url === undefined || mProtocol === undefined || mCompression === undefined || mTimeoutMs === undefined || intervalMs === undefined) {
      return undefined; // each came with a problem or a warning
    }
    return {
      url,
      protocol: mProtocol,
      headers: mHeaders,
      compression: mCompression,
      timeoutMs: mTimeoutMs,
      intervalMs,
      endpointIsDefault: !metricsEndpointSet && given('OTEL_EXPORTER_OTLP_ENDPOINT') === undefined,
    };
  }
}

/** A copy of the config that is safe to print (`validate`, debug logs): token and header values hidden. */
export function redactConfig<C extends Config>(config: C): C {
  const hidden = '[REDACTED]';
  return {
    ...config,
    asana: { ...config.asana, token: hidden },
    otlp: { ...config.otlp, headers: Object.fromEntries(Object.keys(config.otlp.headers).map((k) => [k, hidden])) },
  };
}

/** OTel spec: the generic endpoint gets the signal path appended, respecting a trailing slash. */
export function appendLogsPath(endpoint: string): string {
  return appendSignalPath(endpoint, OTLP_LOGS_PATH);
}

function appendSignalPath(endpoint: string, path: string): string {
  return endpoint.endsWith('/') ? `${endpoint}${path}` : `${endpoint}/${path}`;
}

// ---------------------------------------------------------------------------------------------
// Sources

/** Known variables with a non-empty value (trimmed). */
function pickKnown(env: Record<string, string | undefined>): Raw {
  const out: Raw = {};
  for (const { name } of ENV_VARS) {
    const v = env[name]?.trim();
    if (v) out[name] = v;
  }
  return out;
}

/** The YAML file: a flat map of the same variable names. Problems go to `problems`, never the values. */
function readConfigFile(file: string, problems: string[]): Raw {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    problems.push(`config file ${file} cannot be read (${errCode(err)}): check the --config path`);
    return {};
  }
  // Loaded only for a --config file: most deployments configure by environment alone.
  const { parseDocument } = createRequire(import.meta.url)('yaml') as typeof import('yaml');
  const doc = parseDocument(text, { intAsBigInt: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    for (const e of doc.errors) {
      // Position and the first line only (prettyErrors off): a quoted excerpt could hold the token.
      const before = text.slice(0, e.pos[0]);
      const line = before.split('\n').length;
      const col = e.pos[0] - before.lastIndexOf('\n');
      problems.push(`config file ${file}: invalid YAML at line ${line}, column ${col}: ${e.message.split('\n')[0]}`);
    }
    return {};
  }
  const data: unknown = doc.toJS();
  if (data === null || data === undefined) return {};
  if (typeof data !== 'object' || Array.isArray(data)) {
    problems.push(`config file ${file}: must be a map of setting names to values, e.g. ASANA_WORKSPACE_GID: "123"`);
    return {};
  }
  const out: Raw = {};
  for (const [key, v] of Object.entries(data as Record<string, unknown>)) {
    if (!ENV_VAR_NAMES.has(key)) {
      const hint = ENV_VAR_NAMES.has(key.toUpperCase()) ? ` (did you mean ${key.toUpperCase()}?)` : '';
      problems.push(
        `config file ${file}: unknown key "${key}"${hint}: the file takes the same names as the environment variables (see --help)`,
      );
      continue;
    }
    const name = key as EnvVarName;
    if (v === null || v === undefined) continue;
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint') {
      const s = String(v).trim();
      if (s) out[name] = s;
    } else {
      problems.push(`${name} (in ${file}): must be a single value (a string or number), e.g. ${name}: "…"`);
    }
  }
  return out;
}

function resolveToken(
  token: string | undefined,
  tokenFile: string | undefined,
  where: (name: EnvVarName) => string,
  problems: string[],
): string | undefined {
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
      problems.push(`${where(name)}: cannot read the token file ${tokenFile} (${errCode(err)}): mount the secret there or fix the path`);
      return undefined;
    }
    if (value === '') {
      problems.push(`${where(name)}: the token file ${tokenFile} is empty`);
      return undefined;
    }
  }
  if (value === undefined) {
    problems.push(
      'ASANA_TOKEN (or ASANA_TOKEN_FILE) is required: the Asana service-account token (Admin Console → Apps → Service accounts)',
    );
    return undefined;
  }
  // Would corrupt the Authorization header (and some HTTP errors echo header values).
  if (/[\s\x00-\x1f\x7f]/.test(value)) {
    problems.push(`${where(name)}: the token contains spaces or control characters: it must be the bare token, without "Bearer "`);
    return undefined;
  }
  return value;
}

/**
 * ASANA_EVENT_RESOURCES: `gid` or `workspace_gid:gid`, comma-separated. A bare gid belongs to the one
 * configured workspace; with several, each entry must say which (records carry asana.workspace.gid,
 * and the events API does not tell which workspace a resource is in).
 */
function resolveEventResources(
  text: string | undefined,
  enabled: boolean,
  workspaceGids: string[] | undefined,
  where: string,
  problems: string[],
  warnings: string[],
): EventResource[] {
  if (!enabled) {
    if (text !== undefined) warnings.push(`${where} is set but ASANA_STREAMS does not include resource_events: it is ignored`);
    return [];
  }
  if (text === undefined) {
    problems.push(
      'ASANA_EVENT_RESOURCES is required with the resource_events stream: comma-separated gids of the projects, tasks, portfolios or goals to follow, e.g. 1200000000000123,1200000000000456 (or remove resource_events from ASANA_STREAMS)',
    );
    return [];
  }
  const out: EventResource[] = [];
  const entries = text.split(',').map((p) => p.trim()).filter((p) => p !== '');
  for (const entry of entries) {
    const m = /^(?:(\d+):)?(\d+)$/.exec(entry);
    if (!m) {
      problems.push(`${where}: "${entry}" is not a gid: use numeric gids (or workspace_gid:gid), comma-separated, e.g. 1200000000000123`);
      continue;
    }
    const resourceGid = m[2] as string;
    let workspaceGid = m[1];
    if (workspaceGids === undefined) continue; // ASANA_WORKSPACE_GID has its own problem
    if (workspaceGid === undefined) {
      if (workspaceGids.length > 1) {
        problems.push(
          `${where}: "${entry}" does not say which workspace it belongs to; with several ASANA_WORKSPACE_GID values write workspace_gid:${entry}`,
        );
        continue;
      }
      workspaceGid = workspaceGids[0] as string;
    } else if (!workspaceGids.includes(workspaceGid)) {
      problems.push(`${where}: "${entry}" names workspace ${workspaceGid}, which is not in ASANA_WORKSPACE_GID`);
      continue;
    }
    if (!out.some((r) => r.resourceGid === resourceGid)) out.push({ workspaceGid, resourceGid });
  }
  if (entries.length === 0) problems.push(`${where}: names no resource gid`);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Schemas: each takes the variable's text (or undefined when unset and without a default).

const gidSchema = z.string().regex(/^\d+$/, { error: (iss) => `"${String(iss.input)}" is not a gid: use the numeric gid, e.g. 1234567890` });

const gidListSchema = z.string().transform((text, ctx) => {
  const gids: string[] = [];
  let bad = false;
  for (const part of text.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    if (!/^\d+$/.test(part)) {
      bad = true;
      ctx.addIssue({ code: 'custom', message: `"${part}" is not a gid: use numeric workspace gids, comma-separated, e.g. 1234567890,9876543210` });
    } else if (!gids.includes(part)) {
      gids.push(part);
    }
  }
  if (gids.length === 0 && !bad) ctx.addIssue({ code: 'custom', message: 'names no workspace gid' });
  return gids;
});

const streamsSchema = z.string().transform((text, ctx) => {
  const streams: StreamName[] = [];
  let bad = false;
  for (const part of text.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    if (!(KNOWN_STREAMS as readonly string[]).includes(part)) {
      bad = true;
      ctx.addIssue({ code: 'custom', message: `unknown stream "${part}": use ${KNOWN_STREAMS.join(', ')}` });
    } else if (!streams.includes(part as StreamName)) {
      streams.push(part as StreamName);
    }
  }
  if (streams.length === 0 && !bad) {
    ctx.addIssue({ code: 'custom', message: `names no stream: use ${KNOWN_STREAMS.join(', ')}` });
  }
  return streams;
});

function httpUrlSchema(example: string) {
  return z.string().refine(
    (text) => {
      try {
        const u = new URL(text);
        return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
      } catch {
        return false;
      }
    },
    { error: (iss) => `"${String(iss.input)}" is not an http(s) URL: ${example}` },
  );
}

function durationSchema(minMs: number, example: string, maxMs = Number.POSITIVE_INFINITY) {
  return z.string().transform((text, ctx) => {
    const ms = parseDuration(text);
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: `"${text}" is not a duration: ${example} (units ms, s, m, h, d)` });
      return z.NEVER;
    }
    if (ms < minMs) {
      ctx.addIssue({ code: 'custom', message: `${text} is too short: at least ${formatDuration(minMs)}` });
      return z.NEVER;
    }
    if (ms > maxMs) {
      ctx.addIssue({ code: 'custom', message: `${text} is too long: at most ${formatDuration(maxMs)}` });
      return z.NEVER;
    }
    return ms;
  });
}

function positiveIntSchema(what: string) {
  return z
    .string()
    .regex(/^\d+$/, { error: (iss) => `"${String(iss.input)}" is not a positive integer: ${what}` })
    .transform(Number)
    .pipe(z.number().int().min(1, { error: `must be at least 1: ${what}` }).max(Number.MAX_SAFE_INTEGER, { error: `is too large: ${what}` }));
}

/** ISO-8601 with a date and, when a time is given, an explicit zone (Z or ±hh:mm): no local-time guessing. */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2}))?$/i;

function startAtSchema(now: Date) {
  return z.string().transform((text, ctx): StartAt => {
    const ms = parseDuration(text);
    if (ms !== undefined) return { kind: 'ago', ms };
    const at = ISO_TIME.test(text) ? new Date(text) : undefined;
    if (at === undefined || Number.isNaN(at.getTime())) {
      ctx.addIssue({
        code: 'custom',
        message: `"${text}" is neither an ISO-8601 time with a zone (2024-05-01T00:00:00Z) nor a duration back from now (24h, 7d, 90d)`,
      });
      return z.NEVER;
    }
    if (at.getTime() > now.getTime()) {
      ctx.addIssue({ code: 'custom', message: `${text} is in the future: use a past time, or a duration back from now such as 24h` });
      return z.NEVER;
    }
    return { kind: 'time', at };
  });
}

const protocolSchema = z.string().transform((text, ctx): OtlpProtocol => {
  if (text === 'http/protobuf' || text === 'http/json') return text;
  ctx.addIssue({
    code: 'custom',
    message:
      text === 'grpc'
        ? 'grpc is not supported: use http/protobuf (the collector\'s OTLP/HTTP port, usually 4318)'
        : `"${text}" is not a protocol: use http/protobuf or http/json`,
  });
  return z.NEVER;
});

/** HTTP header name (RFC 9110 token). */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * `key=value,key2=value2` with percent-encoded values (OTel spec, for OTEL_EXPORTER_OTLP_HEADERS and
 * OTEL_RESOURCE_ATTRIBUTES). Problems name the entry and key, never the value (headers carry secrets).
 * Header names are lower-cased: HTTP treats them case-insensitively, so "logs wins per key" must too.
 */
function keyValueListSchema(kind: 'header' | 'attribute') {
  return z
    .string()
    .optional()
    .transform((text, ctx) => {
      const out: Record<string, string> = {};
      if (text === undefined) return out;
      const entries = text.split(',');
      entries.forEach((entry, i) => {
        if (entry.trim() === '') return;
        const eq = entry.indexOf('=');
        const key = (eq < 0 ? entry : entry.slice(0, eq)).trim();
        const n = `entry ${i + 1}`;
        if (eq < 0 || key === '') {
          ctx.addIssue({ code: 'custom', message: `${n} is not key=value: use key=value,key2=value2 (values percent-encoded)` });
          return;
        }
        if (kind === 'header' && !HEADER_NAME.test(key)) {
          ctx.addIssue({ code: 'custom', message: `${n}: "${key}" is not a valid HTTP header name` });
          return;
        }
        let decoded: string;
        try {
          decoded = decodeURIComponent(entry.slice(eq + 1).trim());
        } catch {
          ctx.addIssue({ code: 'custom', message: `${n} (${key}): the value is not valid percent-encoding (write % as %25)` });
          return;
        }
        if (kind === 'header' && /[\r\n\x00]/.test(decoded)) {
          ctx.addIssue({ code: 'custom', message: `${n} (${key}): the value contains a line break or NUL` });
          return;
        }
        out[kind === 'header' ? key.toLowerCase() : key] = decoded;
      });
      return out;
    });
}

// --- health endpoint and self-telemetry (issue 4) ---

/**
 * ASANA_HEALTH_ADDR: `host:port` (`[::1]:13133` for IPv6; `:13133` means every interface), or
 * `off`. An empty value means the default, as for every variable; `off` is the one way to disable it.
 */
const healthAddrSchema = z.string().transform((text, ctx): HealthAddr | undefined => {
  if (text.toLowerCase() === 'off') return undefined;
  const m = /^(?:\[(?<v6>[0-9a-fA-F:.]+)\]|(?<host>[^\s:[\]]*)):(?<port>\d{1,5})$/.exec(text);
  const port = Number(m?.groups?.port);
  if (!m || !(port >= 0 && port <= 65_535)) {
    ctx.addIssue({ code: 'custom', message: `"${text}" is not host:port: e.g. 0.0.0.0:13133, 127.0.0.1:8080, or off to disable the health endpoint` });
    return z.NEVER;
  }
  const host = m.groups?.v6 ?? (m.groups?.host || '0.0.0.0');
  return { host, port };
});

const metricsExporterSchema = z.string().transform((text, ctx): MetricsExporter => {
  if (text === 'otlp' || text === 'none') return text;
  ctx.addIssue({
    code: 'custom',
    message: `"${text}" is not supported: use otlp (the receiver's metrics go to the OTLP endpoint, where a collector can turn them into Prometheus or anything else) or none`,
  });
  return z.NEVER;
});

// ---------------------------------------------------------------------------------------------

function errCode(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : err instanceof Error ? err.message : String(err);
}

/**
 * Hides the given secrets, and anything shaped like an Asana personal-access or service-account token
 * (`1/123…:hex…`, `2/123…/456…:hex…`): a token pasted into the wrong variable is echoed by no message,
 * even when ASANA_TOKEN itself is unset.
 */
function scrubber(secrets: Array<string | undefined>): (text: string) => string {
  const list = [...new Set(secrets.map((s) => s?.trim()).filter((s): s is string => s !== undefined && s.length >= 4))];
  return (text) => list.reduce((t, s) => t.split(s).join('[REDACTED]'), text).replace(ASANA_TOKEN_SHAPE, '[REDACTED]');
}

/** The shape of Asana personal-access and service-account tokens. */
export const ASANA_TOKEN_SHAPE = /\b\d\/\d{4,}(?:\/\d{4,})?:[0-9A-Za-z]{16,}/g;
