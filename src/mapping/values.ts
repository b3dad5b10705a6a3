import { MAX_ATTRIBUTE_STRING_BYTES } from './attributes.ts';

/** Reading untyped event values: attribute strings, objects, and short texts for warnings. */

/**
 * A value where Asana documents a string, as an attribute string; `undefined` when absent (null,
 * undefined, '') or not a scalar (objects and arrays stay in the body). Numbers, bigints and booleans
 * become their string form, so a gid sent as a number still matches the same gid sent as a string.
 */
export function attributeString(value: unknown): string | undefined {
  let text: string;
  switch (typeof value) {
    case 'string':
      text = value;
      break;
    case 'number':
      if (!Number.isFinite(value)) return undefined;
      text = String(value);
      break;
    case 'bigint':
    case 'boolean':
      text = String(value);
      break;
    default:
      return undefined;
  }
  return text === '' ? undefined : capUtf8(text);
}

/**
 * `text` cut to at most `maxBytes` of UTF-8, on a character boundary (a surrogate pair is never split).
 * Short strings return at once: a UTF-16 code unit never takes more than 3 bytes of UTF-8.
 */
export function capUtf8(text: string, maxBytes: number = MAX_ATTRIBUTE_STRING_BYTES): string {
  if (text.length * 3 <= maxBytes) return text;
  const { read } = new TextEncoder().encodeInto(text, new Uint8Array(maxBytes));
  return read < text.length ? text.slice(0, read) : text;
}

export function asObject(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return typeof value === 'undefined' ? 'undefined' : `a ${typeof value}`;
}

/** A value for a warning message: JSON-quoted and short. */
export function quote(value: unknown): string {
  const text = typeof value === 'string' ? value : String(value);
  return JSON.stringify(text.length > 64 ? `${text.slice(0, 64)}…` : text);
}

export function errorMessage(error: unknown): string {
  try {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return message.length > 200 ? `${message.slice(0, 200)}…` : message;
  } catch {
    return 'unknown error';
  }
}
