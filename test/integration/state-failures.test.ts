import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AsanaClient } from '../../src/asana/client.ts';
import { RateLimiter } from '../../src/asana/rate-limiter.ts';
import { StateError } from '../../src/errors.ts';
import { createOtlpLogSink } from '../../src/export/otlp.ts';
import { buildResource } from '../../src/export/resource.ts';
import { nodeStateFs, type StateFs } from '../../src/state/fs.ts';
import { openFileStateStore } from '../../src/state/store.ts';
import type { StreamState } from '../../src/state/types.ts';
import { AuditLogStream } from '../../src/streams/audit-log/stream.ts';
import { captureLogger, CLI, fastBackoff, ROOT, spawnCli, tempStateFile } from '../helpers/receiver.ts';
import { usePipelineStartedByTest } from '../helpers/pipeline.ts';

/**
 * The state file cannot be written (disk full, permissions, file size limit): the stream stops with
 * a clear error (exit code 4) naming the file, and the last good checkpoint stays intact, so the
 * next start resumes from it with at most the one page in flight re-sent.
 */
const MIN = 60_000;
const pipeline = usePipelineStartedByTest();

const uids = () => pipeline.collector.records.map((r) => r.attributes['log.record.uid'] as string);
function readState(text: string, key: string): StreamState {
  return (JSON.parse(text) as { streams: Record<string, StreamState> }).streams[key]!;
}

describe('state write failures, in-process with an injected file system', () => {
  const failures = {
    'disk full (ENOSPC while writing)': Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }),
    'permission denied (EACCES creating the temp file)': Object.assign(new Error('EACCES: permission denied, open'), { code: 'EACCES' }),
  };

  for (const [what, error] of Object.entries(failures)) {
    it(`${what}: ERR_STATE_WRITE, exit code 4, the last good state intact, and a restart resumes from it`, async () => {
      await pipeline.start({ sim: { backlog: 1_000, seed: 41 } });
      const stateFile = pipeline.stateFile;
      let commits = 0;
      let lastGood = '';
      const failAfter = 4;
      const fs: Partial<StateFs> = {
        open: async (p, flags) => {
          if (flags === 'wx' && commits >= failAfter && p.includes('.tmp-')) {
            if (error.code === 'EACCES') throw error;
            const fh = await nodeStateFs.open(p, flags);
            return { writeFile: async () => Promise.reject(error), sync: () => fh.sync(), close: () => fh.close() };
          }
          return nodeStateFs.open(p, flags);
        },
        rename: async (a, b) => {
          await nodeStateFs.rename(a, b);
          commits++;
          lastGood = await readFile(b, 'utf8');
        },
      };
      const { log } = captureLogger();
      const run = async (stateFs?: Partial<StateFs>) => {
        const store = await openFileStateStore(stateFile, stateFs ? { fs: stateFs } : {});
        const api = new AsanaClient({ apiUrl: pipeline.sim.url, token: pipeline.sim.token, limiter: new RateLimiter(60_000), log, backoff: fastBackoff });
        const sink = createOtlpLogSink({ url: pipeline.collector.logsUrl, protocol: 'http/protobuf', headers: {}, compression: 'none', timeoutMs: 5_000, endpointIsDefault: false, tls: {}, insecure: false });
        const stream = new AuditLogStream({
          api, store, sink, log, resource: buildResource({ resourceAttributes: {}, workspaceGid: pipeline.sim.workspaceGid }),
          workspaceGid: pipeline.sim.workspaceGid, filters: {}, startAt: { kind: 'ago', ms: 7 * 86_400_000 }, pollIntervalMs: 1_000, lateWindowMs: 30 * MIN,
        });
        try {
          return await stream.catchUp(new AbortController().signal);
        } finally {
          await store.close();
          await api.close();
          await sink.shutdown();
        }
      };

      const err = await run(fs).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(StateError);
      expect(err).toMatchObject({ code: 'ERR_STATE_WRITE', exitCode: 4 });
      expect((err as Error).message).toContain(stateFile);
      expect((err as Error).message).toContain(error.code);
      expect((err as Error).message).toContain('the previous checkpoint is unchanged');
      // The file is the last checkpoint that was written, byte for byte.
      const onDisk = await readFile(stateFile, 'utf8');
      expect(onDisk).toBe(lastGood);
      const saved = readState(onDisk, `audit_log/${pipeline.sim.workspaceGid}`);
      // Exactly the pages committed before the failure; the page whose commit failed was acknowledged, not committed.
      expect(saved.eventsShipped).toBe((failAfter - 1) * 100);
      expect(pipeline.collector.records.length).toBe(failAfter * 100);

      // Disk fixed: the restart resumes from the last good state; only that one page comes again.
      await run();
      expect(new Set(uids())).toEqual(new Set(pipeline.sim.events.map((e) => e.gid)));
      expect(pipeline.collector.records.length - pipeline.sim.events.length).toBe(100);
    });
  }
});

describe('state write failures, as a process', () => {
  it('a real write failure (file size limit, EFBIG) mid-run exits 4 naming the file; the last good state is intact', async () => {
    // The backlog lies inside the late-event window, so every page makes the state file bigger.
    await pipeline.start({ sim: { backlog: 3_000, backlogSpanMs: 20 * MIN, seed: 42 } });
    const stateFile = pipeline.stateFile;
    const env = pipeline.env();

    // `ulimit -f 24`: files of this process may not grow beyond 24 KiB (Node ignores SIGXFSZ: writes fail with EFBIG).
    const child = spawn('bash', ['-c', 'ulimit -f 24 && exec "$0" "$@"', process.execPath, CLI, 'once'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code, stderr).toBe(4);
    expect(stderr).toContain('ERR_STATE_WRITE');
    expect(stderr).toContain(stateFile);
    expect(stderr).toContain('EFBIG');
    expect(stderr).toContain('the previous checkpoint is unchanged');

    const text = await readFile(stateFile, 'utf8');
    expect(text.length).toBeLessThanOrEqual(24 * 1024);
    const store = await openFileStateStore(stateFile, { lock: false }); // still a valid checkpoint
    const saved = store.get(`audit_log/${pipeline.sim.workspaceGid}`)!;
    await store.close();
    expect(saved.eventsShipped).toBeGreaterThan(0);
    expect(saved.eventsShipped).toBeLessThan(3_000);
    // Shipped beyond the checkpoint: the one page whose commit failed.
    expect(pipeline.collector.records.length - saved.eventsShipped).toBe(100);

    // Without the limit, the next run resumes from that checkpoint: everything, one page twice.
    const again = spawnCli(['once'], env);
    expect((await again.exit).code, again.stderr()).toBe(0);
    expect(new Set(uids())).toEqual(new Set(pipeline.sim.events.map((e) => e.gid)));
    expect(pipeline.collector.records.length - 3_000).toBe(100);
  });

  it('a state path whose parent is a file exits 4 at start-up naming it, and ships nothing', async () => {
    await pipeline.start({ sim: { backlog: 10, seed: 43 } });
    const blocker = join(dirname(await tempStateFile()), 'not-a-directory');
    await writeFile(blocker, 'x');
    const stateFile = join(blocker, 'state.json');
    const run = spawnCli(['once'], pipeline.env({ ASANA_STATE_FILE: stateFile }));
    expect((await run.exit).code).toBe(4);
    expect(run.stderr()).toContain(stateFile);
    expect(run.stderr()).toContain('ERR_STATE_WRITE');
    expect(pipeline.collector.records).toHaveLength(0);
    expect(pipeline.sim.requests).toHaveLength(0);
  });
});
