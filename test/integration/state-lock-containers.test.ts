import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

/**
 * Two receivers in two containers on one state volume: the same hostname and the same pid (PID 1
 * in two PID namespaces). The second must not take the live first's lock; it may take it only once
 * the first's heartbeat went stale.
 */
const REPO = resolve(import.meta.dirname, '../..');
const HOLDER = join(REPO, 'test/helpers/state-lock-holder.ts');

/** Real PID and UTS namespaces need unshare(1) and the privilege to create them (root, or a user namespace). */
const canUnshare = spawnSync('unshare', ['--pid', '--fork', '--mount-proc', '--uts', '--kill-child', 'true'], { timeout: 10_000 }).status === 0;

let dir: string;
let file: string;
const children: ChildProcess[] = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'state-containers-'));
  file = join(dir, 'state.json');
});
afterEach(async () => {
  for (const c of children.splice(0)) {
    if (c.exitCode === null && c.signalCode === null) {
      c.kill('SIGKILL');
      await once(c, 'exit');
    }
  }
  await rm(dir, { recursive: true, force: true });
});

interface Started {
  child: ChildProcess;
  /** "locked <pid>" or "refused <code>: <message>" */
  line: string;
  stderr: () => string;
}

/** Starts a lock holder and waits for its first line of output. */
async function start(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Started> {
  const child = spawn(command, args, { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const line = await new Promise<string>((ok, fail) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) ok(out.split('\n')[0]!);
    });
    child.once('exit', (code) => fail(new Error(`lock holder exited (${code}) before answering: ${stderr}`)));
  });
  return { child, line, stderr: () => stderr };
}

/** A lock holder as PID 1 of its own PID namespace, with hostname "box" in its own UTS namespace. */
function inContainer(): Promise<Started> {
  return start('unshare', ['--pid', '--fork', '--mount-proc', '--uts', '--kill-child', 'sh', '-c', 'hostname box && exec "$0" "$1" "$2"', process.execPath, HOLDER, file]);
}

async function lockInstance(): Promise<string> {
  return (JSON.parse(await readFile(`${file}.lock`, 'utf8')) as { instance: string }).instance;
}

/**
 * Stops a holder cleanly (SIGTERM). unshare itself ignores SIGTERM while it waits for its child,
 * so a holder in a container gets the signal directly, by its pid as seen from here.
 */
async function stop(s: Started, inNamespace = false): Promise<void> {
  const pid = inNamespace ? Number(readFileSync(`/proc/${s.child.pid}/task/${s.child.pid}/children`, 'utf8').trim()) : s.child.pid!;
  process.kill(pid, 'SIGTERM');
  await once(s.child, 'exit');
}

describe('the lock between two containers with the same hostname and pid', () => {
  it.runIf(canUnshare)('real namespaces: both are PID 1 on host "box"; the second is refused, the first keeps its lock', async () => {
    const first = await inContainer();
    expect(first.line).toBe('locked 1');
    const held = JSON.parse(await readFile(`${file}.lock`, 'utf8'));
    expect(held).toMatchObject({ pid: 1, hostname: 'box' });

    const second = await inContainer();
    expect(second.line).toMatch(/^refused ERR_STATE_LOCKED: .*in use by another asana-otel-receiver \(pid 1 on host box/);
    await once(second.child, 'exit');
    expect(second.child.exitCode).toBe(3);
    expect(await lockInstance()).toBe(held.instance);

    // the first still owns its lock: closing removes it (a store removes only a lock that is still its own)
    await stop(first, true);
    expect(existsSync(`${file}.lock`)).toBe(false);
  });

  it.runIf(canUnshare)('real namespaces: a killed container\'s lock is taken over once its heartbeat is stale, not before', async () => {
    const first = await inContainer();
    expect(first.line).toBe('locked 1');
    first.child.kill('SIGKILL'); // unshare --kill-child takes the holder down with it: no clean-up
    await once(first.child, 'exit');
    expect(existsSync(`${file}.lock`)).toBe(true);

    // its pid means nothing in another namespace: only the heartbeat can tell it is gone
    const early = await inContainer();
    expect(early.line).toMatch(/^refused ERR_STATE_LOCKED/);

    const old = new Date(Date.now() - 61_000);
    await utimes(`${file}.lock`, old, old);
    const next = await inContainer();
    expect(next.line).toBe('locked 1');
    await expect.poll(() => next.stderr()).toMatch(/took over the lock .* of pid 1 on host box, .*so its holder is gone or hung/);
  });

  it('claimed identities: two real processes that both say pid 1 on host "box", from two PID namespaces', async () => {
    const claim = (ns: string) => ({ STATE_LOCK_IDENTITY: JSON.stringify({ pid: 1, hostname: 'box', pidNamespace: ns }) });
    const first = await start(process.execPath, [HOLDER, file], claim('pid:[1001]'));
    expect(first.line).toMatch(/^locked \d+$/);
    const held = JSON.parse(await readFile(`${file}.lock`, 'utf8'));
    expect(held).toMatchObject({ pid: 1, hostname: 'box', pidNamespace: 'pid:[1001]', instance: expect.any(String) });

    const second = await start(process.execPath, [HOLDER, file], claim('pid:[1002]'));
    expect(second.line).toMatch(/^refused ERR_STATE_LOCKED: .*pid 1 on host box/);
    expect(await lockInstance()).toBe(held.instance);
    await stop(first);
    expect(existsSync(`${file}.lock`)).toBe(false);
  });
});
