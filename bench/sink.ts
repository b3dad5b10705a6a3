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

/** Reads a varint at `pos`; returns [value, next position]. Lengths here stay far below 2^31. */
function varint(buf: Buffer, pos: number): [number, number] {
  let value = 0;
  let shift = 0;
  for (;;) {
    const b = buf[pos++] as number;
    value += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) return [value, pos];
    shift += 7;
  }
}

/** Calls `fn(start, end)` for every length-delimited field `field` in [start, end); skips the rest. */
function eachField(buf: Buffer, start: number, end: number, field: number, fn: (s: number, e: number) => void): void {
  let pos = start;
  while (pos < end) {
    const [tag, p] = varint(buf, pos);
    pos = p;
    const wire = tag & 7;
    if (wire === 0) pos = varint(buf, pos)[1];
    else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else if (wire === 2) {
      const [len, q] = varint(buf, pos);
      if (tag >>> 3 === field) fn(q, q + len);
      pos = q + len;
    } else throw new Error(`unsupported wire type ${wire}`);
  }
}

/** ExportLogsServiceRequest.resource_logs(1).scope_logs(2).log_records(2).attributes(6) */
function count(buf: Buffer): void {
  eachField(buf, 0, buf.length, 1, (rs, re) =>
    eachField(buf, rs, re, 2, (ss, se) =>
      eachField(buf, ss, se, 2, (ls, le) => {
        records++;
        eachField(buf, ls, le, 6, (ks, ke) => {
          let key: string | undefined;
          eachField(buf, ks, ke, 1, (a, b) => {
            key = b - a === UID_KEY.length && buf.subarray(a, b).equals(UID_KEY) ? 'uid' : 'other';
          });
          if (key !== 'uid') return;
          // KeyValue.value(2) -> AnyValue.string_value(1)
          eachField(buf, ks, ke, 2, (vs, ve) => eachField(buf, vs, ve, 1, (a, b) => uids.add(buf.toString('latin1', a, b))));
        });
      }),
    ),
  );
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
