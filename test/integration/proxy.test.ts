import { afterEach, describe, expect, it } from 'vitest';
import { startForwardProxy, type ForwardProxy } from '../helpers/forward-proxy.ts';
import { usePipeline } from '../helpers/pipeline.ts';
import { spawnCli } from '../helpers/receiver.ts';

/**
 * Behind an egress proxy: HTTP_PROXY routes the Asana requests and the OTLP exports through a real
 * forward proxy (with and without proxy authentication), NO_PROXY sends the named hosts direct, and
 * the proxy's password never appears in what the receiver prints.
 */
describe('a forward proxy between the receiver, Asana and the collector', () => {
  const pipeline = usePipeline({ sim: { backlog: 120, seed: 12, backlogSpanMs: 10 * 60_000 } });
  let proxy: ForwardProxy | undefined;
  afterEach(async () => {
    await proxy?.close();
    proxy = undefined;
  });

  const asanaHost = () => new URL(pipeline.sim.url).host;
  const collectorHost = () => new URL(pipeline.collector.url).host;
  const delivered = () => new Set(pipeline.collector.records.map((r) => r.attributes['log.record.uid']));

  async function once(extra: Record<string, string>) {
    const run = spawnCli(['once'], pipeline.env({ OTEL_METRICS_EXPORTER: 'none', ...extra }));
    const exit = await run.exit;
    return { code: exit.code, output: run.stdout() + run.stderr() };
  }

  it.each([
    ['without authentication', undefined],
    ['with proxy authentication', { user: 'egress', password: 'PROXY-S3CRET-pw' }],
  ])('%s: every request to Asana and to the collector goes through the proxy', async (_name, auth) => {
    proxy = await startForwardProxy(auth);
    const { code, output } = await once({ HTTP_PROXY: proxy.url });
    expect(code).toBe(0);
    expect(proxy.refused).toBe(0);
    expect([...delivered()].sort()).toEqual(pipeline.sim.events.map((e) => e.gid).sort());
    const toAsana = proxy.targets.filter((t) => t === asanaHost()).length;
    const toCollector = proxy.targets.filter((t) => t === collectorHost()).length;
    expect(toAsana).toBe(pipeline.sim.stats.requests);
    expect(toCollector).toBe(pipeline.collector.requests.length);
    expect(toCollector).toBeGreaterThan(0);
    expect(proxy.targets).toHaveLength(toAsana + toCollector);
    if (auth) expect(output).not.toContain(auth.password);
  });

  it('a wrong proxy password is refused by the proxy, and not printed', async () => {
    proxy = await startForwardProxy({ user: 'egress', password: 'right-one' });
    const wrong = proxy.url.replace('right-one', 'WRONG-pw-9');
    const run = spawnCli(['once'], pipeline.env({ OTEL_METRICS_EXPORTER: 'none', HTTP_PROXY: wrong, ASANA_MAX_ATTEMPTS: '1' }));
    await new Promise((r) => setTimeout(r, 3_000));
    run.child.kill('SIGTERM');
    await run.exit;
    expect(proxy.refused).toBeGreaterThan(0);
    expect(pipeline.collector.records).toHaveLength(0);
    expect(run.stdout() + run.stderr()).not.toContain('WRONG-pw-9');
  });

  it('NO_PROXY sends the named host direct, the rest still through the proxy', async () => {
    proxy = await startForwardProxy();
    const { code } = await once({ HTTP_PROXY: proxy.url, NO_PROXY: collectorHost() });
    expect(code).toBe(0);
    expect(delivered().size).toBe(pipeline.sim.events.length);
    expect(proxy.targets.filter((t) => t === collectorHost())).toHaveLength(0);
    expect(proxy.targets.filter((t) => t === asanaHost()).length).toBe(pipeline.sim.stats.requests);
  });

  it('validate names the route of each check', async () => {
    proxy = await startForwardProxy({ user: 'egress', password: 'VALIDATE-pw' });
    const run = spawnCli(['validate'], pipeline.env({ HTTP_PROXY: proxy.url, NO_PROXY: collectorHost() }));
    const exit = await run.exit;
    const out = run.stdout();
    expect(exit.code).toBe(0);
    const port = new URL(proxy.url).port;
    expect(out).toMatch(new RegExp(`✓ Asana, audit log of workspace \\d+ \\(via proxy http://127\\.0\\.0\\.1:${port}\\)`));
    expect(out).toMatch(/✓ OTLP logs endpoint .*direct \(NO_PROXY\)/);
    expect(out + run.stderr()).not.toContain('VALIDATE-pw');
  });
});
