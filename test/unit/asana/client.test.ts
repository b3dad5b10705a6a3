import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { AsanaClient } from '../../../src/asana/client.ts';
import { RateLimiter } from '../../../src/asana/rate-limiter.ts';
import { captureLogger } from '../../helpers/receiver.ts';

/**
 * The client reads each answer as bytes and decodes it itself (src/asana/client.ts): what it reads
 * must be what undici's body.text() gave — UTF-8 split anywhere across network chunks, a byte-order
 * mark skipped.
 */
describe('Asana answer bodies', () => {
  let server: Server | undefined;
  let client: AsanaClient | undefined;
  afterEach(async () => {
    await client?.close();
    await new Promise((r) => server?.close(r));
  });

  /** Serves `bytes` to every request, written one small chunk at a time. */
  async function serve(bytes: Buffer): Promise<string> {
    server = createServer(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json; charset=UTF-8' });
      for (let i = 0; i < bytes.length; i += 3) {
        res.write(bytes.subarray(i, i + 3));
        await new Promise((r) => setImmediate(r));
      }
      res.end();
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(server!.address() as AddressInfo).port}/api/1.0`;
  }

  it('decodes multi-byte UTF-8 split across chunks, and skips a byte-order mark', async () => {
    const event = { gid: '1', created_at: '2026-01-01T00:00:00.000Z', actor: { name: 'Zoë Łukasiewicz 日本 🔐' } };
    const json = JSON.stringify({ data: [event], next_page: null });
    const apiUrl = await serve(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(json, 'utf8')]));
    client = new AsanaClient({ apiUrl, token: 't', limiter: new RateLimiter(60_000), log: captureLogger().log, backoff: () => 10 });
    const page = await client.getAuditLogPage({ workspaceGid: '42' });
    expect(page.data).toEqual([event]);
  });
});

describe('a refused offset is an answer, not an error', () => {
  let server: Server | undefined;
  let client: AsanaClient | undefined;
  afterEach(async () => {
    await client?.close();
    await new Promise((r) => server?.close(r));
  });

  /** An Asana answering 400 "offset" to every request, as it does for an expired or invalid offset. */
  async function refusing(): Promise<AsanaClient> {
    server = createServer((_req, res) => {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ message: 'offset: Your pagination token has expired' }] }));
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const apiUrl = `http://127.0.0.1:${(server!.address() as AddressInfo).port}/api/1.0`;
    client = new AsanaClient({ apiUrl, token: 't', limiter: new RateLimiter(60_000), log: captureLogger().log, backoff: () => 10 });
    return client;
  }

  it('with an offset sent: offset-refused, with Asana’s reason', async () => {
    const result = await (await refusing()).getAuditLogPage({ workspaceGid: '42', offset: 'o1', startAt: '2026-01-01T00:00:00.000Z' });
    expect(result).toEqual({
      kind: 'offset-refused',
      message: 'Asana refused the saved offset for the audit log of workspace 42: offset: Your pagination token has expired',
    });
  });

  it('without one there is no offset to refuse: a request error that stops the stream', async () => {
    await expect((await refusing()).getAuditLogPage({ workspaceGid: '42' })).rejects.toMatchObject({ name: 'AsanaRequestError', code: 'ERR_ASANA_REQUEST', status: 400 });
  });
});

describe('a redirect from Asana', () => {
  let server: Server | undefined;
  let other: Server | undefined;
  let client: AsanaClient | undefined;
  afterEach(async () => {
    await client?.close();
    await new Promise((r) => server?.close(r));
    await new Promise((r) => other?.close(r));
  });

  it('is not followed (the token stays with ASANA_API_URL): a request error naming the redirect and its Location', async () => {
    const seenElsewhere: Array<string | undefined> = [];
    other = createServer((req, res) => {
      seenElsewhere.push(req.headers.authorization);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"data":[],"next_page":null}');
    });
    await new Promise<void>((r) => other!.listen(0, '127.0.0.1', r));
    const elsewhere = `http://127.0.0.1:${(other!.address() as AddressInfo).port}/api/1.0/workspaces/42/audit_log_events`;
    server = createServer((_req, res) => {
      res.writeHead(301, { location: `${elsewhere}?limit=100` });
      res.end();
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const apiUrl = `http://127.0.0.1:${(server!.address() as AddressInfo).port}/api/1.0`;
    client = new AsanaClient({ apiUrl, token: 'secret-token', limiter: new RateLimiter(60_000), log: captureLogger().log, backoff: () => 10 });
    const err = await client.getAuditLogPage({ workspaceGid: '42' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'AsanaRequestError', status: 301 });
    expect((err as Error).message).toContain(`HTTP 301 (a redirect) for the audit log of workspace 42, to ${elsewhere}.`);
    expect((err as Error).message).not.toContain('ASANA_AUDIT_');
    expect(seenElsewhere).toEqual([]);
  });
});
