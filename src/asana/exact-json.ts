/**
 * JSON parsing that keeps Asana gids exact.
 *
 * Asana documents every `gid` as a string ("Globally unique identifier of the resource, as a string",
 * https://developers.asana.com/reference/getauditlogevents). Should a gid arrive as a JSON number past
 * Number.MAX_SAFE_INTEGER (2^53 − 1), plain JSON.parse rounds it, and distinct events would then share
 * one gid. Here such a gid is read from its source text (the reviver's `context.source`) and kept as
 * that exact string of digits; the object that held it is marked with GID_SENT_AS_NUMBER so the
 * mapping can still say the type was not the documented one.
 */

/** Set to `true` on an object whose `gid` was a JSON integer past 2^53 − 1, now held as its digits. */
export const GID_SENT_AS_NUMBER: unique symbol = Symbol('asana.gid.sent_as_number');

/**
 * A `gid` member whose value is an integer literal of 16 digits or more (the shortest that can
 * exceed 2^53 − 1, 9007199254740991), or an escaped g, i or d (`\u0067`, `\u0069`, `\u0064`), with
 * which a key may still spell `gid`. Asana sends gids as strings (`"gid":"1200000000000001"`), so an
 * ordinary page has neither and is parsed by plain JSON.parse, several times faster than a reviver.
 */
const LONG_INTEGER = /"gid"\s*:\s*-?\d{16}|\\u006[479]/;
const INTEGER_LITERAL = /^-?\d+$/;

/** The third argument Node 24's JSON.parse gives a reviver for a primitive value: its source text. */
interface ReviverContext {
  source?: string;
}

/** JSON.parse, except that a `gid` integer past 2^53 − 1 is kept exact as a string (see above). */
export function parseJsonExactGids(text: string): unknown {
  if (!LONG_INTEGER.test(text)) return JSON.parse(text);
  try {
    return parseWithReviver(text);
  } catch (err) {
    // A reviver walks the parsed value recursively, plain JSON.parse does not: text nested deeper
    // than the stack allows (no Asana page is) is still read, as plain JSON.parse reads it.
    if (err instanceof RangeError) return JSON.parse(text);
    throw err;
  }
}

function parseWithReviver(text: string): unknown {
  return JSON.parse(text, function revive(this: unknown, key: string, value: unknown, context?: ReviverContext): unknown {
    if (key !== 'gid' || typeof value !== 'number' || Number.isSafeInteger(value)) return value;
    const source = context?.source;
    if (source === undefined || !INTEGER_LITERAL.test(source)) return value;
    (this as Record<PropertyKey, unknown>)[GID_SENT_AS_NUMBER] = true;
    return source;
  } as (this: unknown, key: string, value: unknown) => unknown);
}

/** Whether `holder` had a `gid` that Asana sent as a JSON integer past 2^53 − 1. */
export function gidSentAsNumber(holder: object): boolean {
  return (holder as Record<PropertyKey, unknown>)[GID_SENT_AS_NUMBER] === true;
}
