import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeTestPki, type TestPki } from '../helpers/certificates.ts';
import { startForwardProxy, type ForwardProxy } from '../helpers/forward-proxy.ts';
import { startGrpcCollector, type GrpcCollector } from '../helpers/grpc-collector.ts';
import { usePipeline } from '../helpers/pipeline.ts';
import { spawnCli } from '../helpers/receiver.ts';

/**
 * OTLP/gRPC behind an egress proxy (the npm `proxy` package, a real forward proxy): the same
 * HTTPS_PROXY / HTTP_PROXY / NO_PROXY as OTLP/HTTP route the channel through a CONNECT tunnel, TLS to
 * the collector inside it (its certificate checked against its own host name), with and without
 * proxy authentication; NO_PROXY sends it direct; grpc-js's own grpc_proxy is not read. The proxy's
 * password never appears in what the receiver prints.
 */
describe('OTLP/gRPC through a forward proxy', () => {
  const pipeline = usePipeline({ sim: { backlog: 80, seed: 17, backlogSpanMs: 10 * 60_000 } });
  let pki: TestPki;
  let proxy: ForwardProxy | undefined;
  let collector: GrpcCollector | undefined;
  beforeAll(async () => {
    pki = await makeTestPki();
  }, 60_000);
  afterEach(async () => {
    await Promise.allSettled([proxy?.close(), collector?.close()]);
    proxy = collector = undefined;
  });

  async function once(extra: Record<string, string>) {
    const run = spawnCli(['once'], pipeline.env({
      OTEL_METRICS_EXPORTER: 'none', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_ENDPOINT: collector!.url, OTEL_EXPORTER_OTLP_CERTIFICATE: pki.caFile, ...extra,
    }));
    const exit = await run.exit;
    return { code: exit.code, output: run.stdout() + run.stderr() };
  }
  const collectorHost = () => new URL(collector!.url).host;
  const tunnels = () => proxy!.targets.filter((t) => t === collectorHost()).length;
  const everyEventOnce = () =>
    expect(collector!.records.map((r) => String(r.attributes['log.record.uid'])).sort()).toEqual(pipeline.sim.events.map((e) => e.gid).sort());

  it.each([
    ['without authentication', undefined],
    ['with proxy authentication', { user: 'egress', password: 'GRPC-PROXY-S3CRET' }],
  ])('%s: TLS to the collector inside a CONNECT tunnel, every event once', async (_name, auth) => {
    proxy = await startForwardProxy(auth);
    collector = await startGrpcCollector({ tls: pki.server });
    const { code, output } = await once({ HTTPS_PROXY: proxy.url });
    expect(code, output).toBe(0);
    everyEventOnce();
    expect(tunnels()).toBeGreaterThanOrEqual(1);
    expect(proxy.refused).toBe(0);
    // Asana (http) is not routed by HTTPS_PROXY: only the collector went through the proxy.
    expect(proxy.targets.every((t) => t === collectorHost())).toBe(true);
    if (auth) expect(output).not.toContain(auth.password);
  });

  it('plaintext gRPC through HTTP_PROXY: tunnelled too (gRPC always needs CONNECT)', async () => {
    proxy = await startForwardProxy();
    collector = await startGrpcCollector();
    const { code, output } = await once({ http_proxy: proxy.url });
    expect(code, output).toBe(0);
    everyEventOnce();
    expect(tunnels()).toBeGreaterThanOrEqual(1);
  });

  it('a wrong proxy password: refused by the proxy, nothing shipped, the route named, the password not printed', async () => {
    proxy = await startForwardProxy({ user: 'egress', password: 'right-one' });
    collector = await startGrpcCollector({ tls: pki.server });
    const { code, output } = await once({ HTTPS_PROXY: proxy.url.replace('right-one', 'WRONG-grpc-pw'), ASANA_ONCE_COLLECTOR_WAIT: '3s' });
    expect(code, output).toBe(1);
    expect(proxy.refused).toBeGreaterThan(0);
    expect(collector.records).toHaveLength(0);
    expect(output).toMatch(new RegExp(`via proxy http://127\\.0\\.0\\.1:${new URL(proxy.url).port}`));
    expect(output).not.toContain('WRONG-grpc-pw');
  });

  it('NO_PROXY names the collector: direct, no tunnel', async () => {
    proxy = await startForwardProxy();
    collector = await startGrpcCollector({ tls: pki.server });
    const { code, output } = await once({ HTTPS_PROXY: proxy.url, NO_PROXY: 'localhost' });
    expect(code, output).toBe(0);
    everyEventOnce();
    expect(tunnels()).toBe(0);
  });

  it("grpc-js's own grpc_proxy is not read: direct, no tunnel", async () => {
    proxy = await startForwardProxy();
    collector = await startGrpcCollector({ tls: pki.server });
    const { code, output } = await once({ grpc_proxy: proxy.url });
    expect(code, output).toBe(0);
    everyEventOnce();
    expect(proxy.targets).toHaveLength(0);
  });
});
