import * as names from '../../src/mapping/attributes.ts';

/**
 * The log-record attribute names the receiver emits, straight from src/mapping/attributes.ts (every
 * `ATTR_*` export), so collector transforms, dashboards and query examples can be checked against
 * them. `asana.details.*` is open-ended: any name under the prefix counts.
 */
export const EMITTED_ATTRIBUTES: ReadonlySet<string> = new Set(
  Object.entries(names)
    .filter(([k, v]) => k.startsWith('ATTR_') && k !== 'ATTR_ASANA_DETAILS_PREFIX' && typeof v === 'string')
    .map(([, v]) => v as string),
);

/** Resource attributes on every record (src/export/resource.ts). */
export const RESOURCE_ATTRIBUTES: ReadonlySet<string> = new Set(['service.name', 'service.version', 'asana.workspace.gid']);

export function isEmittedAttribute(name: string): boolean {
  return EMITTED_ATTRIBUTES.has(name) || (name.startsWith(names.ATTR_ASANA_DETAILS_PREFIX) && name.length > names.ATTR_ASANA_DETAILS_PREFIX.length);
}

/** How Loki's OTLP ingestion names an attribute: every character other than [A-Za-z0-9_] becomes `_`. */
export function lokiName(attribute: string): string {
  return attribute.replace(/[^A-Za-z0-9_]/g, '_');
}
