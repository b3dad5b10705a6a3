/**
 * Attribute names of the log records this receiver emits.
 *
 * Rule: an OpenTelemetry semantic-convention name where one exists, `asana.*` where none does.
 * Stable semconv names are imported from @opentelemetry/semantic-conventions. Incubating names are
 * copied here as local constants, because semconv asks consumers to copy incubating names rather than
 * import them: the `incubating` entry point may change or drop them in any minor release.
 */

export { ATTR_CLIENT_ADDRESS, ATTR_USER_AGENT_ORIGINAL } from '@opentelemetry/semantic-conventions';

// Incubating semconv names (semantic-conventions 1.45 `ATTR_*` in the incubating entry point), copied.
/** semconv (incubating) `log.record.uid`: a unique id of the record, so backends can deduplicate. */
export const ATTR_LOG_RECORD_UID = 'log.record.uid';
/** semconv (incubating) `user.id`: the acting user's id (the Asana user gid). */
export const ATTR_USER_ID = 'user.id';
/** semconv (incubating) `user.email`. */
export const ATTR_USER_EMAIL = 'user.email';
/** semconv (incubating) `user.full_name`. */
export const ATTR_USER_FULL_NAME = 'user.full_name';

// asana.* names: no semantic convention covers these.
/** Which Asana API the record came from: `audit_log` here (the events stream uses its own value). */
export const ATTR_ASANA_EVENT_SOURCE = 'asana.event.source';
export const ATTR_ASANA_EVENT_TYPE = 'asana.event.type';
export const ATTR_ASANA_EVENT_CATEGORY = 'asana.event.category';

export const ATTR_ASANA_ACTOR_TYPE = 'asana.actor.type';
/** Actor identity for actors that are not users (asana, asana_support, external_administrator, …). */
export const ATTR_ASANA_ACTOR_GID = 'asana.actor.gid';
export const ATTR_ASANA_ACTOR_NAME = 'asana.actor.name';
export const ATTR_ASANA_ACTOR_EMAIL = 'asana.actor.email';

export const ATTR_ASANA_RESOURCE_TYPE = 'asana.resource.type';
export const ATTR_ASANA_RESOURCE_SUBTYPE = 'asana.resource.subtype';
export const ATTR_ASANA_RESOURCE_GID = 'asana.resource.gid';
export const ATTR_ASANA_RESOURCE_NAME = 'asana.resource.name';
export const ATTR_ASANA_RESOURCE_EMAIL = 'asana.resource.email';

export const ATTR_ASANA_CONTEXT_TYPE = 'asana.context.type';
export const ATTR_ASANA_CONTEXT_API_AUTHENTICATION_METHOD = 'asana.context.api_authentication_method';
export const ATTR_ASANA_CONTEXT_OAUTH_APP_NAME = 'asana.context.oauth_app_name';
export const ATTR_ASANA_CONTEXT_RULE_NAME = 'asana.context.rule_name';
export const ATTR_ASANA_CONTEXT_ON_BEHALF_OF_USER_ID = 'asana.context.on_behalf_of_user_id';

/** Prefix of flattened scalar `details` values: `asana.details.old_value`, `asana.details.group.name`. */
export const ATTR_ASANA_DETAILS_PREFIX = 'asana.details.';

/**
 * Set when the record is not a faithful rendering of the event: the timestamp was substituted or read
 * as UTC for want of an offset, the body is not an exact copy, details attributes were left out, or the
 * event was not an object. Several problems are joined with "; ".
 */
export const ATTR_ASANA_MAPPING_WARNING = 'asana.mapping.warning';

/** Value of `asana.event.source` for audit-log events. */
export const EVENT_SOURCE_AUDIT_LOG = 'audit_log';

/** EventName of an audit-log record: `asana.audit.<event_type>`. */
export const AUDIT_EVENT_NAME_PREFIX = 'asana.audit.';
/** EventName when the event carries no event_type. */
export const AUDIT_EVENT_NAME_UNKNOWN = `${AUDIT_EVENT_NAME_PREFIX}unknown`;

/**
 * Cap of any attribute string, in UTF-8 bytes (8 KiB). The body keeps the full value. Backends cap
 * attributes far below the record size (Loki structured metadata, Datadog facets), and a SAML response
 * in `details.saml_response` can be several KiB on its own.
 */
export const MAX_ATTRIBUTE_STRING_BYTES = 8 * 1024;

// Activity events (the events API: workspace_events and resource_events streams).
/** What happened to the resource: added, changed, removed, deleted, undeleted (Event.action). */
export const ATTR_ASANA_EVENT_ACTION = 'asana.event.action';
/** For added/removed events: what the resource was added to or removed from (Event.parent). */
export const ATTR_ASANA_PARENT_TYPE = 'asana.parent.type';
export const ATTR_ASANA_PARENT_GID = 'asana.parent.gid';
export const ATTR_ASANA_PARENT_NAME = 'asana.parent.name';
/** For changed events: the field that changed and how (Event.change.field / Event.change.action). */
export const ATTR_ASANA_CHANGE_FIELD = 'asana.change.field';
export const ATTR_ASANA_CHANGE_ACTION = 'asana.change.action';
/** Values of `asana.event.source` for activity events. */
export const EVENT_SOURCE_WORKSPACE_EVENTS = 'workspace_events';
export const EVENT_SOURCE_RESOURCE_EVENTS = 'resource_events';
/** EventName of an activity record: `asana.event.<resource_type>.<action>`. */
export const ACTIVITY_EVENT_NAME_PREFIX = 'asana.event.';
/** Stands in for a resource_type or action the event does not carry. */
export const ACTIVITY_EVENT_NAME_UNKNOWN_PART = 'unknown';

// The receiver's own "I know I lost data" record (issue: gaps are records, not silence).
export const GAP_EVENT_NAME = 'asana.receiver.gap';
export const ATTR_ASANA_GAP_REASON = 'asana.gap.reason';
/** ISO-8601 bounds of the time range known to be lost (either may be unknown and then absent). */
export const ATTR_ASANA_GAP_START = 'asana.gap.start';
export const ATTR_ASANA_GAP_END = 'asana.gap.end';
/** The state key of the stream that lost data (e.g. `resource_events/1200…?resource=1300…`). */
export const ATTR_ASANA_RECEIVER_STREAM = 'asana.receiver.stream';
