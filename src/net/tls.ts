import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';

/**
 * TLS to the collector as the OpenTelemetry exporter spec defines it
 * (https://opentelemetry.io/docs/specs/otel/protocol/exporter/): OTEL_EXPORTER_OTLP_CERTIFICATE is a
 * PEM file of trusted certificates for the server (it replaces the default roots for that endpoint),
 * OTEL_EXPORTER_OTLP_CLIENT_KEY and OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE the client's private key
 * and certificate chain for mutual TLS; each also in a _LOGS_ and a _METRICS_ form.
 */

export interface OtlpTlsFiles {
  certificate?: string;
  clientKey?: string;
  clientCertificate?: string;
}

/** Which signal's variables the files came from, for messages naming the variable to set. */
export type OtlpSignal = 'logs' | 'metrics';

export function tlsVariable(signal: OtlpSignal, which: 'CERTIFICATE' | 'CLIENT_KEY' | 'CLIENT_CERTIFICATE'): string {
  return `OTEL_EXPORTER_OTLP_${signal.toUpperCase()}_${which} (or OTEL_EXPORTER_OTLP_${which})`;
}

/**
 * The files read once, at start-up, into Node's connect options. A file that cannot be read throws
 * an Error naming the variable, never the file's contents.
 */
export function tlsConnectOptions(files: OtlpTlsFiles, signal: OtlpSignal = 'logs', read: (path: string) => Buffer = readFileSync): ConnectionOptions {
  const load = (path: string, which: 'CERTIFICATE' | 'CLIENT_KEY' | 'CLIENT_CERTIFICATE') => {
    try {
      return read(path);
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      throw new Error(`${tlsVariable(signal, which)}: cannot read ${path}${code ? ` (${String(code)})` : ''}`);
    }
  };
  const out: ConnectionOptions = {};
  if (files.certificate) out.ca = load(files.certificate, 'CERTIFICATE');
  if (files.clientKey) out.key = load(files.clientKey, 'CLIENT_KEY');
  if (files.clientCertificate) out.cert = load(files.clientCertificate, 'CLIENT_CERTIFICATE');
  return out;
}

export type TlsCause = 'unknown-ca' | 'hostname-mismatch' | 'expired' | 'not-yet-valid' | 'client-certificate-refused' | 'client-certificate-invalid';

export interface TlsFailure {
  cause: TlsCause;
  /** One line: what is wrong and which variable fixes it. */
  message: string;
}

/** Node's certificate-verification codes (OpenSSL X509_V_ERR_* names) by cause. */
const UNKNOWN_CA = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
]);
const EXPIRED = new Set(['CERT_HAS_EXPIRED', 'CRL_HAS_EXPIRED']);
const NOT_YET_VALID = new Set(['CERT_NOT_YET_VALID']);
const HOSTNAME = new Set(['ERR_TLS_CERT_ALTNAME_INVALID', 'HOSTNAME_MISMATCH']);
/** Alerts the server sends when it refuses the client's certificate (or that none was sent). */
const CLIENT_REFUSED = new Set([
  'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA',
  'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE',
  'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
  'ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN',
  'ERR_SSL_TLSV1_ALERT_ACCESS_DENIED',
  'ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED',
  'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE',
]);
const CLIENT_INVALID = new Set(['ERR_OSSL_X509_KEY_VALUES_MISMATCH', 'ERR_OSSL_PEM_NO_START_LINE', 'ERR_OSSL_UNSUPPORTED']);

/** The error's code, or its cause's (undici wraps socket errors). */
export function errorCode(err: unknown): string | undefined {
  for (let e = err, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'UND_ERR_SOCKET' && code !== 'UND_ERR_CONNECT') return code;
  }
  return undefined;
}

/**
 * The one rule from a TLS error code to its cause, for every peer (the collector, Asana): the
 * certificate-verification codes Node reports (OpenSSL X509_V_ERR_* names, Node's host check) and
 * the alerts a server sends when it refuses the client's certificate.
 */
