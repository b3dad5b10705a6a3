/**
 * The operations on a state file as a whole, for the commands: `state reset --all` and `validate`'s
 * check. Both take the lock as a receiver would, so they never act under a live receiver.
 */
import { StateError } from '../errors.ts';
import { tempPathFor, writeTarget } from './atomic-write.ts';
import { describe } from './fs.ts';
import { acquireLock, releaseLock } from './lock.ts';
import { readStateFile, writeStateFile } from './state-file.ts';
import { storeContext, type FileStateStoreOptions } from './store.ts';

/**
 * `state reset --all`: replaces the file with an empty state under the lock, even when the file is
 * corrupt (the one way out of ERR_STATE_CORRUPT besides a backup). A corrupt file is kept next to it
 * as `<file>.corrupt-<time>` for inspection. Returns the keys that were forgotten.
 */
export async function resetFileState(path: string, opts: FileStateStoreOptions = {}): Promise<{ removed: string[]; corruptCopy?: string }> {
  const ctx = storeContext(path, opts);
  const lock = opts.lock === false ? undefined : await acquireLock(ctx);
  try {
    let removed: string[] = [];
    let corruptCopy: string | undefined;
    try {
      removed = [...(await readStateFile(ctx.fs, path)).keys()];
    } catch (err) {
      if (!(err instanceof StateError) || err.code !== 'ERR_STATE_CORRUPT') throw err;
      corruptCopy = `${path}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      try {
        await ctx.fs.copyFile(path, corruptCopy);
      } catch (copyErr) {
        throw new StateError('ERR_STATE_WRITE', `cannot keep a copy of the corrupt state file ${path} at ${corruptCopy} (${describe(copyErr)})`, { cause: copyErr });
      }
    }
    await writeStateFile(ctx.fs, path, new Map());
    return corruptCopy === undefined ? { removed } : { removed, corruptCopy };
  } finally {
    if (lock) await releaseLock(ctx, lock);
  }
}

/**
 * `validate`: could a receiver use this state file right now? Takes the lock exactly as a receiver
 * would — a live receiver's lock is reported (ERR_STATE_LOCKED), never broken; a stale one is taken
 * over as `run` would — reads and checks the file, then creates, writes, fsyncs and removes a probe
 * file where every commit writes its temp file (beside the file, or beside a link's target): the
 * directory operations every commit needs. A probe left by a crash carries the temp-file prefix, so
 * the next start removes it. The state itself is not changed.
 */
export async function checkFileState(path: string, opts: FileStateStoreOptions = {}): Promise<{ exists: boolean; streams: number }> {
  const ctx = storeContext(path, opts);
  const lock = await acquireLock(ctx);
  try {
    const streams = await readStateFile(ctx.fs, path);
    const exists = await ctx.fs.stat(path).then(
      () => true,
      () => false,
    );
    let probe: string | undefined;
    try {
      probe = tempPathFor(await writeTarget(ctx.fs, path));
      const fh = await ctx.fs.open(probe, 'wx');
      try {
        await fh.writeFile('asana-otel-receiver validate\n', 'utf8');
        await fh.sync();
      } finally {
        await fh.close().catch(() => undefined);
      }
    } catch (err) {
      throw new StateError('ERR_STATE_WRITE', `cannot write next to state file ${path} (${describe(err)}): make its directory writable by this user, or point ASANA_STATE_FILE elsewhere`, {
        cause: err,
      });
    } finally {
      if (probe !== undefined) await ctx.fs.unlink(probe).catch(() => undefined);
    }
    return { exists, streams: streams.size };
  } finally {
    await releaseLock(ctx, lock);
  }
}
