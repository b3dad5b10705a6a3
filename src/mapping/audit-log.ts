import type { Attributes, AttributeValue, HrTime } from '@opentelemetry/api';
import type { AuditLogEvent } from '../asana/types.ts';
import {
  ATTR_ASANA_ACTOR_EMAIL,
  ATTR_ASANA_ACTOR_GID,
  ATTR_ASANA_ACTOR_NAME,
  ATTR_ASANA_ACTOR_TYPE,
  ATTR_ASANA_CONTEXT_API_AUTHENTICATION_METHOD,
  ATTR_ASANA_CONTEXT_OAUTH_APP_NAME,
  ATTR_ASANA_CONTEXT_ON_BEHALF_OF_USER_ID,
  ATTR_ASANA_CONTEXT_RULE_NAME,
  ATTR_ASANA_CONTEXT_TYPE,
  ATTR_ASANA_DETAILS_PREFIX,
  ATTR_ASANA_EVENT_CATEGORY,
  ATTR_ASANA_EVENT_SOURCE,
  ATTR_ASANA_EVENT_TYPE,
  ATTR_ASANA_MAPPING_WARNING,
  ATTR_ASANA_RESOURCE_EMAIL,
  ATTR_ASANA_RESOURCE_GID,
  ATTR_ASANA_RESOURCE_NAME,
  ATTR_ASANA_RESOURCE_SUBTYPE,
  ATTR_ASANA_RESOURCE_TYPE,
  ATTR_CLIENT_ADDRESS,
  ATTR_LOG_RECORD_UID,
  ATTR_USER_AGENT_ORIGINAL,
  ATTR_USER_EMAIL,
  ATTR_USER_FULL_NAME,
  ATTR_USER_ID,
  AUDIT_EVENT_NAME_PREFIX,
  AUDIT_EVENT_NAME_UNKNOWN,
  EVENT_SOURCE_AUDIT_LOG,
  MAX_ATTRIBUTE_STRING_BYTES,
} from './attributes.ts';
import categories from './event-categories.json' with { type: 'json' };
import { SEVERITY_INFO, severityOf } from './severity.ts';
import { dateToHrTime, nowHrTime, parseTimestamp } from './time.ts';
import type { MappedRecord } from './types.ts';

/** Documented event_type -> event_category, for events that arrive without a category. */
const CATEGORY_BY_TYPE: ReadonlyMap<string, string> = new Map(Object.entries(categories));

/** `details` objects are flattened to attributes down to `asana.details.a.b.c`; deeper stays in the body. */
export const DETAILS_MAX_DEPTH = 3;
/** At most this many `asana.details.*` attributes per record; the rest stay in the body (with a warning). */
export const DETAILS_MAX_ATTRIBUTES = 64;
/** `details` keys longer than this are not turned into attribute names; their values stay in the body. */
export const DETAILS_MAX_KEY_LENGTH = 128;

/**
 * One Asana audit-log event -> one OTLP log record. Pure, and never throws, whatever `event` holds:
 * one strange event must not sink the batch it came in.
 *
 * - Timestamp = `created_at`, exactly (nanoseconds kept); ObservedTimestamp = `observedAt`. An absent or
 *   unreadable `created_at` gives Timestamp = observed time plus `asana.mapping.warning` saying so.
 * - EventName = `asana.audit.<event_type>`; unknown types pass through as they are; none -> `asana.audit.unknown`.
 * - Severity from the reviewed table in severity.ts (INFO unless listed as WARN).
 * - Attributes: semantic-convention names where one exists, `asana.*` otherwise (attributes.ts). Absent
 *   values (null, undefined, '') are left out, never sent empty. Numbers or booleans where Asana documents
 *   a string (gids) become strings; objects and arrays there are left to the body. The acting user maps to
 *   `user.*` only when `actor.actor_type` is `user`; other actors that carry an identity map to
 *   `asana.actor.*`. Scalar `details` values become `asana.details.<path>`. Every attribute string is
 *   capped at MAX_ATTRIBUTE_STRING_BYTES of UTF-8 (cut on a character boundary); the body keeps it whole.
 *
 * Body: the original event, losslessly, as a JSON string (`JSON.stringify(event)`), not as an OTLP
 * key-value map. A string keeps nulls, nesting and key order exactly, and every backend can use it:
 * Loki shows it as the log line and `| json` parses it; Datadog and Splunk parse JSON message strings.
 * A kvlist body would drop nulls in some backends' views and reorder keys, and the fields that matter
 * for queries are attributes anyway. When `JSON.stringify` cannot serialize the event (nesting too deep
 * for its recursion), an iterative serializer writes the same text; only input that is not JSON data
 * at all (cycles, throwing getters) is written approximately, with a warning.
 */
