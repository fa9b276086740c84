import type { TableClient } from '@azure/data-tables';
import type { Reject } from '../core/records/reject';
import { afterRejectDetector, expiredRejectRange, parseRejectPartitionKey, rejectPartitionKey } from '../core/records/rejectRetention';
import { tableKey } from '../core/state/keys';
import type { ExpiringRejectStore, RejectsDeletion, RejectSink } from './rejectSink';
import { StateStoreError } from './stateStore';
import { deleteExpiredGroups, type PartitionGroup, type RangeDeletionProgress } from './tableRangeDeletion';
import { MAX_TX_OPERATIONS, submitEntityTransaction, type EntityOperation } from './tableTransaction';

/**
 * Dead-letter sink on Table Storage: one row per rejected record, partitioned by detector and UTC
 * day of processing (`<detector>|<yyyymmdd>`) so an operator can list a day's rejects with one
 * query and the retention can drop whole days by key range. Row keys are derived from the batch id
 * and position, so a redelivered batch overwrites its own rows instead of duplicating them. Rows
 * hold what makeReject made: reason, detail and a sample with credentials redacted.
 */
export class TableRejectSink implements RejectSink, ExpiringRejectStore {
  constructor(private readonly client: TableClient, private readonly now: () => Date) {}

  async send(rejects: readonly Reject[], context: { readonly detector: string; readonly batchId: string }): Promise<void> {
    if (rejects.length === 0) return;
    const partitionKey = rejectPartitionKey(context.detector, this.now().getTime());
    const operations: EntityOperation[] = rejects.map((r, i) => ({
      op: 'upsert',
      rowKey: tableKey(context.batchId, String(i).padStart(6, '0')),
      data: { reason: r.reason, detail: r.detail, origin: r.origin, sample: r.sample },
    }));
    try {
      for (let i = 0; i < operations.length; i += MAX_TX_OPERATIONS) await submitEntityTransaction(this.client, partitionKey, operations.slice(i, i + MAX_TX_OPERATIONS));
    } catch (error) {
      throw new StateStoreError(`dead-letter: storing ${rejects.length} rejects failed: ${firstLine(error)}`, { cause: error });
    }
  }

  /**
   * Deletes every reject partition of a day before `firstKeptDay`, detector by detector: the first
   * partition key at or after a bound names a detector, its expired days are one key range, and the
   * next detector starts after `<detector>}` (afterRejectDetector). Keys of another shape are
   * stepped over and kept. Reads keys only (PartitionKey, RowKey), deletes in transactions of 100.
   */
  async deleteRejectsBefore(firstKeptDay: string): Promise<RejectsDeletion> {
    const progress: RangeDeletionProgress = { rows: 0, partitions: new Set(), groups: [] };
    const detectorOf = (partitionKey: string): PartitionGroup | undefined => {
      const parsed = parseRejectPartitionKey(partitionKey);
      return parsed && { name: parsed.detectorKey, expired: expiredRejectRange(parsed.detectorKey, firstKeptDay), after: afterRejectDetector(parsed.detectorKey) };
    };
    try {
      await deleteExpiredGroups(this.client, '', detectorOf, progress);
    } catch (error) {
      throw new StateStoreError(`dead-letter retention: deleting rejects before ${firstKeptDay} failed after ${progress.rows} rows: ${firstLine(error)}`, { cause: error });
    }
    return { firstKeptDay, detectors: progress.groups, partitions: progress.partitions.size, rows: progress.rows };
  }
}

function firstLine(error: unknown): string {
  return error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
}
