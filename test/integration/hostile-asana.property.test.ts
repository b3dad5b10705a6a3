import { readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AsanaClient } from '../../src/asana/client.ts';
import { RateLimiter } from '../../src/asana/rate-limiter.ts';
import { ReceiverError } from '../../src/errors.ts';
import { createOtlpLogSink } from '../../src/export/otlp.ts';
import { buildResource } from '../../src/export/resource.ts';
import { openFileStateStore } from '../../src/state/store.ts';
import type { StreamState } from '../../src/state/types.ts';
import { AuditLogStream } from '../../src/streams/audit-log/stream.ts';
import { absurdRetryAfter, hostileElement } from '../helpers/hostile.ts';
import { startOtlpCollector, type OtlpCollector } from '../helpers/otlp-collector.ts';
import { captureLogger, tempStateFile } from '../helpers/receiver.ts';

/**
 * The real client and stream against a loopback "Asana" that answers whatever fast-check generates:
 * pages of hostile events, next_page in every wrong shape, truncated and non-JSON bodies, wrong
 * content types, huge and deeply nested bodies, resets, 5xx, 429 and absurd Retry-After values, the
 * odd fatal status. Properties, checked on the state file after each run:
 *   - the stream never advances past data it did not ship: a saved offset belongs to a page whose
 *     events, and every earlier page's, all reached the collector;
 *   - nothing but a documented ReceiverError ends a run (the process never dies of a response), and
 *     the state file it leaves can be opened again.
 */

type Next = 'offset' | 'null' | 'missing' | 'number' | 'empty' | 'string' | 'array' | 'path-only';
type Body =
  | { kind: 'page'; events: unknown[]; numericGids: boolean; next: Next }
  | { kind: 'truncated'; events: unknown[] }
  | { kind: 'text'; text: string }
  | { kind: 'json'; value: unknown }
  | { kind: 'deep'; depth: number }
  | { kind: 'huge'; size: number }
  | { kind: 'reset' };
interface Scripted {
  status: number;
  contentType: string | undefined;
  retryAfter: string | undefined;
  body: Body;
}

const pageBody: fc.Arbitrary<Body> = fc.record({
  kind: fc.constant('page' as const),
  events: fc.array(hostileElement, { maxLength: 12 }),
  numericGids: fc.boolean(),
  next: fc.oneof(
    { weight: 3, arbitrary: fc.constant<Next>('offset') },
    { weight: 1, arbitrary: fc.constantFrom<Next>('null', 'missing', 'number', 'empty', 'string', 'array', 'path-only') },
  ),
});
const body: fc.Arbitrary<Body> = fc.oneof(
  { weight: 12, arbitrary: pageBody },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncated' as const), events: fc.array(hostileElement, { minLength: 1, maxLength: 4 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('text' as const), text: fc.oneof(fc.string(), fc.constantFrom('<html><h1>502 Bad Gateway</h1></html>', '', 'null', 'OK')) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('json' as const), value: fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.record({ data: fc.jsonValue({ maxDepth: 2 }) })) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('deep' as const), depth: fc.integer({ min: 1_000, max: 50_000 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('huge' as const), size: fc.integer({ min: 100_000, max: 2_000_000 }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'reset' as const }) },
);
const contentType = fc.constantFrom(undefined, 'application/json; charset=UTF-8', 'application/json', 'text/html', 'text/plain', 'application/octet-stream', 'application/xml', 'application/json; charset=latin-1', '');

