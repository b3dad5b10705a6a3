import { describe, expect, it } from 'vitest';
import { asanaTransportOutcome } from '../../../src/asana/transport.ts';

/** A request to Asana without an answer: TLS failures on Asana's certificate are named by cause and fatal. */
describe('asanaTransportOutcome', () => {
  const api = 'https://app.asana.com/api/1.0';
  const wrapped = (code: string, message = code) => Object.assign(new Error('fetch failed'), { code: 'UND_ERR_SOCKET', cause: Object.assign(new Error(message), { code }) });
  it.each<[string, unknown, RegExp]>([
    ['a TLS-inspecting proxy (self-signed in chain)', wrapped('SELF_SIGNED_CERT_IN_CHAIN'), /does not trust \(SELF_SIGNED_CERT_IN_CHAIN\).*TLS-inspecting proxy.*NODE_EXTRA_CA_CERTS/],
    ['an unknown issuer', wrapped('UNABLE_TO_GET_ISSUER_CERT_LOCALLY'), /NODE_EXTRA_CA_CERTS/],
    ['the leaf not verifiable', wrapped('UNABLE_TO_VERIFY_LEAF_SIGNATURE'), /NODE_EXTRA_CA_CERTS/],
    ['hostname mismatch', wrapped('ERR_TLS_CERT_ALTNAME_INVALID'), /does not name the host in ASANA_API_URL/],
    ['expired', wrapped('CERT_HAS_EXPIRED'), /has expired \(CERT_HAS_EXPIRED\).*clock/],
    ['not yet valid', wrapped('CERT_NOT_YET_VALID'), /not valid yet.*clock/],
    ['only the message text', new Error('unable to verify the first certificate'), /NODE_EXTRA_CA_CERTS/],
  ])('%s: fatal, the cause named', (_name, err, message) => {
    const out = asanaTransportOutcome(err, api);
    expect(out.kind).toBe('fatal');
    if (out.kind === 'fatal') {
      expect(out.error.code).toBe('ERR_ASANA_TLS');
      expect(out.error.message).toMatch(/^TLS to Asana at https:\/\/app\.asana\.com\/api\/1\.0 failed: /);
      expect(out.error.message).toMatch(message);
    }
  });

  it.each([
    ['refused', wrapped('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:443')],
    ['DNS', wrapped('ENOTFOUND', 'getaddrinfo ENOTFOUND app.asana.com')],
    ['reset', wrapped('ECONNRESET')],
  ])('%s: retried as "cannot reach Asana"', (_name, err) => {
    expect(asanaTransportOutcome(err, api)).toMatchObject({ kind: 'retry', reason: expect.stringMatching(/^cannot reach Asana at https:\/\/app\.asana\.com\/api\/1\.0: /) });
  });
});
