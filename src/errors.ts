/**
 * Error classes with stable codes (undici's habit): logs and exit codes key on `code`, never on
 * message text. Messages name the thing to fix and never carry secrets.
 */

/** Process exit codes. Documented in the README; scripts and orchestrators may depend on them. */
export const ExitCode = {
  ok: 0,
  fatal: 1,
  config: 2,
  credentials: 3,
  state: 4,
  exportRejected: 5,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Every code an error of the receiver carries. Logs, health and exit decisions key on these. */
export type ErrorCode =
  | 'ERR_CONFIG'
  | 'ERR_ASANA_UNAUTHORIZED'
  | 'ERR_ASANA_FORBIDDEN'
  | 'ERR_ASANA_REQUEST'
  | 'ERR_ASANA_UNAVAILABLE'
  | 'ERR_ASANA_TLS'
  | StateErrorCode
  | 'ERR_EXPORT_REJECTED'
  | 'ERR_EXPORT_UNAVAILABLE'
  | 'ERR_STREAMS_FAILED'
  | 'ERR_HEALTH_ADDR'
  | 'ERR_ABORTED';

export type StateErrorCode = 'ERR_STATE_CORRUPT' | 'ERR_STATE_LOCKED' | 'ERR_STATE_WRITE' | 'ERR_STATE_READ';

export class ReceiverError extends Error {
  readonly code: ErrorCode;
  readonly exitCode: ExitCode;
  constructor(code: ErrorCode, message: string, exitCode: ExitCode, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.exitCode = exitCode;
  }
}

/** One or more configuration problems, all reported at once. */
export class ConfigError extends ReceiverError {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(
      'ERR_CONFIG',
      `invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
      ExitCode.config,
    );
    this.problems = problems;
  }
}

/** An error about an HTTP answer (Asana's or the collector's): the status it came with. */
export class HttpStatusError extends ReceiverError {
  readonly status: number;
  constructor(code: ErrorCode, status: number, message: string, exitCode: ExitCode) {
    super(code, message, exitCode);
    this.status = status;
  }
}

/** Asana refused the token (401) or the token lacks access (403). Retrying cannot help. */
export class CredentialsError extends HttpStatusError {
  constructor(status: number, message: string) {
    super(status === 401 ? 'ERR_ASANA_UNAUTHORIZED' : 'ERR_ASANA_FORBIDDEN', status, message, ExitCode.credentials);
  }
}

/** Asana answered with a client error that retrying will not fix (400, 404, …). */
export class AsanaRequestError extends HttpStatusError {
  constructor(status: number, message: string) {
    super('ERR_ASANA_REQUEST', status, message, ExitCode.fatal);
  }
}

/** Asana could not be reached or kept failing within the client's `maxAttempts` (only when a bound was set). */
export class AsanaUnavailableError extends ReceiverError {
  constructor(message: string) {
    super('ERR_ASANA_UNAVAILABLE', message, ExitCode.fatal);
  }
}

/**
 * TLS to Asana failed on its certificate (unknown CA, hostname mismatch, expired): the same
 * connection fails the same way until the trust store, ASANA_API_URL or a certificate changes, and
 * NODE_EXTRA_CA_CERTS is read only when the process starts. Retrying cannot help.
 */
export class AsanaTlsError extends ReceiverError {
  constructor(message: string) {
    super('ERR_ASANA_TLS', message, ExitCode.fatal);
  }
}

/** The state file cannot be read, written or locked. Never "start over" silently. */
export class StateError extends ReceiverError {
  constructor(code: StateErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, ExitCode.state, options);
  }
}

/** The collector rejected a page permanently (HTTP 400 and similar): skipping it would lose events. */
export class ExportRejectedError extends HttpStatusError {
  constructor(status: number, message: string) {
    super('ERR_EXPORT_REJECTED', status, message, ExitCode.exportRejected);
  }
}

/** Thrown out of waits and loops when shutdown was requested; never an error for the user. */
export class AbortedError extends Error {
  readonly code: ErrorCode = 'ERR_ABORTED';
  constructor() {
    super('aborted by shutdown');
    this.name = 'AbortedError';
  }
}

/**
 * Streams stopped on errors confined to them (each logged when it happened) while the others went
 * on. Exits with the first failure's code, so a 403 on one workspace still exits 3.
 */
export class StreamsFailedError extends ReceiverError {
  readonly failures: ReadonlyArray<{ key: string; code: string; exitCode: ExitCode }>;
  constructor(failures: Array<{ key: string; code: string; exitCode: ExitCode }>, total: number, others?: string) {
    super(
      'ERR_STREAMS_FAILED',
      `${failures.length} of ${total} streams stopped (${failures.map((f) => `${f.key}: ${f.code}`).join(', ')}); ` +
        `${others ? `${others}. ` : ''}Fix what the error above each names, then run again: the stopped streams resume from their saved position`,
      failures[0]?.exitCode ?? ExitCode.fatal,
    );
    this.failures = failures;
  }
}

/** The collector stayed unreachable or unavailable longer than `once` waits (ASANA_ONCE_COLLECTOR_WAIT). */
export class ExportUnavailableError extends ReceiverError {
  constructor(message: string) {
    super('ERR_EXPORT_UNAVAILABLE', message, ExitCode.fatal);
  }
}
