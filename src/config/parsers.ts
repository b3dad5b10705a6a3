/**
 * One parser per kind of value: each takes a variable's text and yields the typed value, or the
 * problems that say what to write instead. Problems never quote a secret (token, header values).
 * The loader calls a parser only for a variable that has a value (given, or its default); an unset
 * variable without a default is simply absent.
 */
import { KNOWN_STREAMS, type StreamName } from '../asana/vocabulary.ts';
import { formatDuration, parseDuration } from '../duration.ts';
import { MAX_TIMER_MS } from './env-vars.ts';
import type { HealthAddr, MetricsExporter, OtlpProtocol, StartAt } from './types.ts';

/** What a parser makes of a text: the value, or at least one problem. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; problems: string[] };
export type Parser<T> = (text: string) => Parsed<T>;

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = (...problems: string[]): Parsed<never> => ({ ok: false, problems });

/** The parser's value passed through `f`; its problems unchanged. */
export function mapParsed<T, U>(parser: Parser<T>, f: (value: T) => U): Parser<U> {
  return (text) => {
    const r = parser(text);
    return r.ok ? ok(f(r.value)) : r;
  };
}

/**
 * A setting's value through its parser: each problem goes to `problem`, and the value comes back
 * only when there was none. No text (unset, without a default): undefined, and no problem.
 */
export function parseSetting<T>(text: string | undefined, parser: Parser<T>, problem: (message: string) => void): T | undefined {
  if (text === undefined) return undefined;
  const r = parser(text);
  if (r.ok) return r.value;
  for (const message of r.problems) problem(message);
  return undefined;
}

/** Any text, as given. */
export const anyText: Parser<string> = ok;

/** One of `values`, exactly; anything else gets `problem(text)`. */
export function oneOf<const V extends string>(values: readonly V[], problem: (text: string) => string): Parser<V> {
  return (text) => ((values as readonly string[]).includes(text) ? ok(text as V) : fail(problem(text)));
}

export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export const LOG_FORMATS = ['json', 'pretty'] as const;

/** Printable ASCII only: anything else corrupts an HTTP header (and some errors echo header values). */
export const NOT_PRINTABLE_ASCII = /[^\x20-\x7e]/;

export const gid: Parser<string> = (text) => (/^\d+$/.test(text) ? ok(text) : fail(`"${text}" is not a gid: use the numeric gid, e.g. 1234567890`));

/**
 * A comma-separated list: blank entries skipped, repeats dropped, every entry `accepted` or named by
 * `bad`; a list with no entry at all gets `none`.
 */
function commaList<T extends string>(accepted: (part: string) => boolean, bad: (part: string) => string, none: string): Parser<T[]> {
  return (text) => {
    const items: T[] = [];
    const problems: string[] = [];
    for (const part of text.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
      if (!accepted(part)) problems.push(bad(part));
      else if (!items.includes(part as T)) items.push(part as T);
    }
    if (problems.length > 0) return fail(...problems);
    return items.length === 0 ? fail(none) : ok(items);
  };
}

export const gidList = commaList<string>(
  (part) => /^\d+$/.test(part),
  (part) => `"${part}" is not a gid: use numeric workspace gids, comma-separated, e.g. 1234567890,9876543210`,
  'names no workspace gid',
);

export const streamList = commaList<StreamName>(
  (part) => (KNOWN_STREAMS as readonly string[]).includes(part),
  (part) => `unknown stream "${part}": use ${KNOWN_STREAMS.join(', ')}`,
  `names no stream: use ${KNOWN_STREAMS.join(', ')}`,
);

/**
 * An http(s) URL with a host. With `noCredentials`, a user or password in it is refused without
 * echoing the URL: the Asana token goes in ASANA_TOKEN, never into a URL that ends up in logs.
 */
export function httpUrl(example: string, opts: { noCredentials?: boolean } = {}): Parser<string> {
  return (text) => {
    let u: URL | undefined;
    try {
      u = new URL(text);
    } catch {
      u = undefined;
    }
    if (u !== undefined && opts.noCredentials && (u.username !== '' || u.password !== '')) {
      return fail('contains credentials (user:password@): remove them; the token goes in ASANA_TOKEN');
    }
    if (u === undefined || (u.protocol !== 'http:' && u.protocol !== 'https:') || u.hostname === '') {
      return fail(`"${text}" is not an http(s) URL: ${example}`);
    }
    return ok(text);
  };
}

/** A duration (30s, 5m) between `minMs` and `maxMs`; the maximum is never above Node's timer limit. */
export function duration(minMs: number, example: string, maxMs = MAX_TIMER_MS): Parser<number> {
  const max = Math.min(maxMs, MAX_TIMER_MS);
  return (text) => {
    const ms = parseDuration(text);
    if (ms === undefined) return fail(`"${text}" is not a duration: ${example} (units ms, s, m, h, d)`);
    if (ms < minMs) return fail(`${text} is too short: at least ${formatDuration(minMs)}`);
    if (ms > max) return fail(`${text} is too long: at most ${formatDuration(max)}`);
    return ok(ms);
  };
}

