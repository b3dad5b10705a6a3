import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, join, posix } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copySpec, envOf, execForm, instructionsOf, parseDockerfile, workdirOf, type Stage } from '../helpers/dockerfile.ts';
import { ROOT, waitFor } from '../helpers/receiver.ts';
import { usePipeline } from '../helpers/pipeline.ts';

/**
 * The Dockerfile's runtime, replayed without a Docker engine: every stage the runtime image copies
 * from is rebuilt in a clean temp directory the way the Dockerfile builds it (the production install
 * is a real `npm ci --omit=dev` from the lockfile, offline-first from the npm cache), the runtime
 * stage's COPYs lay the files out under a fake root, and the ENTRYPOINT + CMD run with the image's
 * ENV — paths mapped into the fake root, /nodejs/bin/node mapped to this Node 24. What the image would
 * lack (a file not COPYed, a dependency only installed with dev dependencies) fails here.
 *
 * Not covered without an engine: the base images themselves, file ownership (tests run as root),
 * the read-only root filesystem.
 */

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string>; dependencies: Record<string, string>; devDependencies: Record<string, string> };

interface Image {
  /** Where the runtime stage's `/` lives. */
  root: string;
  workdir: string;
  env: Record<string, string>;
  entrypoint: string[];
  cmd: string[];
  healthcheck: string[];
}

/** Container path -> host path under `root`; the distroless node binary -> this Node. */
function hostPath(root: string, containerPath: string): string {
  if (containerPath === '/nodejs/bin/node') return process.execPath;
  return join(root, containerPath);
}

