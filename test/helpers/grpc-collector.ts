/**
 * A loopback OTLP/gRPC logs collector (@grpc/grpc-js server, plaintext or TLS): one unary method,
 * /opentelemetry.proto.collector.logs.v1.LogsService/Export, with identity (de)serializers; each
 * request is decoded with the shared collector's protobuf types and its records kept. It can answer
 * UNAVAILABLE for the next calls, or INVALID_ARGUMENT.
 */
import * as grpc from '@grpc/grpc-js';
import { decodeLogsRequest, otlpProto, type CollectedRecord } from './otlp-decode.ts';

export const EXPORT_METHOD = '/opentelemetry.proto.collector.logs.v1.LogsService/Export';

export interface GrpcCollector {
  /** http://127.0.0.1:port, or https://localhost:port with TLS */
  url: string;
  records: CollectedRecord[];
  /** Every call, answered or refused, with the status it got. */
  calls: { code: grpc.status; recordCount: number }[];
  /** The next `count` calls are answered `code` with `message`, their records not kept. */
  refuseNext(count: number, code: grpc.status, message: string): void;
  close(): Promise<void>;
}

/** `tls.clientCa`: mutual TLS, a client certificate signed by it required. */
export async function startGrpcCollector(opts: { tls?: { key: string; cert: string; clientCa?: string } } = {}): Promise<GrpcCollector> {
  const records: CollectedRecord[] = [];
  const calls: GrpcCollector['calls'] = [];
  let refusal: { remaining: number; code: grpc.status; message: string } | undefined;
  const server = new grpc.Server();
  const identity = (b: Buffer) => b;
  server.addService(
    {
      Export: {
        path: EXPORT_METHOD,
        requestStream: false,
        responseStream: false,
        requestSerialize: identity,
        requestDeserialize: identity,
        responseSerialize: identity,
        responseDeserialize: identity,
      },
    },
    {
      Export: (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
        let flat: CollectedRecord[];
        try {
          flat = decodeLogsRequest(call.request);
        } catch (err) {
          calls.push({ code: grpc.status.INVALID_ARGUMENT, recordCount: 0 });
          return callback({ code: grpc.status.INVALID_ARGUMENT, details: `could not decode the request: ${String(err)}` });
        }
        if (refusal && refusal.remaining > 0) {
          refusal.remaining--;
          calls.push({ code: refusal.code, recordCount: flat.length });
          return callback({ code: refusal.code, details: refusal.message });
        }
        records.push(...flat);
        calls.push({ code: grpc.status.OK, recordCount: flat.length });
        callback(null, Buffer.from(otlpProto.ExportLogsServiceResponse.encode({}).finish()));
      },
    },
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(
      '127.0.0.1:0',
      opts.tls
        ? grpc.ServerCredentials.createSsl(
            opts.tls.clientCa ? Buffer.from(opts.tls.clientCa) : null,
            [{ private_key: Buffer.from(opts.tls.key), cert_chain: Buffer.from(opts.tls.cert) }],
            opts.tls.clientCa !== undefined,
          )
        : grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return {
    url: opts.tls ? `https://localhost:${port}` : `http://127.0.0.1:${port}`,
    records,
    calls,
    refuseNext(count, code, message) {
      refusal = { remaining: count, code, message };
    },
    close: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}
