import { SeverityNumber, type Attributes } from '@opentelemetry/api';
import {
  ATTR_ASANA_EVENT_SOURCE,
  ATTR_ASANA_GAP_END,
  ATTR_ASANA_GAP_REASON,
  ATTR_ASANA_GAP_START,
  ATTR_ASANA_RECEIVER_STREAM,
  GAP_EVENT_NAME,
} from './attributes.ts';
import { dateToHrTime } from './time.ts';
import type { MappedRecord } from './types.ts';

/** Why data was lost. Stable values: admins alert and filter on them. */
export type GapReason =
  | 'sync_token_expired' // workspace/resource events: 412 after the first call
  | 'retention_exceeded' // audit state older than Asana's 90-day retention
  | 'offset_unresumable' // an audit offset was refused and no time to resume from was known
  | 'instant_unpageable' // more events at one instant than a page holds, and no offset to page past them
  | 'collector_rejected' // the collector rejected records (partial success), accepted by ASANA_ACCEPT_PARTIAL_SUCCESS
  | (string & {});

export interface Gap {
  /** The stream that lost data: audit_log, workspace_events, resource_events. */
  source: string;
  /** Its state key (which workspace, filters or resource), as `asana.receiver.stream`: every gap names its stream. */
  stream: string;
  reason: GapReason;
  /** The time range known to be lost; absent bounds are unknown. */
  start?: Date;
  end?: Date;
  /** One sentence for the body: what happened and what it means. */
  message: string;
}

/**
 * A gap is a record, not silence: EventName `asana.receiver.gap`, severity WARN, so an admin can
 * alert on one event name. Timestamp = when the receiver noticed.
 */
export function mapGap(gap: Gap, observedAt: Date): MappedRecord {
  const observed = dateToHrTime(observedAt) ?? [Math.floor(observedAt.getTime() / 1000), 0];
  const attributes: Attributes = {
    [ATTR_ASANA_EVENT_SOURCE]: gap.source,
    [ATTR_ASANA_GAP_REASON]: gap.reason,
  };
  attributes[ATTR_ASANA_RECEIVER_STREAM] = gap.stream;
  if (gap.start && !Number.isNaN(gap.start.getTime())) attributes[ATTR_ASANA_GAP_START] = gap.start.toISOString();
  if (gap.end && !Number.isNaN(gap.end.getTime())) attributes[ATTR_ASANA_GAP_END] = gap.end.toISOString();
  return {
    hrTime: observed,
    hrTimeObserved: observed,
    severityNumber: SeverityNumber.WARN,
    severityText: 'WARN',
    eventName: GAP_EVENT_NAME,
    body: gap.message,
    attributes,
  };
}
