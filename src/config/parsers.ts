/**
 * One schema per kind of value: each takes a variable's text (or undefined when unset and without a
 * default) and yields the typed value or issues that say what to write instead. Issues never quote
 * a secret (token, header values).
 */
import { z } from 'zod';
import { KNOWN_STREAMS, type StreamName } from '../asana/vocabulary.ts';
import { formatDuration, parseDuration } from '../duration.ts';
import { MAX_TIMER_MS } from './env-vars.ts';
import type { HealthAddr, MetricsExporter, OtlpProtocol, StartAt } from './types.ts';

export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export const LOG_FORMATS = ['json', 'pretty'] as const;

/** Printable ASCII only: anything else corrupts an HTTP header (and some errors echo header values). */
export const NOT_PRINTABLE_ASCII = /[^\x20-\x7e]/;

export const gidSchema = z.string().regex(/^\d+$/, { error: (iss) => `"${String(iss.input)}" is not a gid: use the numeric gid, e.g. 1234567890` });

export const gidListSchema = z.string().transform((text, ctx) => {
  const gids: string[] = [];
  let bad = false;
  for (const part of text.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    if (!/^\d+$/.test(part)) {
      bad = true;
      ctx.addIssue({ code: 'custom', message: `"${part}" is not a gid: use numeric workspace gids, comma-separated, e.g. 1234567890,9876543210` });
    } else if (!gids.includes(part)) {
      gids.push(part);
    }
  }
  if (gids.length === 0 && !bad) ctx.addIssue({ code: 'custom', message: 'names no workspace gid' });
  return gids;
});

export const streamsSchema = z.string().transform((text, ctx) => {
  const streams: StreamName[] = [];
  let bad = false;
  for (const part of text.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    if (!(KNOWN_STREAMS as readonly string[]).includes(part)) {
      bad = true;
      ctx.addIssue({ code: 'custom', message: `unknown stream "${part}": use ${KNOWN_STREAMS.join(', ')}` });
    } else if (!streams.includes(part as StreamName)) {
      streams.push(part as StreamName);
    }
  }
  if (streams.length === 0 && !bad) {
    ctx.addIssue({ code: 'custom', message: `names no stream: use ${KNOWN_STREAMS.join(', ')}` });
  }
  return streams;
});

/**
 * An http(s) URL with a host. With `noCredentials`, a user or password in it is refused without
 * echoing the URL: the Asana token goes in ASANA_TOKEN, never into a URL that ends up in logs.
 */
export function httpUrlSchema(example: string, opts: { noCredentials?: boolean } = {}) {
  return z.string().transform((text, ctx) => {
    let u: URL | undefined;
    try {
      u = new URL(text);
    } catch {
      u = undefined;
    }
    if (u !== undefined && opts.noCredentials && (u.username !== '' || u.password !== '')) {
      ctx.addIssue({ code: 'custom', message: 'contains credentials (user:password@): remove them; the token goes in ASANA_TOKEN' });
      return z.NEVER;
    }
    if (u === undefined || (u.protocol !== 'http:' && u.protocol !== 'https:') || u.hostname === '') {
      ctx.addIssue({ code: 'custom', message: `"${text}" is not an http(s) URL: ${example}` });
      return z.NEVER;
    }
    return text;
  });
}

/** A duration (30s, 5m) between `minMs` and `maxMs`; the maximum is never above Node's timer limit. */
export function durationSchema(minMs: number, example: string, maxMs = MAX_TIMER_MS) {
  const max = Math.min(maxMs, MAX_TIMER_MS);
  return z.string().transform((text, ctx) => {
    const ms = parseDuration(text);
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: `"${text}" is not a duration: ${example} (units ms, s, m, h, d)` });
      return z.NEVER;
    }
    if (ms < minMs) {
      ctx.addIssue({ code: 'custom', message: `${text} is too short: at least ${formatDuration(minMs)}` });
      return z.NEVER;
    }
    if (ms > max) {
      ctx.addIssue({ code: 'custom', message: `${text} is too long: at most ${formatDuration(max)}` });
      return z.NEVER;
    }
    return ms;
  });
}

export function positiveIntSchema(what: string, max = Number.MAX_SAFE_INTEGER) {
  return z
    .string()
    .regex(/^\d+$/, { error: (iss) => `"${String(iss.input)}" is not a positive integer: ${what}` })
    .transform(Number)
    .pipe(z.number().int().min(1, { error: `must be at least 1: ${what}` }).max(max, { error: `is too large: at most ${max} (${what})` }));
}

/** Milliseconds as an integer (the OTel variables' unit), at most Node's timer limit or `max`. */
export function millisecondsSchema(example: string, max = MAX_TIMER_MS) {
  return positiveIntSchema(`milliseconds, e.g. ${example}`, Math.min(max, MAX_TIMER_MS));
}

/** OTel spec: booleans are `true` or `false`, case-insensitive. */
export const booleanSchema = z.string().transform((text, ctx) => {
  const t = text.toLowerCase();
  if (t === 'true') return true;
  if (t === 'false') return false;
  ctx.addIssue({ code: 'custom', message: `"${text}" is not a boolean: use true or false` });
  return z.NEVER;
});

