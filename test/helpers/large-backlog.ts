import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LargeAuditLog } from '../../src/simulator/large-audit-log.ts';
import { MALLOC_ENV } from '../../src/malloc-env.ts';

/**
 * A backlog of huge audit events, for measuring the receiver's memory: a loopback fake Asana
 * serving `events` events of `eventBytes` each (a `details` string of that size) over `spanMs`
 * (so `once` plans backfill windows and reads several at once), with usable next_page offsets; a
 * loopback collector that only counts what it receives (decoding 300 MB of records would measure
 * the test, not the receiver); and `once` in a child process whose peak RSS (VmHWM) is sampled.
 */

export const WORKSPACE = '1200000000000001';
const TOKEN = 'large-backlog-token';

export interface LargeBacklogOptions {
  events: number;
  eventBytes: number;
  spanMs: number;
  /** The CLI to run (default: this repository's). */
  cli?: string;
  /** Extra environment for the receiver. */
  env?: Record<string, string>;
}

export interface LargeBacklogResult {
  exitCode: number | null;
  /** Peak resident set of the receiver process, in MiB (Linux /proc VmHWM). */
  peakRssMiB: number;
  wallMs: number;
  /** Events the receiver's state says it shipped. */
  eventsShipped: number;
  collectorRequests: number;
  collectorBytes: number;
  stderr: string;
}

export async function runLargeBacklog(opts: LargeBacklogOptions): Promise<LargeBacklogResult> {
  const backlog = new LargeAuditLog({ events: opts.events, eventBytes: opts.eventBytes, spanMs: opts.spanMs, firstGid: 7_000_000 });

  const asana: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.headers.authorization !== `Bearer ${TOKEN}` || url.pathname !== `/api/1.0/workspaces/${WORKSPACE}/audit_log_events`) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"errors":[{"message":"Not Found"}]}');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(backlog.page(url.searchParams));
  });
  let collectorRequests = 0;
  let collectorBytes = 0;
  const collector: Server = createServer((req, res) => {
    req.on('data', (c: Buffer) => (collectorBytes += c.length));
    req.on('end', () => {
      if (req.url === '/v1/logs') collectorRequests++;
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await Promise.all([asana, collector].map((s) => new Promise<void>((r) => s.listen(0, '127.0.0.1', r))));
  const port = (s: Server) => (s.address() as AddressInfo).port;
  const stateFile = join(await mkdtemp(join(tmpdir(), 'asana-otel-large-')), 'state.json');

  const started = Date.now();
  const child = spawn(process.execPath, [opts.cli ?? join(import.meta.dirname, '../../src/cli.ts'), 'once'], {
    env: {
      PATH: process.env.PATH ?? '',
      ASANA_TOKEN: TOKEN,
      ASANA_WORKSPACE_GID: WORKSPACE,
      ASANA_API_URL: `http://127.0.0.1:${port(asana)}/api/1.0`,
      ASANA_STATE_FILE: stateFile,
      ASANA_START_AT: `${Math.ceil(opts.spanMs / 86_400_000) + 1}d`,
      ASANA_MAX_REQUESTS_PER_MINUTE: '60000',
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port(collector)}`,
      LOG_LEVEL: 'warn',
      // As in the container image (Dockerfile).
      ...MALLOC_ENV,
      ...opts.env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  let peakKiB = 0;
  const sample = () => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (m) peakKiB = Math.max(peakKiB, Number(m[1]));
    } catch {
      // exited
    }
  };
  const sampler = setInterval(sample, 20);
  const exitCode = await new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  clearInterval(sampler);
  const wallMs = Date.now() - started;
  await Promise.all([asana, collector].map((s) => new Promise<void>((r) => s.close(() => r()))));

  const state = JSON.parse(await readFile(stateFile, 'utf8').catch(() => '{"streams":{}}')) as { streams: Record<string, { eventsShipped?: number }> };
  const eventsShipped = Object.values(state.streams).reduce((n, s) => n + (s.eventsShipped ?? 0), 0);
  return { exitCode, peakRssMiB: Math.round(peakKiB / 1024), wallMs, eventsShipped, collectorRequests, collectorBytes, stderr };
}
