export * from './audit-log/stream.ts';
export { PIPELINE_DEPTH } from './audit-log/pipeline.ts';
