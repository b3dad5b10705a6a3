/** The configuration: the variable table, the sources, the parsers and the OTLP resolver behind loadConfig. */
export * from '../asana/vocabulary.ts';
export { ASANA_TOKEN_SHAPE } from '../scrub.ts';
export { DEFAULTS, ENV_VARS, MAX_LATE_WINDOW_MS, MAX_TIMER_MS, MIN_POLL_INTERVAL_MS, envVarHelp, type EnvVarName, type EnvVarSpec } from './env-vars.ts';
export { loadConfig, redactConfig, resolveStartAt, resolveStateFile } from './load.ts';
export { appendLogsPath, appendSignalPath } from './otlp.ts';
export type * from './types.ts';