/** ISO-8601 with a date and, when a time is given, an explicit zone (Z or ±hh:mm): no local-time guessing. */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2}))?$/i;

export function startAtSchema(now: Date) {
  return z.string().transform((text, ctx): StartAt => {
    const ms = parseDuration(text);
    if (ms !== undefined) return { kind: 'ago', ms };
    const at = ISO_TIME.test(text) ? new Date(text) : undefined;
    if (at === undefined || Number.isNaN(at.getTime())) {
      ctx.addIssue({
        code: 'custom',
        message: `"${text}" is neither an ISO-8601 time with a zone (2024-05-01T00:00:00Z) nor a duration back from now (24h, 7d, 90d)`,
      });
      return z.NEVER;
    }
    if (at.getTime() > now.getTime()) {
      ctx.addIssue({ code: 'custom', message: `${text} is in the future: use a past time, or a duration back from now such as 24h` });
      return z.NEVER;
    }
    return { kind: 'time', at };
  });
}

export const protocolSchema = z.string().transform((text, ctx): OtlpProtocol => {
  if (text === 'grpc' || text === 'http/protobuf' || text === 'http/json') return text;
  ctx.addIssue({ code: 'custom', message: `"${text}" is not a protocol: use grpc, http/protobuf or http/json` });
  return z.NEVER;
});

export const compressionSchema = z.enum(['gzip', 'none'], { error: (iss) => `"${String(iss.input)}" is not a compression: use gzip or none` });

/** HTTP header name (RFC 9110 token). */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * `key=value,key2=value2` with percent-encoded values (OTel spec, for OTEL_EXPORTER_OTLP_HEADERS and
 * OTEL_RESOURCE_ATTRIBUTES). Problems name the entry and key, never the value (headers carry secrets).
 * Header names are lower-cased: HTTP treats them case-insensitively, so "per-signal wins per key" must too.
 */
export function keyValueListSchema(kind: 'header' | 'attribute') {
  return z
    .string()
    .optional()
    .transform((text, ctx) => {
      const out: Record<string, string> = {};
      if (text === undefined) return out;
      const entries = text.split(',');
      entries.forEach((entry, i) => {
        if (entry.trim() === '') return;
        const eq = entry.indexOf('=');
        const key = (eq < 0 ? entry : entry.slice(0, eq)).trim();
        const n = `entry ${i + 1}`;
        if (kind === 'header' && NOT_PRINTABLE_ASCII.test(entry.trim())) {
          ctx.addIssue({ code: 'custom', message: `${n} contains a non-ASCII or control character: header names and values must be printable ASCII (percent-encode the rest)` });
          return;
        }
        if (eq < 0 || key === '') {
          ctx.addIssue({ code: 'custom', message: `${n} is not key=value: use key=value,key2=value2 (values percent-encoded)` });
          return;
        }
        if (kind === 'header' && !HEADER_NAME.test(key)) {
          ctx.addIssue({ code: 'custom', message: `${n}: "${key}" is not a valid HTTP header name` });
          return;
        }
        let decoded: string;
        try {
          decoded = decodeURIComponent(entry.slice(eq + 1).trim());
        } catch {
          ctx.addIssue({ code: 'custom', message: `${n} (${key}): the value is not valid percent-encoding (write % as %25)` });
          return;
        }
        if (kind === 'header' && /[^\x20-\x7e\t]/.test(decoded)) {
          ctx.addIssue({ code: 'custom', message: `${n} (${key}): the value contains a line break, a control or a non-ASCII character` });
          return;
        }
        out[kind === 'header' ? key.toLowerCase() : key] = decoded;
      });
      return out;
    });
}

/**
 * ASANA_HEALTH_ADDR: `host:port` (`[::1]:13133` for IPv6; `:13133` means every interface), or
 * `off`. An empty value means the default, as for every variable; `off` is the one way to disable it.
 */
export const healthAddrSchema = z.string().transform((text, ctx): HealthAddr | undefined => {
  if (text.toLowerCase() === 'off') return undefined;
  const m = /^(?:\[(?<v6>[0-9a-fA-F:.]+)\]|(?<host>[^\s:[\]]*)):(?<port>\d{1,5})$/.exec(text);
  const port = Number(m?.groups?.port);
  if (!m || !(port >= 0 && port <= 65_535)) {
    ctx.addIssue({ code: 'custom', message: `"${text}" is not host:port: e.g. 0.0.0.0:13133, 127.0.0.1:8080, or off to disable the health endpoint` });
    return z.NEVER;
  }
  const host = m.groups?.v6 ?? (m.groups?.host || '0.0.0.0');
  return { host, port };
});

export const metricsExporterSchema = z.string().transform((text, ctx): MetricsExporter => {
  if (text === 'otlp' || text === 'none') return text;
  ctx.addIssue({
    code: 'custom',
    message: `"${text}" is not supported: use otlp (the receiver's metrics go to the OTLP endpoint, where a collector can turn them into Prometheus or anything else) or none`,
  });
  return z.NEVER;
});
