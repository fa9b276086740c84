/**
 * Where a replay's rejects go: counted by reason, every one written to the `--rejects` file as
 * NDJSON (the Reject as it is, with the detector and invocation that dead-lettered it), and only
 * the first few kept in memory, so a file of a million bad lines costs a file, not a heap.
 */
import type { RejectSink } from '../adapters/rejectSink';
import type { Reject } from '../core/records/reject';
import type { LineFile } from './outputFile';

/** Rejects kept in memory for the summary and the tests; the rest are counted (and written). */
export const KEPT_REJECTS = 1_000;

export class ReplayRejects implements RejectSink {
  readonly byReason: Record<string, number> = {};
  readonly kept: Reject[] = [];
  total = 0;

  constructor(private readonly file: LineFile | undefined) {}

  async send(rejects: readonly Reject[], context: { readonly detector: string; readonly batchId: string }): Promise<void> {
    // The context's fields close each reject's JSON object: written once per call, not copied into every reject.
    const tail = `,"detector":${JSON.stringify(context.detector)},"batchId":${JSON.stringify(context.batchId)}}`;
    for (const reject of rejects) {
      this.total++;
      this.byReason[reject.reason] = (this.byReason[reject.reason] ?? 0) + 1;
      if (this.kept.length < KEPT_REJECTS) this.kept.push(reject);
      this.file?.writeLine(`${JSON.stringify(reject).slice(0, -1)}${tail}`);
    }
  }
}
