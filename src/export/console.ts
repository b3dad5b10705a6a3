import type { AnyValue, Attributes, HrTime } from '@opentelemetry/api';
import type { MappedRecord } from '../mapping/types.ts';
import type { LogSink } from './types.ts';

/**
 * The demo's sink: one readable line per record on stdout —
 *   2024-05-01T09:30:00.000Z INFO  user_login_succeeded  actor=alice@example.com (user)  resource=user "Alice"  ip=203.0.113.7  uid=1200…
 * Colors only when writing to a terminal (and NO_COLOR is unset). Printing cannot fail: always ok.
 *
 * The fields are looked up by attribute name (exact names first, then any key ending in the same
 * suffix), falling back to the raw Asana event when the body is one, so this file does not break
 * when the mapping renames an attribute.
 */
export function createConsoleSink(write?: (line: string) => void): LogSink & { readonly target: string } {
  const color = write === undefined && process.stdout.isTTY === true && process.env['NO_COLOR'] === undefined;
  const out = write ?? ((line: string) => void process.stdout.write(`${line}\n`));
  return {
    target: 'the console',
    async export(batch) {
      for (const record of batch.records) out(formatRecord(record, color));
      return { kind: 'ok', rejectedRecords: 0 };
    },
    async shutdown() {},
  };
}

const FIELDS = {
  actorEmail: { keys: ['asana.actor.email', 'user.email', 'enduser.email'], suffixes: ['actor.email', 'actor_email'], body: ['actor', 'email'] },
  actorName: { keys: ['asana.actor.name', 'user.name'], suffixes: ['actor.name', 'actor_name'], body: ['actor', 'name'] },
  actorType: { keys: ['asana.actor.type', 'asana.actor.actor_type'], suffixes: ['actor.type', 'actor_type'], body: ['actor', 'actor_type'] },
  resourceType: { keys: ['asana.resource.type', 'asana.resource.resource_type'], suffixes: ['resource.type', 'resource_type'], body: ['resource', 'resource_type'] },
  resourceName: { keys: ['asana.resource.name'], suffixes: ['resource.name'], body: ['resource', 'name'] },
  clientIp: { keys: ['client.address', 'source.address', 'asana.context.client_ip_address'], suffixes: ['client_ip_address', 'client.ip', 'client.address'], body: ['context', 'client_ip_address'] },
  uid: { keys: ['log.record.uid', 'asana.event.gid', 'event.id'], suffixes: ['event.gid', 'event.id'], body: ['gid'] },
} as const;

type Field = (typeof FIELDS)[keyof typeof FIELDS];

export function formatRecord(r: MappedRecord, color = false): string {
  const paint = (code: string, s: string) => (color ? `\u001b[${code}m${s}\u001b[0m` : s);
  const get = (f: Field) => lookup(r.attributes, r.body, f);
  const parts: string[] = [paint('2', isoTime(r.hrTime)), paint(severityColor(r.severityNumber), (r.severityText || 'UNSPECIFIED').padEnd(5)), paint('1', r.eventName || '(no event name)')];

  const actor = get(FIELDS.actorEmail) ?? get(FIELDS.actorName);
  const actorType = get(FIELDS.actorType);
  if (actor || actorType) parts.push(`${paint('2', 'actor=')}${actor ?? '-'}${actorType ? ` (${actorType})` : ''}`);
  const resourceType = get(FIELDS.resourceType);
  const resourceName = get(FIELDS.resourceName);
  if (resourceType || resourceName) parts.push(`${paint('2', 'resource=')}${resourceType ?? '-'}${resourceName ? ` ${JSON.stringify(resourceName)}` : ''}`);
  const ip = get(FIELDS.clientIp);
  if (ip) parts.push(`${paint('2', 'ip=')}${ip}`);
  const uid = get(FIELDS.uid);
  if (uid) parts.push(`${paint('2', 'uid=')}${uid}`);
  return parts.join('  ');
}

function lookup(attributes: Attributes, body: AnyValue, f: Field): string | undefined {
  for (const k of f.keys) {
    const v = scalar(attributes[k]);
    if (v) return v;
  }
  for (const [k, value] of Object.entries(attributes)) {
    if (f.suffixes.some((s) => k.endsWith(s))) {
      const v = scalar(value);
      if (v) return v;
    }
  }
  let node: unknown = body;
  for (const step of f.body) node = node !== null && typeof node === 'object' && !Array.isArray(node) ? (node as Record<string, unknown>)[step] : undefined;
  return scalar(node);
}

function scalar(v: unknown): string | undefined {
  if (typeof v === 'string') return v.trim() === '' ? undefined : v.replace(/[\u0000-\u001f\u007f]+/g, ' ');
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return undefined;
}

function isoTime([s, ns]: HrTime): string {
  const d = new Date(s * 1000 + Math.floor(ns / 1e6));
  return Number.isNaN(d.getTime()) ? `${s}s` : d.toISOString();
}

/** OTel severity numbers: 1-4 TRACE, 5-8 DEBUG, 9-12 INFO, 13-16 WARN, 17-20 ERROR, 21-24 FATAL. */
function severityColor(n: number): string {
  if (n >= 17) return '31;1';
  if (n >= 13) return '33';
  if (n >= 9) return '32';
  return '2';
}
