/**
 * A second process for the lock tests: opens the state store at argv[2], prints "locked" with its
 * pid, and holds the lock until SIGTERM (closes cleanly) or SIGKILL (leaves a stale lock behind).
 * When the lock is refused it prints "refused <code>: <message>" and exits 3.
 *
 * STATE_LOCK_IDENTITY (JSON, e.g. {"pid":1,"hostname":"box","pidNamespace":"pid:[1]"}) makes it
 * claim another identity in the lock, as a process in another container would have.
 */
import { StateError } from '../../src/errors.ts';
import { openFileStateStore } from '../../src/state/store.ts';
import type { StateStore } from '../../src/state/types.ts';

const path = process.argv[2];
if (!path) {
  process.stderr.write('usage: node test/helpers/state-lock-holder.ts <state-file>\n');
  process.exit(2);
}
const identity = process.env.STATE_LOCK_IDENTITY ? JSON.parse(process.env.STATE_LOCK_IDENTITY) : undefined;
let store: StateStore;
try {
  store = await openFileStateStore(path, { onWarning: (m) => process.stderr.write(`${m}\n`), identity });
} catch (err) {
  if (!(err instanceof StateError)) throw err;
  process.stdout.write(`refused ${err.code}: ${err.message}\n`);
  process.exit(3);
}
const keepAlive = setInterval(() => undefined, 1 << 30);
process.on('SIGTERM', () => {
  clearInterval(keepAlive);
  void store.close().then(() => process.exit(0));
});
process.stdout.write(`locked ${process.pid}\n`);
