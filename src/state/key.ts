import type { AuditLogFilters } from '../config/index.ts';
import type { StreamKey } from './types.ts';

/** Filter fields under the names the Asana API uses for them (query parameters). */
const FILTER_PARAMS: Record<keyof AuditLogFilters, string> = {
  eventType: 'event_type',
  actorType: 'actor_type',
  actorGid: 'actor_gid',
  resourceGid: 'resource_gid',
};

/**
 * The state-file key of one cursor: `audit_log/<workspaceGid>`, plus `?actor_gid=..&event_type=..`
 * (API parameter names, sorted, values percent-encoded) when filters are set. Human-readable and
 * stable: the same stream, workspace and filters always give the same key, so a changed filter set
 * starts a new cursor instead of reusing an offset that belongs to other filters. The resource of a
 * resource_events cursor is its `resource` parameter: `resource_events/<workspaceGid>?resource=<gid>`.
 */
export function streamKey(k: StreamKey): string {
  const params: Array<[string, string]> = [];
  for (const [field, param] of Object.entries(FILTER_PARAMS) as Array<[keyof AuditLogFilters, string]>) {
    const v = k.filters[field];
    if (v !== undefined && v !== '') params.push([param, v]);
  }
  if (k.resourceGid !== undefined && k.resourceGid !== '') params.push(['resource', k.resourceGid]);
  params.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const base = `${k.stream}/${k.workspaceGid}`;
  if (params.length === 0) return base;
  return `${base}?${params.map(([p, v]) => `${p}=${encodeURIComponent(v)}`).join('&')}`;
}