export function mapAuditLogEvent(event: AuditLogEvent, observedAt: Date): MappedRecord {
  const observed = dateToHrTime(observedAt) ?? nowHrTime();
  try {
    return mapEvent(event, observed);
  } catch (error) {
    // Only reachable with input that is not parsed JSON (a Proxy whose traps throw, a revoked Proxy).
    return fallbackRecord(event, observed, error);
  }
}

function mapEvent(event: unknown, observed: HrTime): MappedRecord {
  const warnings: string[] = [];
  const attributes: Attributes = {};
  const put = (key: string, value: unknown): void => {
    const text = attributeString(value);
    if (text !== undefined) attributes[key] = text;
  };

  const ev = asObject(event);
  if (ev === undefined) warnings.push(`event is ${describe(event)}, not an object`);

  put(ATTR_LOG_RECORD_UID, ev?.['gid']);
  attributes[ATTR_ASANA_EVENT_SOURCE] = EVENT_SOURCE_AUDIT_LOG;

  const eventType = attributeString(ev?.['event_type']);
  put(ATTR_ASANA_EVENT_TYPE, eventType);
  put(ATTR_ASANA_EVENT_CATEGORY, attributeString(ev?.['event_category']) ?? categoryOf(eventType));

  const actor = asObject(ev?.['actor']);
  const actorType = attributeString(actor?.['actor_type']);
  put(ATTR_ASANA_ACTOR_TYPE, actorType);
  if (actorType === 'user') {
    put(ATTR_USER_ID, actor?.['gid']);
    put(ATTR_USER_EMAIL, actor?.['email']);
    put(ATTR_USER_FULL_NAME, actor?.['name']);
  } else {
    put(ATTR_ASANA_ACTOR_GID, actor?.['gid']);
    put(ATTR_ASANA_ACTOR_NAME, actor?.['name']);
    put(ATTR_ASANA_ACTOR_EMAIL, actor?.['email']);
  }

  const resource = asObject(ev?.['resource']);
  put(ATTR_ASANA_RESOURCE_TYPE, resource?.['resource_type']);
  put(ATTR_ASANA_RESOURCE_SUBTYPE, resource?.['resource_subtype']);
  put(ATTR_ASANA_RESOURCE_GID, resource?.['gid']);
  put(ATTR_ASANA_RESOURCE_NAME, resource?.['name']);
  put(ATTR_ASANA_RESOURCE_EMAIL, resource?.['email']);

  const context = asObject(ev?.['context']);
  put(ATTR_CLIENT_ADDRESS, context?.['client_ip_address']);
  put(ATTR_USER_AGENT_ORIGINAL, context?.['user_agent']);
  put(ATTR_ASANA_CONTEXT_TYPE, context?.['context_type']);
  put(ATTR_ASANA_CONTEXT_API_AUTHENTICATION_METHOD, context?.['api_authentication_method']);
  put(ATTR_ASANA_CONTEXT_OAUTH_APP_NAME, context?.['oauth_app_name']);
  put(ATTR_ASANA_CONTEXT_RULE_NAME, context?.['rule_name']);
  put(ATTR_ASANA_CONTEXT_ON_BEHALF_OF_USER_ID, context?.['on_behalf_of_user_id']);

  const details = asObject(ev?.['details']);
  if (details !== undefined) flattenDetails(details, attributes, warnings);

  const createdAt = ev?.['created_at'];
  const parsed = parseTimestamp(createdAt);
  let hrTime: HrTime;
  if (parsed.ok) {
    hrTime = parsed.hrTime;
    if (parsed.assumedUtc) warnings.push(`created_at ${quote(createdAt)} has no UTC offset; read as UTC`);
  } else {
    hrTime = [observed[0], observed[1]];
    const shown = typeof createdAt === 'string' && createdAt !== '' ? ` ${quote(createdAt)}` : '';
    warnings.push(`created_at${shown} ${parsed.reason}; Timestamp is the time the event was received`);
  }

  const body = renderBody(event, warnings);
  if (warnings.length > 0) put(ATTR_ASANA_MAPPING_WARNING, warnings.join('; '));

  const severity = severityOf(eventType);
  return {
    hrTime,
    hrTimeObserved: [observed[0], observed[1]],
    severityNumber: severity.severityNumber,
    severityText: severity.severityText,
    eventName: eventType === undefined ? AUDIT_EVENT_NAME_UNKNOWN : AUDIT_EVENT_NAME_PREFIX + eventType,
    body,
    attributes,
  };
}

