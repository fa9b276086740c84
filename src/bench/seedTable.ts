import type { TableClient } from '@azure/data-tables';
import type { MemoryStateBackend } from '../adapters/memoryStateStore';
import { MAX_TX_OPERATIONS, submitEntityTransaction, type EntityOperation } from '../adapters/tableTransaction';

/**
 * Writes the state a warm-up built in memory to Table Storage, in the encoding TableStateStore
 * reads (rows only: a partition without a version row is guarded from its first write on). The
 * bench's warm-up only has to produce "identities already known"; through the real store it
 * would write every identity's partition once per invocation, which at 10,000 identities takes
 * Azurite minutes. Copying the result costs one transaction per 100 rows.
 */
export async function copyStateToTable(backend: MemoryStateBackend, client: TableClient, concurrency = 16): Promise<{ partitions: number; rows: number; transactions: number }> {
  const batches: { partitionKey: string; operations: EntityOperation[] }[] = [];
  let rows = 0;
  for (const [partitionKey, partition] of backend.partitions) {
    const operations: EntityOperation[] = [...partition.rows].map(([rowKey, data]) => ({ op: 'upsert', rowKey, data }));
    rows += operations.length;
    for (let i = 0; i < operations.length; i += MAX_TX_OPERATIONS) batches.push({ partitionKey, operations: operations.slice(i, i + MAX_TX_OPERATIONS) });
  }
  for (let i = 0; i < batches.length; i += concurrency) {
    await Promise.all(batches.slice(i, i + concurrency).map((batch) => submitEntityTransaction(client, batch.partitionKey, batch.operations)));
  }
  return { partitions: backend.partitions.size, rows, transactions: batches.length };
}
