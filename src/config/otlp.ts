/**
 * The OTLP exporter settings of one signal, resolved the same way for logs and for the receiver's own
 * metrics (OTel spec, "OpenTelemetry Protocol Exporter" configuration): the signal's own variable
 * (OTEL_EXPORTER_OTLP_LOGS_*, OTEL_EXPORTER_OTLP_METRICS_*) wins over the generic OTEL_EXPORTER_OTLP_*;
 * headers merge per key. https://opentelemetry.io/docs/specs/otel/protocol/exporter/
 */
import { accessSync, constants } from 'node:fs';
import { resolve } from 'node:path';
import { DEFAULTS, type EnvVarName } from './env-vars.ts';
import { boolean, compression as compressionParser, httpUrl, keyValueList, mapParsed, milliseconds, parseSetting, protocol as protocolParser, type Parser } from './parsers.ts';
import { MAX_OTLP_TIMEOUT_MS } from './env-vars.ts';
import { errCode } from './sources.ts';
import type { OtlpConfig, OtlpProtocol, OtlpSignal, OtlpTls } from './types.ts';

/** OTLP/HTTP signal paths (OTel spec, "Endpoint URLs for OTLP/HTTP"). */
const SIGNAL_PATH: Record<OtlpSignal, string> = { logs: 'v1/logs', metrics: 'v1/metrics' };

type Setting = 'ENDPOINT' | 'PROTOCOL' | 'HEADERS' | 'COMPRESSION' | 'TIMEOUT' | 'CERTIFICATE' | 'CLIENT_KEY' | 'CLIENT_CERTIFICATE' | 'INSECURE';

/** The signal's own variable name for a setting. */
export function signalVar(signal: OtlpSignal, setting: Setting): EnvVarName {
  return `OTEL_EXPORTER_OTLP_${signal === 'logs' ? 'LOGS' : 'METRICS'}_${setting}`;
}
function genericVar(setting: Setting): EnvVarName {
  return `OTEL_EXPORTER_OTLP_${setting}` as EnvVarName;
}

/** How the resolver sees the merged sources (environment > file > default). */
export interface SettingSource {
  /** The value a user gave (environment, then file), without defaults. */
  given(name: EnvVarName): string | undefined;
  /** The given value, else the default text. */
  value(name: EnvVarName): string | undefined;
  /** The variable's name, with the file when the value came from there. */
  where(name: EnvVarName): string;
}

/** Where the resolver's findings go: a problem stops start-up, a note is a warning. */
export interface OtlpReport {
  problem(name: EnvVarName, message: string): void;
  note(name: EnvVarName, message: string): void;
}

/** OTel spec: the generic endpoint gets the signal path appended (OTLP/HTTP only), respecting a trailing slash. */
export function appendSignalPath(endpoint: string, signal: OtlpSignal): string {
  const path = SIGNAL_PATH[signal];
  return endpoint.endsWith('/') ? `${endpoint}${path}` : `${endpoint}/${path}`;
}

/** The logs URL for a generic OTLP/HTTP endpoint. */
export function appendLogsPath(endpoint: string): string {
  return appendSignalPath(endpoint, 'logs');
}

/** A gRPC endpoint: an http(s) URL, or host:port without a scheme (then OTEL_EXPORTER_OTLP_INSECURE applies). */
function checkGrpcEndpoint(text: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    return httpUrl('')(text).ok ? undefined : `"${text}" is not an http(s) URL or host:port: e.g. http://collector:4317`;
  }
  return /^(?:\[[0-9a-fA-F:.]+\]|[^\s:/[\]]+):\d{1,5}$/.test(text) ? undefined : `"${text}" is not an http(s) URL or host:port: e.g. http://collector:4317`;
}

