import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { PACKAGE_NAME, PACKAGE_VERSION } from '../version.ts';
import type { LogBatch } from './types.ts';

/** Instrumentation scope of every record: this package. One object, so the SDK groups records by it. */
export const SCOPE = Object.freeze({ name: PACKAGE_NAME, version: PACKAGE_VERSION });

/**
 * MappedRecord + resource + scope -> the SDK's ReadableLogRecord, which the otlp-transformer
 * serializers turn into OTLP protobuf or JSON. No LoggerProvider or processor is involved: the SDK's
 * batch path drops records when its queue fills and reports success after failed exports.
 */
export function toReadableLogRecords(batch: LogBatch): ReadableLogRecord[] {
  return batch.records.map((r) => ({
    hrTime: r.hrTime,
    hrTimeObserved: r.hrTimeObserved,
    severityNumber: r.severityNumber,
    severityText: r.severityText,
    eventName: r.eventName,
    body: r.body,
    attributes: r.attributes,
    droppedAttributesCount: 0,
    resource: batch.resource,
    instrumentationScope: SCOPE,
  }));
}
