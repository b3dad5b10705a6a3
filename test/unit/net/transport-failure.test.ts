import { describe, expect, it } from 'vitest';
import { alertAfterClose, classifyTransportFailure, type TransportEvidence } from '../../../src/net/transport-failure.ts';

/** What HTTP (undici) and gRPC (grpc-js) report when a collector got no answer to a call, and the verdict. */
describe('classifyTransportFailure', () => {
  const https = { tls: true, clientCertificate: false };
  it.each<[string, TransportEvidence, string, RegExp?]>([
    // TLS 1.3: the server's certificate_required alert after the client's handshake finished.
    ['undici, the alert code', { ...https, code: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', text: 'tlsv13 alert certificate required' }, 'tls', /client certificate.*OTEL_EXPORTER_OTLP_LOGS_CLIENT_CERTIFICATE.*OTEL_EXPORTER_OTLP_LOGS_CLIENT_KEY/],
    ['grpc-js, the alert only in the details', { ...https, text: 'No connection established. Last error: 40:error:0A00045C:SSL routines:ssl3_read_bytes:tlsv13 alert certificate required:../rec_layer_s3.c:918:SSL alert number 116' }, 'tls', /ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED.*OTEL_EXPORTER_OTLP_LOGS_CLIENT_KEY/],
    ['a certificate configured but not trusted (TLS 1.2 bad_certificate)', { tls: true, clientCertificate: true, text: 'sslv3 alert bad certificate' }, 'tls', /refused or required a client certificate/],
    ['a certificate the server does not know', { tls: true, clientCertificate: true, code: 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA', text: '' }, 'tls', /OTEL_EXPORTER_OTLP_LOGS_CLIENT_CERTIFICATE/],
    ['access denied', { tls: true, clientCertificate: true, text: 'tlsv1 alert access denied' }, 'tls', /client certificate/],
    ['the server certificate from an unknown CA', { ...https, code: 'SELF_SIGNED_CERT_IN_CHAIN', text: '' }, 'tls', /unknown CA.*OTEL_EXPORTER_OTLP_LOGS_CERTIFICATE/],
    ['hostname mismatch in grpc-js details', { ...https, text: "Hostname/IP does not match certificate's altnames: Host: localhost. is not in the cert's altnames: DNS:collector.invalid" }, 'tls', /does not name the host/],
    // No alert seen: a reset or close is ambiguous (a restarting collector looks the same): retried with the hint.
    ['undici, closed without an alert, no client certificate', { ...https, code: 'UND_ERR_SOCKET', text: 'other side closed (UND_ERR_SOCKET)' }, 'closed-after-handshake', /mutual TLS.*OTEL_EXPORTER_OTLP_LOGS_CLIENT_CERTIFICATE.*OTEL_EXPORTER_OTLP_LOGS_CLIENT_KEY/],
    ['a reset, no client certificate', { ...https, code: 'ECONNRESET', text: 'read ECONNRESET' }, 'closed-after-handshake', /mutual TLS/],
    ['grpc-js, connection closed', { ...https, text: 'Connection closed before starting HTTP/2 handshake' }, 'closed-after-handshake'],
    ['grpc-js, the alert to a refused client certificate dropped', { tls: true, clientCertificate: true, text: 'No connection established. Last error: Failed to connect (2026-12-02T17:12:05.986Z)' }, 'closed-after-handshake'],
    ['closed over plaintext', { tls: false, clientCertificate: false, text: 'other side closed' }, 'network'],
    ['refused', { ...https, code: 'ECONNREFUSED', text: 'connect ECONNREFUSED 127.0.0.1:4317' }, 'network'],
    ['DNS', { ...https, code: 'ENOTFOUND', text: 'getaddrinfo ENOTFOUND collector' }, 'network'],
  ])('%s -> %s', (_name, evidence, kind, message) => {
    const v = classifyTransportFailure(evidence);
    expect(v.kind).toBe(kind);
    if (message) expect(v.kind === 'tls' ? v.failure.message : v.kind === 'closed-after-handshake' ? v.hint : '').toMatch(message);
  });

  it('closed with a client certificate configured: the hint says to check it, not to set it', () => {
    const v = classifyTransportFailure({ tls: true, clientCertificate: true, text: 'other side closed' });
    expect(v.kind === 'closed-after-handshake' && v.hint).toMatch(/check that it trusts the certificate in OTEL_EXPORTER_OTLP_LOGS_CLIENT_CERTIFICATE/);
  });

  it('names the metrics variables for the metrics signal', () => {
    const v = classifyTransportFailure({ tls: true, clientCertificate: false, text: 'tlsv13 alert certificate required', signal: 'metrics' });
    expect(v.kind === 'tls' && v.failure.message).toMatch(/OTEL_EXPORTER_OTLP_METRICS_CLIENT_CERTIFICATE/);
  });
});

describe('alertAfterClose: the diagnostic handshake only for a connection closed without an alert', () => {
  it.each([
    { name: 'closed after the handshake: probed', evidence: { tls: true, clientCertificate: false, text: 'other side closed' }, probed: true },
    { name: 'a TLS failure with its cause: not probed', evidence: { tls: true, clientCertificate: false, text: 'x', code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' }, probed: false },
    { name: 'plaintext closed: not probed', evidence: { tls: false, clientCertificate: false, text: 'other side closed' }, probed: false },
    { name: 'refused: not probed', evidence: { tls: true, clientCertificate: false, text: 'connect ECONNREFUSED' }, probed: false },
  ])('$name', async ({ evidence, probed }) => {
    let calls = 0;
    const code = await alertAfterClose(evidence, async () => (calls++, 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED'));
    expect(calls).toBe(probed ? 1 : 0);
    expect(code).toBe(probed ? 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED' : undefined);
  });
});
