/** The typed configuration loadConfig returns. */
import type { AuditLogFilters, StreamName } from '../asana/vocabulary.ts';

export type OtlpProtocol = 'grpc' | 'http/protobuf' | 'http/json';
export type LogFormat = 'json' | 'pretty';
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
export type MetricsExporter = 'otlp' | 'none';
export type OtlpSignal = 'logs' | 'metrics';

/** One ASANA_EVENT_RESOURCES entry: a project, task, portfolio or goal, and the workspace it belongs to. */
export interface EventResource {
  workspaceGid: string;
  resourceGid: string;
}

/** ASANA_START_AT: an absolute time, or a duration back from "now" resolved at use. */
export type StartAt = { kind: 'time'; at: Date } | { kind: 'ago'; ms: number };

/** Files for TLS to the collector (absolute paths, checked readable at start-up). */
export interface OtlpTls {
  /** OTEL_EXPORTER_OTLP_CERTIFICATE: CA certificate(s) the collector's certificate is checked against. */
  certificate?: string;
  /** OTEL_EXPORTER_OTLP_CLIENT_KEY: the private key of the client certificate (mTLS). */
  clientKey?: string;
  /** OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE: the client certificate chain (mTLS). */
  clientCertificate?: string;
}

/**
 * The OTLP exporter settings of one signal (OTel spec, "OpenTelemetry Protocol Exporter"): the
 * signal-specific variable wins over the generic one.
 */
export interface OtlpConfig {
  /**
   * Where the signal is sent. OTLP/HTTP: the full URL (…/v1/logs or …/v1/metrics appended to
   * OTEL_EXPORTER_OTLP_ENDPOINT); gRPC: the endpoint as given.
   */
  url: string;
  protocol: OtlpProtocol;
  headers: Record<string, string>;
  compression: 'gzip' | 'none';
  timeoutMs: number;
  /** True when neither OTEL_EXPORTER_OTLP_ENDPOINT nor the signal's own endpoint was set (spec default used). */
  endpointIsDefault: boolean;
  tls: OtlpTls;
  /** OTEL_EXPORTER_OTLP_INSECURE (gRPC only): plaintext to an endpoint without a scheme. */
  insecure: boolean;
}

/** The receiver's own metrics: the OTLP settings of the metrics signal and the export interval. */
export interface MetricsConfig extends OtlpConfig {
  /** OTEL_METRIC_EXPORT_INTERVAL. */
  intervalMs: number;
}

/** Where /healthz and /readyz are served (node:http). Port 0 picks a free port (tests). */
export interface HealthAddr {
  host: string;
  port: number;
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
  /** How exports are acknowledged: ASANA_ACCEPT_PARTIAL_SUCCESS and ASANA_ONCE_COLLECTOR_WAIT. */
  delivery: { acceptPartialSuccess: boolean; onceCollectorWaitMs: number };
  /** OTEL_SERVICE_NAME, if set (wins over the default service.name `asana`). */
  serviceName?: string;
  /** OTEL_RESOURCE_ATTRIBUTES, parsed. */
  resourceAttributes: Record<string, string>;
  log: { level: LogLevel; format: LogFormat };
  /** Problems that do not stop start-up (log them at warn). Always set by loadConfig. */
  warnings?: string[];
  /** ASANA_HEALTH_ADDR; absent when it is `off`. */
  health?: HealthAddr;
  /** Self-telemetry metrics over OTLP; absent when OTEL_METRICS_EXPORTER=none. */
  metrics?: MetricsConfig;
}

/** What loadConfig returns: warnings always present. */
export interface LoadedConfig extends Config {
  warnings: string[];
}
