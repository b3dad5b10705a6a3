import { describe, expect, it } from 'vitest';
import { classifyTlsError, errorCode, tlsCodeOfMessage, tlsConnectOptions } from '../../../src/net/tls.ts';

describe('classifyTlsError', () => {
  it.each([
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'unknown-ca', 'OTEL_EXPORTER_OTLP_LOGS_CERTIFICATE'],
    ['SELF_SIGNED_CERT_IN_CHAIN', 'unknown-ca', 'OTEL_EXPORTER_OTLP_LOGS_CERTIFICATE'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'unknown-ca', 'OTEL_EXPORTER_OTLP_LOGS_CERTIFICATE'],
    ['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'unknown-ca', 'OTEL_EXPORTER_OTLP_LOGS_CERTIFICATE'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'hostname-mismatch', 'OTEL_EXPORTER_OTLP_ENDPOINT'],
    ['CERT_HAS_EXPIRED', 'expired', 'renew'],
    ['CERT_NOT_YET_VALID', 'not-yet-valid', 'clocks'],
    ['ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', 'client-certificate-refused', 'OTEL_EXPORTER_OTLP_LOGS_CLIENT_CERTIFICATE'],
    ['ERR_SSL_TLSV1_ALERT_UNKNOWN_CA', 'client-certificate-refused', 'OTEL_EXPORTER_OTLP_LOGS_CLIENT_KEY'],
    ['ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE', 'client-certificate-refused', 'OTEL_EXPORTER_OTLP_LOGS_CLIENT_CERTIFICATE'],
    ['ERR_OSSL_X509_KEY_VALUES_MISMATCH', 'client-certificate-invalid', 'OTEL_EXPORTER_OTLP_LOGS_CLIENT_KEY'],
  ])('%s -> %s, naming %s', (code, cause, hint) => {
    const f = classifyTlsError(code, 'logs');
    expect(f?.cause).toBe(cause);
    expect(f?.message).toContain(hint);
    expect(f?.message).toContain(code);
  });

  it.each([undefined, 'ECONNREFUSED', 'ECONNRESET', 'UND_ERR_HEADERS_TIMEOUT'])('%s is not a TLS failure', (code) => {
    expect(classifyTlsError(code)).toBeUndefined();
  });

  it('names the metrics variables for the metrics signal', () => {
    expect(classifyTlsError('CERT_UNTRUSTED', 'metrics')?.message).toContain('OTEL_EXPORTER_OTLP_METRICS_CERTIFICATE');
  });
});

describe('errorCode', () => {
  it('finds the socket code under undici wrappers', () => {
    const inner = Object.assign(new Error('self-signed'), { code: 'SELF_SIGNED_CERT_IN_CHAIN' });
    const outer = Object.assign(new Error('fetch failed', { cause: inner }), { code: 'UND_ERR_SOCKET' });
    expect(errorCode(outer)).toBe('SELF_SIGNED_CERT_IN_CHAIN');
    expect(errorCode('text')).toBeUndefined();
  });
});

describe('tlsConnectOptions', () => {
  it('reads each configured file into its connect option', () => {
    const files: Record<string, string> = { '/ca.pem': 'CA', '/key.pem': 'KEY', '/crt.pem': 'CRT' };
    const opts = tlsConnectOptions({ certificate: '/ca.pem', clientKey: '/key.pem', clientCertificate: '/crt.pem' }, 'logs', (p) => Buffer.from(files[p] ?? ''));
    expect(String(opts.ca)).toBe('CA');
    expect(String(opts.key)).toBe('KEY');
    expect(String(opts.cert)).toBe('CRT');
    expect(tlsConnectOptions({})).toEqual({});
  });

  it('names the variable of a file that cannot be read', () => {
    expect(() => tlsConnectOptions({ clientKey: '/nonexistent/key.pem' }, 'metrics')).toThrow(/OTEL_EXPORTER_OTLP_METRICS_CLIENT_KEY.*ENOENT/);
  });
});

describe('tlsCodeOfMessage', () => {
  it.each([
    ['No connection established. Last error: Error: unable to verify the first certificate; if the root CA is installed locally', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'],
    ['self-signed certificate in certificate chain', 'SELF_SIGNED_CERT_IN_CHAIN'],
    ['self signed certificate', 'DEPTH_ZERO_SELF_SIGNED_CERT'],
    ['certificate has expired', 'CERT_HAS_EXPIRED'],
    ["Hostname/IP does not match certificate's altnames: Host: localhost. is not in the cert's altnames: DNS:collector.invalid", 'ERR_TLS_CERT_ALTNAME_INVALID'],
    ['error:0A00045C:SSL routines::tlsv13 alert certificate required', 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED'],
    ['connect ECONNREFUSED 127.0.0.1:4317', undefined],
  ])('%s -> %s', (text, code) => {
    expect(tlsCodeOfMessage(text)).toBe(code);
  });
});
