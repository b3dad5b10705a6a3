import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ENV_VARS } from '../../../src/config/index.ts';
import { envOf, instructionsOf, parseDockerfile } from '../../helpers/dockerfile.ts';
import { ROOT } from '../../helpers/receiver.ts';

/**
 * compose.yaml: no Docker engine here, so the file is checked for what `docker compose up` would
 * only reveal at run time — names that must agree across services and files (mounted paths, volumes,
 * ports, the collector's endpoints, Grafana's data sources and dashboard, the rule directories) —
 * and for what the project promises: the demo profile runs without an Asana account or secret, and
 * the collector can write its queue as the contrib image's user.
 */

type Obj = Record<string, any>;
const read = (p: string) => parse(readFileSync(join(ROOT, p), 'utf8')) as Obj;
const compose = read('compose.yaml');
const services = compose.services as Record<string, Obj>;
const otelConfig = read('otel-config.yaml');
/** The contrib image's user (otel/opentelemetry-collector-contrib runs as 10001). */
const COLLECTOR_UID = 10001;

interface Mount { source: string; target: string; readOnly: boolean }
function mounts(service: Obj): Mount[] {
  return ((service.volumes ?? []) as string[]).map((v) => {
    const [source, target, mode] = v.split(':');
    return { source: source!, target: target!, readOnly: mode === 'ro' };
  });
}
const isBind = (m: Mount) => m.source.startsWith('./');
function mountAt(service: Obj, target: string): Mount | undefined {
  return mounts(service).find((m) => m.target === target);
}
const env = (s: Obj) => (s.environment ?? {}) as Record<string, string>;
/** `${env:NAME:-default}` -> default. */
const envDefault = (v: string) => /^\$\{env:[A-Z_]+:-([^}]*)\}$/.exec(v)?.[1];
const hostPort = (url: string) => new URL(url).host;

const receiver = services['asana-otel-receiver']!;
const demo = services['asana-otel-demo']!;
const collector = services['otel-collector']!;

