/** ASANA_EVENT_RESOURCES: the resources whose event streams resource_events reads. */
import type { EventResource } from './types.ts';

/**
 * `gid` or `workspace_gid:gid`, comma-separated. A bare gid belongs to the one configured workspace;
 * with several, each entry must say which (records carry asana.workspace.gid, and the events API does
 * not tell which workspace a resource is in; https://developers.asana.com/reference/getevents).
 */
export function resolveEventResources(
  text: string | undefined,
  enabled: boolean,
  workspaceGids: string[] | undefined,
  where: string,
  problems: string[],
  warnings: string[],
): EventResource[] {
  if (!enabled) {
    if (text !== undefined) warnings.push(`${where} is set but ASANA_STREAMS does not include resource_events: it is ignored`);
    return [];
  }
  if (text === undefined) {
    problems.push(
      'ASANA_EVENT_RESOURCES is required with the resource_events stream: comma-separated gids of the projects, tasks, portfolios or goals to follow, e.g. 1200000000000123,1200000000000456 (or remove resource_events from ASANA_STREAMS)',
    );
    return [];
  }
  const out: EventResource[] = [];
  const entries = text.split(',').map((p) => p.trim()).filter((p) => p !== '');
  for (const entry of entries) {
    const m = /^(?:(\d+):)?(\d+)$/.exec(entry);
    if (!m) {
      problems.push(`${where}: "${entry}" is not a gid: use numeric gids (or workspace_gid:gid), comma-separated, e.g. 1200000000000123`);
      continue;
    }
    const resourceGid = m[2] as string;
    let workspaceGid = m[1];
    if (workspaceGids === undefined) continue; // ASANA_WORKSPACE_GID has its own problem
    if (workspaceGid === undefined) {
      if (workspaceGids.length > 1) {
        problems.push(`${where}: "${entry}" does not say which workspace it belongs to; with several ASANA_WORKSPACE_GID values write workspace_gid:${entry}`);
        continue;
      }
      workspaceGid = workspaceGids[0] as string;
    } else if (!workspaceGids.includes(workspaceGid)) {
      problems.push(`${where}: "${entry}" names workspace ${workspaceGid}, which is not in ASANA_WORKSPACE_GID`);
      continue;
    }
    if (!out.some((r) => r.resourceGid === resourceGid)) out.push({ workspaceGid, resourceGid });
  }
  if (entries.length === 0) problems.push(`${where}: names no resource gid`);
  return out;
}
