/**
 * The benchmark's OTLP/HTTP sink, in its own process:
 *
 *   node bench/sink.ts [--delay MS]
 *
 * Accepts POST /v1/logs (protobuf, uncompressed), answers 200 with an empty body as a collector does,
 * and counts what arrived: requests, log records, and distinct `log.record.uid` values (so a run
 * that lost or duplicated events is caught, not just timed). It walks the protobuf wire format just
 * far enough to find each LogRecord and its uid attribute: cheap, so the sink takes as little of
 * the machine's two cores as possible away from the process being measured.
 *
 * GET /stats -> {"requests","records","distinct","bytes"}; POST /reset clears the counters.
 * Prints {"url"} (the OTLP base URL) as one JSON line once listening; exits on SIGTERM/SIGINT.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { delay: { type: 'string' } } });
const delayMs = Number(values.delay ?? 0);

let requests = 0;
let records = 0;
let bytes = 0;
const uids = new Set<string>();
const UID_KEY = Buffer.from('log.record.uid');

/**
 * The wire walk, without allocating: a run's garbage would be the sink's CPU (its collections took
 * a third of it), taken from the process measured. `pos` is the read position of the walk.
 */
let pos = 0;

/** Reads a varint at `pos` and moves past it. Lengths here stay far below 2^31. */
function varint(buf: Buffer): number {
  let value = 0;
  let shift = 0;
  for (;;) {
    const b = buf[pos++] as number;
    value += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) return value;
    shift += 7;
  }
}

/** The end of the next length-delimited field `field` in [pos, end), `pos` at its start; -1 when there is none. */
function nextField(buf: Buffer, end: number, field: number): number {
  while (pos < end) {
    const tag = varint(buf);
    const wire = tag & 7;
    if (wire === 0) varint(buf);
    else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else if (wire === 2) {
      const len = varint(buf);
      if (tag >>> 3 === field) return pos + len;
      pos += len;
    } else throw new Error(`unsupported wire type ${wire}`);
  }
  return -1;
}

/** Whether the bytes [start, end) are UID_KEY. */
function isUidKey(buf: Buffer, start: number, end: number): boolean {
  if (end - start !== UID_KEY.length) return false;
  for (let i = 0; i < UID_KEY.length; i++) if (buf[start + i] !== UID_KEY[i]) return false;
  return true;
}

/** ExportLogsServiceRequest.resource_logs(1).scope_logs(2).log_records(2).attributes(6) */
function count(buf: Buffer): void {
  pos = 0;
  for (let re = nextField(buf, buf.length, 1); re >= 0; pos = re, re = nextField(buf, buf.length, 1)) {
    for (let se = nextField(buf, re, 2); se >= 0; pos = se, se = nextField(buf, re, 2)) {
      for (let le = nextField(buf, se, 2); le >= 0; pos = le, le = nextField(buf, se, 2)) {
        records++;
        for (let ke = nextField(buf, le, 6); ke >= 0; pos = ke, ke = nextField(buf, le, 6)) {
          // KeyValue.key(1), then KeyValue.value(2) -> AnyValue.string_value(1)
          const kv = pos;
          const keyEnd = nextField(buf, ke, 1);
          if (keyEnd < 0 || !isUidKey(buf, pos, keyEnd)) continue;
          pos = kv;
          const ve = nextField(buf, ke, 2);
          if (ve < 0) continue;
          const se2 = nextField(buf, ve, 1);
          if (se2 >= 0) uids.add(buf.toString('latin1', pos, se2));
        }
      }
    }
  }
}

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/stats') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ requests, records, distinct: uids.size, bytes }));
    return;
  }
  if (req.method === 'POST' && req.url === '/reset') {
    requests = records = bytes = 0;
    uids.clear();
    res.writeHead(204).end();
    return;
  }
  if (req.method !== 'POST' || req.url !== '/v1/logs') {
    res.writeHead(404).end();
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    requests++;
    bytes += body.length;
    try {
      count(body);
    } catch (err) {
      res.writeHead(400, { 'content-type': 'text/plain' }).end(`undecodable request: ${String(err)}`);
      return;
    }
    const answer = () => res.writeHead(200, { 'content-type': 'application/x-protobuf', 'content-length': '0' }).end();
    if (delayMs > 0) setTimeout(answer, delayMs);
    else answer();
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}` })}\n`);
});
const stop = () => server.close(() => process.exit(0)) && server.closeAllConnections();
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