export function positiveInt(what: string, max = Number.MAX_SAFE_INTEGER): Parser<number> {
  return (text) => {
    if (!/^\d+$/.test(text)) return fail(`"${text}" is not a positive integer: ${what}`);
    const n = Number(text);
    if (n < 1) return fail(`must be at least 1: ${what}`);
    if (n > max) return fail(`is too large: at most ${max} (${what})`);
    return ok(n);
  };
}

/** Milliseconds as an integer (the OTel variables' unit), at most Node's timer limit or `max`. */
export function milliseconds(example: string, max = MAX_TIMER_MS): Parser<number> {
  return positiveInt(`milliseconds, e.g. ${example}`, Math.min(max, MAX_TIMER_MS));
}

/** OTel spec: booleans are `true` or `false`, case-insensitive. */
export const boolean: Parser<boolean> = (text) => {
  const t = text.toLowerCase();
  if (t === 'true') return ok(true);
  if (t === 'false') return ok(false);
  return fail(`"${text}" is not a boolean: use true or false`);
};

/** ISO-8601 with a date and, when a time is given, an explicit zone (Z or ±hh:mm): no local-time guessing. */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2}))?$/i;

export function startAt(now: Date): Parser<StartAt> {
  return (text) => {
    const ms = parseDuration(text);
    if (ms !== undefined) return ok({ kind: 'ago', ms });
    const at = ISO_TIME.test(text) ? new Date(text) : undefined;
    if (at === undefined || Number.isNaN(at.getTime())) {
      return fail(`"${text}" is neither an ISO-8601 time with a zone (2024-05-01T00:00:00Z) nor a duration back from now (24h, 7d, 90d)`);
    }
    if (at.getTime() > now.getTime()) return fail(`${text} is in the future: use a past time, or a duration back from now such as 24h`);
    return ok({ kind: 'time', at });
  };
}

export const protocol = oneOf<OtlpProtocol>(['grpc', 'http/protobuf', 'http/json'], (text) => `"${text}" is not a protocol: use grpc, http/protobuf or http/json`);

export const compression = oneOf(['gzip', 'none'], (text) => `"${text}" is not a compression: use gzip or none`);

/** HTTP header name (RFC 9110 token). */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * `key=value,key2=value2` with percent-encoded values (OTel spec, for OTEL_EXPORTER_OTLP_HEADERS and
 * OTEL_RESOURCE_ATTRIBUTES). Problems name the entry and key, never the value (headers carry secrets).
 * Header names are lower-cased: HTTP treats them case-insensitively, so "per-signal wins per key" must too.
 */
export function keyValueList(kind: 'header' | 'attribute'): Parser<Record<string, string>> {
  return (text) => {
    const out: Record<string, string> = {};
    const problems: string[] = [];
    text.split(',').forEach((entry, i) => {
      if (entry.trim() === '') return;
      const eq = entry.indexOf('=');
      const key = (eq < 0 ? entry : entry.slice(0, eq)).trim();
      const n = `entry ${i + 1}`;
      if (kind === 'header' && NOT_PRINTABLE_ASCII.test(entry.trim())) {
        problems.push(`${n} contains a non-ASCII or control character: header names and values must be printable ASCII (percent-encode the rest)`);
        return;
      }
      if (eq < 0 || key === '') {
        problems.push(`${n} is not key=value: use key=value,key2=value2 (values percent-encoded)`);
        return;
      }
      if (kind === 'header' && !HEADER_NAME.test(key)) {
        problems.push(`${n}: "${key}" is not a valid HTTP header name`);
        return;
      }
      let decoded: string;
      try {
        decoded = decodeURIComponent(entry.slice(eq + 1).trim());
      } catch {
        problems.push(`${n} (${key}): the value is not valid percent-encoding (write % as %25)`);
        return;
      }
      if (kind === 'header' && /[^\x20-\x7e\t]/.test(decoded)) {
        problems.push(`${n} (${key}): the value contains a line break, a control or a non-ASCII character`);
        return;
      }
      out[kind === 'header' ? key.toLowerCase() : key] = decoded;
    });
    return problems.length > 0 ? fail(...problems) : ok(out);
  };
}

/**
 * ASANA_HEALTH_ADDR: `host:port` (`[::1]:13133` for IPv6; `:13133` means every interface), or
 * `off`. An empty value means the default, as for every variable; `off` is the one way to disable it.
 */
export const healthAddr: Parser<HealthAddr | undefined> = (text) => {
  if (text.toLowerCase() === 'off') return ok(undefined);
  const m = /^(?:\[(?<v6>[0-9a-fA-F:.]+)\]|(?<host>[^\s:[\]]*)):(?<port>\d{1,5})$/.exec(text);
  const port = Number(m?.groups?.port);
  if (!m || !(port >= 0 && port <= 65_535)) {
    return fail(`"${text}" is not host:port: e.g. 0.0.0.0:13133, 127.0.0.1:8080, or off to disable the health endpoint`);
  }
  return ok({ host: m.groups?.v6 ?? (m.groups?.host || '0.0.0.0'), port });
};

export const metricsExporter = oneOf<MetricsExporter>(
  ['otlp', 'none'],
  (text) =>
    `"${text}" is not supported: use otlp (the receiver's metrics go to the OTLP endpoint, where a collector can turn them into Prometheus or anything else) or none`,
);
