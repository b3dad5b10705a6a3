import winston from 'winston';
import type { LogFormat, LogLevel } from './config/types.ts';
import { SecretSet } from './scrub.ts';

/**
 * The receiver's own logs: winston to stderr (stdout belongs to the demo's records and to command
 * output). Every line passes through a redactor that replaces registered secrets wherever they
 * appear — message, metadata, error stacks — so a token can never be logged, at any level.
 */
export type Logger = winston.Logger;

const secrets = new SecretSet();

/** Registers a value that must never appear in output (the Asana token, OTLP header values). */
export function registerSecret(value: string | undefined): void {
  secrets.add(value);
}

/** Replaces every registered secret, and anything shaped like an Asana token, in a string. */
export function redact(text: string): string {
  return secrets.scrub(text);
}

function redactDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redact(value);
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) {
    return { name: value.name, message: redact(value.message), code: (value as { code?: unknown }).code };
  }
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = redactDeep(v, depth + 1);
  return out;
}

const redactFormat = winston.format((info) => {
  for (const key of Object.keys(info)) {
    (info as Record<string, unknown>)[key] = redactDeep((info as Record<string, unknown>)[key]);
  }
  return info;
});

export function createLogger(opts: { level: LogLevel; format: LogFormat; stream?: NodeJS.WritableStream }): Logger {
  const stream = opts.stream ?? process.stderr;
  const tty = (stream as { isTTY?: boolean }).isTTY === true;
  const format =
    opts.format === 'pretty'
      ? winston.format.combine(
          redactFormat(),
          winston.format.timestamp(),
          ...(tty ? [winston.format.colorize()] : []),
          winston.format.printf(({ level, message, timestamp, ...meta }) => {
            const rest = Object.keys(meta).length ? ` ${JSON.stringify(meta)}` : '';
            return `${String(timestamp)} ${level} ${String(message)}${rest}`;
          }),
        )
      : winston.format.combine(redactFormat(), winston.format.timestamp(), winston.format.json());
  return winston.createLogger({
    level: opts.level,
    format,
    transports: [new winston.transports.Stream({ stream })],
  });
}

/** Flushes winston's stream before exit. */
export function flushLogger(logger: Logger): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 1000);
    logger.on('finish', () => {
      clearTimeout(timer);
      resolve();
    });
    logger.end();
  });
}
