import type { HrTime } from '@opentelemetry/api';
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
  ATTR_ASANA_EVENT_CATEGORY,
  ATTR_ASANA_EVENT_SOURCE,
  ATTR_ASANA_EVENT_TYPE,
  ATTR_ASANA_RESOURCE_EMAIL,
  ATTR_CLIENT_ADDRESS,
  ATTR_LOG_RECORD_UID,
  ATTR_USER_AGENT_ORIGINAL,
  ATTR_USER_EMAIL,
  ATTR_USER_FULL_NAME,
  ATTR_USER_ID,
  AUDIT_EVENT_NAME_PREFIX,
  AUDIT_EVENT_NAME_UNKNOWN,
  EVENT_SOURCE_AUDIT_LOG,
} from './attributes.ts';
import { flattenDetails } from './details.ts';
import categories from './event-categories.json' with { type: 'json' };
import { buildRecord, fallbackRecord, putGid, putResource } from './record.ts';
import { severityOf } from './severity.ts';
import { dateToHrTime, nowHrTime } from './time.ts';
import type { MappedRecord } from './types.ts';
import { asObject, attributeString } from './values.ts';

/** Documented event_type -> event_category, for events that arrive without a category. */
const CATEGORY_BY_TYPE: ReadonlyMap<string, string> = new Map(Object.entries(categories));

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
 *   a string (gids) become strings; objects and arrays there are left to the body; a gid that is not a
 *   string is named in `asana.mapping.warning` (record.ts putGid). The acting user maps to
 *   `user.*` only when `actor.actor_type` is `user`; other actors that carry an identity map to
 *   `asana.actor.*`. Scalar `details` values become `asana.details.<path>`. Every attribute string is
 *   capped at MAX_ATTRIBUTE_STRING_BYTES of UTF-8 (cut on a character boundary); the body keeps it whole.
 *
 * Body: the original event, losslessly, as a JSON string (`JSON.stringify(event)`), not as an OTLP
 * key-value map. A string keeps nulls, nesting and key order exactly, and every backend can use it:
 * Loki shows it as the log line and `| json` parses it; Datadog and Splunk parse JSON message strings.
 * A kvlist body would drop nulls in some backends' views and reorder keys, and the fields that matter
 * for queries are attributes anyway. When `JSON.stringify` cannot serialize the event (nesting too deep
 * for its recursion), an iterative serializer writes the same text (body.ts); only input that is not JSON data
 * at all (cycles, throwing getters) is written approximately, with a warning.
 */
export function mapAuditLogEvent(event: AuditLogEvent, observedAt: Date): MappedRecord {
  const observed = dateToHrTime(observedAt) ?? nowHrTime();
  try {
    return mapEvent(event, observed);
  } catch (error) {
    // Only reachable with input that is not parsed JSON (a Proxy whose traps throw, a revoked Proxy).
    return fallbackRecord(event, observed, error, AUDIT_EVENT_NAME_UNKNOWN, () => ({
      [ATTR_ASANA_EVENT_SOURCE]: EVENT_SOURCE_AUDIT_LOG,
    }));
  }
}

function mapEvent(event: unknown, observed: HrTime): MappedRecord {
  return buildRecord(event, observed, (draft) => {
    const { ev, attributes, warnings, put } = draft;
    putGid(draft, ATTR_LOG_RECORD_UID, ev, 'gid');
    attributes[ATTR_ASANA_EVENT_SOURCE] = EVENT_SOURCE_AUDIT_LOG;

    const eventType = attributeString(ev?.['event_type']);
    put(ATTR_ASANA_EVENT_TYPE, eventType);
    put(ATTR_ASANA_EVENT_CATEGORY, attributeString(ev?.['event_category']) ?? categoryOf(eventType));

    const actor = asObject(ev?.['actor']);
    const actorType = attributeString(actor?.['actor_type']);
    put(ATTR_ASANA_ACTOR_TYPE, actorType);
    if (actorType === 'user') {
      putGid(draft, ATTR_USER_ID, actor, 'actor.gid');
      put(ATTR_USER_EMAIL, actor?.['email']);
      put(ATTR_USER_FULL_NAME, actor?.['name']);
    } else {
      putGid(draft, ATTR_ASANA_ACTOR_GID, actor, 'actor.gid');
      put(ATTR_ASANA_ACTOR_NAME, actor?.['name']);
      put(ATTR_ASANA_ACTOR_EMAIL, actor?.['email']);
    }

    const resource = asObject(ev?.['resource']);
    putResource(draft, resource, resource?.['resource_type']);
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

    return {
      eventName: eventType === undefined ? AUDIT_EVENT_NAME_UNKNOWN : AUDIT_EVENT_NAME_PREFIX + eventType,
      severity: severityOf(eventType),
    };
  });
}

function categoryOf(eventType: string | undefined): string | undefined {
  return eventType === undefined ? undefined : CATEGORY_BY_TYPE.get(eventType);
}
