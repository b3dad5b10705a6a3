/**
 * A second process for the lock tests: opens the state store at argv[2], prints "locked" with its
 * pid, and holds the lock until SIGTERM (closes cleanly) or SIGKILL (leaves a stale lock behind).
 */
import { openFileStateStore } from '../../src/state/file-store.ts';

const path = process.argv[2];
if (!path) {
  process.stderr.write('usage: node test/helpers/state-lock-holder.ts <state-file>\n');
  process.exit(2);
}
const store = await openFileStateStore(path, { onWarning: (m) => process.stderr.write(`${m}\n`) });
const keepAlive = setInterval(() => undefined, 1 << 30);
process.on('SIGTERM', () => {
  clearInterval(keepAlive);
  void store.close().then(() => process.exit(0));
});
process.stdout.write(`locked ${process.pid}\n`);
