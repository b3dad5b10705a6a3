import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { ENV_VARS } from '../../../src/config/index.ts';
import { ROOT } from '../../helpers/receiver.ts';

/**
 * deploy/helm/asana-otel-receiver: no helm binary here, so the chart is linted structurally — the
 * chart metadata, template delimiters and blocks, every `.Values` path a template reads defined in
 * values.yaml (and every value read), the manifests' shape with the template actions blanked out,
 * and values.yaml's defaults being exactly the settings of the Kubernetes example (deploy/kubernetes).
 */

type Obj = Record<string, any>;
const CHART = join(ROOT, 'deploy/helm/asana-otel-receiver');
const chart = parse(readFileSync(join(CHART, 'Chart.yaml'), 'utf8')) as Obj;
const values = parse(readFileSync(join(CHART, 'values.yaml'), 'utf8')) as Obj;
const templateFiles = readdirSync(join(CHART, 'templates'));
const templates = Object.fromEntries(templateFiles.map((f) => [f, readFileSync(join(CHART, 'templates', f), 'utf8')]));
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };

/** A template with its actions blanked: action-only lines dropped, inline actions replaced by a placeholder. */
function blanked(text: string): string {
  return text
    .split('\n')
    .filter((l) => !/^\s*\{\{-?[^}]*-?\}\}\s*$/.test(l))
    .map((l) => l.replace(/\{\{-?.*?-?\}\}/g, 'TEMPLATED'))
    .join('\n');
}

const example = join(ROOT, 'deploy/kubernetes');
const exampleDocs = readdirSync(example)
  .filter((f) => f.endsWith('.yaml'))
  .flatMap((f) => parseAllDocuments(readFileSync(join(example, f), 'utf8'), { version: '1.1' }).map((d) => d.toJS() as Obj));
const exampleDeployment = exampleDocs.find((d) => d.kind === 'Deployment')!;
const examplePod = exampleDeployment.spec.template.spec as Obj;
const exampleContainer = examplePod.containers[0] as Obj;
const exampleEnv = Object.fromEntries((exampleContainer.env as Obj[]).map((e) => [e.name, e.value]));
const examplePvc = exampleDocs.find((d) => d.kind === 'PersistentVolumeClaim')!;

describe('deploy/helm/asana-otel-receiver', () => {
  it('has a v2 Chart.yaml named for its directory, versioned, with the package\'s version as appVersion', () => {
    expect(chart.apiVersion).toBe('v2');
    expect(chart.name).toBe('asana-otel-receiver');
    expect(chart.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(chart.appVersion).toBe(pkg.version);
  });

  it('balances template delimiters and blocks in every template', () => {
    for (const [file, text] of Object.entries(templates)) {
      expect(text.split('{{').length, `${file}: {{ vs }}`).toBe(text.split('}}').length);
      let depth = 0;
      for (const [, action] of text.matchAll(/\{\{-?\s*(if|with|range|define|end)\b/g)) {
        depth += action === 'end' ? -1 : 1;
        expect(depth, `${file}: an end without a block`).toBeGreaterThanOrEqual(0);
      }
      expect(depth, `${file}: every block ends`).toBe(0);
    }
  });

  it('reads only values defined in values.yaml, and every value is read', () => {
    const all = Object.values(templates).join('\n');
    const used = new Set([...all.matchAll(/\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)/g)].map((m) => m[1]!.slice(1)));
    for (const path of used) {
      let v: unknown = values;
      for (const k of path.split('.')) v = v !== null && typeof v === 'object' && k in (v as Obj) ? (v as Obj)[k] : Symbol.for('missing');
      expect(v, `.Values.${path} is not in values.yaml`).not.toBe(Symbol.for('missing'));
    }
    for (const top of Object.keys(values)) expect([...used].some((p) => p === top || p.startsWith(`${top}.`)), `values.${top} is used`).toBe(true);
  });

  it('renders a one-replica Recreate Deployment and a PVC, setting only variables the receiver knows', () => {
    const docs = Object.entries(templates)
      .filter(([f]) => f.endsWith('.yaml'))
      .flatMap(([, t]) => parseAllDocuments(blanked(t), { version: '1.1' }).map((d) => d.toJS() as Obj))
      .filter(Boolean);
    const deployment = docs.find((d) => d.kind === 'Deployment')!;
    expect(deployment.spec.replicas).toBe(1);
    expect(deployment.spec.strategy.type).toBe('Recreate');
    expect(docs.some((d) => d.kind === 'PersistentVolumeClaim')).toBe(true);
    const container = deployment.spec.template.spec.containers[0] as Obj;
    const known = new Set(ENV_VARS.map((v) => v.name as string));
    // extraEnv's entries are named by the user (TEMPLATED here); the chart's own are literal.
    const env = (container.env as Obj[]).filter((e) => e.name !== 'TEMPLATED');
    for (const e of env) expect(known.has(e.name), `env ${e.name}`).toBe(true);
    expect(new Set(env.map((e) => e.name))).toEqual(new Set(Object.keys(exampleEnv)));
    expect(container.volumeMounts).toEqual(exampleContainer.volumeMounts);
    expect(container.args).toEqual(exampleContainer.args);
    expect(deployment.spec.template.spec.volumes.find((v: Obj) => v.name === 'asana-token').secret.defaultMode).toBe(0o440);
  });

  it('defaults to the Kubernetes example\'s settings', () => {
    expect(`${values.image.repository}:${values.image.tag}`).toBe(exampleContainer.image);
    expect(values.image.pullPolicy).toBe(exampleContainer.imagePullPolicy);
    expect(values.asana.workspaceGid).toBe(exampleEnv.ASANA_WORKSPACE_GID);
    expect(values.otlp.endpoint).toBe(exampleEnv.OTEL_EXPORTER_OTLP_ENDPOINT);
    expect(values.resourceAttributes).toBe(exampleEnv.OTEL_RESOURCE_ATTRIBUTES);
    expect(`0.0.0.0:${values.health.port}`).toBe(exampleEnv.ASANA_HEALTH_ADDR);
    expect(values.resources).toEqual(exampleContainer.resources);
    expect(values.podSecurityContext).toEqual(examplePod.securityContext);
    expect(values.securityContext).toEqual(exampleContainer.securityContext);
    expect(values.livenessProbe).toEqual(exampleContainer.livenessProbe);
    expect(values.readinessProbe).toEqual(exampleContainer.readinessProbe);
    expect(values.terminationGracePeriodSeconds).toBe(examplePod.terminationGracePeriodSeconds);
    expect(values.persistence.size).toBe(examplePvc.spec.resources.requests.storage);
    const secret = (examplePod.volumes as Obj[]).find((v) => v.secret)!.secret as Obj;
    expect(values.asana.tokenSecret).toEqual({ name: secret.secretName, key: secret.items[0].key });
  });
});
