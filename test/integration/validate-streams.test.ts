import { describe, expect, it } from 'vitest';
import { runValidate } from '../../src/validate.ts';
import { usePipeline } from '../helpers/pipeline.ts';

/**
 * A token without the audit-log scope is fine for a receiver that reads only activity events:
 * validate probes the endpoints of the configured streams, each on its own line.
 */
describe('validate checks the streams that are configured', () => {
  const pipeline = usePipeline({ sim: { backlog: 5, seed: 12, auditScope: false } });

  async function validate(extra: Record<string, string>): Promise<{ code: number; lines: string[] }> {
    const lines: string[] = [];
    const code = await runValidate({ env: pipeline.env({ OTEL_METRICS_EXPORTER: 'none', ...extra }), write: (l) => lines.push(l), asanaBackoff: () => 20 });
    return { code, lines };
  }

  it('workspace events only: the audit log is not probed, the sync handshake is, exit 0', async () => {
    const { code, lines } = await validate({ ASANA_STREAMS: 'workspace_events' });
    expect(lines.filter((l) => l.includes('Asana,'))).toEqual([
      `✓ Asana, workspace events of workspace ${pipeline.sim.workspaceGid} (direct): the token is accepted, a sync token was handed out`,
    ]);
    expect(pipeline.sim.requests.some((r) => r.path.includes('audit_log_events'))).toBe(false);
    expect(code).toBe(0);
  });

  it('the audit log and workspace events: one line each, the audit log refused (exit 3)', async () => {
    const { code, lines } = await validate({ ASANA_STREAMS: 'audit_log,workspace_events' });
    const asana = lines.filter((l) => l.includes('Asana,'));
    expect(asana).toHaveLength(2);
    expect(asana[0]).toMatch(/^✗ Asana, audit log of workspace \d+ \(direct\): .*audit log/);
    expect(asana[1]).toMatch(/^✓ Asana, workspace events of workspace/);
    expect(code).toBe(3);
  });
});
