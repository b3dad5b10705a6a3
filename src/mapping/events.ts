import { createHash } from 'node:crypto';
import type { Attributes, HrTime } from '@opentelemetry/api';
import type { ActivityEvent } from '../asana/types.ts';
import {
  ACTIVITY_EVENT_NAME_PREFIX,
  ACTIVITY_EVENT_NAME_UNKNOWN_PART,
  ATTR_ASANA_CHANGE_ACTION,
  ATTR_ASANA_CHANGE_FIELD,
  ATTR_ASANA_EVENT_ACTION,
  ATTR_ASANA_EVENT_SOURCE,
  ATTR_ASANA_MAPPING_WARNING,
  ATTR_ASANA_PARENT_GID,
  ATTR_ASANA_PARENT_NAME,
  ATTR_ASANA_PARENT_TYPE,
  ATTR_ASANA_RESOURCE_GID,
  ATTR_ASANA_RESOURCE_NAME,
  ATTR_ASANA_RESOURCE_SUBTYPE,
  ATTR_ASANA_RESOURCE_TYPE,
  ATTR_LOG_RECORD_UID,
  ATTR_USER_FULL_NAME,
  ATTR_USER_ID,
} from './attributes.ts';
import { asObject, attributeString, capUtf8, describe, quote, renderBody, unreadableEvent } from './audit-log.ts';
import { SEVERITY_INFO } from './severity.ts';
import { dateToHrTime, nowHrTime, parseTimestamp } from './time.ts';
import type { MappedRecord } from './types.ts';

/** Which event stream an activity event came from (the value of `asana.event.source`). */
export type ActivitySource = 'workspace_events' | 'resource_events';

/** log.record.uid of an activity event: this many hex digits of its SHA-256 (128 bits). */
export const ACTIVITY_UID_HEX_DIGITS = 32;

/**
 * One Asana activity event (events API: GET /workspaces/{gid}/events, GET /events?resource=) -> one
 * OTLP log record. Pure, and never throws, whatever `event` holds.
 *
 * - Timestamp = `created_at`, exactly; ObservedTimestamp = `observedAt`. An absent or unreadable
 *   `created_at` gives Timestamp = observed time plus `asana.mapping.warning`.
 * - EventName = `asana.event.<resource_type>.<action>` (resource_type from `resource.resource_type`,
 *   else the deprecated `type`); a part the event lacks is `unknown`. Severity INFO: activity is
 *   the normal work of a domain; what needs attention is for the SIEM's rules to say.
 * - Attributes: `asana.event.source`, `asana.event.action`, `asana.resource.type/subtype/gid/name`,
 *   `asana.parent.type/gid/name` (added/removed events), `asana.change.field/action` (changed
 *   events), `user.id` and `user.full_name` of the acting user — system events have `user: null`
 *   and simply carry no user attributes. Absent values are left out; strings are capped like the
 *   audit mapping's. `new_value`/`added_value`/`removed_value` stay in the body.
 * - `log.record.uid`: events carry no gid, so the uid is a hash of the canonical event (JSON with
 *   keys sorted at every level): the same event fetched again after a crash carries the same uid
 *   whatever order Asana sent its keys in, and backends can deduplicate on it.
 * - Body: the original event as a JSON string, losslessly, like the audit mapping.
 */
export function mapActivityEvent(event: ActivityEvent, source: ActivitySource, observedAt: Date): MappedRecord {
  const observed = dateToHrTime(observedAt) ?? nowHrTime();
  try {
    return mapEvent(event, source, observed);
  } catch (error) {
    // Only reachable with input that is not parsed JSON (a Proxy whose traps throw, …).
    return fallbackRecord(event, source, observed, error);
  }
}

/** The uid of an activity event: SHA-256 of its canonical JSON, or of its body text when that fails. */
export function activityEventUid(event: unknown): string {
  let text: string | undefined;
  try {
    text = canonicalJson(event);
  } catch {
    // A cycle or nesting too deep for recursion: the body text is still the same for the same event.
  }
  if (text === undefined) {
    try {
      text = renderBody(event, []);
    } catch {
      text = 'null';
    }
  }
  return createHash('sha256').update(text).digest('hex').slice(0, ACTIVITY_UID_HEX_DIGITS);
}