function run(cmd: string, args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.stderr!.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}:\n${out}`))));
  });
}

/** The RUN commands of a stage, split at && into single commands. */
function commandsOf(stage: Stage): string[] {
  return instructionsOf(stage, 'RUN').flatMap((r) => (r.getRawArgumentsContent() ?? '').replace(/\\\r?\n/g, ' ').split('&&').map((c) => c.trim().replace(/\s+/g, ' ')));
}

/** Docker's COPY: a directory's contents go into the destination; files into a `/`-ending or multi-source destination keep their names. */
async function dockerCopy(sources: { host: string; name: string }[], destination: string): Promise<void> {
  const intoDir = destination.endsWith('/') || sources.length > 1;
  for (const src of sources) {
    const isDir = (await readdir(src.host).then(() => true).catch(() => false));
    const target = isDir ? destination : intoDir ? join(destination, src.name) : destination;
    await mkdir(isDir ? target : dirname(target), { recursive: true });
    await cp(src.host, target, { recursive: true });
  }
}

/**
 * Rebuilds a stage the runtime copies from, with the same commands the Dockerfile runs, and returns
 * its root. Only the stages this Dockerfile has are known: a new one fails loudly here.
 */
async function buildStage(stage: Stage, root: string): Promise<void> {
  const workdir = workdirOf(stage) ?? '/';
  for (const c of instructionsOf(stage, 'COPY').map(copySpec)) {
    if (c.fromStage !== undefined) throw new Error(`stage ${stage.name}: COPY --from inside a dependency stage is not replayed`);
    await dockerCopy(c.sources.map((s) => ({ host: join(ROOT, s), name: basename(s) })), hostPath(root, posix.resolve(workdir, c.destination)) + (c.destination.endsWith('/') ? '/' : ''));
  }
  const cwd = hostPath(root, workdir);
  const commands = commandsOf(stage);
  const builds = commands.includes('npm run build');
  for (const command of commands) {
    if (/^npm ci\b/.test(command) && command.includes('--omit=dev')) {
      // The production install with the Dockerfile's own flags, offline-first: the npm cache that
      // `npm ci` of the repo filled.
      await run('npm', [...command.split(/\s+/).slice(1), '--prefer-offline', '--loglevel=error'], cwd);
    } else if (/^npm ci\b/.test(command) && builds) {
      // The toolchain install of the build stage: the repository's own node_modules is its result.
    } else if (command === 'npm run build') {
      // package.json's build script is `tsc -p tsconfig.build.json`: compile the same sources into this stage.
      if (pkg.scripts.build !== 'tsc -p tsconfig.build.json') throw new Error(`npm run build is now "${pkg.scripts.build}"; replay it here`);
      await run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', join(cwd, 'dist')], ROOT);
    } else if (/^mkdir -p /.test(command)) {
      for (const dir of command.slice('mkdir -p '.length).split(' ')) await mkdir(hostPath(root, posix.resolve(workdir, dir)), { recursive: true });
    } else if (command === 'npm cache clean --force') {
      // Shrinks the image layer; not replayed: it would empty the developer's cache.
    } else {
      throw new Error(`stage ${stage.name}: RUN ${command} is not replayed by this test; teach it`);
    }
  }
}

async function assembleImage(base: string): Promise<Image> {
  const { stages } = parseDockerfile();
  const runtime = stages.at(-1)!;
  const stageRoots = new Map<string, string>();
  const root = join(base, 'runtime');
  const workdir = workdirOf(runtime) ?? '/';
  for (const c of instructionsOf(runtime, 'COPY').map(copySpec)) {
    const destination = hostPath(root, posix.resolve(workdir, c.destination)) + (c.destination.endsWith('/') ? '/' : '');
    if (c.fromStage === undefined) {
      await dockerCopy(c.sources.map((s) => ({ host: join(ROOT, s), name: basename(s) })), destination);
      continue;
    }
    let stageRoot = stageRoots.get(c.fromStage);
    if (!stageRoot) {
      const stage = stages.find((s) => s.name === c.fromStage);
      if (!stage) throw new Error(`COPY --from=${c.fromStage}: no such stage`);
      stageRoot = join(base, `stage-${c.fromStage}`);
      await buildStage(stage, stageRoot);
      stageRoots.set(c.fromStage, stageRoot);
    }
    await dockerCopy(c.sources.map((s) => ({ host: hostPath(stageRoot!, s), name: posix.basename(s) })), destination);
  }
  const mapValue = (v: string) => (v.startsWith('/') ? hostPath(root, v) : v);
  const env = Object.fromEntries(Object.entries(envOf(runtime)).map(([k, v]) => [k, mapValue(v)]));
  const entrypoint = execForm(instructionsOf(runtime, 'ENTRYPOINT').at(-1)!)!.map(mapValue);
  const cmd = execForm(instructionsOf(runtime, 'CMD').at(-1)!)!;
  const healthcheck = execForm(instructionsOf(runtime, 'HEALTHCHECK').at(-1)!)!.map(mapValue);
  return { root, workdir: hostPath(root, workdir), env, entrypoint, cmd, healthcheck };
}

interface Proc {
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stdout: () => string;
  stderr: () => string;
  kill: (sig: NodeJS.Signals) => void;
}

/** Starts argv like Docker would: no shell, the image's ENV plus what the user passes with -e, cwd = WORKDIR. */
function start(image: Image, argv: string[], userEnv: Record<string, string>): Proc {
  const [cmd, ...args] = argv;
  const child = spawn(cmd!, args, { cwd: image.workdir, env: { ...image.env, ...userEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr!.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { exit, stdout: () => out, stderr: () => err, kill: (sig) => child.kill(sig) };
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function get(url: string): Promise<number | undefined> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return undefined;
  }
}

describe('the container image, replayed outside Docker', () => {
  let base: string;
  let image: Image;
  const TOKEN = '0/container-test-token-4b1d/DO-NOT-LEAK';

  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'asana-image-'));
    image = await assembleImage(base);
  }, 180_000);
  afterAll(async () => {
    if (base) await rm(base, { recursive: true, force: true });
  });

  const pipeline = usePipeline({ sim: { backlog: 400, seed: 44, token: TOKEN } });

  /** What a user passes with `docker run -e` (the state file comes from the image's ENV). */
  const userEnv = (extra: Record<string, string> = {}) => ({
    ASANA_TOKEN: TOKEN,
    ASANA_WORKSPACE_GID: pipeline.sim.workspaceGid,
    ASANA_API_URL: pipeline.sim.url,
    ASANA_START_AT: '7d',
    ASANA_POLL_INTERVAL: '1s',
    ASANA_MAX_REQUESTS_PER_MINUTE: '60000',
    OTEL_EXPORTER_OTLP_ENDPOINT: pipeline.collector.url,
    ...extra,
  });

  it('holds the runtime dependencies and none of the dev toolchain (not the node binary package)', async () => {
    const modules = join(image.workdir, 'node_modules');
    for (const dep of Object.keys(pkg.dependencies)) expect(existsSync(join(modules, dep)), `dependency ${dep}`).toBe(true);
    // A devDependency that a runtime dependency also needs (the lockfile marks it not `dev`, as
    // @types/node, which protobufjs under @grpc/grpc-js lists) is rightly installed; none other is.
    const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
    const devOnly = Object.keys(pkg.devDependencies).filter((dev) => lock.packages[`node_modules/${dev}`]?.dev === true);
    expect(devOnly).toContain('vitest');
    for (const dev of devOnly) expect(existsSync(join(modules, dev)), `devDependency ${dev} in the image`).toBe(false);
    expect(existsSync(join(image.workdir, 'src')), 'TypeScript sources in the image').toBe(false);
    expect(existsSync(join(image.workdir, 'dist/cli.js'))).toBe(true);
    expect(image.env.ASANA_STATE_FILE).toBe(join(image.root, 'data/state.json'));
    expect(existsSync(join(image.root, 'data')), '/data exists in the image').toBe(true);
  });

  it('`run` (the default command) ships every event, checkpoints on /data, and stops cleanly on SIGTERM', async () => {
    expect(image.cmd).toEqual(['run']);
    // Its own health port, so test files running side by side never contend for the default 13133.
    const proc = start(image, [...image.entrypoint, ...image.cmd], userEnv({ ASANA_HEALTH_ADDR: `127.0.0.1:${await freePort()}` }));
    await pipeline.collector.waitForRecords(400, 60_000).catch((err: unknown) => {
      throw new Error(`${String(err)}\nreceiver stderr:\n${proc.stderr()}`);
    });
    const stateFile = image.env.ASANA_STATE_FILE!;
    await waitFor(() => existsSync(stateFile), 'the checkpoint on /data');
    proc.kill('SIGTERM');
    expect((await proc.exit).code).toBe(0);

    expect(new Set(pipeline.collector.records.map((r) => r.attributes['log.record.uid']))).toEqual(new Set(pipeline.sim.events.map((e) => e.gid)));
    const state = JSON.parse(await readFile(stateFile, 'utf8')) as { streams: Record<string, { eventsShipped: number }> };
    expect(Object.values(state.streams).reduce((n, s) => n + s.eventsShipped, 0)).toBe(400);
    expect(proc.stderr() + proc.stdout()).not.toContain(TOKEN);
  });

  it('the HEALTHCHECK command exits 0 only on a 2xx from /healthz, 1 when unhealthy or unreachable', async () => {
    let status = 200;
    const paths: string[] = [];
    const server = http.createServer((req, res) => {
      paths.push(req.url ?? '');
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ status: status === 200 ? 'ok' : 'stalled' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const check = async (addr: string) => {
        const p = start(image, image.healthcheck, { ASANA_HEALTH_ADDR: addr });
        return { code: (await p.exit).code, out: p.stdout() + p.stderr() };
      };
      expect(await check(`127.0.0.1:${port}`)).toMatchObject({ code: 0 });
      expect(await check(`0.0.0.0:${port}`)).toMatchObject({ code: 0 }); // a wildcard listen address is probed on loopback
      status = 503;
      const unhealthy = await check(`127.0.0.1:${port}`);
      expect(unhealthy.code).toBe(1);
      expect(unhealthy.out).toContain('503');
      expect(paths.every((p) => p === '/healthz')).toBe(true);

      const closed = await freePort();
      const unreachable = await check(`127.0.0.1:${closed}`);
      expect(unreachable.code).toBe(1);
      expect(unreachable.out).toContain('did not answer');
      const bad = await check('nonsense');
      expect(bad.code).toBe(1);
      expect(bad.out).toContain('ASANA_HEALTH_ADDR');
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('serves /healthz and /readyz while running, and the HEALTHCHECK passes', async () => {
    // A fresh /data: the checkpoint an earlier test left would make this simulator's backlog old news.
    await rm(image.env.ASANA_STATE_FILE!, { force: true });
    const port = await freePort();
    const addr = `127.0.0.1:${port}`;
    const proc = start(image, [...image.entrypoint, ...image.cmd], userEnv({ ASANA_HEALTH_ADDR: addr }));
    try {
      let healthz: number | undefined;
      const deadline = Date.now() + 30_000;
      while ((healthz = await get(`http://${addr}/healthz`)) !== 200 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(healthz, `GET /healthz; receiver stderr:\n${proc.stderr()}`).toBe(200);

      const check = start(image, image.healthcheck, { ASANA_HEALTH_ADDR: addr });
      expect((await check.exit).code).toBe(0);

      await pipeline.collector.waitForRecords(400, 60_000);
      let readyz: number | undefined;
      while ((readyz = await get(`http://${addr}/readyz`)) !== 200 && Date.now() < deadline + 30_000) await new Promise((r) => setTimeout(r, 200));
      expect(readyz, 'GET /readyz once every stream polled and exported').toBe(200);
    } finally {
      proc.kill('SIGTERM');
      expect((await proc.exit).code).toBe(0);
    }
    const after = start(image, image.healthcheck, { ASANA_HEALTH_ADDR: addr });
    expect((await after.exit).code).toBe(1);
  }, 90_000);
});