/** Mostly successes and retryable trouble; now and then a status that stops the stream by design. */
const scripted: fc.Arbitrary<Scripted> = fc.oneof(
  { weight: 20, arbitrary: fc.record({ status: fc.constantFrom(200, 200, 200, 201, 203), contentType, retryAfter: fc.option(absurdRetryAfter, { nil: undefined }), body }) },
  { weight: 4, arbitrary: fc.record({ status: fc.constantFrom(500, 502, 503, 504, 408, 409, 425), contentType, retryAfter: fc.option(absurdRetryAfter, { nil: undefined }), body }) },
  // 429 waits exactly Retry-After: only values that mean "now" here, the absurd ones are a unit property.
  { weight: 1, arbitrary: fc.record({ status: fc.constant(429), contentType, retryAfter: fc.constantFrom('0', 'Thu, 01 Jan 1970 00:00:00 GMT', 'Sun, 06 Nov 1994 08:49:37 GMT'), body }) },
  { weight: 1, arbitrary: fc.record({ status: fc.constant(400), contentType, retryAfter: fc.constant(undefined), body: fc.constant<Body>({ kind: 'json', value: { errors: [{ message: 'offset: The offset has expired.' }] } }) }) },
  { weight: 1, arbitrary: fc.record({ status: fc.constantFrom(400, 401, 403, 404, 418), contentType, retryAfter: fc.constant(undefined), body }) },
);

interface Served {
  main: boolean;
  offset: string | undefined;
  gids: string[];
}

/** The scripted server: answers the queue in order, then an empty page forever. */
class HostileAsana {
  queue: Scripted[] = [];
  served: Served[] = [];
  private gid = 0;
  private offsets = 0;
  private readonly server: Server;
  url = '';

