import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { isEmittedAttribute } from '../helpers/emitted-attributes.ts';
import { ROOT } from '../helpers/receiver.ts';

/**
 * deploy/otel-config.yaml is what users hand their collector: no collector runs here, so its
 * structure is checked the way the collector would at start-up, plus the promises this project
 * makes about it (persistent queues, no literal secrets, Datadog attributes from real attribute names).
 */

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

const CONFIG_PATH = join(ROOT, 'deploy/otel-config.yaml');
const config = parse(readFileSync(CONFIG_PATH, 'utf8')) as Obj;

const section = (name: string): Obj => {
  const s = config[name];
  return isObj(s) ? s : {};
};
const receivers = section('receivers');
const processors = section('processors');
const exporters = section('exporters');
const extensions = section('extensions');
const service = section('service');
const pipelines = (isObj(service.pipelines) ? service.pipelines : {}) as Record<string, Obj>;
const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);
const typeOf = (id: string) => id.split('/')[0]!;
/** A `${env:NAME}` reference without a default: the value is only ever in the environment. */
const ENV_REF = /^\$\{env:[A-Z_][A-Z0-9_]*\}$/;
/** Settings that hold credentials in collector components (datadog api.key, splunk_hec token, basicauth password, headers). */
const SECRET_KEYS = /^(?:key|api_key|token|access_token|password|secret|client_secret|authorization|x-api-key|dd-api-key)$/i;

