import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, readdir, readFile, rename, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StateError } from '../../../src/errors.ts';
import { nodeStateFs, type StateFs } from '../../../src/state/fs.ts';
import { openFileStateStore } from '../../../src/state/store.ts';
import { ownWhereabouts } from '../../../src/state/lock.ts';
import type { StateStore, StreamState } from '../../../src/state/types.ts';

const REPO = resolve(import.meta.dirname, '../../..');

function state(workspaceGid: string, extra: Partial<StreamState> = {}): StreamState {
  return {
    stream: 'audit_log',
    workspaceGid,
    filters: {},
    offset: `offset-${workspaceGid}`,
    lastEventAt: '2026-02-01T00:00:00.000Z',
    lastEventGid: '9001',
    eventsShipped: 3,
    updatedAt: '2026-02-01T00:00:05.000Z',
    ...extra,
  };
}

/** Runs `fn`, expecting a StateError with `code`; returns it. */
async function stateError(fn: () => Promise<unknown>, code: string): Promise<StateError> {
  try {
    await fn();
  } catch (err) {
    expect(err).toBeInstanceOf(StateError);
    expect((err as StateError).code).toBe(code);
    expect((err as StateError).exitCode).toBe(4);
    return err as StateError;
  }
  throw new Error(`expected ${code}`);
}

let dir: string;
let file: string;
const open: StateStore[] = [];
/** Opens a store that afterEach closes. */
async function openStore(path = file, opts: Parameters<typeof openFileStateStore>[1] = {}): Promise<StateStore> {
  const s = await openFileStateStore(path, opts);
  open.push(s);
  return s;
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'state-test-'));
  file = join(dir, 'data', 'state.json');
});
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
  await rm(dir, { recursive: true, force: true });
});

describe('file state store', () => {
  it('starts empty when the file does not exist (first run), without creating it', async () => {
    const s = await openStore();
    expect(s.path).toBe(file);
    expect(s.entries()).toEqual([]);
    expect(s.get('audit_log/1')).toBeUndefined();
    expect(existsSync(file)).toBe(false);
  });

  it('round-trips commits, creating the directory', async () => {
    const s = await openStore();
    await s.commit('audit_log/1', state('1'));
    await s.commit('audit_log/2', state('2', { lastEventGids: ['9001', '9002'] }));
    expect(s.get('audit_log/1')).toEqual(state('1'));
    expect(s.entries().map(([k]) => k)).toEqual(['audit_log/1', 'audit_log/2']);
    const onDisk = JSON.parse(await readFile(file, 'utf8'));
    expect(onDisk).toEqual({ version: 1, streams: { 'audit_log/1': state('1'), 'audit_log/2': state('2', { lastEventGids: ['9001', '9002'] }) } });
  });

  it('creates the directory again when it was removed while running', async () => {
    const later = join(dir, 'removed', 'state.json');
    const s = await openStore(later, { lock: false });
    await s.commit('a', state('1'));
    await rm(join(dir, 'removed'), { recursive: true });
    await s.commit('a', state('2'));
    expect(JSON.parse(await readFile(later, 'utf8')).streams).toEqual({ a: state('2') });
  });

  it('hands out copies: changing a returned state does not change the store', async () => {
    const s = await openStore();
    await s.commit('k', state('1'));
    const got = s.get('k')!;
    got.offset = 'mutated';
    expect(s.get('k')).toEqual(state('1'));
  });

  it('is durable: a new store sees what was committed', async () => {
    const s1 = await openFileStateStore(file);
    await s1.commit('audit_log/1', state('1'));
    await s1.commit('audit_log/1', state('1', { offset: 'later', eventsShipped: 10 }));
    await s1.close();
    const s2 = await openStore();
    expect(s2.get('audit_log/1')).toEqual(state('1', { offset: 'later', eventsShipped: 10 }));
  });

  it('serializes concurrent commits: none is lost', async () => {
    const s = await openStore();
    await Promise.all(Array.from({ length: 25 }, (_, i) => s.commit(`audit_log/${i}`, state(String(i)))));
    await s.close();
    const again = await openStore();
    expect(again.entries()).toHaveLength(25);
    expect(await readdir(join(dir, 'data'))).toEqual(['state.json', 'state.json.lock']);
  });

  it('deletes a stream durably and says whether it was there', async () => {
    const s = await openStore();
    await s.commit('a', state('1'));
    await s.commit('b', state('2'));
    expect(await s.delete('a')).toBe(true);
    expect(await s.delete('a')).toBe(false);
    await s.close();
    expect((await openStore()).entries().map(([k]) => k)).toEqual(['b']);
  });

  it('keeps fields it does not know (a newer writer of the same version)', async () => {
    await mkdir(join(dir, 'data'));
    await writeFile(file, JSON.stringify({ version: 1, streams: { a: { ...state('1'), futureField: { x: 1 } } } }));
    const s = await openStore();
    expect(s.get('a')).toMatchObject({ futureField: { x: 1 } });
    await s.commit('b', state('2'));
    expect(JSON.parse(await readFile(file, 'utf8')).streams.a.futureField).toEqual({ x: 1 });
  });

  it('a state path that is a symbolic link: commits replace the target, the link stays', async () => {
    await mkdir(join(dir, 'volume'));
    const target = join(dir, 'volume', 'state.json');
    await writeFile(target, JSON.stringify({ version: 1, streams: { a: state('1') } }));
    await mkdir(join(dir, 'data'));
    await symlink(target, file);
    const s = await openStore();
    expect(s.get('a')).toEqual(state('1'));
    await s.commit('a', state('1', { offset: 'newer' }));
    expect((await lstat(file)).isSymbolicLink()).toBe(true);
    expect(JSON.parse(await readFile(target, 'utf8')).streams.a.offset).toBe('newer');
    await s.close();
    expect(await readdir(join(dir, 'data'))).toEqual(['state.json']); // no temp file beside the link
    expect((await openStore()).get('a')?.offset).toBe('newer');
  });

  it('refuses commits after close', async () => {
    const s = await openFileStateStore(file);
    await s.close();
    await s.close(); // idempotent
    await stateError(() => s.commit('a', state('1')), 'ERR_STATE_WRITE');
  });
});

