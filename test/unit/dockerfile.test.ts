import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { copySpec, DOCKERIGNORE, envOf, execForm, includedByDockerignore, instructionsOf, parseDockerfile, workdirOf } from '../helpers/dockerfile.ts';
import { ROOT } from '../helpers/receiver.ts';
import { MALLOC_ENV } from '../../src/malloc-env.ts';

/**
 * Lints the Dockerfile without a Docker engine: dockerfile-utils' validator (the diagnostics the VS
 * Code Docker extension shows) plus the rules this image promises its users.
 */
describe('Dockerfile', () => {
  const parsed = parseDockerfile();
  const { stages } = parsed;
  const runtime = stages.at(-1)!;
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };

  it('parses and the validator reports nothing', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2); // multi-stage: the toolchain stays out of the runtime image
    expect(parsed.diagnostics.map((d) => `line ${d.range.start.line + 1}: ${d.message}`)).toEqual([]);
  });

  it('every stage is built on an official Node 24 image (node:24* or distroless nodejs24)', () => {
    for (const { name, from } of stages) {
      const image = from.getImage() ?? '';
      const ok = /^node:24(?:[.-]|$)/.test(image) || /^gcr\.io\/distroless\/nodejs24-debian\d+(?::|@|$)/.test(image);
      expect(ok, `stage ${name} is FROM ${image}`).toBe(true);
    }
  });

  it('the build stage compiles with dev dependencies; the runtime install omits them', () => {
    const runs = (stage: (typeof stages)[number]) => instructionsOf(stage, 'RUN').map((r) => r.getRawArgumentsContent() ?? '');
    const build = stages.find((s) => runs(s).some((r) => /npm run build/.test(r)));
    expect(build, 'a stage runs npm run build').toBeDefined();
    // Plain `npm ci` there: the `node` devDependency's install script must run (package.json allowScripts).
    expect(runs(build!).some((r) => /\bnpm ci\b/.test(r) && !/--omit=dev|--ignore-scripts/.test(r))).toBe(true);

    const nodeModules = instructionsOf(runtime, 'COPY').map(copySpec).find((c) => c.sources.some((s) => /node_modules\/?$/.test(s)));
    expect(nodeModules?.fromStage, 'the runtime copies node_modules from a stage').toBeDefined();
    const depsStage = stages.find((s) => s.name === nodeModules!.fromStage)!;
    expect(runs(depsStage).some((r) => /\bnpm ci\b[^&;]*--omit=dev/.test(r))).toBe(true);
    // The runtime never gets the build stage's node_modules (typescript, vitest, the node binary package).
    expect(nodeModules!.fromStage).not.toBe(build!.name);
  });

  it('runs as a non-root user set before CMD and ENTRYPOINT', () => {
    const keywords = runtime.instructions.map((i) => i.getKeyword());
    const users = instructionsOf(runtime, 'USER');
    expect(users.length).toBeGreaterThan(0);
    const user = users.at(-1)!.getArguments()[0]!.getValue();
    const name = user.split(':')[0]!;
    expect(['root', '0']).not.toContain(name);
    // Numeric, so Kubernetes runAsNonRoot can verify it without reading /etc/passwd.
    expect(name).toMatch(/^\d+$/);
    const lastUser = keywords.lastIndexOf('USER');
    expect(lastUser).toBeLessThan(keywords.indexOf('CMD'));
    expect(lastUser).toBeLessThan(keywords.indexOf('ENTRYPOINT'));
  });

  it('ENTRYPOINT and CMD are exec form: node is PID 1 and receives SIGTERM itself; run is the default command', () => {
    const [entrypoint] = instructionsOf(runtime, 'ENTRYPOINT');
    const [cmd] = instructionsOf(runtime, 'CMD');
    const entry = execForm(entrypoint!);
    expect(entry, 'ENTRYPOINT is a JSON array').toBeDefined();
    expect(entry![0]).toMatch(/(?:^|\/)node$/);
    expect(entry![1]).toMatch(/^\/app\/dist\/cli\.js$/);
    expect(execForm(cmd!)).toEqual(['run']);
    const stop = instructionsOf(runtime, 'STOPSIGNAL').at(-1)?.getArguments()[0]?.getValue();
    expect(stop ?? 'SIGTERM').toBe('SIGTERM');
  });

  it('has an exec-form HEALTHCHECK with node against the health endpoint', () => {
    const checks = instructionsOf(runtime, 'HEALTHCHECK');
    expect(checks).toHaveLength(1);
    const argv = execForm(checks[0]!);
    expect(argv, 'HEALTHCHECK CMD is a JSON array (distroless has no shell)').toBeDefined();
    expect(argv![0]).toMatch(/(?:^|\/)node$/);
    expect(argv![1]).toBe('/app/dist/docker-healthcheck.js');
    expect(existsSync(join(ROOT, 'src/docker-healthcheck.ts'))).toBe(true);
    expect(instructionsOf(runtime, 'EXPOSE').map((e) => e.getArguments()[0]?.getValue())).toContain('13133');
  });

  it('keeps state on VOLUME /data with ASANA_STATE_FILE=/data/state.json', () => {
    expect(instructionsOf(runtime, 'VOLUME').flatMap((v) => execForm(v) ?? v.getArguments().map((a) => a.getValue()))).toContain('/data');
    expect(envOf(runtime).ASANA_STATE_FILE).toBe('/data/state.json');
    // /data exists in the image owned by the runtime user: a fresh named volume takes that ownership.
    const user = instructionsOf(runtime, 'USER').at(-1)!.getArguments()[0]!.getValue();
    const dataCopy = instructionsOf(runtime, 'COPY').map(copySpec).find((c) => c.destination.replace(/\/$/, '') === '/data');
    expect(dataCopy?.flags.chown, 'COPY --chown=<runtime user> … /data').toBe(user);
  });

  it('sets the malloc settings the receiver restarts itself with outside the container, and the benchmark measures it with (src/malloc-env.ts)', () => {
    const env = envOf(runtime);
    for (const [k, v] of Object.entries(MALLOC_ENV)) expect(env[k], k).toBe(v);
  });

  it('every COPY from the build context exists in the repository and passes .dockerignore', () => {
    const ignore = readFileSync(DOCKERIGNORE, 'utf8');
    const contextSources = stages.flatMap((s) => instructionsOf(s, 'COPY').map(copySpec)).filter((c) => c.fromStage === undefined).flatMap((c) => c.sources);
    expect(contextSources.length).toBeGreaterThan(0);
    for (const src of contextSources) {
      expect(existsSync(join(ROOT, src)), `COPY source ${src}`).toBe(true);
      expect(includedByDockerignore(src, ignore), `${src} is excluded by .dockerignore`).toBe(true);
    }
    // …and what must never reach the builder does not.
    for (const secret of ['data/state.json', '.env', 'node_modules/x', 'dist/cli.js', '.git/config', 'test/unit/a.test.ts']) {
      expect(includedByDockerignore(secret, ignore), `${secret} should be excluded`).toBe(false);
    }
  });

  it('every COPY --from names an earlier stage, and the runtime needs what it copies', () => {
    const names = stages.map((s) => s.name);
    stages.forEach((stage, index) => {
      for (const c of instructionsOf(stage, 'COPY').map(copySpec)) {
        if (c.fromStage !== undefined) expect(names.slice(0, index), `COPY --from=${c.fromStage} in ${stage.name}`).toContain(c.fromStage);
      }
    });
    expect(workdirOf(runtime)).toBe('/app');
    // dist/*.js are ES modules only because package.json says "type": "module"; version.ts reads it too.
    const runtimeSources = instructionsOf(runtime, 'COPY').flatMap((c) => copySpec(c).sources);
    expect(runtimeSources).toContain('package.json');
    expect(Object.keys(pkg.dependencies).length).toBeGreaterThan(0);
  });

  it('carries OCI labels', () => {
    const labels = instructionsOf(runtime, 'LABEL').map((l) => l.getRawArgumentsContent() ?? '').join(' ');
    for (const key of ['title', 'description', 'licenses', 'version', 'revision', 'created']) {
      expect(labels).toContain(`org.opencontainers.image.${key}=`);
    }
    expect(labels).toContain('org.opencontainers.image.licenses="Apache-2.0"');
  });
});
