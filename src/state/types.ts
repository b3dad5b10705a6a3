import type { AuditLogFilters, StreamName } from '../config/index.ts';
import type { StreamState } from './schema.ts';

/** Identifies one cursor: a stream of one workspace with one set of API filters. */
export interface StreamKey {
  stream: StreamName;
  workspaceGid: string;
  filters: AuditLogFilters;
  /** resource_events only: the project, task, portfolio or goal whose events the cursor follows. */
  resourceGid?: string;
}

export type { ShippedWindowState, StreamState, WindowState } from './schema.ts';

export interface StateStore {
  /** The path of the backing file (for messages). */
  readonly path: string;
  get(key: string): StreamState | undefined;
  /**
   * Resolves once the new state is durable (temp file, fsync, rename). Throws StateError. Keeps a
   * copy of `state` as it is at the call: the caller may go on changing it (the audit log stream
   * changes its late-event window in place, shipped-window.ts).
   */
  commit(key: string, state: StreamState): Promise<void>;
  /** Forgets a stream's position. Resolves true when there was one. */
  delete(key: string): Promise<boolean>;
  entries(): Array<[string, StreamState]>;
  /** Releases the lock. */
  close(): Promise<void>;
}