describe('file state store: a file it cannot trust stops start-up', () => {
  it.each([
    ['bad JSON', '{"version":1,"streams":{', /bad JSON/],
    ['an empty file', '', /the file is empty/],
    ['a JSON array', '[]', /wrong content/],
    ['no version', '{"streams":{}}', /wrong content: version/],
    ['version 0', '{"version":0,"streams":{}}', /wrong content: version/],
    ['a stream without eventsShipped', JSON.stringify({ version: 1, streams: { a: { ...state('1'), eventsShipped: undefined } } }), /streams\.a\.eventsShipped/],
    ['a negative count', JSON.stringify({ version: 1, streams: { a: { ...state('1'), eventsShipped: -1 } } }), /streams\.a\.eventsShipped/],
    ['an offset of the wrong type', JSON.stringify({ version: 1, streams: { a: { ...state('1'), offset: 5 } } }), /streams\.a\.offset/],
    ['a lastEventAt in 2099', JSON.stringify({ version: 1, streams: { a: { ...state('1'), lastEventAt: '2099-01-01T00:00:00.000Z' } } }), /streams\.a\.lastEventAt: 2099-01-01T00:00:00\.000Z lies in the future/],
    ['a startAt that is no time', JSON.stringify({ version: 1, streams: { a: { ...state('1'), startAt: 'garbage' } } }), /streams\.a\.startAt: "garbage" is not a time/],
    [
      'a backfill window ending in 2099',
      JSON.stringify({ version: 1, streams: { a: { ...state('1'), backfill: [{ startAt: '2026-01-01T00:00:00Z', endAt: '2099-01-01T00:00:00Z', eventsShipped: 0 }] } } }),
      /streams\.a\.backfill\.0\.endAt: 2099-01-01T00:00:00Z lies in the future/,
    ],
  ])('%s -> ERR_STATE_CORRUPT naming the file and the fix', async (_name, content, detail) => {
    await mkdir(join(dir, 'data'));
    await writeFile(file, content);
    const err = await stateError(() => openFileStateStore(file), 'ERR_STATE_CORRUPT');
    expect(err.message).toContain(file);
    expect(err.message).toMatch(detail);
    expect(err.message).toContain('asana-otel-receiver state reset --all');
    expect(err.message).toContain('restore a backup');
    expect(await readFile(file, 'utf8')).toBe(content); // untouched
    expect(existsSync(`${file}.lock`)).toBe(false); // the lock was released
  });

  it('a version from the future -> ERR_STATE_CORRUPT saying so', async () => {
    await mkdir(join(dir, 'data'));
    await writeFile(file, JSON.stringify({ version: 2, streams: {}, somethingNew: true }));
    const err = await stateError(() => openFileStateStore(file, { lock: false }), 'ERR_STATE_CORRUPT');
    expect(err.message).toMatch(/has version 2, written by a newer asana-otel-receiver; this one reads version 1/);
    expect(err.message).toContain(file);
  });

  it('a file it cannot read (a directory) -> ERR_STATE_READ naming it', async () => {
    await mkdir(file, { recursive: true });
    const err = await stateError(() => openFileStateStore(file, { lock: false }), 'ERR_STATE_READ');
    expect(err.message).toContain(file);
    expect(err.message).toContain('EISDIR');
  });

  it('ignores a temp file left by a crash, and removes it once it holds the lock', async () => {
    const s1 = await openFileStateStore(file);
    await s1.commit('a', state('1'));
    await s1.close();
    const leftover = join(dir, 'data', 'state.json.tmp-12345-deadbeef');
    await writeFile(leftover, '{"version":1,"streams":{"half-writ');
    const ro = await openStore(file, { lock: false });
    expect(ro.entries().map(([k]) => k)).toEqual(['a']);
    expect(existsSync(leftover)).toBe(true); // read-only: not its business
    const s2 = await openStore();
    expect(s2.entries().map(([k]) => k)).toEqual(['a']);
    expect(existsSync(leftover)).toBe(false);
  });
});

