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
  forEachDecodedRecord(messages, originOf, (record, origin) => records.push({ record, origin }), (reject) => rejects.push(reject));
  return { records, rejects };
}

/**
 * Decodes the messages one at a time and hands each record (with its origin) and each message-level
 * reject on in message order, holding nothing: a caller that turns records into smaller values
 * as they arrive never holds a whole invocation's decoded JSON. Returns the number of records.
 */
export function forEachDecodedRecord(
  messages: readonly unknown[],
  originOf: (index: number) => string,
  onRecord: (record: unknown, origin: string) => void,
  onReject: (reject: Reject) => void,
): number {
  let records = 0;
  for (let i = 0; i < messages.length; i++) {
    const origin = originOf(i);
    const decoded = decodeMessage(messages[i], origin);
    for (const reject of decoded.rejects) onReject(reject);
    const list = decoded.records;
    for (let j = 0; j < list.length; j++) onRecord(list[j], `${origin} record ${j}`);
    records += list.length;
  }
  return records;
}
