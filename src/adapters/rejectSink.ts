import type { Reject } from '../core/records/reject';
import { appendAll } from '../core/arrays';

/**
 * The dead-letter sink: rejected records go here (a Table Storage table in production, a file
 * in replays, memory in tests) so an operator can see and replay them. A failure to store a
 * reject is an infrastructure failure and throws: nothing is dropped silently.
 */
export interface RejectSink {
  send(rejects: readonly Reject[], context: { readonly detector: string; readonly batchId: string }): Promise<void>;
}

export class MemoryRejectSink implements RejectSink {
  readonly rejects: Reject[] = [];
  async send(rejects: readonly Reject[]): Promise<void> {
    appendAll(this.rejects, rejects);
  }
}

/** What one retention run deleted. */
export interface RejectsDeletion {
  /** Partitions of this day and later were kept. */
  readonly firstKeptDay: string;
  /** The detectors (as their keys spell them) whose partitions were looked at. */
  readonly detectors: readonly string[];
  readonly partitions: number;
  readonly rows: number;
}

/** A dead-letter store whose rejects expire (src/core/records/rejectRetention.ts): the rejectsRetention timer's side. */
export interface ExpiringRejectStore {
  /** Deletes every reject processed on a day before `firstKeptDay` (`yyyymmdd`); throws when the store fails. */
  deleteRejectsBefore(firstKeptDay: string): Promise<RejectsDeletion>;
}