describe('deploy/otel-config.yaml', () => {
  it('names components type[/name] and every pipeline only defined receivers, processors and exporters', () => {
    expect(Object.keys(pipelines).length).toBeGreaterThan(0);
    for (const id of [...Object.keys(receivers), ...Object.keys(processors), ...Object.keys(exporters), ...Object.keys(extensions), ...Object.keys(pipelines)]) {
      expect(id).toMatch(/^[a-z0-9_]+(?:\/[A-Za-z0-9_.-]+)?$/);
    }
    for (const [name, p] of Object.entries(pipelines)) {
      expect(['logs', 'metrics', 'traces'], `pipeline ${name}`).toContain(typeOf(name));
      expect(list(p.receivers).length, `${name} has receivers`).toBeGreaterThan(0);
      expect(list(p.exporters).length, `${name} has exporters`).toBeGreaterThan(0);
      for (const r of list(p.receivers)) expect(Object.keys(receivers), `${name} receiver ${r}`).toContain(r);
      for (const pr of list(p.processors)) expect(Object.keys(processors), `${name} processor ${pr}`).toContain(pr);
      for (const e of list(p.exporters)) expect(Object.keys(exporters), `${name} exporter ${e}`).toContain(e);
    }
  });

  it('enables only defined extensions, health_check among them', () => {
    const enabled = list(service.extensions);
    for (const e of enabled) expect(Object.keys(extensions), `service.extensions ${e}`).toContain(e);
    expect(enabled.some((e) => typeOf(e) === 'health_check')).toBe(true);
  });

  it('receives OTLP/HTTP on 4318 on every interface (reachable from the receiver container)', () => {
    const http = (receivers.otlp as Obj | undefined)?.protocols as Obj | undefined;
    expect((http?.http as Obj | undefined)?.endpoint).toBe('0.0.0.0:4318');
  });

  it('exports to Loki over OTLP, Datadog, Splunk HEC (sourcetype asana:audit) and debug, every secret from the environment', () => {
    const loki = exporters['otlphttp/loki'] as Obj;
    expect(String(loki.endpoint)).toMatch(/^(?:\$\{env:[A-Z_]+:-)?http:\/\/loki:3100\/otlp\}?$/);
    const dd = exporters.datadog as Obj;
    expect((dd.api as Obj).key).toBe('${env:DD_API_KEY}');
    expect(String((dd.api as Obj).site)).toMatch(/^\$\{env:DD_SITE(?::-[a-z0-9.]+)?\}$/);
    const hec = exporters.splunk_hec as Obj;
    expect(hec.token).toBe('${env:SPLUNK_HEC_TOKEN}');
    expect(String(hec.endpoint)).toMatch(/^\$\{env:[A-Z_]+/);
    expect(hec.sourcetype).toBe('asana:audit');
    expect(exporters.debug).toBeDefined();
    expect(Object.keys(pipelines).some((p) => typeOf(p) === 'logs' && list(pipelines[p]!.exporters).includes('otlphttp/loki'))).toBe(true);
  });

  it('holds no literal secret: every token, key, password or auth header is a ${env:…} reference', () => {
    const found: string[] = [];
    const walk = (v: unknown, path: string) => {
      if (isObj(v)) for (const [k, child] of Object.entries(v)) walk(child, path ? `${path}.${k}` : k);
      else if (Array.isArray(v)) v.forEach((child, i) => walk(child, `${path}[${i}]`));
      else if (SECRET_KEYS.test(path.split('.').at(-1) ?? '')) {
        found.push(path);
        expect(String(v), path).toMatch(ENV_REF);
      }
    };
    walk(config, '');
    expect(found).toEqual(expect.arrayContaining(['exporters.datadog.api.key', 'exporters.splunk_hec.token']));
  });

  it('backs every shipping exporter with a persistent sending_queue on a defined, enabled file_storage and never gives up retrying', () => {
    for (const [id, e] of Object.entries(exporters) as [string, Obj][]) {
      if (typeOf(id) === 'debug') continue; // prints, ships nowhere
      const queue = e.sending_queue as Obj | undefined;
      expect(queue, `${id}.sending_queue`).toBeDefined();
      expect(queue!.enabled, `${id}.sending_queue.enabled`).not.toBe(false);
      const storage = String(queue!.storage);
      expect(Object.keys(extensions), `${id}.sending_queue.storage ${storage}`).toContain(storage);
      expect(typeOf(storage)).toBe('file_storage');
      expect(list(service.extensions)).toContain(storage);
      expect(queue!.batch, `${id} batches in its queue`).toBeDefined();
      const retry = e.retry_on_failure as Obj | undefined;
      expect(retry?.enabled, `${id}.retry_on_failure.enabled`).not.toBe(false);
      expect(retry?.max_elapsed_time, `${id}.retry_on_failure.max_elapsed_time (0 = retry forever)`).toBe(0);
    }
    for (const [id, e] of Object.entries(exporters) as [string, Obj][]) {
      const storage = (e.sending_queue as Obj | undefined)?.storage;
      if (storage !== undefined) expect(Object.keys(extensions), `${id} storage`).toContain(storage);
    }
    for (const [id, ext] of Object.entries(extensions) as [string, Obj][]) {
      if (typeOf(id) === 'file_storage') expect(ext.fsync, `${id}.fsync`).toBe(true);
    }
  });

  it('puts memory_limiter first in every pipeline and keeps the batch processor (which can drop acknowledged data) out', () => {
    expect(processors.memory_limiter).toBeDefined();
    for (const [name, p] of Object.entries(pipelines)) {
      expect(list(p.processors)[0], `${name} starts with memory_limiter`).toBe('memory_limiter');
      expect(list(p.processors).some((pr) => typeOf(pr) === 'batch'), `${name} uses the batch processor`).toBe(false);
    }
  });

  it('adds Datadog standard attributes in the Datadog pipeline only, read from attributes the receiver emits', () => {
    const transform = processors['transform/datadog'] as Obj;
    const statements = list(transform.log_statements);
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
    for (const [name, p] of Object.entries(pipelines)) {
      const usesTransform = list(p.processors).includes('transform/datadog');
      expect(usesTransform, `${name}`).toBe(list(p.exporters).includes('datadog') && typeOf(name) === 'logs');
    }
  });

  it('accepts the receiver\'s self-telemetry metrics', () => {
    expect(Object.entries(pipelines).some(([name, p]) => typeOf(name) === 'metrics' && list(p.receivers).includes('otlp'))).toBe(true);
  });
});
