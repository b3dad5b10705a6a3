/**
 * `validate`'s Asana checks: one line per configured stream and workspace (or resource), each
 * probing the endpoint that stream reads, never one that is not configured — a token without
 * audit-log access is fine for a receiver that reads only activity events.
 *
 *   audit_log         GET /workspaces/{gid}/audit_log_events?limit=1: the token, the audit-log scope
 *                     (service account), the workspace gid and the ASANA_AUDIT_* filters
 *                     (https://developers.asana.com/reference/getauditlogevents)
 *   workspace_events  GET /events?workspace={gid} without a sync token: Asana answers 412 with a
 *                     fresh token, which is the handshake every stream starts with
 *                     (https://developers.asana.com/reference/getevents)
 *   resource_events   GET /events?resource={gid}, the same handshake, per ASANA_EVENT_RESOURCES entry
 *
 * Bounded: the client makes at most `attempts` attempts and the whole check gives up after `limitMs`.
 */
import type { AsanaApi } from './asana/client.ts';
import type { EventsTarget } from './asana/types.ts';
import type { LoadedConfig } from './config/index.ts';
import { AbortedError, ExitCode, ReceiverError } from './errors.ts';
import { safeUrl } from './export/classify.ts';

export interface Check {
  ok: boolean;
  line: string;
  exitCode?: ExitCode;
}

/** What one probe is: a title for its line and the request that tells. */
export interface AsanaProbe {
  title: string;
  run: (api: AsanaApi, signal: AbortSignal) => Promise<string>;
}

/** The probes for what is configured, in the order the receiver starts its streams. */
export function asanaProbes(config: Pick<LoadedConfig, 'asana'>): AsanaProbe[] {
  const { streams, workspaceGids, auditFilters: f, eventResources } = config.asana;
  const probes: AsanaProbe[] = [];
  for (const workspaceGid of workspaceGids) {
    if (streams.includes('audit_log')) {
      probes.push({
        title: `Asana, audit log of workspace ${workspaceGid}`,
        run: async (api, signal) => {
          const result = await api.getAuditLogPage(
            { workspaceGid, limit: 1, eventType: f.eventType, actorType: f.actorType, actorGid: f.actorGid, resourceGid: f.resourceGid },
            signal,
          );
          const seen = result.kind === 'page' && result.data.length > 0 ? 'events readable' : 'readable (no events yet for these filters)';
          return `the token is accepted, ${seen}`;
        },
      });
    }
    if (streams.includes('workspace_events')) {
      probes.push(eventsProbe(`Asana, workspace events of workspace ${workspaceGid}`, { kind: 'workspace', workspaceGid }));
    }
  }
  if (streams.includes('resource_events')) {
    for (const r of eventResources) {
      probes.push(eventsProbe(`Asana, events of resource ${r.resourceGid} (workspace ${r.workspaceGid})`, { kind: 'resource', ...r }));
    }
  }
  return probes;
}

function eventsProbe(title: string, target: EventsTarget): AsanaProbe {
  return {
    title,
    run: async (api, signal) => {
      const result = await api.getEvents({ target }, signal);
      // Without a sync token Asana answers 412 with one: the stream can start.
      return result.kind === 'sync-refused' ? 'the token is accepted, a sync token was handed out' : 'the token is accepted, events readable';
    },
  };
}

/** Runs one probe within `limitMs`; every outcome becomes a check line naming what to fix. */
export async function runAsanaProbe(probe: AsanaProbe, api: AsanaApi, apiUrl: string, limitMs: number): Promise<Check> {
  try {
    return { ok: true, line: `${probe.title}: ${await probe.run(api, AbortSignal.timeout(limitMs))}` };
  } catch (err) {
    if (err instanceof AbortedError) {
      return {
        ok: false,
        exitCode: ExitCode.fatal,
        line: `${probe.title}: no usable answer from ${safeUrl(apiUrl)} within ${Math.round(limitMs / 1000)} s (rate limited, or the network is slow). Fix: check the network path to Asana and try again`,
      };
    }
    if (err instanceof ReceiverError) {
      const fix = err.code === 'ERR_ASANA_UNAVAILABLE' ? ' Fix: check ASANA_API_URL and the network path (proxy, firewall, DNS) to Asana' : '';
      return { ok: false, exitCode: err.exitCode, line: `${probe.title}: ${err.message}${fix}` };
    }
    throw err;
  }
}
