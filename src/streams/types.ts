/** What the receiver runs: one cursor over one Asana event source. */
export interface Stream {
  /** The state key, e.g. audit_log/1200000000000001. */
  readonly key: string;
  /** Pages until caught up; every shipped page is committed. */
  catchUp(signal: AbortSignal): Promise<CatchUpResult>;
  /** Polls forever; resolves on shutdown. */
  run(signal: AbortSignal): Promise<void>;
}

export interface CatchUpResult {
  pages: number;
  shipped: number;
}

/** After each committed page (progress, self-telemetry). */
export interface PageReport {
  stream: string;
  key: string;
  workspaceGid: string;
  /** Events received in the page and records shipped (acknowledged) from it. */
  received: number;
  shipped: number;
  /** created_at of the newest shipped event of this page's cursor, if any. */
  lastEventAt?: string;
  /**
   * True for a page of an older backfill window (read in parallel with the live tail): its
   * lastEventAt says nothing about how far behind the stream is.
   */
  backfill?: boolean;
}
