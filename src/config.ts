/**
 * The one configuration module: environment variables (and an optional YAML file with the same
 * keys) -> one typed, validated Config. Defaults live here and nowhere else.
 * Precedence: CLI flag > environment > YAML file > default. Every problem is reported at once,
 * naming the variable.
 *
 * CONTRACT (implementation pending): see loadConfig below.
 */

export type StreamName = 'audit_log';
export type OtlpProtocol = 'http/protobuf' | 'http/json';
export type LogFormat = 'json' | 'pretty';
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

export interface AuditLogFilters {
  eventType?: string;
  actorType?: string;
  actorGid?: string;
  resourceGid?: string;
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
  };
  stateFile: string;
  otlp: OtlpConfig;
  /** OTEL_SERVICE_NAME, if set (wins over the default service.name `asana`). */
  serviceName?: string;
  /** OTEL_RESOURCE_ATTRIBUTES, parsed. */
  resourceAttributes: Record<string, string>;
  log: { level: LogLevel; format: LogFormat };
}
