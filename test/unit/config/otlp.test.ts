import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig, type LoadedConfig } from '../../../src/config/index.ts';
import { ConfigError } from '../../../src/errors.ts';

const BASE = { ASANA_TOKEN: 'MARKER-t0ken-9f3a7c1e5b', ASANA_WORKSPACE_GID: '1200000000000001' };
const dir = mkdtempSync(join(tmpdir(), 'otlp-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const pem = (name: string) => {
  const p = join(dir, name);
  writeFileSync(p, '-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n');
  return p;
};

const load = (env: Record<string, string>): LoadedConfig => loadConfig({ ...BASE, ...env });
function problems(env: Record<string, string>): string[] {
  try {
    load(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('one OTLP resolver for logs and metrics', () => {
  it('gives both signals the same fields', () => {
    const c = load({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' });
    expect(c.otlp).toEqual({ url: 'http://c:4318/v1/logs', protocol: 'http/protobuf', headers: {}, compression: 'none', timeoutMs: 10_000, endpointIsDefault: false, tls: {}, insecure: false });
    const { intervalMs, ...metricsOtlp } = c.metrics!;
    expect(intervalMs).toBe(60_000);
    expect(metricsOtlp).toEqual({ ...c.otlp, url: 'http://c:4318/v1/metrics' });
  });

  it('lets the _METRICS_ variables win for metrics only', () => {
    const c = load({ OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_METRICS_HEADERS: 'x-m=1', OTEL_EXPORTER_OTLP_METRICS_TIMEOUT: '500' });
    expect(c.metrics).toMatchObject({ protocol: 'http/json', headers: { 'x-m': '1' }, timeoutMs: 500 });
    expect(c.otlp).toMatchObject({ protocol: 'http/protobuf', headers: {}, timeoutMs: 10_000 });
  });

  it('grpc: default endpoint localhost:4317, no signal path appended', () => {
    const d = load({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' });
    expect(d.otlp).toMatchObject({ protocol: 'grpc', url: 'http://localhost:4317', endpointIsDefault: true });
    expect(d.metrics, 'the receiver metrics go over OTLP/HTTP only: off, with a warning').toBeUndefined();
    expect(load({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_ENDPOINT: 'https://c:4317' }).otlp.url).toBe('https://c:4317');
    expect(load({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_ENDPOINT: 'c:4317', OTEL_EXPORTER_OTLP_INSECURE: 'true' }).otlp).toMatchObject({ url: 'c:4317', insecure: true });
    expect(problems({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_ENDPOINT: 'not a host' })[0]).toMatch(/^OTEL_EXPORTER_OTLP_ENDPOINT: .*not an http\(s\) URL or host:port/);
  });

  it('INSECURE is a boolean, per signal, and only means something for grpc', () => {
    expect(problems({ OTEL_EXPORTER_OTLP_INSECURE: 'yes' })[0]).toMatch(/^OTEL_EXPORTER_OTLP_INSECURE: "yes" is not a boolean: use true or false/);
    const c = load({ OTEL_EXPORTER_OTLP_LOGS_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_LOGS_INSECURE: 'TRUE' });
    expect(c.otlp.insecure).toBe(true);
    expect(c.metrics?.insecure).toBe(false);
    expect(load({ OTEL_EXPORTER_OTLP_INSECURE: 'true' }).warnings).toEqual(['OTEL_EXPORTER_OTLP_INSECURE: applies to grpc only; ignored with http/protobuf']);
  });

  it('TLS files: absolute paths, per-signal wins, each checked readable', () => {
    const ca = pem('ca.pem');
    const logsCa = pem('logs-ca.pem');
    const rel = relative(process.cwd(), ca);
    const c = load({ OTEL_EXPORTER_OTLP_CERTIFICATE: ca, OTEL_EXPORTER_OTLP_LOGS_CERTIFICATE: logsCa });
    expect(c.otlp.tls).toEqual({ certificate: logsCa });
    expect(c.metrics?.tls).toEqual({ certificate: ca });
    expect(load({ OTEL_EXPORTER_OTLP_CERTIFICATE: rel }).otlp.tls.certificate).toBe(ca);
    const missing = join(dir, 'nope.pem');
    expect(problems({ OTEL_EXPORTER_OTLP_METRICS_CERTIFICATE: missing })).toEqual([
      `OTEL_EXPORTER_OTLP_METRICS_CERTIFICATE: cannot read ${missing} (ENOENT): mount the file there or fix the path`,
    ]);
  });

  it('a client key needs a client certificate, and the other way round', () => {
    const key = pem('client.key');
    const cert = pem('client.pem');
    expect(load({ OTEL_EXPORTER_OTLP_CLIENT_KEY: key, OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE: cert }).otlp.tls).toEqual({ clientKey: key, clientCertificate: cert });
    expect(problems({ OTEL_EXPORTER_OTLP_CLIENT_KEY: key })[0]).toMatch(/^OTEL_EXPORTER_OTLP_CLIENT_KEY: is set without OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE/);
    expect(problems({ OTEL_EXPORTER_OTLP_LOGS_CLIENT_CERTIFICATE: cert })[0]).toMatch(/^OTEL_EXPORTER_OTLP_LOGS_CLIENT_CERTIFICATE: is set without OTEL_EXPORTER_OTLP_LOGS_CLIENT_KEY/);
  });

  it('refuses a header with a non-ASCII or control character, naming the variable, never the value', () => {
    for (const bad of ['authorization=Bearer sécret', 'x=a\u0007b', 'x=a%0Ab', 'x=%C3%A9']) {
      const p = problems({ OTEL_EXPORTER_OTLP_HEADERS: bad });
      expect(p[0]).toMatch(/^OTEL_EXPORTER_OTLP_HEADERS: entry 1/);
      expect(p.join('\n')).not.toMatch(/sécret|a\u0007b|%C3/);
    }
  });

  it('bounds the export timeout and the metric interval by a documented maximum', () => {
    expect(problems({ OTEL_EXPORTER_OTLP_TIMEOUT: '600001' })[0]).toMatch(/^OTEL_EXPORTER_OTLP_TIMEOUT: is too large: at most 600000/);
    expect(problems({ OTEL_METRIC_EXPORT_INTERVAL: String(2 ** 31) })[0]).toMatch(/^OTEL_METRIC_EXPORT_INTERVAL: is too large: at most 2147483647/);
    expect(load({ OTEL_METRIC_EXPORT_INTERVAL: String(2 ** 31 - 1) }).metrics?.intervalMs).toBe(2 ** 31 - 1);
  });
});
