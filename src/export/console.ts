import type { AnyValue, Attributes, HrTime } from '@opentelemetry/api';
import type { MappedRecord } from '../mapping/types.ts';
import {
  ATTR_ASANA_ACTOR_EMAIL,
  ATTR_ASANA_ACTOR_NAME,
  ATTR_ASANA_ACTOR_TYPE,
  ATTR_ASANA_RESOURCE_NAME,
  ATTR_ASANA_RESOURCE_TYPE,
  ATTR_CLIENT_ADDRESS,
  ATTR_LOG_RECORD_UID,
  ATTR_USER_EMAIL,
  ATTR_USER_FULL_NAME,
} from '../mapping/attributes.ts';
import type { LogSink } from './types.ts';

/**
 * The demo's sink: one readable line per record on stdout —
 *   2024-05-01T09:30:00.000Z INFO  user_login_succeeded  actor=alice@example.com (user)  resource=user "Alice"  ip=203.0.113.7  uid=1200…
 * Colors only when writing to a terminal (and NO_COLOR is unset). Printing cannot fail: always ok.
 *
 * Fields come from the mapping's attributes (src/mapping/attributes.ts), falling back to the raw
 * Asana event in the body; a field found in neither is left out of the line.
 */
export function createConsoleSink(write?: (line: string) => void): LogSink {
  const color = write === undefined && process.stdout.isTTY === true && process.env['NO_COLOR'] === undefined;
  const out = write ?? ((line: string) => void process.stdout.write(`${line}\n`));
  return {
    async export(batch) {
      // This sink has no encode(): it only ever gets the records themselves.
      for (const record of 'records' in batch ? batch.records : []) out(formatRecord(record, color));
      return { kind: 'ok', rejectedRecords: 0 };
    },
    async shutdown() {},
  };
}

const FIELDS = {
  actorEmail: { keys: [ATTR_USER_EMAIL, ATTR_ASANA_ACTOR_EMAIL], body: ['actor', 'email'] },
  actorName: { keys: [ATTR_USER_FULL_NAME, ATTR_ASANA_ACTOR_NAME], body: ['actor', 'name'] },
  actorType: { keys: [ATTR_ASANA_ACTOR_TYPE], body: ['actor', 'actor_type'] },
  resourceType: { keys: [ATTR_ASANA_RESOURCE_TYPE], body: ['resource', 'resource_type'] },
  resourceName: { keys: [ATTR_ASANA_RESOURCE_NAME], body: ['resource', 'name'] },
  clientIp: { keys: [ATTR_CLIENT_ADDRESS], body: ['context', 'client_ip_address'] },
  uid: { keys: [ATTR_LOG_RECORD_UID], body: ['gid'] },
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
