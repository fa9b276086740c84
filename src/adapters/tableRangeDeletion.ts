import { odata, type TableClient } from '@azure/data-tables';
import { MAX_TX_OPERATIONS, submitEntityTransaction, type EntityOperation } from './tableTransaction';

/**
 * Deleting whole partitions of a table by key range, for the retention timers (dead letters, the
 * remote-use detector's write-once partitions). Table Storage deletes entities one by one: the keys
 * of a range are read (PartitionKey and RowKey only) and deleted in transactions of up to 100 rows
 * of one partition. Partitions are found by walking the key space: the first key at or after a
 * bound names a group of partitions (a detector, a family's tenant) whose expired part is one range.
 */

/**
 * A group of partitions that expire together (a detector's days, a family's tenant's hours): its
 * name as the keys spell it, its expired partitions as a key range [`from`, `to`), and the lowest
 * key above all of its partitions, where the next group starts.
 */
export interface PartitionGroup {
  readonly name: string;
  readonly expired: { readonly from: string; readonly to: string };
  readonly after: string;
}

/** What a walk deleted so far: still correct when it fails midway, for the failure's message. */
export interface RangeDeletionProgress {
  rows: number;
  readonly partitions: Set<string>;
  readonly groups: string[];
}

/**
 * Walks the table from `start`, group by group: `groupOf` reads the first key at or after a bound as
 * a group, as `undefined` for a key of another shape (stepped over and kept), or as `'end'` past the
 * keys walked. One query finds each group; its expired range is read by key and deleted.
 */
export async function deleteExpiredGroups(client: TableClient, start: string, groupOf: (partitionKey: string) => PartitionGroup | undefined | 'end', progress: RangeDeletionProgress): Promise<void> {
  let bound: KeyBound = { op: 'ge', key: start };
  for (let next = await firstPartitionKeyFrom(client, bound); next !== undefined; next = await firstPartitionKeyFrom(client, bound)) {
    const group = groupOf(next);
    if (group === 'end') return;
    if (group === undefined) {
      bound = { op: 'gt', key: next };
      continue;
    }
    progress.groups.push(group.name);
    for await (const deleted of deletePartitionRange(client, group.expired.from, group.expired.to)) {
      progress.rows += deleted.rows;
      progress.partitions.add(deleted.partitionKey);
    }
    bound = { op: 'ge', key: group.after };
  }
}

interface KeyBound {
  readonly op: 'ge' | 'gt';
  readonly key: string;
}

/** The first partition key after the bound, or undefined at the end of the table. */
async function firstPartitionKeyFrom(client: TableClient, bound: KeyBound): Promise<string | undefined> {
  const filter = bound.op === 'ge' ? odata`PartitionKey ge ${bound.key}` : odata`PartitionKey gt ${bound.key}`;
  // A page may come back empty with a continuation (a query crossing a partition server): keep reading.
  for await (const page of client.listEntities({ queryOptions: { filter, select: ['PartitionKey'] } }).byPage({ maxPageSize: 1 })) {
    const first = page[0]?.partitionKey;
    if (first !== undefined) return first;
  }
  return undefined;
}

/** Deletes the rows with a partition key in [from, to), one transaction per partition and 100 rows; yields each transaction's partition and rows. */
async function* deletePartitionRange(client: TableClient, from: string, to: string): AsyncGenerator<{ readonly partitionKey: string; readonly rows: number }> {
  const filter = odata`PartitionKey ge ${from} and PartitionKey lt ${to}`;
  let partitionKey = '';
  let pending: EntityOperation[] = [];
  const flush = async (): Promise<{ partitionKey: string; rows: number } | undefined> => {
    if (pending.length === 0) return undefined;
    const batch = pending;
    pending = [];
    await submitEntityTransaction(client, partitionKey, batch);
    return { partitionKey, rows: batch.length };
  };
  for await (const entity of client.listEntities({ queryOptions: { filter, select: ['PartitionKey', 'RowKey'] } })) {
    const key = entity.partitionKey ?? '';
    if (key !== partitionKey || pending.length === MAX_TX_OPERATIONS) {
      const done = await flush();
      if (done) yield done;
      partitionKey = key;
    }
    pending.push({ op: 'delete', rowKey: entity.rowKey ?? '' });
  }
  const done = await flush();
  if (done) yield done;
}
