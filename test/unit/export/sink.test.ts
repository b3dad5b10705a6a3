import { describe, expect, it } from 'vitest';
import { grpcProxyEnv, grpcUrl } from '../../../src/export/sink.ts';
import { describeRoute } from '../../../src/net/proxy.ts';
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
    const out = networkFailure(tlsError('UNABLE_TO_VERIFY_LEAF_SIGNATURE'), { target: 'https://c:4318/v1/logs', expired: false, timeoutMs: 10_000 });
    expect(out).toMatchObject({ kind: 'rejected' });
    expect(out.reason).toMatch(/unknown CA.*OTEL_EXPORTER_OTLP_LOGS_CERTIFICATE/);
    expect(out.reason).not.toMatch(/start the collector/);
  });
  it('the metrics signal names the metrics variable', () => {
    expect(networkFailure(tlsError('SELF_SIGNED_CERT_IN_CHAIN'), { target: 'https://c', expired: false, timeoutMs: 1, signal: 'metrics' }).reason).toMatch(/OTEL_EXPORTER_OTLP_METRICS_CERTIFICATE/);
  });
  it('a refused connection is retried', () => {
    expect(networkFailure(tlsError('ECONNREFUSED'), { target: 'http://c', expired: false, timeoutMs: 1 })).toMatchObject({ kind: 'retryable', reason: expect.stringMatching(/ECONNREFUSED/) });
  });
  const closed = () => Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
  it('an https collector closing the connection, no client certificate configured: retried, mutual TLS hinted', () => {
    const out = networkFailure(closed(), { target: 'https://c:4318/v1/logs', expired: false, timeoutMs: 1 });
    expect(out).toMatchObject({ kind: 'retryable', reason: expect.stringMatching(/other side closed.*mutual TLS.*OTEL_EXPORTER_OTLP_LOGS_CLIENT_CERTIFICATE/) });
  });
  it.each([
    ['plain http', { target: 'http://c:4318/v1/logs' }],
    ['a client certificate configured', { target: 'https://c:4318/v1/logs', clientCertificate: true }],
  ])('no mutual TLS hint with %s', (_name, ctx) => {
    expect(networkFailure(closed(), { expired: false, timeoutMs: 1, ...ctx })).toEqual({ kind: 'retryable', reason: 'other side closed (UND_ERR_SOCKET)' });
  });
  it('a timeout is retried and names the variable', () => {
    expect(networkFailure(new Error('aborted'), { target: 'http://c', expired: true, timeoutMs: 500 })).toEqual({ kind: 'retryable', reason: 'no answer within 500 ms (OTEL_EXPORTER_OTLP_TIMEOUT)' });
  });
});

describe('grpcProxyEnv: the route grpc-js takes', () => {
  it.each([
    [{ grpc_proxy: 'http://g:1', https_proxy: 'http://s:2' }, 'via proxy http://g:1'],
    [{ https_proxy: 'http://s:2', http_proxy: 'http://h:3' }, 'via proxy http://s:2'],
    [{ http_proxy: 'http://h:3' }, 'via proxy http://h:3'],
    [{ HTTPS_PROXY: 'http://upper:4' }, 'direct'],
    [{ http_proxy: 'http://h:3', no_grpc_proxy: 'collector' }, 'direct (NO_PROXY)'],
    [{ http_proxy: 'http://h:3', no_proxy: 'collector' }, 'direct (NO_PROXY)'],
  ])('%j -> %s', (env, route) => {
    expect(describeRoute('https://collector:4317', grpcProxyEnv(env))).toBe(route);
  });
});
