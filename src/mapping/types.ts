import type { AnyValue, Attributes, HrTime, SeverityNumber } from '@opentelemetry/api';

/**
 * What mapping produces for one event: everything of an OTLP log record except the resource and
 * instrumentation scope, which the exporter adds (they are the same for a whole stream).
 */
export interface MappedRecord {
  hrTime: HrTime;
  hrTimeObserved: HrTime;
  severityNumber: SeverityNumber;
  severityText: string;
  eventName: string;
  body: AnyValue;
  attributes: Attributes;
}
