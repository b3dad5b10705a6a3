import { describe, expect, it } from 'vitest';
import { grpcUrl } from '../../../src/export/sink.ts';
import { networkFailure } from '../../../src/export/otlp.ts';

describe('grpcUrl', () => {
  it.each([
    ['collector:4317', false, 'https://collector:4317'],
    ['collector:4317', true, 'http://collector:4317'],
    ['http://collector:4317', false, 'http://collector:4317'],
    ['https://collector:4317', true, 'https://collector:4317'],
  ])('%s insecure=%s -> %s', (endpoint, insecure, url) => {
    expect(grpcUrl(endpoint, insecure)).toBe(url);
  });
});

describe('networkFailure', () => {
  const tlsError = (code: string) => Object.assign(new Error('fetch failed'), { cause: Object.assign(new Error(code), { code }) });
  it('a TLS failure stops with its cause and the variable to set', () => {
    const out = networkFailure(tlsError('UNABLE_TO_VERIFY_LEAF_SIGNATURE'), 'https://c:4318/v1/logs', false, 10_000);
    expect(out).toMatchObject({ kind: 'rejected' });
    expect(out.reason).toMatch(/unknown CA.*OTEL_EXPORTER_OTLP_LOGS_CERTIFICATE/);
    expect(out.reason).not.toMatch(/start the collector/);
  });
  it('the metrics signal names the metrics variable', () => {
    expect(networkFailure(tlsError('SELF_SIGNED_CERT_IN_CHAIN'), 'https://c', false, 1, 'metrics').reason).toMatch(/OTEL_EXPORTER_OTLP_METRICS_CERTIFICATE/);
  });
  it('a refused connection is retried', () => {
    expect(networkFailure(tlsError('ECONNREFUSED'), 'http://c', false, 1)).toMatchObject({ kind: 'retryable', reason: expect.stringMatching(/ECONNREFUSED/) });
  });
  it('a timeout is retried and names the variable', () => {
    expect(networkFailure(new Error('aborted'), 'http://c', true, 500)).toEqual({ kind: 'retryable', reason: 'no answer within 500 ms (OTEL_EXPORTER_OTLP_TIMEOUT)' });
  });
});
