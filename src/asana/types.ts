/**
 * Wire types of the Asana API parts we use (shared/asana/openapi-excerpt.yaml).
 * Every field is optional and open: Asana adds event types, categories, enum values and fields
 * over time, and a field documented as a string can arrive as null. Unknown fields pass through.
 */

export interface AuditLogEventActor {
  actor_type?: string | null; // user | asana | asana_support | anonymous | external_administrator | …
  gid?: string | null;
  name?: string | null;
  email?: string | null;
  [key: string]: unknown;
}

export interface AuditLogEventResource {
  resource_type?: string | null;
  resource_subtype?: string | null;
  gid?: string | null;
  name?: string | null;
  email?: string | null;
  [key: string]: unknown;
}

export interface AuditLogEventContext {
  context_type?: string | null; // web | desktop | mobile | asana_support | asana | email | api | …
  api_authentication_method?: string | null;
  client_ip_address?: string | null;
  user_agent?: string | null;
  oauth_app_name?: string | null;
  rule_name?: string | null;
  on_behalf_of_user_id?: number | string | null;
  [key: string]: unknown;
}

export interface AuditLogEvent {
  gid: string;
  created_at: string; // ISO-8601, e.g. 2021-01-01T00:00:00.000Z
  event_type?: string | null;
  event_category?: string | null;
  actor?: AuditLogEventActor | null;
  resource?: AuditLogEventResource | null;
  details?: Record<string, unknown> | null;
  context?: AuditLogEventContext | null;
  [key: string]: unknown;
}

/** GET /workspaces/{workspace_gid}/audit_log_events → { data, next_page } */
export interface AuditLogPage {
  data: AuditLogEvent[];
  next_page: { offset?: string | null; path?: string | null; uri?: string | null } | null;
}

/** Query of one audit-log request. `limit` is 100 (the API's maximum) unless set. */
export interface AuditLogQuery {
  workspaceGid: string;
  offset?: string;
  startAt?: string;
  endAt?: string;
  eventType?: string;
  actorType?: string;
  actorGid?: string;
  resourceGid?: string;
  /** Page size; default (and maximum) 100. `validate` asks for 1. */
  limit?: number;
}

/** Asana's error envelope: { errors: [{ message, help, phrase }] } */
export interface AsanaErrorBody {
  errors?: Array<{ message?: string; help?: string; phrase?: string }>;
}
