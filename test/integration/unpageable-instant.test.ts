import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.ts';
import { runReceiver } from '../../src/run.ts';
import { startOtlpCollector, type OtlpCollector } from '../helpers/otlp-collector.ts';
import { captureLogger, fastBackoff, tempStateFile } from '../helpers/receiver.ts';

/**
 * A fake Asana whose audit log has 250 events in one millisecond and whose pages never carry a
 * usable next_page offset (absent, null, empty, a number): start_at alone cannot page past that
 * instant (https://developers.asana.com/reference/getauditlogevents). The receiver must say so — a
 * gap record naming the instant and the count shipped, and a warning — and read on past it, never
 * call it "caught up" there nor re-read it forever.
 */
const WORKSPACE = '1200000000000001';
const TOKEN = 'fake-asana-token';

type NextPage = 'absent' | 'null' | 'empty' | 'number';

interface FakeAsana {
  url: string;
  requests: number;
  close(): Promise<void>;
}

async function fakeAsana(events: Array<{ gid: string; created_at: string }>, next: NextPage): Promise<FakeAsana> {
  const sorted = [...events].sort((a, b) => a.created_at.localeCompare(b.created_at) || a.gid.localeCompare(b.gid));
  const fake = { url: '', requests: 0, close: () => Promise.resolve() };
  const server: Server = createServer((req, res) => {
    fake.requests++;
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.headers.authorization !== `Bearer ${TOKEN}` || url.pathname !== `/api/1.0/workspaces/${WORKSPACE}/audit_log_events`) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"errors":[{"message":"Not Found"}]}');
      return;
    }
    const startAt = Date.parse(url.searchParams.get('start_at') ?? '1970-01-01T00:00:00Z');
    const endAt = Date.parse(url.searchParams.get('end_at') ?? '9999-01-01T00:00:00Z');
    const limit = Number(url.searchParams.get('limit') ?? 100);
    const data = sorted.filter((e) => Date.parse(e.created_at) >= startAt && Date.parse(e.created_at) < endAt).slice(0, limit);
    const body: Record<string, unknown> = { data: data.map((e) => ({ ...e, event_type: 'user_login_succeeded', event_category: 'logins', actor: { actor_type: 'user', gid: '9' } })) };
    if (next === 'null') body.next_page = null;
    if (next === 'empty') body.next_page = { offset: '' };
    if (next === 'number') body.next_page = { offset: 12345 };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/1.0`;
  fake.close = () => new Promise<void>((r) => server.close(() => r()));
  return fake;
}

describe('an instant time alone cannot page past', () => {
  let asana: FakeAsana | undefined;
  let collector: OtlpCollector | undefined;
  afterEach(async () => {
    await asana?.close();
    await collector?.close();
  });

  it.each<NextPage>(['absent', 'null', 'empty', 'number'])('next_page %s, 250 events in one millisecond: a gap and a warning, then on past it', async (next) => {
    const instant = new Date(Date.now() - 20 * 60_000);
    instant.setUTCMilliseconds(123);
    const T = instant.toISOString();
    const burst = Array.from({ length: 250 }, (_, i) => ({ gid: String(5_000_000 + i), created_at: T }));
    const later = Array.from({ length: 30 }, (_, i) => ({ gid: String(6_000_000 + i), created_at: new Date(instant.getTime() + 5 + i).toISOString() }));
    asana = await fakeAsana([...burst, ...later], next);
    collector = await startOtlpCollector();
    const stateFile = await tempStateFile();
    const config = loadConfig({
      ASANA_TOKEN: TOKEN,
      ASANA_WORKSPACE_GID: WORKSPACE,
      ASANA_API_URL: asana.url,
      ASANA_STATE_FILE: stateFile,
      ASANA_START_AT: '1h',
      ASANA_MAX_REQUESTS_PER_MINUTE: '60000',
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
    });
    const { log, lines } = captureLogger();

    expect(await runReceiver('once', config, log, { backoff: fastBackoff })).toBe(0);

    const shipped = collector.records.filter((r) => r.eventName !== 'asana.receiver.gap');
    const gaps = collector.records.filter((r) => r.eventName === 'asana.receiver.gap');
    // What Asana let us read of the instant (its first page), and everything after it.
    expect(new Set(shipped.map((r) => r.attributes['log.record.uid']))).toEqual(new Set([...burst.slice(0, 100), ...later].map((e) => e.gid)));
    expect(gaps).toHaveLength(1);
    expect(gaps[0]!.severityText).toBe('WARN');
    expect(gaps[0]!.attributes).toMatchObject({ 'asana.gap.reason': 'instant_unpageable', 'asana.gap.start': T, 'asana.receiver.stream': `audit_log/${WORKSPACE}` });
    expect(gaps[0]!.body).toContain(`100 events created at ${T} were shipped`);
    expect(lines().some((l) => l.includes('"level":"warn"') && l.includes('instant unpageable') && l.includes(T))).toBe(true);
    const saved = JSON.parse(await readFile(stateFile, 'utf8')) as { streams: Record<string, { lastEventAt?: string }> };
    expect(saved.streams[`audit_log/${WORKSPACE}`]?.lastEventAt).toBe(later.at(-1)!.created_at);
    const requests = asana.requests;

    // Run again: the instant is behind the cursor; nothing is re-read, no second gap.
    expect(await runReceiver('once', config, captureLogger().log, { backoff: fastBackoff })).toBe(0);
    expect(collector.records.filter((r) => r.eventName === 'asana.receiver.gap')).toHaveLength(1);
    expect(asana.requests - requests).toBeLessThan(10);
  });
});
