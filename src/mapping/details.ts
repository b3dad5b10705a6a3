import type { Attributes, AttributeValue } from '@opentelemetry/api';
import { ATTR_ASANA_DETAILS_PREFIX } from './attributes.ts';
import { asObject, capUtf8 } from './values.ts';

/** `details` objects are flattened to attributes down to `asana.details.a.b.c`; deeper stays in the body. */
export const DETAILS_MAX_DEPTH = 3;
/** At most this many `asana.details.*` attributes per record; the rest stay in the body (with a warning). */
export const DETAILS_MAX_ATTRIBUTES = 64;
/** `details` keys longer than this are not turned into attribute names; their values stay in the body. */
export const DETAILS_MAX_KEY_LENGTH = 128;

/**
 * Scalar `details` values -> `asana.details.<path>`: strings (non-empty, capped), finite numbers (unsafe
 * integers as strings) and booleans, through nested objects down to DETAILS_MAX_DEPTH keys (`asana.details.group.name`). Arrays,
 * nulls and deeper values are left to the body. When two paths give the same name (`{"a.b": 1,
 * "a": {"b": 2}}`) the first one wins.
 */
export function flattenDetails(details: Record<string, unknown>, attributes: Attributes, warnings: string[]): void {
  let added = 0;
  let full = false;
  const walk = (object: Record<string, unknown>, path: string, depth: number): void => {
    for (const key of Object.keys(object)) {
      if (key.length > DETAILS_MAX_KEY_LENGTH) continue;
      const value = object[key];
      const nested = asObject(value);
      if (nested !== undefined) {
        if (depth < DETAILS_MAX_DEPTH) walk(nested, `${path}${key}.`, depth + 1);
        if (full) return;
        continue;
      }
      const scalar = detailValue(value);
      if (scalar === undefined) continue;
      const name = `${ATTR_ASANA_DETAILS_PREFIX}${path}${key}`;
      if (Object.hasOwn(attributes, name)) continue;
      if (added === DETAILS_MAX_ATTRIBUTES) {
        full = true;
        return;
      }
      attributes[name] = scalar;
      added += 1;
    }
  };
  walk(details, '', 1);
  if (full) warnings.push(`details has more than ${DETAILS_MAX_ATTRIBUTES} values; the rest are only in the body`);
}

function detailValue(value: unknown): AttributeValue | undefined {
  switch (typeof value) {
    case 'string':
      return value === '' ? undefined : capUtf8(value);
    case 'number':
      if (!Number.isFinite(value)) return undefined;
      // OTLP sends integers as int64; past 2^53 a JS number is no longer exact (and past 2^63 it would
      // not encode), so such integers go as their decimal string.
      return Number.isInteger(value) && !Number.isSafeInteger(value) ? String(value) : value;
    case 'boolean':
      return value;
    default:
      return undefined;
  }
}