/** The record for an event that could not be read at all: observed time, INFO, whatever body survives. */
function fallbackRecord(event: unknown, observed: HrTime, error: unknown): MappedRecord {
  const { body, warnings } = unreadableEvent(event, error);
  return {
    hrTime: [observed[0], observed[1]],
    hrTimeObserved: [observed[0], observed[1]],
    severityNumber: SEVERITY_INFO.severityNumber,
    severityText: SEVERITY_INFO.severityText,
    eventName: AUDIT_EVENT_NAME_UNKNOWN,
    body,
    attributes: {
      [ATTR_ASANA_EVENT_SOURCE]: EVENT_SOURCE_AUDIT_LOG,
      [ATTR_ASANA_MAPPING_WARNING]: capUtf8(warnings.join('; ')),
    },
  };
}

/**
 * The body and warnings of a record for an event that could not be read (the fallback records of
 * every mapping): the event written as well as it can be, and why.
 */
export function unreadableEvent(event: unknown, error: unknown): { body: string; warnings: string[] } {
  const warnings = [`event could not be read (${errorMessage(error)}); Timestamp is the time the event was received`];
  let body = 'null';
  try {
    body = renderBody(event, warnings);
  } catch {
    warnings.push('body could not be written');
  }
  return { body, warnings };
}

function categoryOf(eventType: string | undefined): string | undefined {
  return eventType === undefined ? undefined : CATEGORY_BY_TYPE.get(eventType);
}

/**
 * Scalar `details` values -> `asana.details.<path>`: strings (non-empty, capped), finite numbers (unsafe
 * integers as strings) and booleans, through nested objects down to DETAILS_MAX_DEPTH keys (`asana.details.group.name`). Arrays,
 * nulls and deeper values are left to the body. When two paths give the same name (`{"a.b": 1,
 * "a": {"b": 2}}`) the first one wins.
 */
