import { odata, type TableClient } from '@azure/data-tables';
import { rowAddressKey, type PartitionSnapshot, type RowAddress, type RowChange, type RowData, type RowValue } from '../core/state/partition';
import type { CommitResult, StateStore } from '../adapters/stateStore';
import { readEntity, toEntity } from '../adapters/tableStateStore';

/**
 * The reference TokenWatch is compared with: a state store as it is usually first written, with
 * every record handled on its own (the bench feeds it one record per invocation). Nothing is
 * cached, so every partition a record needs is read again (one query each); nothing is batched,
 * so every changed row is its own upsert or delete. There is no version guard either (last
 * writer wins), which only makes it cheaper than a correct per-record design.
 *
 * It is not used by the functions; it exists so the benchmark can count, on the same stream and
 * the same Azurite, what batching and caching save.
 */
export class NaiveStateStore implements StateStore {
  /** Partition reads issued (one query each; more requests if a partition spans pages). */
  reads = 0;
  /** Row writes issued (one request each). */
  writes = 0;
  /** Single rows read by key (one request each). */
  rowReads = 0;

  constructor(private readonly client: TableClient) {}

  async load(partitionKeys: readonly string[]): Promise<Map<string, PartitionSnapshot>> {
    const out = new Map<string, PartitionSnapshot>();
    for (const key of partitionKeys) {
      this.reads++;
      const rows = new Map<string, RowData>();
      for await (const entity of this.client.listEntities<Record<string, unknown>>({ queryOptions: { filter: odata`PartitionKey eq ${key}` } })) {
        const rowKey = String(entity.rowKey);
        // The version row belongs to the guarded store; the reference ignores it.
        if (rowKey === '~v') continue;
        rows.set(rowKey, rowData(entity));
      }
      out.set(key, { partitionKey: key, rows });
    }
    return out;
  }

  async readRows(addresses: readonly RowAddress[]): Promise<Map<string, RowData>> {
    const out = new Map<string, RowData>();
    for (const address of addresses) {
      this.rowReads++;
      const entity = await readEntity(this.client, address);
      if (entity) out.set(rowAddressKey(address), rowData(entity));
    }
    return out;
  }

  async commit(changes: readonly RowChange[], _judgedOn: ReadonlyMap<string, PartitionSnapshot>): Promise<CommitResult> {
    const partitions = new Set<string>();
    for (const change of changes) {
      this.writes++;
      partitions.add(change.partitionKey);
      if (change.kind === 'delete') await this.client.deleteEntity(change.partitionKey, change.rowKey);
      // Same encoding as the real store (numbers as Edm.Double), so both read each other's rows.
      else await this.client.upsertEntity(toEntity(change.partitionKey, change.rowKey, change.data), 'Replace');
    }
    return { written: partitions.size, conflicts: [] };
  }
}

function rowData(entity: Record<string, unknown>): Record<string, RowValue> {
  const data: Record<string, RowValue> = {};
  for (const [name, value] of Object.entries(entity)) {
    if (name === 'partitionKey' || name === 'rowKey' || name === 'etag' || name === 'timestamp' || name.includes('odata')) continue;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') data[name] = value;
    else if (typeof value === 'bigint') data[name] = Number(value);
  }
  return data;
}
