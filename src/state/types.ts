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
   * Resolves once the new state is durable (temp file, fsync, rename). Throws StateError. Keeps
   * `state` itself, not a copy (a copy per page cost a sixth of the receiver's CPU on a dense
   * backlog): the caller builds each next state anew, except the late-event window, which the audit
   * log stream changes in place only within its next commit (shipped-window.ts). So a write, which
   * serializes the newest state of each key at once, never holds what was not committed.
   */
  commit(key: string, state: StreamState): Promise<void>;
  /** Forgets a stream's position. Resolves true when there was one. */
  delete(key: string): Promise<boolean>;
  entries(): Array<[string, StreamState]>;
  /** Releases the lock. */
  close(): Promise<void>;
}
