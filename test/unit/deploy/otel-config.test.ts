import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { isEmittedAttribute } from '../../helpers/emitted-attributes.ts';
import { ROOT } from '../../helpers/receiver.ts';

/**
 * otel-config.yaml and deploy/collector/*.yaml are what users hand their collector: no collector runs
 * here, so their structure is checked the way the collector would at start-up, plus the promises this
 * project makes about them (persistent queues, no literal secrets, the top-level file starting without
 * any secret, the per-backend files differing from it only in their backend, Datadog attributes from
 * real attribute names).
 */

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);
const typeOf = (id: string) => id.split('/')[0]!;
/** A `${env:NAME}` reference without a default: the value is only ever in the environment. */
const ENV_REF = /^\$\{env:[A-Z_][A-Z0-9_]*\}$/;
/** Settings that hold credentials in collector components (datadog api.key, splunk_hec token, basicauth password, headers). */
const SECRET_KEYS = /^(?:key|api_key|token|access_token|password|secret|client_secret|authorization|x-api-key|dd-api-key)$/i;

interface Collector {
  file: string;
  raw: string;
  config: Obj;
  receivers: Obj;
  processors: Obj;
  exporters: Record<string, Obj>;
  extensions: Obj;
  service: Obj;
  pipelines: Record<string, Obj>;
}

function load(file: string): Collector {
  const raw = readFileSync(join(ROOT, file), 'utf8');
  const config = parse(raw) as Obj;
  const section = (name: string): Obj => (isObj(config[name]) ? (config[name] as Obj) : {});
  const service = section('service');
  return {
    file,
    raw,
    config,
    receivers: section('receivers'),
    processors: section('processors'),
    exporters: section('exporters') as Record<string, Obj>,
    extensions: section('extensions'),
    service,
    pipelines: (isObj(service.pipelines) ? service.pipelines : {}) as Record<string, Obj>,
  };
}

const BASE = load('otel-config.yaml');
const VARIANT_FILES = readdirSync(join(ROOT, 'deploy/collector')).filter((f) => f.endsWith('.yaml')).map((f) => `deploy/collector/${f}`);
const variant = (name: string) => load(`deploy/collector/${name}.yaml`);
const ALL = [BASE, ...VARIANT_FILES.map(load)];

