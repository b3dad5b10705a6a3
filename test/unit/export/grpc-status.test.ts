import { describe, expect, it } from 'vitest';
import { grpcStatusOutcome } from '../../../src/export/grpc-status.ts';

describe('grpcStatusOutcome', () => {
  it.each([
    [0, 'ok'],
    [1, 'retryable'], // CANCELLED
    [2, 'rejected'], // UNKNOWN
    [3, 'rejected'], // INVALID_ARGUMENT
    [4, 'retryable'], // DEADLINE_EXCEEDED
    [5, 'rejected'], // NOT_FOUND
    [7, 'rejected'], // PERMISSION_DENIED
    [8, 'retryable'], // RESOURCE_EXHAUSTED
    [9, 'rejected'], // FAILED_PRECONDITION
    [10, 'retryable'], // ABORTED
    [11, 'retryable'], // OUT_OF_RANGE
    [12, 'rejected'], // UNIMPLEMENTED
    [13, 'rejected'], // INTERNAL
    [14, 'retryable'], // UNAVAILABLE
    [15, 'retryable'], // DATA_LOSS
    [16, 'rejected'], // UNAUTHENTICATED
  ])('code %i -> %s', (code, kind) => {
    expect(grpcStatusOutcome(code, 'why').kind).toBe(kind);
  });

  it('names the code and the message, and keeps the RetryInfo delay', () => {
    expect(grpcStatusOutcome(3, 'bad record')).toEqual({ kind: 'rejected', status: 0, reason: 'the collector answered gRPC INVALID_ARGUMENT: bad record' });
    expect(grpcStatusOutcome(14, 'busy', 2500)).toEqual({ kind: 'retryable', reason: 'the collector answered gRPC UNAVAILABLE: busy', retryAfterMs: 2500 });
    expect(grpcStatusOutcome(16, '')).toMatchObject({ kind: 'rejected', reason: expect.stringContaining('OTEL_EXPORTER_OTLP_HEADERS') });
  });
});