describe('file state store: a failed write', () => {
  const enospc = () => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });

  it('disk full while writing -> ERR_STATE_WRITE; the old file and memory stay at the last durable value', async () => {
    let failWrites = false;
    const fs: Partial<StateFs> = {
      open: async (p, flags) => {
        const fh = await nodeStateFs.open(p, flags);
        if (!failWrites || flags === 'r') return fh;
        return {
          writeFile: async () => {
            throw enospc();
          },
          sync: () => fh.sync(),
          close: () => fh.close(),
        };
      },
    };
    const s = await openStore(file, { fs });
    await s.commit('a', state('1'));
    const before = await readFile(file, 'utf8');
    failWrites = true;
    const err = await stateError(() => s.commit('a', state('1', { offset: 'newer' })), 'ERR_STATE_WRITE');
    expect(err.message).toContain(file);
    expect(err.message).toContain('ENOSPC');
    expect(err.message).toContain('the previous checkpoint is unchanged');
    expect(await readFile(file, 'utf8')).toBe(before);
    expect(s.get('a')).toEqual(state('1'));
    expect(await stateError(() => s.commit('b', state('2')), 'ERR_STATE_WRITE')).toBeDefined();
    expect(s.get('b')).toBeUndefined();
    expect((await readdir(join(dir, 'data'))).filter((n) => n.includes('.tmp-'))).toEqual([]); // temp file removed
    // the queue goes on after a failure
    failWrites = false;
    await s.commit('b', state('2'));
    expect(JSON.parse(await readFile(file, 'utf8')).streams).toEqual({ a: state('1'), b: state('2') });
  });

  it('rename refused -> ERR_STATE_WRITE naming the cause; the old file intact', async () => {
    let failRename = false;
    const s = await openStore(file, {
      fs: {
        rename: async (a, b) => {
          if (failRename) throw Object.assign(new Error(`EACCES: permission denied, rename '${a}' -> '${b}'`), { code: 'EACCES' });
          return nodeStateFs.rename(a, b);
        },
      },
    });
    await s.commit('a', state('1'));
    failRename = true;
    const err = await stateError(() => s.delete('a'), 'ERR_STATE_WRITE');
    expect(err.message).toMatch(/rename the temporary file over it: EACCES/);
    expect(s.get('a')).toEqual(state('1'));
    expect(JSON.parse(await readFile(file, 'utf8')).streams).toEqual({ a: state('1') });
  });

  it('a directory that cannot be created (its parent is a regular file) -> ERR_STATE_WRITE (real fs, works as root)', async () => {
    const blocker = join(dir, 'not-a-dir');
    await writeFile(blocker, 'x');
    const path = join(blocker, 'state.json');
    const err = await stateError(() => openFileStateStore(path), 'ERR_STATE_WRITE');
    expect(err.message).toContain(path);

    // …and at commit time: the directory was fine at open, then became a file.
    const later = join(dir, 'later', 'state.json');
    const s = await openStore(later, { lock: false });
    await writeFile(join(dir, 'later'), 'x');
    const err2 = await stateError(() => s.commit('a', state('1')), 'ERR_STATE_WRITE');
    expect(err2.message).toContain(later);
    expect(s.get('a')).toBeUndefined();
  });
});

