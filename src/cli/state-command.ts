/** `state show` and `state reset`: read or change the checkpoint file the configuration names. */
import { resolveStateFile } from '../config/index.ts';
import { formatDuration } from '../duration.ts';
import { ExitCode } from '../errors.ts';
import { resetFileState } from '../state/admin.ts';
import { openFileStateStore } from '../state/store.ts';

export async function stateCommand(
  sub: 'show' | 'reset',
  values: { config?: string; 'state-file'?: string; stream?: string; all?: boolean; json?: boolean },
): Promise<number> {
  // The file the configuration names (--state-file > ASANA_STATE_FILE in the environment > --config file > default).
  const path = resolveStateFile(process.env, { configFile: values.config, flag: values['state-file'] });
  if (sub === 'show') {
    const store = await openFileStateStore(path, { lock: false });
    const entries = store.entries();
    await store.close();
    const now = Date.now();
    const rows = entries.map(([key, s]) => {
      // The newest shipped event of any cursor: the live tail's, or a backfill window's after a re-split.
      const lastEventAt = [s.lastEventAt, ...(s.backfill ?? []).map((w) => w.lastEventAt)].reduce<string | undefined>(
        (a, b) => (b !== undefined && (a === undefined || b > a) ? b : a),
        undefined,
      );
      return {
        key,
        lastEventAt: lastEventAt ?? null,
        lagSeconds: lastEventAt ? Math.max(0, Math.round((now - Date.parse(lastEventAt)) / 1000)) : null,
        eventsShipped: s.eventsShipped,
        startAt: s.startAt ?? null,
        hasOffset: Boolean(s.offset),
        hasSyncToken: Boolean(s.sync),
        updatedAt: s.updatedAt,
        // Older time windows still being backfilled in parallel, oldest first.
        backfill: (s.backfill ?? []).map((w) => ({ startAt: w.startAt, endAt: w.endAt, lastEventAt: w.lastEventAt ?? null, eventsShipped: w.eventsShipped })),
      };
    });
    if (values.json) {
      process.stdout.write(`${JSON.stringify({ stateFile: path, streams: rows }, null, 2)}\n`);
    } else if (rows.length === 0) {
      process.stdout.write(`${path}: no stream positions yet (first run starts at ASANA_START_AT)\n`);
    } else {
      process.stdout.write(`${path}\n`);
      for (const r of rows) {
        const lag = r.lagSeconds === null ? 'no events shipped yet' : `lag ${formatDuration(r.lagSeconds * 1000, { units: 1, smallest: 's' })}`;
        process.stdout.write(
          `  ${r.key}\n    last event ${r.lastEventAt ?? '-'} (${lag}), ${r.eventsShipped} shipped, ` +
            `updated ${r.updatedAt}${r.hasOffset || r.hasSyncToken ? '' : `, resumes at ${r.startAt ?? r.lastEventAt}`}\n`,
        );
        if (r.backfill.length > 0) {
          const oldest = r.backfill[0]!;
          process.stdout.write(
            `    backfilling ${r.backfill.length} older time window${r.backfill.length === 1 ? '' : 's'} in parallel, ` +
              `from ${oldest.lastEventAt ?? oldest.startAt} up to ${r.backfill.at(-1)!.endAt}\n`,
          );
        }
      }
    }
    return ExitCode.ok;
  }
  if (sub === 'reset') {
    if (!values.all && !values.stream) {
      process.stderr.write('state reset needs --stream KEY (see "state show") or --all: a position is never forgotten by accident\n');
      return ExitCode.config;
    }
    if (values.all) {
      // Works on a corrupt file too (it is kept aside as <file>.corrupt-<time>): that is the case
      // the corrupt-file error sends users here for.
      const { removed, corruptCopy } = await resetFileState(path);
      if (corruptCopy) process.stdout.write(`kept the unreadable state file as ${corruptCopy}\n`);
      for (const key of removed) process.stdout.write(`forgot ${key}: it restarts at ASANA_START_AT on the next run\n`);
      if (removed.length === 0 && !corruptCopy) process.stdout.write(`${path}: nothing to reset\n`);
      return ExitCode.ok;
    }
    const store = await openFileStateStore(path);
    try {
      const key = values.stream!;
      if (!(await store.delete(key))) {
        process.stderr.write(`no stream "${key}" in ${path}; "state show" lists them\n`);
        return ExitCode.config;
      }
      process.stdout.write(`forgot ${key}: it restarts at ASANA_START_AT on the next run\n`);
      return ExitCode.ok;
    } finally {
      await store.close();
    }
  }
  return ExitCode.config;
}

