/**
 * Asana's own vocabulary the receiver configures and reasons with: the streams it can read, the
 * Audit Log API's filters, how long Asana keeps events and how long a sync token lives.
 */

/**
 * Streams this version can read: the Audit Log API, the workspace event stream
 * (GET /workspaces/{gid}/events) and the event streams of single resources (GET /events?resource=).
 * https://developers.asana.com/reference/getauditlogevents, https://developers.asana.com/reference/getevents
 */
export const KNOWN_STREAMS = ['audit_log', 'workspace_events', 'resource_events'] as const;
export type StreamName = (typeof KNOWN_STREAMS)[number];
/** The streams that follow Asana sync tokens (the events API). */
export const EVENT_STREAMS: readonly StreamName[] = ['workspace_events', 'resource_events'];

/** The Audit Log API's query filters (https://developers.asana.com/reference/getauditlogevents). */
export interface AuditLogFilters {
  eventType?: string;
  actorType?: string;
  actorGid?: string;
  resourceGid?: string;
}

/** actor_type values the Audit Log API documents. Others are passed on with a warning. */
export const AUDIT_ACTOR_TYPES = ['user', 'asana', 'asana_support', 'anonymous', 'external_administrator'] as const;

/** Asana deletes audit-log events after 90 days (https://developers.asana.com/reference/getauditlogevents). */
export const ASANA_RETENTION_MS = 90 * 86_400_000;

/**
 * Asana (https://developers.asana.com/reference/getevents): "Sync tokens always expire after 24 hours,
 * but may expire sooner, depending on load on the service." A stream that polls less often than this
 * loses events (a gap record says so).
 */
export const SYNC_TOKEN_LIFETIME_MS = 24 * 3_600_000;
/** Poll intervals (or saved tokens) from this age on are warned about: half the lifetime, since tokens may expire sooner. */
export const SYNC_TOKEN_WARN_AGE_MS = SYNC_TOKEN_LIFETIME_MS / 2;
