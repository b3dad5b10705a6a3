import type { ActivityGenerator } from './activity.ts';
import type { AuditLogPager } from './domain.ts';
import { errorResponse, JSON_CONTENT_TYPE, type SimResponse } from './faults.ts';
import type { SyncEventLog, SyncScope } from './sync.ts';

/**
 * The Asana API routes the simulator answers, as a table: the path below /api/1.0, its handler, and
 * the access rules Asana documents for it (401 without a valid token, 403 outside the token's scope).
 */

export const API_PREFIX = '/api/1.0';
/** Asana: "Asana limits a single sync token to 100 events" (GET /events). */
export const RESOURCE_EVENTS_LIMIT = 100;
/** Asana: "Asana limits a single sync token to 1000 events" (GET /workspaces/{gid}/events). */
export const WORKSPACE_EVENTS_LIMIT = 1000;

interface RouteContext {
  url: URL;
  params: Record<string, string>;
}

export interface Route {
  method: string;
  /** Matched against the path below /api/1.0; named groups become `params`. */
  pattern: RegExp;
  handle: (ctx: RouteContext) => SimResponse;
}

export interface ApiDomain {
  workspaceGid: string;
  /** false: valid tokens lack the audit-log scope. */
  auditScope: boolean;
  /** false: workspace events answer 403. */
  workspaceEvents: boolean;
  pager: AuditLogPager;
  syncLog: SyncEventLog;
  activity: ActivityGenerator;
  /** The API's base URL, for next_page.uri. */
  baseUrl: () => string;
}

export function apiRoutes(d: ApiDomain): Route[] {
  return [
    { method: 'GET', pattern: /^\/workspaces\/(?<workspace_gid>[^/]+)\/audit_log_events$/, handle: (ctx) => auditLogEvents(d, ctx) },
    { method: 'GET', pattern: /^\/workspaces\/(?<workspace_gid>[^/]+)\/events$/, handle: (ctx) => workspaceEvents(d, ctx) },
    { method: 'GET', pattern: /^\/events$/, handle: (ctx) => resourceEvents(d, ctx) },
  ];
}

/** The answer of the route a request matches: 404 without a route, 401 without the token. */
export function routeRequest(routes: readonly Route[], token: string, method: string | undefined, authorization: string | undefined, url: URL): SimResponse {
  const path = url.pathname.startsWith(`${API_PREFIX}/`) ? url.pathname.slice(API_PREFIX.length) : undefined;
  const route = path === undefined ? undefined : routes.find((r) => r.method === method && r.pattern.test(path));
  if (!route || path === undefined) return errorResponse(404, 'No matching route for request');
  // Asana: 401 when the token is missing or not valid.
  if (authorization !== `Bearer ${token}`) return errorResponse(401, 'Not Authorized');
  const params: Record<string, string> = {};
  for (const [k, v] of Object.entries(route.pattern.exec(path)?.groups ?? {})) {
    try {
      params[k] = decodeURIComponent(v);
    } catch {
      return errorResponse(404, 'No matching route for request');
    }
  }
  return route.handle({ url, params });
}

function auditLogEvents(d: ApiDomain, ctx: RouteContext): SimResponse {
  const gid = ctx.params.workspace_gid ?? '';
  if (gid !== d.workspaceGid) {
    return errorResponse(403, `workspace: You do not have access to workspace ${gid}, or it does not exist. The token can read the audit log of workspace ${d.workspaceGid} only.`);
  }
  // Asana: only service accounts of Enterprise domains can read the audit log.
  if (!d.auditScope) {
    return errorResponse(403, 'This token does not have access to the audit log API. Only service accounts of Enterprise domains with the audit log scope can read audit log events.');
  }
  const pathBase = ctx.url.pathname.slice(API_PREFIX.length);
  const result = d.pager.page(ctx.url.searchParams, pathBase, d.baseUrl());
  if (!result.ok) return errorResponse(result.status, result.message);
  return { status: 200, headers: { 'content-type': JSON_CONTENT_TYPE }, body: JSON.stringify(result.page) };
}

function workspaceEvents(d: ApiDomain, ctx: RouteContext): SimResponse {
  const gid = ctx.params.workspace_gid ?? '';
  if (gid !== d.workspaceGid) {
    return errorResponse(403, `workspace: You do not have access to workspace ${gid}, or it does not exist. The token can read workspace ${d.workspaceGid} only.`);
  }
  // Asana: "access to this API is exclusively available through a service account in an Enterprise+ domain".
  if (!d.workspaceEvents) {
    return errorResponse(403, 'Workspace events are only available to service accounts of Enterprise+ domains.');
  }
  return syncAnswer(d, { kind: 'workspace' }, ctx.url.searchParams, WORKSPACE_EVENTS_LIMIT);
}

function resourceEvents(d: ApiDomain, ctx: RouteContext): SimResponse {
  const resource = ctx.url.searchParams.get('resource');
  if (resource === null || resource === '') return errorResponse(400, 'resource: Missing input');
  if (!/^\d+$/.test(resource)) return errorResponse(400, `resource: Not a valid gid: ${resource}`);
  if (!d.activity.isResource(resource) && !d.syncLog.hasScope(resource)) return errorResponse(404, `resource: Unknown object: ${resource}`);
  return syncAnswer(d, { kind: 'resource', gid: resource }, ctx.url.searchParams, RESOURCE_EVENTS_LIMIT);
}

/** 200 {data, sync, has_more}, or 412 {errors, sync} on the first call and for a refused token. */
function syncAnswer(d: ApiDomain, scope: SyncScope, params: URLSearchParams, limit: number): SimResponse {
  const sync = params.get('sync');
  const result = d.syncLog.read(scope, sync === null || sync === '' ? undefined : sync, limit);
  if (!result.ok) {
    return { status: 412, headers: { 'content-type': JSON_CONTENT_TYPE }, body: JSON.stringify({ errors: [{ message: result.message }], sync: result.sync }) };
  }
  return { status: 200, headers: { 'content-type': JSON_CONTENT_TYPE }, body: JSON.stringify({ data: result.data, sync: result.sync, has_more: result.hasMore }) };
}
