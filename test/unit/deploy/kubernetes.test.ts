import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { ENV_VARS } from '../../../src/config/index.ts';
import { envOf, instructionsOf, parseDockerfile } from '../../helpers/dockerfile.ts';
import { ROOT } from '../../helpers/receiver.ts';

/**
 * deploy/kubernetes: no cluster here, so the manifests are checked for what `kubectl apply` would
 * only reveal at run time — names that must agree across objects (volumes, claim, secret, probe
 * ports, env) — and for what this receiver needs (one replica, Recreate, non-root, read-only root).
 */

/** Manifests are free-form: read them loosely, the assertions say what must hold. */
type Obj = Record<string, any>;
const DIR = join(ROOT, 'deploy/kubernetes');
const files = readdirSync(DIR).filter((f) => f.endsWith('.yaml'));
// Kubernetes reads manifests as YAML 1.1 (sigs.k8s.io/yaml): 0440 is octal there.
const docs: Obj[] = files.flatMap((f) => parseAllDocuments(readFileSync(join(DIR, f), 'utf8'), { version: '1.1' }).map((d) => d.toJS() as Obj)).filter(Boolean);
const kustomization = docs.find((d) => d.kind === 'Kustomization')!;
const deployments = docs.filter((d) => d.kind === 'Deployment');
const deployment = deployments[0]!;
const pod = deployment.spec.template.spec as Obj;
const container = (pod.containers as Obj[])[0]!;
const env = Object.fromEntries((container.env as Obj[]).map((e) => [e.name as string, e.value as string]));
const mounts = container.volumeMounts as Obj[];
const volumes = pod.volumes as Obj[];

/** Where a container path is mounted from. */
function mountFor(path: string): Obj | undefined {
  return mounts.filter((m) => path === m.mountPath || path.startsWith(`${m.mountPath}/`)).sort((a, b) => b.mountPath.length - a.mountPath.length)[0];
}
function volumeNamed(name: string): Obj | undefined {
  return volumes.find((v) => v.name === name);
}
function portNumber(port: string | number): number | undefined {
  if (typeof port === 'number') return port;
  return (container.ports as Obj[]).find((p) => p.name === port)?.containerPort;
}

describe('deploy/kubernetes', () => {
  it('the kustomization lists exactly the manifests in the directory', () => {
    expect(kustomization).toBeDefined();
    const listed = kustomization.resources as string[];
    for (const r of listed) expect(existsSync(join(DIR, r)), r).toBe(true);
    expect(new Set(listed)).toEqual(new Set(files.filter((f) => f !== 'kustomization.yaml')));
  });

  it('runs one replica with the Recreate strategy, its selector matching its pods', () => {
    expect(deployments).toHaveLength(1);
    expect(deployment.spec.replicas).toBe(1);
    expect(deployment.spec.strategy.type).toBe('Recreate');
    const labels = deployment.spec.template.metadata.labels as Record<string, string>;
    for (const [k, v] of Object.entries(deployment.spec.selector.matchLabels as Record<string, string>)) expect(labels[k]).toBe(v);
  });

  it('mounts only defined volumes and defines only mounted ones', () => {
    const mounted = mounts.map((m) => m.name);
    for (const m of mounted) expect(volumeNamed(m), `volumeMount ${m}`).toBeDefined();
    for (const v of volumes) expect(mounted, `volume ${v.name} is mounted`).toContain(v.name);
  });

  it('keeps the state file on the PVC defined here, writable', () => {
    const { stages } = parseDockerfile();
    const stateFile = env.ASANA_STATE_FILE ?? envOf(stages.at(-1)!).ASANA_STATE_FILE!;
    const mount = mountFor(posix.dirname(stateFile));
    expect(mount, `a volume under ${stateFile}`).toBeDefined();
    expect(mount!.readOnly ?? false).toBe(false);
    const claim = volumeNamed(mount!.name)?.persistentVolumeClaim?.claimName as string | undefined;
    const pvc = docs.find((d) => d.kind === 'PersistentVolumeClaim' && d.metadata.name === claim);
    expect(pvc, `PersistentVolumeClaim ${claim}`).toBeDefined();
    expect(pvc!.spec.accessModes).toEqual(['ReadWriteOnce']);
    expect(pvc!.spec.resources.requests.storage).toBeDefined();
  });

  it('reads the token from a Secret mounted as a file at ASANA_TOKEN_FILE — the secret named in the set-up command', () => {
    expect(env.ASANA_TOKEN, 'the token is never an env value').toBeUndefined();
    const tokenFile = env.ASANA_TOKEN_FILE!;
    const mount = mountFor(tokenFile)!;
    expect(mount?.readOnly).toBe(true);
    const secret = volumeNamed(mount.name)?.secret as Obj;
    expect(secret, 'ASANA_TOKEN_FILE lies on a secret volume').toBeDefined();
    const item = (secret.items as Obj[]).find((i) => posix.join(mount.mountPath, i.path) === tokenFile);
    expect(item, `a secret item projected to ${tokenFile}`).toBeDefined();
    // readable by the pod's group (fsGroup), by nobody else
    expect(secret.defaultMode).toBe(0o440);
    const setup = readFileSync(join(DIR, 'kustomization.yaml'), 'utf8');
    expect(setup).toContain(`kubectl create secret generic ${secret.secretName} --from-file=${item!.key}=`);
  });

  it('probes /healthz (liveness) and /readyz (readiness) on the health port ASANA_HEALTH_ADDR listens on', () => {
    const healthPort = Number((env.ASANA_HEALTH_ADDR ?? '0.0.0.0:13133').split(':').at(-1));
    expect(healthPort).toBe(13133);
    expect(container.livenessProbe.httpGet.path).toBe('/healthz');
    expect(container.readinessProbe.httpGet.path).toBe('/readyz');
    expect(portNumber(container.livenessProbe.httpGet.port)).toBe(healthPort);
    expect(portNumber(container.readinessProbe.httpGet.port)).toBe(healthPort);
    const { stages } = parseDockerfile();
    expect(instructionsOf(stages.at(-1)!, 'EXPOSE').map((e) => Number(e.getArguments()[0]?.getValue()))).toContain(healthPort);
  });

  it('sets only configuration variables the receiver knows', () => {
    const known = new Set(ENV_VARS.map((v) => v.name as string));
    for (const name of Object.keys(env)) expect(known.has(name), `env ${name}`).toBe(true);
    expect(env.ASANA_WORKSPACE_GID).toMatch(/^\d+(,\d+)*$/);
    expect(env.OTEL_EXPORTER_OTLP_ENDPOINT).toMatch(/^https?:\/\/[^/]+:4318$/);
  });

  it('runs as the image\'s non-root user on a read-only root filesystem, with resources set', () => {
    const { stages } = parseDockerfile();
    const imageUser = Number(instructionsOf(stages.at(-1)!, 'USER').at(-1)!.getArguments()[0]!.getValue().split(':')[0]);
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(pod.securityContext.runAsUser).toBe(imageUser);
    expect(pod.securityContext.fsGroup).toBeDefined();
    expect(container.securityContext.readOnlyRootFilesystem).toBe(true);
    expect(container.securityContext.allowPrivilegeEscalation).toBe(false);
    expect(container.securityContext.capabilities.drop).toContain('ALL');
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(container.resources.requests.cpu).toBeDefined();
    expect(container.resources.requests.memory).toBeDefined();
    expect(container.resources.limits.memory).toBeDefined();
    expect(container.args).toEqual(['run']);
  });
});
