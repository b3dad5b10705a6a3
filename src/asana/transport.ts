import { AsanaTlsError } from '../errors.ts';
import { errorCode, tlsCause, tlsCodeOfMessage, type TlsCause } from '../net/tls.ts';

/**
 * A request to Asana that got no answer, as data: a TLS failure on Asana's certificate is fatal and
 * names its cause (net/tls.ts tlsCause, the rule the collector side uses too); anything else
 * (refused, reset, DNS, a proxy that is down) is retried as "cannot reach Asana".
 *
 * The usual cause in a company network is a TLS-inspecting proxy: it re-signs app.asana.com with the
 * company's CA, which Node does not trust unless NODE_EXTRA_CA_CERTS names it
 * (https://nodejs.org/api/cli.html#node_extra_ca_certsfile, read once at start-up).
 */
export type AsanaTransportOutcome = { kind: 'fatal'; error: AsanaTlsError } | { kind: 'retry'; reason: string };

/** Certificate causes only: Asana does not ask for client certificates. */
const MESSAGE: Partial<Record<TlsCause, (code: string) => string>> = {
  'unknown-ca': (code) =>
    `its certificate is signed by a CA this receiver does not trust (${code}). A TLS-inspecting proxy re-signs HTTPS with the company's CA: ` +
    `set NODE_EXTRA_CA_CERTS to that CA's PEM file (read at start-up), or check ASANA_API_URL`,
  'hostname-mismatch': (code) =>
    `its certificate does not name the host in ASANA_API_URL (${code}). Fix: check ASANA_API_URL (Asana's is https://app.asana.com/api/1.0), or the certificate a proxy presents for it`,
  expired: (code) => `its certificate has expired (${code}). Fix: check the clock of this host, or the certificate a TLS-inspecting proxy presents`,
  'not-yet-valid': (code) => `its certificate is not valid yet (${code}). Fix: check the clock of this host`,
};

export function asanaTransportOutcome(err: unknown, apiUrl: string): AsanaTransportOutcome {
  const text = describeNetworkError(err);
  const code = errorCode(err) ?? tlsCodeOfMessage(text);
  const cause = tlsCause(code);
  const message = cause ? MESSAGE[cause] : undefined;
  if (message) return { kind: 'fatal', error: new AsanaTlsError(`TLS to Asana at ${apiUrl} failed: ${message(code as string)}`) };
  return { kind: 'retry', reason: `cannot reach Asana at ${apiUrl}: ${text}` };
}

/** "CODE message" of a network error (undici wraps the socket's in `cause`). */
export function describeNetworkError(err: unknown): string {
  if (err && typeof err === 'object') {
    const e = err as { code?: unknown; message?: unknown; cause?: { code?: unknown; message?: unknown } };
    const code = e.code ?? e.cause?.code;
    const message = typeof e.message === 'string' ? e.message : String(err);
    return code ? `${String(code)} ${message}` : message;
  }
  return String(err);
}
