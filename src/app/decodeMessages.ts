import { decodeMessage } from '../core/records/envelope';
import type { Reject } from '../core/records/reject';

export interface SourcedRecord {
  readonly record: unknown;
  /** Where the record came from, for rejects: `message 3 record 17`, `day-01.json record 4`. */
  readonly origin: string;
}

/** Decodes every Event Hub message of a batch; a bad message is a counted reject, never an exception. */
export function decodeMessages(messages: readonly unknown[], originOf: (index: number) => string): { records: SourcedRecord[]; rejects: Reject[] } {
  const records: SourcedRecord[] = [];
  const rejects: Reject[] = [];
  messages.forEach((message, i) => {
    const origin = originOf(i);
    const decoded = decodeMessage(message, origin);
    rejects.push(...decoded.rejects);
    decoded.records.forEach((record, j) => records.push({ record, origin: `${origin} record ${j}` }));
  });
  return { records, rejects };
}
