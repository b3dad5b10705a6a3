/**
 * Peak memory of `once` over a backlog of huge audit events (test/helpers/large-backlog.ts):
 *
 *   node bench/large-events.ts [--events 1500] [--event-kb 200] [--span-days 6] [--cli path/to/src/cli.ts]
 *
 * `--cli` runs another checkout's receiver against the same backlog, for a before/after comparison.
 */
import { parseArgs } from 'node:util';
import { runLargeBacklog } from '../test/helpers/large-backlog.ts';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '1500' },
    'event-kb': { type: 'string', default: '200' },
    'span-days': { type: 'string', default: '6' },
    cli: { type: 'string' },
  },
});
const result = await runLargeBacklog({
  events: Number(values.events),
  eventBytes: Number(values['event-kb']) * 1000,
  spanMs: Number(values['span-days']) * 86_400_000,
  cli: values.cli,
});
const { stderr, ...figures } = result;
console.log(JSON.stringify(figures));
if (result.exitCode !== 0) console.error(stderr);
