/**
 * How a command that ends with an error says so on stderr: in the receiver's log format, so a log
 * pipeline that reads JSON lines gets ONE line listing every configuration problem.
 */
import { DEFAULTS } from '../config/env-vars.ts';
import type { LogFormat } from '../config/types.ts';
import { ConfigError, ReceiverError } from '../errors.ts';

/** LOG_FORMAT as the environment gives it (the configuration itself may be what failed). */
export function logFormatFrom(env: Record<string, string | undefined>): LogFormat {
  const v = env.LOG_FORMAT?.trim();
  return v === 'pretty' || v === 'json' ? v : DEFAULTS.logFormat;
}

/** The text to write to stderr for an error that ends the command (already scrubbed by `redact`). */
export function fatalMessage(err: unknown, format: LogFormat, redact: (text: string) => string, now = new Date()): string {
  const message = redact(err instanceof Error ? err.message : String(err));
  if (format === 'pretty') return `${message}\n`;
  const line: Record<string, unknown> = { level: 'error', message };
  if (err instanceof ReceiverError) line.code = err.code;
  if (err instanceof ConfigError) {
    line.message = 'invalid configuration';
    line.problems = err.problems.map(redact);
  }
  line.timestamp = now.toISOString();
  return `${JSON.stringify(line)}\n`;
}
