import { classifyTlsError, tlsCodeOfMessage, type OtlpSignal, type TlsFailure, tlsVariable } from './tls.ts';

/**
 * A call to the collector that got no answer, told apart by what the transport reported — the one
 * decision for OTLP/HTTP and OTLP/gRPC:
 *
 * - `tls`: a TLS failure with a known cause (unknown CA, hostname mismatch, expired, client
 *   certificate refused or required). Permanent: the same connection fails the same way until the
 *   configuration or the certificate changes, so retrying would only hide the cause; `once` and `run`
 *   stop with exit 5 and the page stays uncommitted.
 * - `closed-after-handshake`: an https endpoint closed the connection without an answer and without
 *   a TLS alert the client saw. Under TLS 1.3 the server checks the client's certificate after the
 *   client's handshake finished (RFC 8446 §4.4.2.4: it "MAY abort the handshake with a
 *   certificate_required alert"; a certificate it does not trust gets unknown_ca or bad_certificate),
 *   so a collector refusing or requiring a client certificate looks like this when the transport
 *   drops the alert (undici: "other side closed"; grpc-js: "Failed to connect"); so does a collector
 *   restarting. The caller reads the alert with one diagnostic handshake (tls-probe.ts) and
 *   classifies again with its code; without one, retried, with the variable to set or to check as
 *   the hint (a server built on Node's TLS, grpc-js's included, closes on a client certificate it
 *   does not trust without sending an alert).
 * - `network`: anything else (refused, reset, DNS, timeout): retried.
 */
export type TransportVerdict =
  | { kind: 'tls'; failure: TlsFailure }
  | { kind: 'closed-after-handshake'; hint?: string }
  | { kind: 'network' };

export interface TransportEvidence {
  /** The error code the transport reported (Node's, OpenSSL's), if any. */
  code?: string | undefined;
  /** The error text (grpc-js puts the OpenSSL error only into its details). */
  text: string;
  /** Whether the endpoint is reached over TLS. */
  tls: boolean;
  /** Whether OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE is set. */
  clientCertificate: boolean;
  signal?: OtlpSignal;
}

/** Closed without an answer: undici's "other side closed", a reset, grpc-js's closed connection. */
const CLOSED = /other side closed|socket hang up|ECONNRESET|Connection closed|Connection dropped|Failed to connect/i;

export function classifyTransportFailure(e: TransportEvidence): TransportVerdict {
  const signal = e.signal ?? 'logs';
  const failure = classifyTlsError(e.code, signal) ?? classifyTlsError(tlsCodeOfMessage(e.text), signal);
  if (failure) return { kind: 'tls', failure };
  if (e.tls && CLOSED.test(e.text)) {
    if (e.clientCertificate) {
      return {
        kind: 'closed-after-handshake',
        hint: `the collector closed the TLS connection; if it requires mutual TLS, check that it trusts the certificate in ${tlsVariable(signal, 'CLIENT_CERTIFICATE')}`,
      };
    }
    return {
      kind: 'closed-after-handshake',
      hint: `the collector closed the TLS connection; if it requires mutual TLS, set ${tlsVariable(signal, 'CLIENT_CERTIFICATE')} and ${tlsVariable(signal, 'CLIENT_KEY')}`,
    };
  }
  return { kind: 'network' };
}

/**
 * The alert one diagnostic handshake reads (`probe`: tls-probe.ts) when the transport reported only a
 * closed connection (`closed-after-handshake`); undefined for any other failure, or when the probe
 * finds none. The caller classifies again with it; the probe decides whether the route allows one.
 */
export async function alertAfterClose(e: TransportEvidence, probe: () => Promise<string | undefined>): Promise<string | undefined> {
  return classifyTransportFailure(e).kind === 'closed-after-handshake' ? probe() : undefined;
}
