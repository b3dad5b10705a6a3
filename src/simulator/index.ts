/** The embedded fake Asana domain used by `demo`, the integration tests and the benchmark. */
export {
  AsanaSimulator,
  DEFAULT_BACKLOG_SPAN_MS,
  DEFAULT_TOKEN,
  DEFAULT_WORKSPACE_GID,
  RESOURCE_EVENTS_LIMIT,
  WORKSPACE_EVENTS_LIMIT,
  type RequestLogEntry,
  type SimulatorOptions,
} from './server.ts';
export type { Fault } from './faults.ts';
export { EVENT_CATEGORIES, EventGenerator, UNMAPPED_EVENT_TYPES, type GeneratorOptions } from './events.ts';
export { compareGids } from './store.ts';
export { Prng } from './prng.ts';
export { ActivityGenerator, type ActivityEntity, type ActivityResources, type ActivityTask } from './activity.ts';
export { SYNC_REFUSED_MESSAGE } from './sync.ts';
