/**
 * Wire types of the Asana API parts we use (https://developers.asana.com/reference/getauditlogevents,
 * https://developers.asana.com/reference/getevents).
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

/**
 * What one audit-log request gave: a page, or Asana's refusal of the offset sent (expired or
 * invalid: the cursor resumes by time instead).
 */
export type AuditLogResult =
  | ({ kind: 'page' } & AuditLogPage)
  | { kind: 'offset-refused'; message: string };

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

/** A compact resource as events carry it (AsanaNamedResource, UserCompact): gid, resource_type, name. */
export interface CompactResource {
  gid?: string | null;
  resource_type?: string | null;
  resource_subtype?: string | null;
  name?: string | null;
  [key: string]: unknown;
}

/**
 * One event of the events API (EventResponse; GET /events and GET /workspaces/{gid}/events). Events
 * carry no gid. `user` is null for events the system generated; `parent` is set for added/removed
 * events; `change` only when `action` is `changed`. `type` is deprecated (resource.resource_type).
 */
export interface ActivityEvent {
  user?: CompactResource | null;
  resource?: CompactResource | null;
  type?: string | null;
  action?: string | null;
  parent?: CompactResource | null;
  created_at?: string | null;
  change?: {
    field?: string | null;
    action?: string | null;
    new_value?: unknown;
    added_value?: unknown;
    removed_value?: unknown;
    [key: string]: unknown;
  } | null;
  [key: string]: unknown;
}

/** 200 of the events endpoints: the events since the token, the next token, and whether more wait. */
export interface EventsPage {
  data: ActivityEvent[];
  sync: string;
  has_more: boolean;
}

/** Which event stream to read: a workspace's (Enterprise+) or one resource's. */
export type EventsTarget =
  | { kind: 'workspace'; workspaceGid: string }
  | { kind: 'resource'; workspaceGid: string; resourceGid: string };

export interface EventsQuery {
  target: EventsTarget;
  /** The sync token of the previous call; absent on the first call. */
  sync?: string;
}

/**
 * What one events request gave: a page, or Asana's 412 — on the first call (no token) and whenever
 * the token expired or was refused — with the fresh token to continue from.
 */
export type EventsResult =
  | ({ kind: 'page' } & EventsPage)
  | { kind: 'sync-refused'; sync: string; message: string };
