/**
 * An Asana stand-in serving a backlog of huge audit events, in its own process, for the benchmark's
 * large-events scenario:
 *
 *   node bench/large-asana.ts --events 1500 --event-bytes 200000 --span MS
 *
 * GET /api/1.0/workspaces/{gid}/audit_log_events: the pages of src/simulator/large-audit-log.ts,
 * events with a `details` string of --event-bytes spread evenly over the --span ms ending a minute ago.
 *
 * GET /_simulator/stats -> {"requests","byStatus"} as the simulator answers it. Prints
 * {"url","token","workspaceGid"} as one JSON line once listening; exits on SIGTERM/SIGINT.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { LargeAuditLog } from '../src/simulator/large-audit-log.ts';

const { values } = parseArgs({ options: { events: { type: 'string' }, 'event-bytes': { type: 'string' }, span: { type: 'string' } } });
const events = Number(values.events ?? 1500);
const eventBytes = Number(values['event-bytes'] ?? 200_000);
const spanMs = Number(values.span ?? 6 * 86_400_000);
const TOKEN = 'large-events-token';
const WORKSPACE = '1200000000000001';
const PATH = `/api/1.0/workspaces/${WORKSPACE}/audit_log_events`;

const backlog = new LargeAuditLog({ events, eventBytes, spanMs });

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
  answer(200, backlog.page(url.searchParams));
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}/api/1.0`, token: TOKEN, workspaceGid: WORKSPACE })}\n`);
});
const stop = () => server.close(() => process.exit(0)) && server.closeAllConnections();
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
