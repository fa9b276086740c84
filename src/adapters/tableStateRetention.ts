import type { TableClient } from '@azure/data-tables';
import { afterTenant, expiredPartitionRange, parseWriteOncePartitionKey, WRITE_ONCE_FAMILIES, type WriteOnceFamily } from '../core/remoteUse/stateRetention';
import { StateStoreError, type ExpiringStateStore, type StateDeletion } from './stateStore';
import { deletePartitionRange, firstPartitionKeyFrom, type KeyBound } from './tableRangeDeletion';

/**
 * The state table's retention: deletes the expired write-once partitions of the remote-use
 * detector (token buckets, first uses, the suppression ledger; src/core/remoteUse/stateRetention.ts)
 * family by family and tenant by tenant. The first partition key at or after a bound names a
 * tenant, its expired hours are one key range, and the next tenant starts after `<family>|<tenant>}`:
 * one query per tenant and family to find them, the expired rows' keys read and deleted 100 per
 * transaction. Identity, tenant and host partitions, and keys of another shape, are never touched.
 */
export class TableStateRetention implements ExpiringStateStore {
  constructor(private readonly client: TableClient) {}

  async deleteExpiredPartitions(firstKeptDays: Readonly<Record<WriteOnceFamily, string>>): Promise<StateDeletion> {
    let rows = 0;
    const partitions = new Set<string>();
    const tenants: Record<WriteOnceFamily, number> = { tok: 0, use: 0, sup: 0 };
    try {
      for (const { family } of WRITE_ONCE_FAMILIES) {
        const familyPrefix = `${family}|`;
        let bound: KeyBound = { op: 'ge', key: familyPrefix };
        for (let next = await firstPartitionKeyFrom(this.client, bound); next?.startsWith(familyPrefix); next = await firstPartitionKeyFrom(this.client, bound)) {
          const parsed = parseWriteOncePartitionKey(next);
          if (parsed === undefined) {
            bound = { op: 'gt', key: next };
            continue;
          }
          tenants[family]++;
          const range = expiredPartitionRange(family, parsed.tenantKey, firstKeptDays[family]);
          for await (const deleted of deletePartitionRange(this.client, range.from, range.to)) {
            rows += deleted.rows;
            partitions.add(deleted.partitionKey);
          }
          bound = { op: 'ge', key: afterTenant(family, parsed.tenantKey) };
        }
      }
    } catch (error) {
      const message = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
      throw new StateStoreError(`state retention: deleting expired partitions failed after ${rows} rows: ${message}`, { cause: error });
    }
    return { firstKeptDays, tenants, partitions: partitions.size, rows };
  }
}
