/**
 * The JSON text of a late-event window's gids, kept between writes of the state file.
 *
 * Every write of the state file rewrites the whole file (atomic-write.ts), and a busy domain's
 * window holds thousands of gids, each with its created_at in epoch ms (up to MAX_WINDOW_GIDS in
 * streams/shipped-window.ts): writing them out cost far more than the rest of the file, and most
 * writes find them unchanged (a backfill page older than the window adds nothing to it). So the text
 * of each gids record is kept until the record changes. The record is changed in place, and only
 * by streams/shipped-window.ts, which calls gidsChanged() on every change; a record this module has
 * not seen (read from the file, copied by the store) is written out anew.
 */

const texts = new WeakMap<object, { indent: number; text: string }>();

/** Forgets the text of `gids`: called on every change to the record. */
export function gidsChanged(gids: object): void {
  texts.delete(gids);
}

/**
 * `JSON.stringify(gids, null, 2)` as it reads nested `depth` levels deep in a file written with an
 * indent of 2 (each line after the first indented by 2 × depth more spaces).
 */
export function gidsText(gids: Record<string, number>, depth: number): string {
  const indent = 2 * depth;
  const kept = texts.get(gids);
  if (kept !== undefined && kept.indent === indent) return kept.text;
  const text = JSON.stringify(gids, null, 2).replaceAll('\n', `\n${' '.repeat(indent)}`);
  texts.set(gids, { indent, text });
  return text;
}