describe('compose.yaml', () => {
  it('has the receiver, its demo, a collector, Loki, Prometheus and Grafana', () => {
    for (const s of ['asana-otel-receiver', 'asana-otel-demo', 'otel-collector', 'loki', 'prometheus', 'grafana']) expect(services[s], s).toBeDefined();
  });

  it('binds only files and directories that are in the repository (the token file is the user\'s)', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const m of mounts(s).filter(isBind)) {
        expect(existsSync(join(ROOT, m.source)), `${name}: ${m.source}`).toBe(true);
        expect(m.readOnly, `${name}: ${m.source} read-only`).toBe(true);
      }
    }
    expect(compose.secrets.asana_token.file).toBe('./asana_token');
  });

  it('declares every named volume it mounts and mounts every one it declares', () => {
    const named = Object.values(services).flatMap((s) => mounts(s).filter((m) => !isBind(m) && !m.source.startsWith('/')).map((m) => m.source));
    expect(new Set(named)).toEqual(new Set(Object.keys(compose.volumes)));
  });

  it('runs the real receiver in the asana profile with the token as a secret file, and the demo in the demo profile with no secret', () => {
    expect(receiver.profiles).toEqual(['asana']);
    expect(receiver.command).toEqual(['run']);
    expect(receiver.secrets).toEqual(['asana_token']);
    expect(env(receiver).ASANA_TOKEN, 'the token is never an environment value').toBeUndefined();
    expect(env(receiver).ASANA_TOKEN_FILE).toBe('/run/secrets/asana_token');
    expect(demo.profiles).toEqual(['demo']);
    expect(demo.command).toEqual(['demo']);
    expect(demo.secrets).toBeUndefined();
    // Every service that needs the token is outside the demo profile, so the demo starts without one.
    for (const [name, s] of Object.entries(services)) if (s.secrets) expect(s.profiles ?? [], name).not.toContain('demo');
    // The services both profiles need start in either.
    for (const s of ['otel-collector', 'loki', 'prometheus', 'grafana', 'otelcol-queue-permissions']) expect(services[s]!.profiles, s).toBeUndefined();
  });

  it('needs no variable from the shell to start the demo: no ${VAR:?…} or ${VAR?…} interpolation anywhere', () => {
    // compose interpolates the whole file before it applies profiles.
    const raw = readFileSync(join(ROOT, 'compose.yaml'), 'utf8').replace(/^\s*#.*$/gm, '');
    const refs = [...raw.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)([^}]*)\}/g)];
    for (const [ref, , modifier] of refs) expect(modifier, ref).toMatch(/^(?::?-.*)?$/);
    for (const [ref, , modifier] of refs) expect(modifier, ref).not.toMatch(/^:?\?/);
    expect(refs.length).toBeGreaterThan(0);
  });

  it('builds the image from this repository and sets only variables the receiver knows', () => {
    const known = new Set(ENV_VARS.map((v) => v.name as string));
    for (const [name, s] of [['asana-otel-receiver', receiver], ['asana-otel-demo', demo]] as const) {
      expect(s.build, name).toBe('.');
      for (const v of Object.keys(env(s))) expect(known.has(v), `${name}: ${v}`).toBe(true);
    }
  });

  it('keeps the receiver\'s state file on a named volume and its root file system read-only', () => {
    const { stages } = parseDockerfile();
    const stateFile = env(receiver).ASANA_STATE_FILE ?? envOf(stages.at(-1)!).ASANA_STATE_FILE!;
    const mount = mountAt(receiver, posix.dirname(stateFile));
    expect(mount, `a volume at ${posix.dirname(stateFile)}`).toBeDefined();
    expect(isBind(mount!)).toBe(false);
    expect(receiver.read_only).toBe(true);
    // The demo keeps its state in a temporary directory (os.tmpdir()).
    expect(demo.read_only).toBe(true);
    expect(demo.tmpfs).toContain('/tmp');
  });

  it('points the receiver and the demo at the collector\'s OTLP/HTTP receiver, and the demo\'s health server at the image\'s HEALTHCHECK port', () => {
    const httpPort = otelConfig.receivers.otlp.protocols.http.endpoint.split(':').at(-1);
    for (const s of [receiver, demo]) expect(env(s).OTEL_EXPORTER_OTLP_ENDPOINT).toBe(`http://otel-collector:${httpPort}`);
    const { stages } = parseDockerfile();
    const exposed = instructionsOf(stages.at(-1)!, 'EXPOSE').map((e) => e.getArguments()[0]?.getValue());
    expect(exposed).toContain(env(demo).ASANA_HEALTH_ADDR!.split(':').at(-1));
  });

  it('mounts otel-config.yaml as the collector\'s --config', () => {
    const config = /^--config=(.+)$/.exec((collector.command as string[])[0]!)![1]!;
    expect(mountAt(collector, config)?.source).toBe('./otel-config.yaml');
  });

  it('gives the collector a queue volume at the file_storage directory, owned by uid 10001 before the collector starts', () => {
    const queueDir = envDefault(otelConfig.extensions['file_storage/queue'].directory)!;
    const queue = mountAt(collector, queueDir);
    expect(queue, `a volume at ${queueDir}`).toBeDefined();
    expect(isBind(queue!)).toBe(false);
    const [initName, condition] = Object.entries(collector.depends_on as Record<string, Obj>).find(([, d]) => d.condition === 'service_completed_successfully')!;
    const init = services[initName]!;
    const initMount = mounts(init).find((m) => m.source === queue!.source)!;
    expect(initMount, `${initName} mounts ${queue!.source}`).toBeDefined();
    expect(condition).toBeDefined();
    const [cmd, ...args] = init.command as string[];
    expect(cmd).toBe('chown');
    expect(args.at(-1)).toBe(initMount.target);
    expect(args).toContain(`${COLLECTOR_UID}:${COLLECTOR_UID}`);
  });

  it('the collector\'s default Loki and Prometheus endpoints are the compose services, Prometheus accepting OTLP', () => {
    const lokiUrl = envDefault(otelConfig.exporters['otlphttp/loki'].endpoint)!;
    const lokiConfig = read('deploy/compose/loki.yaml');
    expect(hostPort(lokiUrl)).toBe(`loki:${lokiConfig.server.http_listen_port}`);
    const promUrl = envDefault(otelConfig.exporters['otlphttp/prometheus'].metrics_endpoint)!;
    expect(hostPort(promUrl)).toBe('prometheus:9090');
    expect(new URL(promUrl).pathname).toBe('/api/v1/otlp/v1/metrics');
    expect(services.prometheus!.command).toContain('--web.enable-otlp-receiver');
  });

  it('loads the alert rules: Prometheus from its rule_files, the Loki ruler for the tenant of a Loki without auth', () => {
    const prom = services.prometheus!;
    const promConfigPath = /^--config\.file=(.+)$/.exec((prom.command as string[]).find((a) => a.startsWith('--config.file='))!)![1]!;
    const promConfig = read(mountAt(prom, promConfigPath)!.source);
    const rulesMount = mounts(prom).find((m) => m.source === './deploy/alerting/prometheus')!;
    expect(promConfig.rule_files).toEqual([`${rulesMount.target}/*.yaml`]);
    expect(readdirSync(join(ROOT, 'deploy/alerting/prometheus')).some((f) => f.endsWith('.yaml'))).toBe(true);

    const loki = services.loki!;
    const lokiConfigPath = /^-config\.file=(.+)$/.exec((loki.command as string[])[0]!)![1]!;
    expect(mountAt(loki, lokiConfigPath)?.source).toBe('./deploy/compose/loki.yaml');
    const lokiConfig = read('deploy/compose/loki.yaml');
    expect(lokiConfig.auth_enabled).toBe(false);
    expect(lokiConfig.limits_config.allow_structured_metadata).toBe(true);
    const tenantDir = `${lokiConfig.ruler.storage.local.directory}/fake`;
    expect(mountAt(loki, tenantDir)?.source).toBe('./deploy/alerting/loki');
    // ${ALERTMANAGER_URL:-…} in the Loki config needs -config.expand-env.
    expect(loki.command).toContain('-config.expand-env=true');
  });

  it('provisions Grafana with the Loki and Prometheus data sources and the audit dashboard', () => {
    const grafana = services.grafana!;
    const provisioning = mounts(grafana).find((m) => m.target === '/etc/grafana/provisioning')!;
    const datasources = read(`${provisioning.source}/datasources/datasources.yaml`).datasources as Obj[];
    const loki = datasources.find((d) => d.type === 'loki')!;
    expect(hostPort(loki.url)).toBe(`loki:${read('deploy/compose/loki.yaml').server.http_listen_port}`);
    expect(loki.isDefault).toBe(true);
    expect(hostPort(datasources.find((d) => d.type === 'prometheus')!.url)).toBe('prometheus:9090');

    const providers = read(`${provisioning.source}/dashboards/asana.yaml`).providers as Obj[];
    const dashboardsMount = mountAt(grafana, providers[0]!.options.path)!;
    expect(dashboardsMount, `a mount at ${providers[0]!.options.path}`).toBeDefined();
    const dashboard = JSON.parse(readFileSync(join(ROOT, dashboardsMount.source, 'asana-audit-dashboard.json'), 'utf8')) as Obj;
    const variable = (dashboard.templating.list as Obj[]).find((v) => v.type === 'datasource')!;
    expect(datasources.map((d) => d.type)).toContain(variable.query);
    expect(grafana.ports).toContain('3000:3000');
  });
});
