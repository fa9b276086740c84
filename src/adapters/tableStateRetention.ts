import type { TableClient } from '@azure/data-tables';
import { afterTenant, expiredPartitionRange, parseWriteOncePartitionKey, WRITE_ONCE_FAMILIES, type WriteOnceFamily } from '../core/remoteUse/stateRetention';
import { StateStoreError, type ExpiringStateStore, type StateDeletion } from './stateStore';
import { deleteExpiredGroups, type PartitionGroup, type RangeDeletionProgress } from './tableRangeDeletion';

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
    const progress: RangeDeletionProgress = { rows: 0, partitions: new Set(), groups: [] };
    const tenants: Record<WriteOnceFamily, number> = { tok: 0, use: 0, sup: 0 };
    try {
      for (const { family } of WRITE_ONCE_FAMILIES) {
        const familyPrefix = `${family}|`;
        const tenantOf = (partitionKey: string): PartitionGroup | undefined | 'end' => {
          if (!partitionKey.startsWith(familyPrefix)) return 'end';
          const parsed = parseWriteOncePartitionKey(partitionKey);
          return parsed && { name: parsed.tenantKey, expired: expiredPartitionRange(family, parsed.tenantKey, firstKeptDays[family]), after: afterTenant(family, parsed.tenantKey) };
        };
        const before = progress.groups.length;
        await deleteExpiredGroups(this.client, familyPrefix, tenantOf, progress);
        tenants[family] = progress.groups.length - before;
      }
    } catch (error) {
      const message = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
      throw new StateStoreError(`state retention: deleting expired partitions failed after ${progress.rows} rows: ${message}`, { cause: error });
    }
    return { firstKeptDays, tenants, partitions: progress.partitions.size, rows: progress.rows };
  }
}
