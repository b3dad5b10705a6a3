/**
 * Replacing a file so that a reader (or a crash) sees either the old content or the new, never half
 * of it: temp file in the same directory, write, fsync, rename over the file, fsync the directory.
 *
 * A path that is a symbolic link is followed: the temp file is written beside the link's final
 * target and renamed onto the target, so the link stays a link (a state file placed on another
 * volume through a link keeps living there). Renaming onto the link itself would replace the link
 * with a regular file and leave the target behind, stale. The link is resolved at every write, so a
 * link re-pointed while the receiver runs is honoured by the next write.
 */
import { randomBytes } from 'node:crypto';
import { basename, dirname, join, resolve } from 'node:path';
import { describe, errCode, type StateFileHandle, type StateFs } from './fs.ts';

/** Links followed before giving up (the kernel's own limit for a path, MAXSYMLINKS, is 40). */
const MAX_LINKS = 40;

/** Failed before the rename: the file is unchanged. `step` says what failed. */
export class AtomicWriteError extends Error {
  readonly step: string;
  constructor(step: string, cause: unknown) {
    super(`${step}: ${describe(cause)}`, { cause });
    this.step = step;
  }
}

/** Renamed into place, but the directory could not be synced: the new content may not survive a crash. */
export class DirectorySyncError extends Error {
  constructor(cause: unknown) {
    super(describe(cause), { cause });
  }
}

/** The file a write to `path` replaces: `path` itself, or the final target of the link(s) at `path`. */
export async function writeTarget(fs: StateFs, path: string): Promise<string> {
  let current = path;
  for (let i = 0; i < MAX_LINKS; i++) {
    let isLink: boolean;
    try {
      isLink = (await fs.lstat(current)).isSymbolicLink();
    } catch (err) {
      if (errCode(err) === 'ENOENT') return current; // not there yet (or a dangling link's target)
      throw err;
    }
    if (!isLink) return current;
    current = resolve(dirname(current), await fs.readlink(current));
  }
  throw Object.assign(new Error(`${path}: more than ${MAX_LINKS} symbolic links`), { code: 'ELOOP' });
}

/** Temp files are `<name>.tmp-<pid>-<random>` next to the file they replace: rename needs one filesystem. */
export function tempPrefix(target: string): string {
  return `${basename(target)}.tmp-`;
}

/** A fresh temp-file path beside `target`. */
export function tempPathFor(target: string): string {
  return join(dirname(target), `${tempPrefix(target)}${process.pid}-${randomBytes(4).toString('hex')}`);
}

/**
 * Replaces the file at `path` (following links) with `text`. Throws AtomicWriteError when the old
 * content is still in place, DirectorySyncError when the new one is in place but not yet durable.
 */
export async function writeFileAtomically(fs: StateFs, path: string, text: string): Promise<void> {
  let step = 'follow the path';
  let tmp: string | undefined;
  try {
    const target = await writeTarget(fs, path);
    const dir = dirname(target);
    tmp = tempPathFor(target);
    step = 'create a temporary file';
    let fh: StateFileHandle;
    try {
      fh = await fs.open(tmp, 'wx');
    } catch (err) {
      // The directory is created on the first write, or again if it was removed meanwhile; not
      // before every write (a recursive mkdir is several system calls, and writes come page after page).
      if (errCode(err) !== 'ENOENT') throw err;
      step = 'create its directory';
      await fs.mkdir(dir);
      step = 'create a temporary file';
      fh = await fs.open(tmp, 'wx');
    }
    step = 'write the temporary file';
    try {
      await fh.writeFile(text, 'utf8');
      await fh.sync();
    } catch (err) {
      await fh.close().catch(() => undefined);
      throw err;
    }
    await fh.close();
    step = 'rename the temporary file over it';
    await fs.rename(tmp, target);
    tmp = undefined;
    try {
      await fsyncDir(fs, dir);
    } catch (err) {
      throw new DirectorySyncError(err);
    }
  } catch (err) {
    if (err instanceof DirectorySyncError) throw err;
    if (tmp !== undefined) await fs.unlink(tmp).catch(() => undefined);
    throw new AtomicWriteError(step, err);
  }
}

/** Makes a rename in `dir` durable. Some platforms cannot fsync a directory; there it is skipped. */
export async function fsyncDir(fs: StateFs, dir: string): Promise<void> {
  let fh: StateFileHandle;
  try {
    fh = await fs.open(dir, 'r');
  } catch (err) {
    if (['EISDIR', 'EPERM', 'EACCES'].includes(errCode(err) ?? '')) return;
    throw err;
  }
  try {
    await fh.sync();
  } catch (err) {
    if (!['EINVAL', 'ENOTSUP', 'EBADF', 'EPERM'].includes(errCode(err) ?? '')) throw err;
  } finally {
    await fh.close().catch(() => undefined);
  }
}

/** Temp files a crash left between write and rename. Only for the writer: nobody else is writing. */
export async function removeLeftoverTemps(fs: StateFs, path: string): Promise<void> {
  let target: string;
  let names: string[];
  try {
    target = await writeTarget(fs, path);
    names = await fs.readdir(dirname(target));
  } catch {
    return;
  }
  const prefix = tempPrefix(target);
  for (const name of names) {
    if (name.startsWith(prefix)) await fs.unlink(join(dirname(target), name)).catch(() => undefined);
  }
}