  constructor() {
    this.server = createServer((req, res) => {
      const main = !new URL(req.url ?? '/', 'http://x').searchParams.has('end_at');
      const s = this.queue.shift();
      if (!s) {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"data":[],"next_page":{"offset":"o-end"}}');
        return;
      }
      if (s.body.kind === 'reset') {
        req.socket.destroy();
        return;
      }
      const text = this.render(s, main);
      const headers: Record<string, string> = {};
      if (s.contentType !== undefined) headers['content-type'] = s.contentType;
      if (s.retryAfter !== undefined && /^[\t\x20-\x7e]*$/.test(s.retryAfter)) headers['retry-after'] = s.retryAfter;
      res.writeHead(s.status, headers).end(text);
    });
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/api/1.0`;
  }

  reset(queue: Scripted[]): void {
    this.queue = queue;
    this.served = [];
  }

  private render(s: Scripted, main: boolean): string {
    const b = s.body;
    switch (b.kind) {
      case 'page': {
        const gids: string[] = [];
        const data = b.events.map((e, i) => {
          // Every other non-object element stays as it is (null, a number, an array...): it has no gid.
          const isObject = typeof e === 'object' && e !== null && !Array.isArray(e);
          if (!isObject && i % 2 === 0) return e;
          // Every object gets a unique gid, so what arrived can be told apart; the rest stays hostile.
          const n = ++this.gid;
          gids.push(String(b.numericGids ? n : `g${n}`));
          return { ...(isObject ? e : { not_an_object: e }), gid: b.numericGids ? n : `g${n}` };
        });
        const offset = `o-${++this.offsets}`;
        const next = {
          offset: { offset },
          null: null,
          missing: undefined,
          number: { offset: 42 },
          empty: { offset: '' },
          string: 'o-bogus',
          array: [],
          'path-only': { path: '/elsewhere' },
        }[b.next];
        const ok = s.status >= 200 && s.status < 300;
        if (ok) this.served.push({ main, offset: b.next === 'offset' ? offset : undefined, gids });
        return JSON.stringify(next === undefined ? { data } : { data, next_page: next });
      }
      case 'truncated': {
        const text = JSON.stringify({ data: b.events, next_page: { offset: 'o-cut' } });
        return text.slice(0, Math.floor(text.length / 2));
      }
      case 'text':
        return b.text;
      case 'json':
        return JSON.stringify(b.value) ?? '';
      case 'deep':
        // A valid page whose one element is arrays nested `depth` deep.
        return `{"data":${'['.repeat(b.depth)}${']'.repeat(b.depth)}}`;
      case 'huge':
        return 'x'.repeat(b.size);
      case 'reset':
        return '';
    }
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

describe('the real client and stream against hostile responses (property-based)', () => {
  let asana: HostileAsana;
  let collector: OtlpCollector;
  beforeAll(async () => {
    asana = new HostileAsana();
    await asana.start();
    collector = await startOtlpCollector();
  });
  afterAll(async () => {
    await asana.close();
    await collector.close();
  });

  it('never advances past data it did not ship, and only documented errors end a run', async () => {
    let runs = 0;
    let shippedAny = 0;
    let endedByError = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(scripted, { minLength: 1, maxLength: 10 }),
        fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 4 }) }),
        fc.boolean(),
        async (queue, collectorFailures, collectorRejects) => {
          runs++;
          asana.reset([...queue]); // a copy: the server consumes it, the counterexample must stay whole
          collector.clear();
          if (collectorFailures > 0) collector.failNext(collectorFailures, 503);
          if (collectorRejects && queue.length > 6) collector.failNext(1, 400, { body: 'rejected' });
          const stateFile = await tempStateFile();
          const { log } = captureLogger('error');
          const store = await openFileStateStore(stateFile);
          const limiter = new RateLimiter(1_000_000);
          const client = new AsanaClient({ apiUrl: asana.url, token: 'hostile-test-token', limiter, log, backoff: () => 1, timeoutMs: 5_000 });
          const sink = createOtlpLogSink({ url: collector.logsUrl, protocol: 'http/protobuf', headers: {}, compression: 'none', timeoutMs: 5_000, endpointIsDefault: false, tls: {}, insecure: false });
          const common = { api: client, store, sink, resource: buildResource({ resourceAttributes: {}, workspaceGid: '1' }), workspaceGid: '1', filters: {}, log, backoff: () => 1 };
          const stream = new AuditLogStream({
            ...common, startAt: { kind: 'ago', ms: 86_400_000 }, pollIntervalMs: 1_000, lateWindowMs: 30 * 60_000, lateRescanIntervalMs: 1_000,
          });

          let error: unknown;
          try {
            // A few polls, as `run` would do, until the script is used up.
            for (let poll = 0; poll === 0 || (poll < 12 && asana.queue.length > 0); poll++) await stream.catchUp(new AbortController().signal);
          } catch (err) {
            error = err;
            endedByError++;
          } finally {
            await store.close();
            await client.close();
            await sink.shutdown();
          }
          if (error !== undefined) {
            expect(error, String(error)).toBeInstanceOf(ReceiverError);
            expect((error as ReceiverError).code).toMatch(/^ERR_(ASANA_|EXPORT_REJECTED)/);
          }

          // The state file is readable by the receiver: the next start works.
          const reopened = await openFileStateStore(stateFile, { lock: false });
          const state = reopened.get(stream.key);
          await reopened.close();
          const raw = JSON.parse(await readFile(stateFile, 'utf8')) as { streams: Record<string, StreamState> };
          expect(raw.streams[stream.key]).toEqual(state);

          const arrived = new Set(collector.records.map((r) => String(r.attributes['log.record.uid'])));
          shippedAny += arrived.size;
          expect(state!.eventsShipped).toBeLessThanOrEqual(collector.records.length);
          if (state!.offset !== undefined) {
            const mainPages = asana.served.filter((p) => p.main);
            const at = state!.offset === 'o-end' ? mainPages.length - 1 : mainPages.findIndex((p) => p.offset === state!.offset);
            expect(at === -1 && state!.offset !== 'o-end' ? `unknown offset ${state!.offset}` : 'known').toBe('known');
            for (const page of mainPages.slice(0, at + 1)) for (const gid of page.gids) expect(arrived.has(gid), `gid ${gid} behind the saved offset was not shipped`).toBe(true);
          }
          if (state!.lastEventAt !== undefined) expect(Number.isNaN(Date.parse(state!.lastEventAt))).toBe(false);
          await rm(dirname(stateFile), { recursive: true, force: true });
        },
      ),
      { numRuns: 60 },
    );
    // The generated scripts did exercise both paths.
    expect(runs).toBeGreaterThanOrEqual(60);
    expect(shippedAny).toBeGreaterThan(0);
    expect(endedByError).toBeLessThan(runs / 2);
  }, 120_000);
});