/** Resolves one signal's OTLP settings; undefined when one of them has a problem (reported). */
export function resolveOtlpSignal(signal: OtlpSignal, src: SettingSource, report: OtlpReport): OtlpConfig | undefined {
  /** The signal's variable when given, else the generic one. */
  const pick = (setting: Setting): EnvVarName => {
    const own = signalVar(signal, setting);
    return src.given(own) !== undefined ? own : genericVar(setting);
  };
  let failed = false;
  const parse = <T>(name: EnvVarName, parser: Parser<T>): T | undefined =>
    parseSetting(src.value(name), parser, (problem) => {
      failed = true;
      report.problem(name, problem);
    });

  const protocol = parse(pick('PROTOCOL'), protocolParser);

  const ownEndpoint = signalVar(signal, 'ENDPOINT');
  const ownEndpointSet = src.given(ownEndpoint) !== undefined;
  const endpointIsDefault = !ownEndpointSet && src.given('OTEL_EXPORTER_OTLP_ENDPOINT') === undefined;
  let url: string | undefined;
  const endpointName = ownEndpointSet ? ownEndpoint : 'OTEL_EXPORTER_OTLP_ENDPOINT';
  if (protocol === 'grpc') {
    // gRPC has no signal paths; its default port is 4317.
    const text = endpointIsDefault ? DEFAULTS.otlpGrpcEndpoint : (src.given(endpointName) as string);
    const problem = checkGrpcEndpoint(text);
    if (problem) {
      failed = true;
      report.problem(endpointName, problem);
    } else {
      url = text;
    }
  } else if (ownEndpointSet) {
    url = parse(ownEndpoint, httpUrl(`e.g. http://collector:4318/${SIGNAL_PATH[signal]}`));
  } else {
    url = parse('OTEL_EXPORTER_OTLP_ENDPOINT', mapParsed(httpUrl('e.g. http://collector:4318'), (e) => appendSignalPath(e, signal)));
  }

  const compression = parse(pick('COMPRESSION'), compressionParser);
  const timeoutMs = parse(pick('TIMEOUT'), milliseconds('10000', MAX_OTLP_TIMEOUT_MS));
  const headers = {
    ...parse('OTEL_EXPORTER_OTLP_HEADERS', keyValueList('header')),
    ...parse(signalVar(signal, 'HEADERS'), keyValueList('header')),
  };
  const insecureName = pick('INSECURE');
  const insecure = parse(insecureName, boolean) ?? false;
  if (src.given(insecureName) !== undefined && protocol !== undefined && protocol !== 'grpc') {
    report.note(insecureName, `applies to grpc only; ignored with ${protocol}`);
  }

  const tls: OtlpTls = {};
  const file = (setting: Setting): string | undefined => {
    const name = pick(setting);
    const text = src.given(name);
    if (text === undefined) return undefined;
    const path = resolve(text);
    try {
      accessSync(path, constants.R_OK);
    } catch (err) {
      failed = true;
      report.problem(name, `cannot read ${path} (${errCode(err)}): mount the file there or fix the path`);
      return undefined;
    }
    return path;
  };
  const certificate = file('CERTIFICATE');
  const clientKey = file('CLIENT_KEY');
  const clientCertificate = file('CLIENT_CERTIFICATE');
  if (certificate !== undefined) tls.certificate = certificate;
  if (clientKey !== undefined) tls.clientKey = clientKey;
  if (clientCertificate !== undefined) tls.clientCertificate = clientCertificate;
  const keyGiven = src.given(pick('CLIENT_KEY')) !== undefined;
  const certGiven = src.given(pick('CLIENT_CERTIFICATE')) !== undefined;
  if (keyGiven !== certGiven) {
    failed = true;
    const has = keyGiven ? pick('CLIENT_KEY') : pick('CLIENT_CERTIFICATE');
    const lacks = keyGiven ? has.replace(/CLIENT_KEY$/, 'CLIENT_CERTIFICATE') : has.replace(/CLIENT_CERTIFICATE$/, 'CLIENT_KEY');
    report.problem(has, `is set without ${lacks}: mutual TLS needs both the client key and the client certificate`);
  }

  if (failed || url === undefined || protocol === undefined || compression === undefined || timeoutMs === undefined) return undefined;
  return { url, protocol, headers, compression, timeoutMs, endpointIsDefault, tls, insecure };
}