/** JSON with every object's keys sorted; undefined when the value is not representable. */
function canonicalJson(value: unknown): string | undefined {
  return JSON.stringify(value, (_key, v: unknown) => {
    const o = asObject(v);
    if (o === undefined) return v;
    const sorted: Record<string, unknown> = {};
    for (const k of Object.keys(o).sort()) sorted[k] = o[k];
    return sorted;
  }) as string | undefined;
}

function mapEvent(event: unknown, source: ActivitySource, observed: HrTime): MappedRecord {
  const warnings: string[] = [];
  const attributes: Attributes = {};
  const put = (key: string, value: unknown): void => {
    const text = attributeString(value);
    if (text !== undefined) attributes[key] = text;
  };

  const ev = asObject(event);
  if (ev === undefined) warnings.push(`event is ${describe(event)}, not an object`);

  attributes[ATTR_LOG_RECORD_UID] = activityEventUid(event);
  attributes[ATTR_ASANA_EVENT_SOURCE] = source;

  const action = attributeString(ev?.['action']);
  put(ATTR_ASANA_EVENT_ACTION, action);

  const resource = asObject(ev?.['resource']);
  const resourceType = attributeString(resource?.['resource_type']) ?? attributeString(ev?.['type']);
  put(ATTR_ASANA_RESOURCE_TYPE, resourceType);
  put(ATTR_ASANA_RESOURCE_SUBTYPE, resource?.['resource_subtype']);
  put(ATTR_ASANA_RESOURCE_GID, resource?.['gid']);
  put(ATTR_ASANA_RESOURCE_NAME, resource?.['name']);

  const parent = asObject(ev?.['parent']);
  put(ATTR_ASANA_PARENT_TYPE, parent?.['resource_type']);
  put(ATTR_ASANA_PARENT_GID, parent?.['gid']);
  put(ATTR_ASANA_PARENT_NAME, parent?.['name']);

  const change = asObject(ev?.['change']);
  put(ATTR_ASANA_CHANGE_FIELD, change?.['field']);
  put(ATTR_ASANA_CHANGE_ACTION, change?.['action']);

  // Asana: "Some events are generated by the system, and will have null as the user."
  const user = asObject(ev?.['user']);
  put(ATTR_USER_ID, user?.['gid']);
  put(ATTR_USER_FULL_NAME, user?.['name']);

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

  return {
    hrTime,
    hrTimeObserved: [observed[0], observed[1]],
    severityNumber: SEVERITY_INFO.severityNumber,
    severityText: SEVERITY_INFO.severityText,
    eventName: eventName(resourceType, action),
    body,
    attributes,
  };
}

/** `asana.event.<resource_type>.<action>`; a missing part is `unknown`. */
function eventName(resourceType: string | undefined, action: string | undefined): string {
  return `${ACTIVITY_EVENT_NAME_PREFIX}${resourceType ?? ACTIVITY_EVENT_NAME_UNKNOWN_PART}.${action ?? ACTIVITY_EVENT_NAME_UNKNOWN_PART}`;
}

function fallbackRecord(event: unknown, source: ActivitySource, observed: HrTime, error: unknown): MappedRecord {
  const { body, warnings } = unreadableEvent(event, error);
  let uid: string;
  try {
    uid = createHash('sha256').update(body).digest('hex').slice(0, ACTIVITY_UID_HEX_DIGITS);
  } catch {
    uid = 'unreadable';
  }
  return {
    hrTime: [observed[0], observed[1]],
    hrTimeObserved: [observed[0], observed[1]],
    severityNumber: SEVERITY_INFO.severityNumber,
    severityText: SEVERITY_INFO.severityText,
    eventName: eventName(undefined, undefined),
    body,
    attributes: {
      [ATTR_LOG_RECORD_UID]: uid,
      [ATTR_ASANA_EVENT_SOURCE]: source,
      [ATTR_ASANA_MAPPING_WARNING]: capUtf8(warnings.join('; ')),
    },
  };
}

