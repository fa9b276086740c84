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
