/** The embedded fake Asana domain used by `demo`, the integration tests and the benchmark. */
export {
  AsanaSimulator,
  DEFAULT_BACKLOG_SPAN_MS,
  DEFAULT_TOKEN,
  DEFAULT_WORKSPACE_GID,
  type RequestLogEntry,
  type SimulatorOptions,
} from './server.ts';
export type { Fault } from './faults.ts';
export { EVENT_CATEGORIES, EventGenerator, UNMAPPED_EVENT_TYPES, type GeneratorOptions } from './events.ts';
export { compareGids } from './store.ts';
export { Prng } from './prng.ts';
