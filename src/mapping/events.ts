import { createHash } from 'node:crypto';
import type { HrTime } from '@opentelemetry/api';
import type { ActivityEvent } from '../asana/types.ts';
import {
  ACTIVITY_EVENT_NAME_PREFIX,
  ACTIVITY_EVENT_NAME_UNKNOWN_PART,
  ATTR_ASANA_CHANGE_ACTION,
  ATTR_ASANA_CHANGE_FIELD,
  ATTR_ASANA_EVENT_ACTION,
  ATTR_ASANA_EVENT_SOURCE,
  ATTR_ASANA_PARENT_GID,
  ATTR_ASANA_PARENT_NAME,
  ATTR_ASANA_PARENT_TYPE,
  ATTR_LOG_RECORD_UID,
  ATTR_USER_FULL_NAME,
  ATTR_USER_ID,
} from './attributes.ts';
import { renderBody } from './body.ts';
import { buildRecord, fallbackRecord, putGid, putResource } from './record.ts';
import { SEVERITY_INFO } from './severity.ts';
import { dateToHrTime, nowHrTime } from './time.ts';
import type { MappedRecord } from './types.ts';
import { asObject, attributeString } from './values.ts';

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
    return fallbackRecord(event, observed, error, eventName(undefined, undefined), (body) => ({
      [ATTR_LOG_RECORD_UID]: bodyUid(body),
      [ATTR_ASANA_EVENT_SOURCE]: source,
    }));
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
  return buildRecord(event, observed, (draft) => {
    const { ev, attributes, put } = draft;
    attributes[ATTR_LOG_RECORD_UID] = activityEventUid(event);
    attributes[ATTR_ASANA_EVENT_SOURCE] = source;

    const action = attributeString(ev?.['action']);
    put(ATTR_ASANA_EVENT_ACTION, action);

    const resource = asObject(ev?.['resource']);
    const resourceType = attributeString(resource?.['resource_type']) ?? attributeString(ev?.['type']);
    putResource(draft, resource, resourceType);

    const parent = asObject(ev?.['parent']);
    put(ATTR_ASANA_PARENT_TYPE, parent?.['resource_type']);
    putGid(draft, ATTR_ASANA_PARENT_GID, parent, 'parent.gid');
    put(ATTR_ASANA_PARENT_NAME, parent?.['name']);

    const change = asObject(ev?.['change']);
    put(ATTR_ASANA_CHANGE_FIELD, change?.['field']);
    put(ATTR_ASANA_CHANGE_ACTION, change?.['action']);

    // Asana: "Some events are generated by the system, and will have null as the user."
    const user = asObject(ev?.['user']);
    putGid(draft, ATTR_USER_ID, user, 'user.gid');
    put(ATTR_USER_FULL_NAME, user?.['name']);

    return { eventName: eventName(resourceType, action), severity: SEVERITY_INFO };
  });
}

/** `asana.event.<resource_type>.<action>`; a missing part is `unknown`. */
function eventName(resourceType: string | undefined, action: string | undefined): string {
  return `${ACTIVITY_EVENT_NAME_PREFIX}${resourceType ?? ACTIVITY_EVENT_NAME_UNKNOWN_PART}.${action ?? ACTIVITY_EVENT_NAME_UNKNOWN_PART}`;
}

/** The uid of an event that could not be read: from the body that was written of it. */
function bodyUid(body: string): string {
  try {
    return createHash('sha256').update(body).digest('hex').slice(0, ACTIVITY_UID_HEX_DIGITS);
  } catch {
    return 'unreadable';
  }
}