export function tlsCause(code: string | undefined): TlsCause | undefined {
  if (!code) return undefined;
  if (UNKNOWN_CA.has(code)) return 'unknown-ca';
  if (HOSTNAME.has(code)) return 'hostname-mismatch';
  if (EXPIRED.has(code)) return 'expired';
  if (NOT_YET_VALID.has(code)) return 'not-yet-valid';
  if (CLIENT_REFUSED.has(code)) return 'client-certificate-refused';
  if (CLIENT_INVALID.has(code)) return 'client-certificate-invalid';
  return undefined;
}

/** A TLS failure to the collector named by cause with the variable to set, or undefined when `code` is not one. */
export function classifyTlsError(code: string | undefined, signal: OtlpSignal = 'logs'): TlsFailure | undefined {
  const cause = tlsCause(code);
  if (!cause) return undefined;
  return { cause, message: COLLECTOR_MESSAGE[cause](code as string, signal) };
}

const COLLECTOR_MESSAGE: Record<TlsCause, (code: string, signal: OtlpSignal) => string> = {
  'unknown-ca': (code, signal) => `the collector's certificate is signed by an unknown CA (${code}). Fix: set ${tlsVariable(signal, 'CERTIFICATE')} to the CA's PEM file`,
  'hostname-mismatch': (code) =>
    `the collector's certificate does not name the host in the endpoint URL (${code}). Fix: use a host name the certificate lists in OTEL_EXPORTER_OTLP_ENDPOINT, or reissue the certificate`,
  expired: (code) => `the collector's certificate has expired (${code}). Fix: renew the collector's certificate`,
  'not-yet-valid': (code) => `the collector's certificate is not valid yet (${code}). Fix: check the clocks, or the certificate's start date`,
  'client-certificate-refused': (code, signal) =>
    `the collector refused or required a client certificate (${code}). Fix: set ${tlsVariable(signal, 'CLIENT_CERTIFICATE')} and ${tlsVariable(signal, 'CLIENT_KEY')} to a certificate the collector trusts`,
  'client-certificate-invalid': (code, signal) =>
    `the client certificate or key cannot be used (${code}). Fix: set ${tlsVariable(signal, 'CLIENT_CERTIFICATE')} and ${tlsVariable(signal, 'CLIENT_KEY')} to a matching PEM pair`,
};

/**
 * OpenSSL's verification messages (X509_verify_cert_error_string) and Node's host check, by code:
 * for errors that carry only the text (grpc-js reports a failed handshake as UNAVAILABLE with the
 * message in its details).
 */
const CODE_BY_MESSAGE: readonly [RegExp, string][] = [
  [/unable to verify the first certificate/i, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'],
  [/unable to get local issuer certificate/i, 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY'],
  [/unable to get issuer certificate/i, 'UNABLE_TO_GET_ISSUER_CERT'],
  [/self[- ]signed certificate in certificate chain/i, 'SELF_SIGNED_CERT_IN_CHAIN'],
  [/self[- ]signed certificate/i, 'DEPTH_ZERO_SELF_SIGNED_CERT'],
  [/certificate has expired/i, 'CERT_HAS_EXPIRED'],
  [/certificate is not yet valid/i, 'CERT_NOT_YET_VALID'],
  [/does not match certificate's altnames/i, 'ERR_TLS_CERT_ALTNAME_INVALID'],
  [/alert certificate required/i, 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED'],
  [/alert bad certificate/i, 'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE'],
  [/alert unknown ca/i, 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA'],
  [/alert certificate unknown/i, 'ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN'],
  [/alert access denied/i, 'ERR_SSL_TLSV1_ALERT_ACCESS_DENIED'],
  [/alert certificate expired/i, 'ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED'],
];

/** The TLS error code a message text stands for, or undefined. */
export function tlsCodeOfMessage(text: string): string | undefined {
  for (const [pattern, code] of CODE_BY_MESSAGE) if (pattern.test(text)) return code;
  return undefined;
}