function flattenDetails(details: Record<string, unknown>, attributes: Attributes, warnings: string[]): void {
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


// ---------------------------------------------------------------------------------------------------
// Body

/**
 * The event as JSON text. `JSON.stringify` first; when it throws (recursion too deep for nesting in
 * the thousands, which JSON.parse accepts; a cycle; a bigint; a throwing getter) or returns nothing
 * (undefined input), the iterative serializer below. For JSON data it writes exactly what
 * `JSON.stringify` would; anything it had to approximate is reported in `warnings`.
 */
export function renderBody(event: unknown, warnings: string[]): string {
  try {
    const text = JSON.stringify(event);
    if (typeof text === 'string') return text;
  } catch {
    // fall through to the iterative serializer
  }
  const problems = new Set<string>();
  let text: string | undefined;
  try {
    text = stringifyIteratively(event, problems);
  } catch (error) {
    problems.add(`it could not be serialized (${errorMessage(error)})`);
  }
  if (text === undefined && problems.size === 0) problems.add('it is not JSON data');
  if (problems.size > 0) warnings.push(`body is not an exact copy of the event: ${[...problems].join(', ')}`);
  return text ?? 'null';
}

type Frame =
  | { kind: 'array'; value: readonly unknown[]; index: number }
  | { kind: 'object'; value: Record<string, unknown>; keys: string[]; index: number; wroteMember: boolean };

/**
 * JSON.stringify without recursion: an explicit stack, so nesting depth is bounded by memory only.
 * Same output as JSON.stringify for JSON data (no indentation; undefined, functions and symbols left
 * out of objects and written as null in arrays; toJSON honoured). Cycles become "[Circular]" and
 * bigints bare digits, both reported in `problems`. Returns undefined when the root itself is not
 * representable.
 */
function stringifyIteratively(root: unknown, problems: Set<string>): string | undefined {
  const out: string[] = [];
  const stack: Frame[] = [];
  const onPath = new Set<object>();

  const prepare = (value: unknown, key: string): unknown => {
    let v = value;
    if (typeof v === 'object' && v !== null) {
      const toJSON = (v as { toJSON?: unknown }).toJSON;
      if (typeof toJSON === 'function') v = toJSON.call(v, key);
    }
    if (v instanceof Number || v instanceof String || v instanceof Boolean) v = v.valueOf();
    return v;
  };
  const representable = (v: unknown): boolean =>
    v !== undefined && typeof v !== 'function' && typeof v !== 'symbol';
  const write = (v: unknown): void => {
    switch (typeof v) {
      case 'string':
      case 'number':
      case 'boolean':
        out.push(JSON.stringify(v));
        return;
      case 'bigint':
        out.push(v.toString());
        problems.add('a bigint is written as a bare number');
        return;
      default:
        break;
    }
    if (v === null || typeof v !== 'object') {
      out.push('null');
      return;
    }
    if (onPath.has(v)) {
      out.push('"[Circular]"');
      problems.add('a circular reference is written as "[Circular]"');
      return;
    }
    onPath.add(v);
    if (Array.isArray(v)) {
      out.push('[');
      stack.push({ kind: 'array', value: v, index: 0 });
    } else {
      out.push('{');
      stack.push({ kind: 'object', value: v as Record<string, unknown>, keys: Object.keys(v), index: 0, wroteMember: false });
    }
  };
  const read = (container: object, key: string): unknown => {
    try {
      return prepare((container as Record<string, unknown>)[key], key);
    } catch {
      problems.add('a value that could not be read is left out');
      return undefined;
    }
  };

  const first = prepare(root, '');
  if (!representable(first)) return undefined;
  write(first);
  while (stack.length > 0) {
    const frame = stack[stack.length - 1] as Frame;
    if (frame.kind === 'array') {
      if (frame.index >= frame.value.length) {
        out.push(']');
        stack.pop();
        onPath.delete(frame.value);
        continue;
      }
      const index = frame.index;
      frame.index += 1;
      if (index > 0) out.push(',');
      const item = read(frame.value, String(index));
      if (representable(item)) write(item);
      else out.push('null');
    } else {
      if (frame.index >= frame.keys.length) {
        out.push('}');
        stack.pop();
        onPath.delete(frame.value);
        continue;
      }
      const key = frame.keys[frame.index] as string;
      frame.index += 1;
      const item = read(frame.value, key);
      if (!representable(item)) continue;
      if (frame.wroteMember) out.push(',');
      frame.wroteMember = true;
      out.push(JSON.stringify(key), ':');
      write(item);
    }
  }
  return out.join('');
}
