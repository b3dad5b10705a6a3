/**
 * Every variable the receiver reads, with its description and default: the one table the README's
 * configuration table, `--help` and the YAML file's keys come from. Defaults live here (DEFAULTS)
 * and nowhere else (contrib's createDefaultConfig).
 */
import { AUDIT_ACTOR_TYPES, KNOWN_STREAMS, type StreamName } from '../asana/vocabulary.ts';
import { formatDuration } from '../duration.ts';
import type { LogFormat, LogLevel, MetricsExporter, OtlpProtocol } from './types.ts';

/** service.name when neither OTEL_SERVICE_NAME nor OTEL_RESOURCE_ATTRIBUTES names one: the system the events describe. */
export const DEFAULT_SERVICE_NAME = 'asana';

/** Node's timers hold at most 2^31−1 ms (about 24.8 days); a longer duration would fire at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;
/** The longest ASANA_LATE_WINDOW accepted: every gid shipped within it is kept in the state file. */
export const MAX_LATE_WINDOW_MS = 24 * 3_600_000;
/** The smallest poll interval accepted: below this the receiver only burns the request budget. */
export const MIN_POLL_INTERVAL_MS = 1_000;
/** The longest poll interval accepted: Node's timer limit. */
export const MAX_POLL_INTERVAL_MS = MAX_TIMER_MS;
/** The longest OTLP export timeout accepted: past 10 minutes a collector is not answering. */
export const MAX_OTLP_TIMEOUT_MS = 600_000;

/**
 * Every default, in one place. ENV_VARS shows them as the text a user would write, and loadConfig
 * parses that text like user input, so a default can never disagree with what its variable accepts.
 */
export const DEFAULTS = {
  apiUrl: 'https://app.asana.com/api/1.0',
  streams: ['audit_log'] as readonly StreamName[],
  startAt: '24h',
  pollInterval: '30s',
  /** Asana has been seen recording audit events up to ~30 minutes after their created_at. */
  lateWindow: '30m',
  lateRescanInterval: '5m',
  /** A partial success is a refusal unless the user accepts losing what the collector rejected. */
  acceptPartialSuccess: 'false',
  /** How long `once` waits for an unreachable collector before it stops (exit 1); `run` waits forever. */
  onceCollectorWait: '5m',
  stateFile: './data/state.json',
  /** Asana: 1500 requests/min per token on paid plans, 150 on free ones. */
  maxRequestsPerMinute: 1500,
  /** OTel spec default for OTLP/HTTP; the logs URL is this + /v1/logs. */
  otlpEndpoint: 'http://localhost:4318',
  /** OTel spec default for OTLP/gRPC (no signal path). */
  otlpGrpcEndpoint: 'http://localhost:4317',
  otlpProtocol: 'http/protobuf' as OtlpProtocol,
  otlpCompression: 'none' as 'gzip' | 'none',
  otlpTimeoutMs: 10_000,
  otlpInsecure: false,
  logLevel: 'info' as LogLevel,
  logFormat: 'json' as LogFormat,
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
  /** The default as a user would write it; absent when there is none. */
  readonly default?: string;
  /** The default is what happens when unset, not a value parsed in its place (OTEL_SERVICE_NAME). */
  readonly defaultIsFallback?: boolean;
  /** Start-up fails without it (ASANA_TOKEN may be replaced by ASANA_TOKEN_FILE). */
  readonly required?: boolean;
  /** Read from the environment by a library, not by loadConfig (the proxy variables); not a YAML key. */
  readonly envOnly?: boolean;
}

/** The _LOGS_ and _METRICS_ forms of one OTLP setting (OTel spec: they win over the generic one). */
function perSignal<S extends string>(setting: S, what: string) {
  return [
    { name: `OTEL_EXPORTER_OTLP_LOGS_${setting}` as const, description: `${what} for logs (wins over OTEL_EXPORTER_OTLP_${setting}).` },
    { name: `OTEL_EXPORTER_OTLP_METRICS_${setting}` as const, description: `${what} for the receiver's own metrics (wins over OTEL_EXPORTER_OTLP_${setting}).` },
  ] as const;
}

const PROXY_NOTE = 'the usual meaning; credentials in the URL are never logged.';

