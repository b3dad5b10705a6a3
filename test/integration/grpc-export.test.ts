import { readFile } from 'node:fs/promises';
import { status } from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTestPki } from '../helpers/certificates.ts';
import { startGrpcCollector, type GrpcCollector } from '../helpers/grpc-collector.ts';
import { usePipeline } from '../helpers/pipeline.ts';
import { spawnCli } from '../helpers/receiver.ts';

/**
 * OTEL_EXPORTER_OTLP_PROTOCOL=grpc against a loopback gRPC collector: the same acknowledgement rules
 * as OTLP/HTTP. Every event exactly once; UNAVAILABLE is retried and loses nothing; INVALID_ARGUMENT
 * stops `once` with exit 5 and leaves the cursor where it was.
 */
describe('OTLP/gRPC export', () => {
  const pipeline = usePipeline({ sim: { backlog: 250, seed: 31, backlogSpanMs: 10 * 60_000 } });
  let collector: GrpcCollector | undefined;
  afterEach(async () => {
    await collector?.close();
    collector = undefined;
  });

  async function once(extra: Record<string, string> = {}) {
    const run = spawnCli(['once'], pipeline.env({ OTEL_METRICS_EXPORTER: 'none', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_ENDPOINT: collector!.url, ...extra }));
    const exit = await run.exit;
    return { code: exit.code, output: run.stdout() + run.stderr() };
  }
  const gids = () => pipeline.sim.events.map((e) => e.gid).sort();
  const shipped = () => collector!.records.map((r) => String(r.attributes['log.record.uid'])).sort();

  it('a clean run ships every event exactly once', async () => {
    collector = await startGrpcCollector();
    const { code, output } = await once();
    expect(code, output).toBe(0);
    expect(shipped()).toEqual(gids());
    expect(await committedPosition(pipeline.stateFile)).toBe(pipeline.sim.events.at(-1)!.created_at);
  });

  it('UNAVAILABLE for a while: retried, nothing lost', async () => {
    collector = await startGrpcCollector();
    collector.refuseNext(3, status.UNAVAILABLE, 'collector starting');
    const { code, output } = await once();
    expect(code, output).toBe(0);
    expect(collector.calls.filter((c) => c.code === status.UNAVAILABLE)).toHaveLength(3);
    expect(new Set(shipped())).toEqual(new Set(gids()));
    expect(shipped()).toHaveLength(gids().length);
  });

  it('INVALID_ARGUMENT: exit 5, the cursor unmoved', async () => {
    collector = await startGrpcCollector();
    collector.refuseNext(1_000, status.INVALID_ARGUMENT, 'log record too large');
    const { code, output } = await once();
    expect(code).toBe(5);
    expect(output).toMatch(/INVALID_ARGUMENT|log record too large/);
    expect(collector.records).toHaveLength(0);
    expect(await committedPosition(pipeline.stateFile)).toBeUndefined();
  });

  it('TLS: the CA in OTEL_EXPORTER_OTLP_CERTIFICATE is trusted; without it, exit 5 naming the unknown CA', async () => {
    const pki = await makeTestPki();
    collector = await startGrpcCollector({ tls: pki.server });
    const refused = await once();
    expect(refused.code).toBe(5);
    expect(refused.output).toMatch(/unknown CA.*OTEL_EXPORTER_OTLP_LOGS_CERTIFICATE/);
    expect(collector.records).toHaveLength(0);
    const trusted = await once({ OTEL_EXPORTER_OTLP_CERTIFICATE: pki.caFile });
    expect(trusted.code, trusted.output).toBe(0);
    expect(shipped()).toEqual(gids());
  }, 60_000);
});

/** The audit log stream's saved lastEventAt, if the state file holds one. */
async function committedPosition(stateFile: string): Promise<string | undefined> {
  const text = await readFile(stateFile, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  const streams = (JSON.parse(text) as { streams: Record<string, { lastEventAt?: string }> }).streams;
  return Object.values(streams)[0]?.lastEventAt;
}
