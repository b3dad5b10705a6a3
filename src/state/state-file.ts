/**
 * Reading and writing the whole state file. A missing file is a first run. A file that cannot be
 * read or understood is an error naming the file and the fix; it is never silently replaced by an
 * empty state, which would re-ship or skip an audit trail.
 */
import { StateError } from '../errors.ts';
import { AtomicWriteError, writeFileAtomically } from './atomic-write.ts';
import { describe, errCode, type StateFs } from './fs.ts';
import { checkStateContent, STATE_VERSION, type StreamState } from './schema.ts';
import { gidsText } from './window-text.ts';

/** The way out of a corrupt file. */
export const CORRUPT_FIX = 'run `asana-otel-receiver state reset --all` (every stream restarts at ASANA_START_AT) or restore a backup of the file';

/** The streams in the file at `path`; empty when there is no file. `nowMs` is the clock times are checked against. */
export async function readStateFile(fs: StateFs, path: string, nowMs = Date.now()): Promise<Map<string, StreamState>> {
  let text: string;
  try {
    text = await fs.readFile(path);
  } catch (err) {
    if (errCode(err) === 'ENOENT') return new Map(); // first run
    throw new StateError(
      'ERR_STATE_READ',
      `cannot read state file ${path} (${describe(err)}): make it readable by this user, or point ASANA_STATE_FILE at the right file; the receiver does not start over without it`,
      { cause: err },
    );
  }
  const corrupt = (what: string, cause?: unknown) =>
    new StateError('ERR_STATE_CORRUPT', `state file ${path} is not a valid checkpoint (${what}); the receiver will not start over on its own: ${CORRUPT_FIX}`, {
      cause,
    });
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw corrupt(text.trim() === '' ? 'the file is empty' : `bad JSON: ${describe(err)}`, err);
  }
  const version = (data as { version?: unknown } | null)?.version;
  if (typeof version === 'number' && Number.isInteger(version) && version > STATE_VERSION) {
    throw new StateError(
      'ERR_STATE_CORRUPT',
      `state file ${path} has version ${version}, written by a newer asana-otel-receiver; this one reads version ${STATE_VERSION}: upgrade, or ${CORRUPT_FIX}`,
    );
  }
  const checked = checkStateContent(data, nowMs);
  if (!checked.ok) throw corrupt(`wrong content: ${checked.problems.join('; ')}`);
  return checked.streams;
}

/**
 * The file's text for `streams`: `JSON.stringify` with an indent of 2, keys sorted, so the file reads
 * (and diffs) the same way each time. Each late-event window's gids are written from the text kept
 * for them (window-text.ts): a marker stands in their place, then their text replaces it.
 */
export function stateFileText(streams: Map<string, StreamState>): string {
  const gidsTexts = new Map<string, string>();
  const sorted = [...streams].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const content = Object.fromEntries(
    sorted.map(([key, state], i) => {
      const window = state.shippedWindow;
      if (window === undefined) return [key, state];
      // No text the state holds contains a NUL character: Asana's gids, offsets and times, and
      // filters from the environment, which cannot hold one.
      const marker = `\u0000gids ${i}`;
      gidsTexts.set(JSON.stringify(marker), gidsText(window.gids, GIDS_DEPTH));
      return [key, { ...state, shippedWindow: { ...window, gids: marker } }];
    }),
  );
  let text = JSON.stringify({ version: STATE_VERSION, streams: content }, null, 2);
  for (const [marker, gids] of gidsTexts) text = text.replace(marker, () => gids);
  return `${text}\n`;
}

/** Where a window's gids sit in the file: version/streams → key → stream → shippedWindow → gids. */
const GIDS_DEPTH = 4;

/** Replaces the file with `streams`, durably. Throws ERR_STATE_WRITE saying whether the old content is intact. */
export async function writeStateFile(fs: StateFs, path: string, streams: Map<string, StreamState>): Promise<void> {
  try {
    await writeFileAtomically(fs, path, stateFileText(streams));
  } catch (err) {
    if (err instanceof AtomicWriteError) {
      throw new StateError('ERR_STATE_WRITE', `cannot write state file ${path} (${err.message}); the previous checkpoint is unchanged`, { cause: err.cause });
    }
    throw new StateError('ERR_STATE_WRITE', `state file ${path} was replaced but its directory could not be synced (${describe(err)}); the new checkpoint may not survive a crash`, {
      cause: err,
    });
  }
}
