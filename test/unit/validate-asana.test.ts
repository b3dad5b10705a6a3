import { describe, expect, it } from 'vitest';
import type { AsanaApi } from '../../src/asana/client.ts';
import { CredentialsError } from '../../src/errors.ts';
import { asanaProbes, runAsanaProbe } from '../../src/validate-asana.ts';

type Streams = Array<'audit_log' | 'workspace_events' | 'resource_events'>;
const configWith = (streams: Streams, workspaceGids = ['1'], eventResources = [{ workspaceGid: '1', resourceGid: '77' }]) => ({
  asana: { streams, workspaceGids, auditFilters: {}, eventResources } as never,
});

/** An Asana whose audit log refuses the token (no audit-log scope) and whose events endpoints accept it. */
function fakeAsana() {
  const calls: string[] = [];
  const api = {
    getAuditLogPage: async () => {
      calls.push('audit_log');
      throw new CredentialsError(403, 'Asana answered 403 Forbidden for the audit log: the token has no audit-log access');
    },
    getEvents: async (q: { target: { kind: string; workspaceGid: string; resourceGid?: string } }) => {
      calls.push(`events:${q.target.kind}:${q.target.resourceGid ?? q.target.workspaceGid}`);
      return { kind: 'sync-refused' as const, sync: 'fresh', message: 'Sync token invalid or too old' };
    },
  } as unknown as AsanaApi;
  return { api, calls };
}

describe('validate: the Asana checks follow the configured streams', () => {
  it.each<[string, Streams, string[], boolean[]]>([
    ['audit log only', ['audit_log'], ['audit_log'], [false]],
    ['workspace events only: the audit log is not probed', ['workspace_events'], ['events:workspace:1'], [true]],
    ['resource events only', ['resource_events'], ['events:resource:77'], [true]],
    ['all three, one line each', ['audit_log', 'workspace_events', 'resource_events'], ['audit_log', 'events:workspace:1', 'events:resource:77'], [false, true, true]],
  ])('%s', async (_name, streams, expectedCalls, expectedOk) => {
    const { api, calls } = fakeAsana();
    const checks = [];
    for (const probe of asanaProbes(configWith(streams))) checks.push(await runAsanaProbe(probe, api, 'http://asana.test/api/1.0', 5_000));
    expect(calls).toEqual(expectedCalls);
    expect(checks.map((c) => c.ok)).toEqual(expectedOk);
    for (const c of checks.filter((x) => !x.ok)) expect(c.exitCode).toBe(3);
  });

  it('one line per workspace for each stream', () => {
    const titles = asanaProbes(configWith(['audit_log', 'workspace_events'], ['1', '2'])).map((p) => p.title);
    expect(titles).toEqual([
      'Asana, audit log of workspace 1',
      'Asana, workspace events of workspace 1',
      'Asana, audit log of workspace 2',
      'Asana, workspace events of workspace 2',
    ]);
  });
});