/** In README/--help order. */
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
  { name: 'ASANA_API_URL', description: 'Asana API base URL (http or https; no credentials in it).', default: DEFAULTS.apiUrl },
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
    description: `Pause between polls once caught up (30s, 5m); at least ${formatDuration(MIN_POLL_INTERVAL_MS)}, at most ${formatDuration(MAX_POLL_INTERVAL_MS)}.`,
    default: DEFAULTS.pollInterval,
  },
  {
    name: 'ASANA_LATE_WINDOW',
    description: `Asana may record an audit event minutes after its created_at, behind the position already read: the receiver re-reads this trailing window and ships the events it had not shipped (0s turns it off; at most ${formatDuration(MAX_LATE_WINDOW_MS)}).`,
    default: DEFAULTS.lateWindow,
  },
  {
    name: 'ASANA_LATE_RESCAN_INTERVAL',
    description: `How often the late-event window is re-read (shorter than ASANA_LATE_WINDOW; at least ${formatDuration(MIN_POLL_INTERVAL_MS)}).`,
    default: DEFAULTS.lateRescanInterval,
  },
  {
    name: 'ASANA_ACCEPT_PARTIAL_SUCCESS',
    description:
      'true: a collector answering with an OTLP partial success (some records rejected) is accepted: the page is committed and a WARN gap record (reason collector_rejected) says how many records were lost. false: the page stays uncommitted and the receiver stops with exit 5.',
    default: DEFAULTS.acceptPartialSuccess,
  },
  {
    name: 'ASANA_ONCE_COLLECTOR_WAIT',
    description: '`once` only: how long it keeps retrying an unreachable or unavailable collector before it stops with exit 1, nothing committed (`run` waits out any outage).',
    default: DEFAULTS.onceCollectorWait,
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
    description: `OTLP base URL; for http/* the signal path (/v1/logs, /v1/metrics) is appended, for grpc it is used as-is (grpc default: ${DEFAULTS.otlpGrpcEndpoint}).`,
    default: DEFAULTS.otlpEndpoint,
  },
  {
    name: 'OTEL_EXPORTER_OTLP_LOGS_ENDPOINT',
    // No default of its own: unset, the generic endpoint + /v1/logs is used.
    description: `Full OTLP logs URL, used as-is (wins over OTEL_EXPORTER_OTLP_ENDPOINT; unset: ${DEFAULTS.otlpEndpoint}/v1/logs).`,
  },
  {
    name: 'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT',
    description: `Full OTLP metrics URL, used as-is (wins over OTEL_EXPORTER_OTLP_ENDPOINT; unset: ${DEFAULTS.otlpEndpoint}/v1/metrics).`,
  },
  {
    name: 'OTEL_EXPORTER_OTLP_PROTOCOL',
    description: 'grpc, http/protobuf or http/json.',
    default: DEFAULTS.otlpProtocol,
  },
  ...perSignal('PROTOCOL', 'Protocol'),
  { name: 'OTEL_EXPORTER_OTLP_HEADERS', description: 'Headers sent to the collector: key=value,key2=value2 (values percent-decoded; printable ASCII only). Never logged.' },
  ...perSignal('HEADERS', 'Headers (win per key)'),
  {
    name: 'OTEL_EXPORTER_OTLP_COMPRESSION',
    description: 'gzip or none.',
    default: DEFAULTS.otlpCompression,
  },
  ...perSignal('COMPRESSION', 'Compression'),
  {
    name: 'OTEL_EXPORTER_OTLP_TIMEOUT',
    description: `Export timeout in milliseconds (at most ${MAX_OTLP_TIMEOUT_MS}).`,
    default: String(DEFAULTS.otlpTimeoutMs),
  },
  ...perSignal('TIMEOUT', 'Export timeout'),
  { name: 'OTEL_EXPORTER_OTLP_CERTIFICATE', description: "Path of the CA certificate (PEM) the collector's TLS certificate is checked against." },
  ...perSignal('CERTIFICATE', 'CA certificate'),
  { name: 'OTEL_EXPORTER_OTLP_CLIENT_KEY', description: 'Path of the client private key (PEM) for mutual TLS; needs OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE.' },
  ...perSignal('CLIENT_KEY', 'Client key'),
  { name: 'OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE', description: 'Path of the client certificate chain (PEM) for mutual TLS; needs OTEL_EXPORTER_OTLP_CLIENT_KEY.' },
  ...perSignal('CLIENT_CERTIFICATE', 'Client certificate'),
  {
    name: 'OTEL_EXPORTER_OTLP_INSECURE',
    description: 'grpc only: true sends plaintext to an endpoint written without a scheme (true or false).',
    default: String(DEFAULTS.otlpInsecure),
  },
  ...perSignal('INSECURE', 'Insecure (grpc only)'),
  { name: 'HTTPS_PROXY', description: `Proxy for https requests: ${PROXY_NOTE}`, envOnly: true },
  { name: 'HTTP_PROXY', description: `Proxy for http requests: ${PROXY_NOTE}`, envOnly: true },
  { name: 'NO_PROXY', description: `Hosts reached without the proxy: ${PROXY_NOTE}`, envOnly: true },
  {
    name: 'OTEL_SERVICE_NAME',
    description: 'service.name of the emitted records (unset: service.name from OTEL_RESOURCE_ATTRIBUTES, else the default).',
    default: DEFAULT_SERVICE_NAME,
    defaultIsFallback: true,
  },
  { name: 'OTEL_RESOURCE_ATTRIBUTES', description: 'Extra resource attributes: key=value,key2=value2 (values percent-decoded).' },
  { name: 'LOG_LEVEL', description: "The receiver's own log level: error, warn, info, debug.", default: DEFAULTS.logLevel },
  { name: 'LOG_FORMAT', description: "The receiver's own log format: json or pretty.", default: DEFAULTS.logFormat },
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
    name: 'OTEL_METRIC_EXPORT_INTERVAL',
    description: `Milliseconds between two exports of the receiver's own metrics (at most ${MAX_TIMER_MS}).`,
    default: String(DEFAULTS.metricExportIntervalMs),
  },
] as const satisfies readonly EnvVarSpec[];

export type EnvVarName = (typeof ENV_VAR_LIST)[number]['name'];
export const ENV_VARS: ReadonlyArray<EnvVarSpec & { readonly name: EnvVarName }> = ENV_VAR_LIST;
export const ENV_VAR_NAMES: ReadonlySet<string> = new Set(ENV_VARS.map((v) => v.name));

export type Raw = Partial<Record<EnvVarName, string>>;
/** Each variable's default as text, parsed like user input (fallback defaults are not values). */
export const DEFAULT_TEXT: Raw = Object.fromEntries(
  ENV_VARS.flatMap((v) => (v.default === undefined || v.defaultIsFallback ? [] : [[v.name, v.default]])),
);

/** The variables as a plain-text table for `--help`: name, default, description. */
export function envVarHelp(width = 34): string {
  return ENV_VARS.map((v) => {
    const dflt = v.required ? ' (required)' : v.default !== undefined ? ` (default ${v.default})` : '';
    return `  ${v.name.padEnd(width)}${v.description}${dflt}`;
  }).join('\n');
}