/** Exporters that ship somewhere (debug only prints). */
const shipping = (c: Collector) => Object.entries(c.exporters).filter(([id]) => typeOf(id) !== 'debug');
/** Exporters the logs pipelines of a config use. */
const logExporters = (c: Collector) => Object.entries(c.pipelines).filter(([name]) => typeOf(name) === 'logs').flatMap(([, p]) => list(p.exporters));
/** Every `${env:NAME}` or `${env:NAME:-default}` reference in a file. */
const envRefs = (raw: string) => [...raw.replace(/^\s*#.*$/gm, '').matchAll(/\$\{env:([A-Z_][A-Z0-9_]*)(:-[^}]*)?\}/g)].map((m) => ({ name: m[1]!, hasDefault: m[2] !== undefined }));

it('the per-backend files are the ones the top-level file and the README name', () => {
  expect(VARIANT_FILES.sort()).toEqual(['deploy/collector/datadog.yaml', 'deploy/collector/gateway.yaml', 'deploy/collector/loki.yaml', 'deploy/collector/splunk-hec.yaml']);
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  for (const f of VARIANT_FILES) {
    expect(BASE.raw, `otel-config.yaml names ${f}`).toContain(f);
    expect(readme, `README names ${f}`).toContain(f);
  }
});

describe.each(ALL.map((c) => [c.file, c] as const))('%s', (_file, c) => {
  it('names components type[/name] and every pipeline only defined receivers, processors and exporters', () => {
    expect(Object.keys(c.pipelines).length).toBeGreaterThan(0);
    for (const id of [...Object.keys(c.receivers), ...Object.keys(c.processors), ...Object.keys(c.exporters), ...Object.keys(c.extensions), ...Object.keys(c.pipelines)]) {
      expect(id).toMatch(/^[a-z0-9_]+(?:\/[A-Za-z0-9_.-]+)?$/);
    }
    for (const [name, p] of Object.entries(c.pipelines)) {
      expect(['logs', 'metrics', 'traces'], `pipeline ${name}`).toContain(typeOf(name));
      expect(list(p.receivers).length, `${name} has receivers`).toBeGreaterThan(0);
      expect(list(p.exporters).length, `${name} has exporters`).toBeGreaterThan(0);
      for (const r of list(p.receivers)) expect(Object.keys(c.receivers), `${name} receiver ${r}`).toContain(r);
      for (const pr of list(p.processors)) expect(Object.keys(c.processors), `${name} processor ${pr}`).toContain(pr);
      for (const e of list(p.exporters)) expect(Object.keys(c.exporters), `${name} exporter ${e}`).toContain(e);
    }
    const used = new Set(Object.values(c.pipelines).flatMap((p) => [...list(p.exporters), ...list(p.processors)]));
    for (const id of [...Object.keys(c.exporters), ...Object.keys(c.processors)]) expect(used.has(id), `${id} is used by a pipeline`).toBe(true);
  });

  it('enables exactly the defined extensions, health_check among them, and every authenticator it refers to', () => {
    const enabled = list(c.service.extensions);
    expect(new Set(enabled)).toEqual(new Set(Object.keys(c.extensions)));
    expect(enabled.some((e) => typeOf(e) === 'health_check')).toBe(true);
    for (const [id, e] of Object.entries(c.exporters)) {
      const auth = (e.auth as Obj | undefined)?.authenticator;
      if (auth !== undefined) expect(enabled, `${id} authenticator`).toContain(auth);
    }
  });

  it('receives OTLP/HTTP on 4318 and OTLP/gRPC on 4317 on every interface (reachable from the receiver container)', () => {
    const protocols = (c.receivers.otlp as Obj | undefined)?.protocols as Obj | undefined;
    expect((protocols?.http as Obj | undefined)?.endpoint).toBe('0.0.0.0:4318');
    expect((protocols?.grpc as Obj | undefined)?.endpoint).toBe('0.0.0.0:4317');
  });

  it('holds no literal secret: every token, key, password or auth header is a ${env:…} reference', () => {
    const walk = (v: unknown, path: string) => {
      if (isObj(v)) for (const [k, child] of Object.entries(v)) walk(child, path ? `${path}.${k}` : k);
      else if (Array.isArray(v)) v.forEach((child, i) => walk(child, `${path}[${i}]`));
      else if (SECRET_KEYS.test(path.split('.').at(-1) ?? '')) expect(String(v), path).toMatch(ENV_REF);
    };
    walk(c.config, '');
  });

  it('backs every shipping exporter with a persistent sending_queue on a defined, enabled file_storage and never gives up retrying', () => {
    expect(shipping(c).length).toBeGreaterThan(0);
    for (const [id, e] of shipping(c)) {
      const queue = e.sending_queue as Obj | undefined;
      expect(queue, `${id}.sending_queue`).toBeDefined();
      expect(queue!.enabled, `${id}.sending_queue.enabled`).not.toBe(false);
      const storage = String(queue!.storage);
      expect(Object.keys(c.extensions), `${id}.sending_queue.storage ${storage}`).toContain(storage);
      expect(typeOf(storage)).toBe('file_storage');
      expect(queue!.batch, `${id} batches in its queue`).toBeDefined();
      const retry = e.retry_on_failure as Obj | undefined;
      expect(retry?.enabled, `${id}.retry_on_failure.enabled`).not.toBe(false);
      expect(retry?.max_elapsed_time, `${id}.retry_on_failure.max_elapsed_time (0 = retry forever)`).toBe(0);
    }
    for (const [id, ext] of Object.entries(c.extensions) as [string, Obj][]) {
      if (typeOf(id) === 'file_storage') expect(ext.fsync, `${id}.fsync`).toBe(true);
    }
    expect(logExporters(c).some((e) => typeOf(e) !== 'debug'), 'the logs go somewhere').toBe(true);
  });

  it('puts memory_limiter first in every pipeline and keeps the batch processor (which can drop acknowledged data) out', () => {
    expect(c.processors.memory_limiter).toBeDefined();
    for (const [name, p] of Object.entries(c.pipelines)) {
      expect(list(p.processors)[0], `${name} starts with memory_limiter`).toBe('memory_limiter');
      expect(list(p.processors).some((pr) => typeOf(pr) === 'batch'), `${name} uses the batch processor`).toBe(false);
    }
  });

  it('accepts the receiver\'s self-telemetry metrics', () => {
    expect(Object.entries(c.pipelines).some(([name, p]) => typeOf(name) === 'metrics' && list(p.receivers).includes('otlp'))).toBe(true);
  });

  it('differs from otel-config.yaml only in its backend: same receivers, memory limit, queue disk, queueing and retry', () => {
    expect(c.receivers).toEqual(BASE.receivers);
    expect(c.processors.memory_limiter).toEqual(BASE.processors.memory_limiter);
    expect(c.extensions.health_check).toEqual(BASE.extensions.health_check);
    expect(c.extensions['file_storage/queue']).toEqual(BASE.extensions['file_storage/queue']);
    const reference = BASE.exporters['otlphttp/loki']!;
    for (const [id, e] of shipping(c)) {
      expect(e.sending_queue, `${id}.sending_queue`).toEqual(reference.sending_queue);
      expect(e.retry_on_failure, `${id}.retry_on_failure`).toEqual(reference.retry_on_failure);
    }
    for (const [id, e] of Object.entries(c.exporters)) if (typeOf(id) === 'debug') expect(e).toEqual(BASE.exporters.debug);
  });
});

describe('otel-config.yaml (the top-level file)', () => {
  it('starts without any secret or required setting: every ${env:…} it reads has a default', () => {
    const refs = envRefs(BASE.raw);
    expect(refs.length).toBeGreaterThan(0);
    for (const r of refs) expect(r.hasDefault, `\${env:${r.name}} has a default`).toBe(true);
  });

  it('ships logs to the local Loki over OTLP and to debug, the receiver\'s metrics to Prometheus over OTLP and to debug', () => {
    expect(String(BASE.exporters['otlphttp/loki']!.endpoint)).toBe('${env:LOKI_OTLP_ENDPOINT:-http://loki:3100/otlp}');
    expect(new Set(logExporters(BASE))).toEqual(new Set(['otlphttp/loki', 'debug']));
    expect(Object.keys(BASE.exporters).sort()).toEqual(['debug', 'otlphttp/loki', 'otlphttp/prometheus']);
    const metricsExporters = Object.entries(BASE.pipelines).filter(([n]) => typeOf(n) === 'metrics').flatMap(([, p]) => list(p.exporters));
    expect(new Set(metricsExporters)).toEqual(new Set(['otlphttp/prometheus', 'debug']));
  });
});

describe('deploy/collector per-backend files', () => {
  it('loki.yaml authenticates to Loki with basic auth from the environment', () => {
    const c = variant('loki');
    const loki = c.exporters['otlphttp/loki']!;
    expect(loki.endpoint).toMatch(ENV_REF);
    expect((loki.auth as Obj).authenticator).toBe('basicauth/loki');
    const auth = (c.extensions['basicauth/loki'] as Obj).client_auth as Obj;
    expect(auth.password).toBe('${env:LOKI_PASSWORD}');
    expect(logExporters(c)).toEqual(['otlphttp/loki']);
  });

  it('datadog.yaml ships logs and metrics to Datadog with the key from DD_API_KEY', () => {
    const c = variant('datadog');
    const dd = c.exporters.datadog!;
    expect((dd.api as Obj).key).toBe('${env:DD_API_KEY}');
    expect(String((dd.api as Obj).site)).toMatch(/^\$\{env:DD_SITE(?::-[a-z0-9.]+)?\}$/);
    expect(logExporters(c)).toEqual(['datadog']);
    expect(Object.entries(c.pipelines).some(([n, p]) => typeOf(n) === 'metrics' && list(p.exporters).includes('datadog'))).toBe(true);
  });

  it('datadog.yaml adds Datadog standard attributes in its logs pipeline only, read from attributes the receiver emits', () => {
    const c = variant('datadog');
    const statements = list((c.processors['transform/datadog'] as Obj).log_statements);
    const targets = new Set<string>();
    for (const s of statements) {
      const m = /^set\(log\.attributes\["([^"]+)"\],/.exec(s);
      expect(m, `statement ${s}`).not.toBeNull();
      targets.add(m![1]!);
      for (const [, read] of s.slice(m![0].length).matchAll(/log\.attributes\["([^"]+)"\]/g)) {
        expect(isEmittedAttribute(read!), `${read} is not an attribute the receiver emits (src/mapping/attributes.ts)`).toBe(true);
      }
    }
    for (const dd of ['usr.id', 'usr.email', 'network.client.ip', 'evt.name', 'evt.category']) expect(targets).toContain(dd);
    for (const [name, p] of Object.entries(c.pipelines)) {
      expect(list(p.processors).includes('transform/datadog'), name).toBe(typeOf(name) === 'logs');
    }
  });

  it('splunk-hec.yaml ships to HEC with sourcetype asana:audit, token and endpoint from the environment', () => {
    const c = variant('splunk-hec');
    const hec = c.exporters.splunk_hec!;
    expect(hec.token).toBe('${env:SPLUNK_HEC_TOKEN}');
    expect(hec.endpoint).toMatch(ENV_REF);
    expect(hec.sourcetype).toBe('asana:audit');
    expect(logExporters(c)).toEqual(['splunk_hec']);
  });

  it('gateway.yaml forwards logs and metrics over OTLP/gRPC to the gateway named in the environment', () => {
    const c = variant('gateway');
    const gw = c.exporters['otlp/gateway']!;
    expect(gw.endpoint).toBe('${env:OTEL_GATEWAY_ENDPOINT}');
    for (const [name, p] of Object.entries(c.pipelines)) expect(list(p.exporters), name).toEqual(['otlp/gateway']);
  });
});
