/**
 * An Asana stand-in serving a backlog of huge audit events, in its own process, for the benchmark's
 * large-events scenario:
 *
 *   node bench/large-asana.ts --events 1500 --event-bytes 200000 --span MS
 *
 * GET /api/1.0/workspaces/{gid}/audit_log_events with start_at, end_at, offset and limit, as Asana
 * documents it (https://developers.asana.com/reference/getauditlogevents): events oldest first, each
 * with a `details` string of --event-bytes, spread evenly over the --span ms ending a minute ago.
 * Asana hands out a next_page offset whenever the query matched anything, even past the end, so
 * does this. Pages are built on request; the process holds one blob, not the backlog.
 *
 * GET /_simulator/stats -> {"requests","byStatus"} as the simulator answers it. Prints
 * {"url","token","workspaceGid"} as one JSON line once listening; exits on SIGTERM/SIGINT.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { events: { type: 'string' }, 'event-bytes': { type: 'string' }, span: { type: 'string' } } });
const events = Number(values.events ?? 1500);
const eventBytes = Number(values['event-bytes'] ?? 200_000);
const spanMs = Number(values.span ?? 6 * 86_400_000);
const TOKEN = 'large-events-token';
const WORKSPACE = '1200000000000001';
const PATH = `/api/1.0/workspaces/${WORKSPACE}/audit_log_events`;

const now = Date.now();
const blob = 'x'.repeat(eventBytes);
/** created_at of event i, ascending. */
const times = Array.from({ length: events }, (_, i) => now - spanMs + Math.floor((i * spanMs) / events) - 60_000);
const event = (i: number) => ({
  gid: String(1_300_000_000_000_000 + i),
  created_at: new Date(times[i]!).toISOString(),
  event_type: 'task_deleted',
  event_category: 'content_management',
  actor: { actor_type: 'user', gid: '1200000000000009', name: 'Ada', email: 'ada@example.com' },
  resource: { resource_type: 'task', gid: String(1_400_000_000_000_000 + i), name: 'a task' },
  context: { context_type: 'web', client_ip_address: '192.0.2.1' },
  details: { blob },
});

let requests = 0;
const byStatus: Record<string, number> = {};
const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  if (url.pathname === '/_simulator/stats') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ requests, byStatus }));
    return;
  }
  requests++;
  const answer = (status: number, body: string) => {
    byStatus[status] = (byStatus[status] ?? 0) + 1;
    res.writeHead(status, { 'content-type': 'application/json' }).end(body);
  };
  if (req.headers.authorization !== `Bearer ${TOKEN}`) return answer(401, '{"errors":[{"message":"Not Authorized"}]}');
  if (url.pathname !== PATH) return answer(404, '{"errors":[{"message":"Not Found"}]}');
  const startAt = Date.parse(url.searchParams.get('start_at') ?? '1970-01-01T00:00:00Z');
  const endAt = Date.parse(url.searchParams.get('end_at') ?? '9999-01-01T00:00:00Z');
  const limit = Number(url.searchParams.get('limit') ?? 100);
  const from = Number((url.searchParams.get('offset') ?? 'o0').slice(1));
  const matching: number[] = [];
  for (let i = 0; i < times.length; i++) if (times[i]! >= startAt && times[i]! < endAt) matching.push(i);
  const page = matching.slice(from, from + limit);
  const next = matching.length > 0 ? { offset: `o${Math.min(from + limit, matching.length)}` } : null;
  answer(200, JSON.stringify({ data: page.map(event), next_page: next }));
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}/api/1.0`, token: TOKEN, workspaceGid: WORKSPACE })}\n`);
});
const stop = () => server.close(() => process.exit(0)) && server.closeAllConnections();
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
