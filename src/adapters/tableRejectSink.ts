import type { TableClient } from '@azure/data-tables';
import type { Reject } from '../core/records/reject';
import { tableKey } from '../core/state/keys';
import type { RejectSink } from './rejectSink';
import { StateStoreError } from './stateStore';
import { MAX_TX_OPERATIONS, submitEntityTransaction, type EntityOperation } from './tableTransaction';

/**
 * Dead-letter sink on Table Storage: one row per rejected record, partitioned by detector and UTC
 * day of processing so an operator can list a day's rejects with one query. Row keys are derived
 * from the batch id and position, so a redelivered batch overwrites its own rows instead of
 * duplicating them.
 */
export class TableRejectSink implements RejectSink {
  constructor(private readonly client: TableClient, private readonly now: () => Date) {}

  async send(rejects: readonly Reject[], context: { readonly detector: string; readonly batchId: string }): Promise<void> {
    if (rejects.length === 0) return;
    const day = this.now().toISOString().slice(0, 10).replace(/-/g, '');
    const partitionKey = tableKey(context.detector, day);
    const operations: EntityOperation[] = rejects.map((r, i) => ({
      op: 'upsert',
      rowKey: tableKey(context.batchId, String(i).padStart(6, '0')),
      data: { reason: r.reason, detail: r.detail, origin: r.origin, sample: r.sample },
    }));
    try {
      for (let i = 0; i < operations.length; i += MAX_TX_OPERATIONS) await submitEntityTransaction(this.client, partitionKey, operations.slice(i, i + MAX_TX_OPERATIONS));
    } catch (error) {
      throw new StateStoreError(`dead-letter: storing ${rejects.length} rejects failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`, { cause: error });
    }
  }
}
