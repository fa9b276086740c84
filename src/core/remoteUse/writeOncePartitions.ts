/**
 * Partitions of write-once rows (token buckets, suppression ledger hours): opened as a batch
 * needs them, never loaded, written blind. A redelivered batch writes the same rows again.
 */
import type { RowChange } from '../state/partition';
import { WorkingPartition } from '../state/workingPartition';

/**
 * Partitions of write-once rows (token buckets, suppression ledger hours), opened as the batch
 * needs them. Never loaded: their rows are written blind and only this batch's are read back.
 */
export class WriteOncePartitions {
  private readonly partitions = new Map<string, WorkingPartition>();

  get(key: string): WorkingPartition {
    let partition = this.partitions.get(key);
    if (!partition) {
      partition = new WorkingPartition(key, undefined, true);
      this.partitions.set(key, partition);
    }
    return partition;
  }

  changes(): RowChange[] {
    return [...this.partitions.values()].flatMap((p) => p.changes());
  }
}