describe('file state store: the lock', () => {
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  });

  /** Starts test/helpers/state-lock-holder.ts and waits until it holds the lock. */
  async function holder(path: string): Promise<ChildProcess> {
    const child = spawn(process.execPath, [join(REPO, 'test/helpers/state-lock-holder.ts'), path], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    await new Promise<void>((ok, fail) => {
      let out = '';
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('locked')) ok();
      });
      child.once('exit', (code) => fail(new Error(`lock holder exited (${code}): ${stderr}`)));
    });
    return child;
  }

  it('writes {instance, pid, hostname, startedAt, bootId, pidNamespace}, a new instance each time, and removes it on close', async () => {
    const s = await openFileStateStore(file);
    const lock = JSON.parse(await readFile(`${file}.lock`, 'utf8'));
    expect(lock).toEqual({
      instance: expect.stringMatching(/^[0-9a-f-]{36}$/),
      pid: process.pid,
      hostname: hostname(),
      startedAt: expect.any(String),
      ...(existsSync('/proc/self/ns/pid') ? { bootId: expect.any(String), pidNamespace: expect.stringMatching(/^pid:\[\d+\]$/) } : {}),
    });
    expect(Date.parse(lock.startedAt)).not.toBeNaN();
    await s.close();
    expect(existsSync(`${file}.lock`)).toBe(false);
    const again = await openStore();
    expect(JSON.parse(await readFile(`${file}.lock`, 'utf8')).instance).not.toBe(lock.instance);
    await again.close();
  });

  it('a second process cannot open the file; once that process is killed its lock is taken over', async () => {
    const child = await holder(file);
    const err = await stateError(() => openFileStateStore(file), 'ERR_STATE_LOCKED');
    expect(err.message).toContain(file);
    expect(err.message).toContain(`pid ${child.pid}`);
    expect(err.message).toContain(`host ${hostname()}`);
    // read-only commands still work
    const ro = await openStore(file, { lock: false });
    expect(ro.entries()).toEqual([]);

    child.kill('SIGKILL');
    await once(child, 'exit');
    expect(existsSync(`${file}.lock`)).toBe(true); // SIGKILL: no cleanup
    const warnings: string[] = [];
    const s = await openStore(file, { onWarning: (m) => warnings.push(m) });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(new RegExp(`took over the lock .* of pid ${child.pid} .*no longer exists`));
    await s.commit('a', state('1'));
    expect(JSON.parse(await readFile(`${file}.lock`, 'utf8')).pid).toBe(process.pid);
  });

  it('a second process that closes cleanly removes its lock', async () => {
    const child = await holder(file);
    child.kill('SIGTERM');
    await once(child, 'exit');
    expect(existsSync(`${file}.lock`)).toBe(false);
  });

  it.runIf(existsSync('/proc/self/ns/pid'))('takes over a fresh lock with its own pid in its own PID namespace (its holder is gone)', async () => {
    await mkdir(join(dir, 'data'));
    const { bootId, pidNamespace } = ownWhereabouts();
    await writeFile(`${file}.lock`, JSON.stringify({ instance: 'gone', pid: process.pid, hostname: hostname(), startedAt: '2026-01-01T00:00:00Z', bootId, pidNamespace }));
    const warnings: string[] = [];
    await openStore(file, { onWarning: (m) => warnings.push(m) });
    expect(warnings[0]).toMatch(/this process's own pid in the same PID namespace/);
  });

  it('respects a fresh lock with its own pid and hostname from another PID namespace or an older release (two containers, PID 1 each)', async () => {
    await mkdir(join(dir, 'data'));
    for (const where of [{ bootId: 'b', pidNamespace: 'pid:[1]' }, {}]) {
      await writeFile(`${file}.lock`, JSON.stringify({ instance: 'live', pid: process.pid, hostname: hostname(), startedAt: '2026-01-01T00:00:00Z', ...where }));
      const err = await stateError(() => openFileStateStore(file), 'ERR_STATE_LOCKED');
      expect(err.message).toContain(`pid ${process.pid} on host ${hostname()}, instance live`);
    }
  });

  it('refuses a second open in the same process', async () => {
    await openStore();
    const err = await stateError(() => openFileStateStore(file), 'ERR_STATE_LOCKED');
    expect(err.message).toMatch(/already open in this process/);
  });

  it('respects a fresh lock from another host, and takes over one not refreshed for 60 s', async () => {
    await mkdir(join(dir, 'data'));
    const lockPath = `${file}.lock`;
    await writeFile(lockPath, JSON.stringify({ pid: 4242, hostname: 'other-host', startedAt: '2026-01-01T00:00:00Z' }));
    const err = await stateError(() => openFileStateStore(file), 'ERR_STATE_LOCKED');
    expect(err.message).toContain('pid 4242 on host other-host');
    expect(err.message).toContain(file);

    const old = new Date(Date.now() - 61_000);
    await utimes(lockPath, old, old);
    const warnings: string[] = [];
    await openStore(file, { onWarning: (m) => warnings.push(m) });
    expect(warnings[0]).toMatch(/took over the lock .* of pid 4242 on host other-host.*gone or hung/);
  });

  it('treats an unreadable lock by its age', async () => {
    await mkdir(join(dir, 'data'));
    const lockPath = `${file}.lock`;
    await writeFile(lockPath, '');
    await stateError(() => openFileStateStore(file), 'ERR_STATE_LOCKED');
    const old = new Date(Date.now() - 120_000);
    await utimes(lockPath, old, old);
    const warnings: string[] = [];
    await openStore(file, { onWarning: (m) => warnings.push(m) });
    expect(warnings[0]).toMatch(/unreadable lock/);
  });

  it('refreshes the lock mtime (heartbeat), and stops committing when the lock was taken from it', async () => {
    const warnings: string[] = [];
    const s = await openStore(file, { heartbeatMs: 20, onWarning: (m) => warnings.push(m) });
    const lockPath = `${file}.lock`;
    const old = new Date(Date.now() - 3_600_000);
    await utimes(lockPath, old, old);
    await expect.poll(async () => (await stat(lockPath)).mtimeMs, { timeout: 2_000 }).toBeGreaterThan(Date.now() - 10_000);
    await s.commit('a', state('1'));

    // another process decided the lock was stale and took it (written whole: writeFile truncates
    // first, and a heartbeat reading the empty file in between would see an unreadable lock instead)
    await writeFile(`${lockPath}.next`, JSON.stringify({ pid: 4242, hostname: 'other-host', startedAt: '2026-02-02T00:00:00Z' }));
    await rename(`${lockPath}.next`, lockPath);
    await expect.poll(() => warnings.length, { timeout: 2_000 }).toBeGreaterThan(0);
    expect(warnings[0]).toMatch(/lost the lock .* pid 4242 on host other-host/);
    const err = await stateError(() => s.commit('a', state('1', { offset: 'x' })), 'ERR_STATE_LOCKED');
    expect(err.message).toContain(file);
    await s.close();
    expect(existsSync(lockPath)).toBe(true); // not ours: left alone
  });
});
