import type { Attributes, HrTime } from '@opentelemetry/api';
import { gidSentAsNumber } from '../asana/exact-json.ts';
import {
  ATTR_ASANA_MAPPING_WARNING,
  ATTR_ASANA_RESOURCE_GID,
  ATTR_ASANA_RESOURCE_NAME,
  ATTR_ASANA_RESOURCE_SUBTYPE,
  ATTR_ASANA_RESOURCE_TYPE,
} from './attributes.ts';
import { renderBody, unreadableEvent } from './body.ts';
import { SEVERITY_INFO, type Severity } from './severity.ts';
import { parseTimestamp } from './time.ts';
import type { MappedRecord } from './types.ts';
import { asObject, attributeString, capUtf8, describe, quote } from './values.ts';

/**
 * The part of one record a mapping fills in: the event read as an object (undefined when it is not
 * one), the attributes so far, the warnings so far, and `put`, which sets an attribute from a value
 * where Asana documents a string and leaves absent values out.
 */
export interface RecordDraft {
  ev: Record<string, unknown> | undefined;
  attributes: Attributes;
  warnings: string[];
  put: (key: string, value: unknown) => void;
}

/** What only the mapping of one stream knows about its record. */
export interface RecordHeading {
  eventName: string;
  severity: Severity;
}

/**
 * The record rules every Asana mapping shares, around the attributes `fill` sets:
 * - an event that is not an object is mapped all the same, with a warning;
 * - Timestamp = `created_at`, exactly; absent or unreadable, the observed time with a warning, and
 *   read as UTC with a warning when it carries no offset;
 * - Body = the event as JSON text (body.ts);
 * - every warning, joined with "; ", as the last attribute, `asana.mapping.warning`.
 */
export function buildRecord(event: unknown, observed: HrTime, fill: (draft: RecordDraft) => RecordHeading): MappedRecord {
  const warnings: string[] = [];
  const attributes: Attributes = {};
  const put = (key: string, value: unknown): void => {
    const text = attributeString(value);
    if (text !== undefined) attributes[key] = text;
  };

  const ev = asObject(event);
  if (ev === undefined) warnings.push(`event is ${describe(event)}, not an object`);

  const { eventName, severity } = fill({ ev, attributes, warnings, put });

  const hrTime = eventTime(ev?.['created_at'], observed, warnings);
  const body = renderBody(event, warnings);
  if (warnings.length > 0) put(ATTR_ASANA_MAPPING_WARNING, warnings.join('; '));

  return {
    hrTime,
    hrTimeObserved: [observed[0], observed[1]],
    severityNumber: severity.severityNumber,
    severityText: severity.severityText,
    eventName,
    body,
    attributes,
  };
}

/** Timestamp of a record: `created_at` when it can be read, else the observed time; why, in `warnings`. */
function eventTime(createdAt: unknown, observed: HrTime, warnings: string[]): HrTime {
  const parsed = parseTimestamp(createdAt);
  if (parsed.ok) {
    if (parsed.assumedUtc) warnings.push(`created_at ${quote(createdAt)} has no UTC offset; read as UTC`);
    return parsed.hrTime;
  }
  const shown = typeof createdAt === 'string' && createdAt !== '' ? ` ${quote(createdAt)}` : '';
  warnings.push(`created_at${shown} ${parsed.reason}; Timestamp is the time the event was received`);
  return [observed[0], observed[1]];
}

/**
 * `asana.resource.type/subtype/gid/name` of the resource an event is about (Asana's compact resource:
 * https://developers.asana.com/reference/audit-log-api and https://developers.asana.com/reference/events).
 * `resourceType` is passed in because the events API may carry it outside the resource.
 */
export function putResource(draft: RecordDraft, resource: Record<string, unknown> | undefined, resourceType: unknown): void {
  draft.put(ATTR_ASANA_RESOURCE_TYPE, resourceType);
  draft.put(ATTR_ASANA_RESOURCE_SUBTYPE, resource?.['resource_subtype']);
  putGid(draft, ATTR_ASANA_RESOURCE_GID, resource, 'resource.gid');
  draft.put(ATTR_ASANA_RESOURCE_NAME, resource?.['name']);
}

/**
 * The `gid` of `holder` as attribute `key`. Asana documents every gid as a string ("Globally unique
 * identifier of the resource, as a string", https://developers.asana.com/reference/getauditlogevents):
 * one sent as anything else is still mapped where it can be (a number as its digits, exact when the
 * page was parsed by asana/exact-json.ts) and `asana.mapping.warning` names it, `path` saying which.
 */
export function putGid(draft: RecordDraft, key: string, holder: Record<string, unknown> | undefined, path: string): void {
  const gid = holder?.['gid'];
  draft.put(key, gid);
  if (holder === undefined || gid === undefined || gid === null) return;
  if (typeof gid === 'string') {
    if (gidSentAsNumber(holder)) draft.warnings.push(`${path} is a number, not a string; read exactly as ${quote(gid)}`);
    return;
  }
  draft.warnings.push(`${path} is ${describe(gid)}, not a string`);
}

/**
 * The record for an event that could not be read at all: observed time, INFO, whatever body survives,
 * the attributes `leading` gives for that body, then the warning.
 */
export function fallbackRecord(
  event: unknown,
  observed: HrTime,
  error: unknown,
  eventName: string,
  leading: (body: string) => Attributes,
): MappedRecord {
  const { body, warnings } = unreadableEvent(event, error);
  return {
    hrTime: [observed[0], observed[1]],
    hrTimeObserved: [observed[0], observed[1]],
    severityNumber: SEVERITY_INFO.severityNumber,
    severityText: SEVERITY_INFO.severityText,
    eventName,
    body,
    attributes: { ...leading(body), [ATTR_ASANA_MAPPING_WARNING]: capUtf8(warnings.join('; ')) },
  };
}
