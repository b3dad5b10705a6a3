import { describe, expect, it } from 'vitest';
import { KNOWN_STREAMS, loadConfig, type LoadedConfig } from '../../../src/config/index.ts';
import { ConfigError } from '../../../src/errors.ts';
import { streamKey } from '../../../src/state/key.ts';

/** ASANA_STREAMS with the event streams, ASANA_EVENT_RESOURCES, and the sync-token lifetime warning. */

const NOW = new Date('2026-03-01T12:00:00Z');
const TOKEN = 'MARKER-t0ken-9f3a7c1e5b';
const WS = '1200000000000001';
const BASE = { ASANA_TOKEN: TOKEN, ASANA_WORKSPACE_GID: WS };

function load(env: Record<string, string | undefined>): LoadedConfig {
  return loadConfig(env, { now: NOW });
}

function problems(env: Record<string, string | undefined>): string[] {
  try {
    load(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    const e = err as ConfigError;
    expect(e.exitCode).toBe(2);
    for (const p of e.problems) expect(p).not.toContain(TOKEN);
    return e.problems;
  }
  throw new Error('expected a ConfigError');
}

describe('ASANA_STREAMS', () => {
  it('knows the audit log and both event streams', () => {
    expect(KNOWN_STREAMS).toEqual(['audit_log', 'workspace_events', 'resource_events']);
    expect(load({ ...BASE, ASANA_STREAMS: 'audit_log, workspace_events' }).asana.streams).toEqual(['audit_log', 'workspace_events']);
    expect(load({ ...BASE, ASANA_STREAMS: 'workspace_events' }).asana.streams).toEqual(['workspace_events']);
  });

  it('names an unknown stream and lists the known ones', () => {
    expect(problems({ ...BASE, ASANA_STREAMS: 'audit_log,workspace_event' })).toEqual([
      'ASANA_STREAMS: unknown stream "workspace_event": use audit_log, workspace_events, resource_events',
    ]);
  });
});

describe('ASANA_EVENT_RESOURCES', () => {
  it('is required with resource_events, and the message says what to put there', () => {
    const p = problems({ ...BASE, ASANA_STREAMS: 'audit_log,resource_events' });
    expect(p).toHaveLength(1);
    expect(p[0]).toMatch(/^ASANA_EVENT_RESOURCES is required with the resource_events stream: .*projects, tasks, portfolios or goals/);
    expect(p[0]).toContain('remove resource_events from ASANA_STREAMS');
  });

  it('takes comma-separated gids of the one workspace, without duplicates', () => {
    const c = load({ ...BASE, ASANA_STREAMS: 'resource_events', ASANA_EVENT_RESOURCES: '1300000000000001, 1300000000000002,1300000000000001' });
    expect(c.asana.eventResources).toEqual([
      { workspaceGid: WS, resourceGid: '1300000000000001' },
      { workspaceGid: WS, resourceGid: '1300000000000002' },
    ]);
  });

  it('with several workspaces each entry says which: workspace_gid:gid', () => {
    const env = { ...BASE, ASANA_WORKSPACE_GID: `${WS},1200000000000002`, ASANA_STREAMS: 'resource_events' };
    expect(load({ ...env, ASANA_EVENT_RESOURCES: `1200000000000002:13,${WS}:14` }).asana.eventResources).toEqual([
      { workspaceGid: '1200000000000002', resourceGid: '13' },
      { workspaceGid: WS, resourceGid: '14' },
    ]);
    expect(problems({ ...env, ASANA_EVENT_RESOURCES: '13' })).toEqual([
      'ASANA_EVENT_RESOURCES: "13" does not say which workspace it belongs to; with several ASANA_WORKSPACE_GID values write workspace_gid:13',
    ]);
    expect(problems({ ...env, ASANA_EVENT_RESOURCES: '999:13' })[0]).toContain('names workspace 999, which is not in ASANA_WORKSPACE_GID');
  });

  it('names malformed entries, all at once with other problems', () => {
    const p = problems({ ...BASE, ASANA_STREAMS: 'resource_events', ASANA_EVENT_RESOURCES: 'my-project,13,x:y', ASANA_POLL_INTERVAL: 'often' });
    expect(p).toContain('ASANA_EVENT_RESOURCES: "my-project" is not a gid: use numeric gids (or workspace_gid:gid), comma-separated, e.g. 1200000000000123');
    expect(p.some((x) => x.includes('"x:y" is not a gid'))).toBe(true);
    expect(p.some((x) => x.startsWith('ASANA_POLL_INTERVAL'))).toBe(true);
  });

  it('set without resource_events: a warning, not an error', () => {
    const c = load({ ...BASE, ASANA_EVENT_RESOURCES: '13' });
    expect(c.asana.eventResources).toEqual([]);
    expect(c.warnings).toEqual(['ASANA_EVENT_RESOURCES is set but ASANA_STREAMS does not include resource_events: it is ignored']);
  });
});

describe('sync-token lifetime', () => {
  it('warns when ASANA_POLL_INTERVAL approaches the 24 h token lifetime of an enabled event stream', () => {
    const c = load({ ...BASE, ASANA_STREAMS: 'workspace_events', ASANA_POLL_INTERVAL: '12h' });
    expect(c.warnings).toHaveLength(1);
    expect(c.warnings[0]).toMatch(/^ASANA_POLL_INTERVAL: 12h approaches the lifetime of Asana sync tokens .* used by workspace_events/);
    expect(load({ ...BASE, ASANA_STREAMS: 'workspace_events', ASANA_POLL_INTERVAL: '1h' }).warnings).toEqual([]);
    // The audit log has no sync tokens: a long interval is its own business.
    expect(load({ ...BASE, ASANA_POLL_INTERVAL: '2d' }).warnings).toEqual([]);
  });
});

describe('stream keys', () => {
  it('workspace_events/<workspace>, resource_events/<workspace>?resource=<gid>', () => {
    expect(streamKey({ stream: 'workspace_events', workspaceGid: WS, filters: {} })).toBe(`workspace_events/${WS}`);
    expect(streamKey({ stream: 'resource_events', workspaceGid: WS, filters: {}, resourceGid: '13' })).toBe(`resource_events/${WS}?resource=13`);
    // The audit log's keys do not change.
    expect(streamKey({ stream: 'audit_log', workspaceGid: WS, filters: { actorGid: '5' } })).toBe(`audit_log/${WS}?actor_gid=5`);
  });
});
