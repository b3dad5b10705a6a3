/**
 * An Asana response body as text, read so that no more than one copy of its bytes is held at once.
 *
 * undici's `body.bytes()` keeps every chunk until the end and then copies them into one buffer: a
 * 40 MB page of huge audit events (100 events of 400 KB) held 80 MB of bytes before its text even
 * existed, and both stayed until the garbage collector got to them. Here each chunk is copied into
 * one buffer of the declared Content-Length as it arrives (and is garbage at once), the text is
 * decoded from that buffer, and the buffer is freed right then: `ArrayBuffer.prototype.transfer(0)`
 * detaches it and releases its memory (ECMAScript 2024,
 * https://tc39.es/ecma262/#sec-arraybuffer.prototype.transfer), without waiting for a collection.
 * Without a usable Content-Length (chunked encoding), the chunks are kept and copied once at the end.
 */

/** UTF-8, a byte-order mark skipped (as undici's body.text() does), invalid bytes replaced. */
const UTF8 = new TextDecoder();

/** A Content-Length above this is not trusted for a buffer allocated up front. */
export const MAX_PREALLOCATED_BYTES = 512 * 1024 * 1024;

/** The declared length of a body, when it is one number of bytes worth allocating up front. */
export function declaredLength(header: string | string[] | undefined): number | undefined {
  if (typeof header !== 'string' || !/^\d+$/.test(header)) return undefined;
  const n = Number(header);
  return n <= MAX_PREALLOCATED_BYTES ? n : undefined;
}

/** Reads `body` to its end and returns its text; `length` is the declared Content-Length, if any. */
export async function readBodyText(body: AsyncIterable<Uint8Array>, length: number | undefined): Promise<string> {
  let buffer: Uint8Array<ArrayBuffer> | undefined = length === undefined ? undefined : new Uint8Array(length);
  let filled = 0;
  /** Chunks past the declared length, or all of them without one. */
  const rest: Uint8Array[] = [];
  let restBytes = 0;
  for await (const chunk of body) {
    if (buffer !== undefined && rest.length === 0 && filled + chunk.length <= buffer.length) {
      buffer.set(chunk, filled);
      filled += chunk.length;
    } else {
      rest.push(chunk);
      restBytes += chunk.length;
    }
  }
  if (rest.length > 0) {
    // More than declared, or nothing declared: one buffer of everything, copied once.
    const all = new Uint8Array(filled + restBytes);
    if (buffer !== undefined) all.set(buffer.subarray(0, filled));
    let at = filled;
    for (const chunk of rest) {
      all.set(chunk, at);
      at += chunk.length;
    }
    if (buffer !== undefined) free(buffer);
    buffer = all;
    filled = all.length;
    rest.length = 0;
  }
  if (buffer === undefined) return '';
  const text = UTF8.decode(buffer.subarray(0, filled));
  free(buffer);
  return text;
}

/** Releases the memory of a buffer this module allocated (and nothing else refers to). */
function free(buffer: Uint8Array<ArrayBuffer>): void {
  buffer.buffer.transfer(0);
}
