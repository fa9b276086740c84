/**
 * Detector state as the pure core sees it: Table Storage partitions of plain rows, with no ETags,
 * clients or I/O. The adapter (`src/adapters/tableStateStore.ts`) loads snapshots, remembers the
 * ETags, and commits the core's RowChanges per partition in batched, ETag-guarded transactions.
 *
 * Keys must be valid Table Storage keys: build them with `tableKey()` from `./keys`.
 */
export type RowValue = string | number | boolean;

/** A row's fields, by its row key in a partition's `rows`. */
export type RowData = Readonly<Record<string, RowValue>>;

export interface PartitionSnapshot {
  readonly partitionKey: string;
  /**
   * The rows' fields by row key, with no wrapper object around each: judging a use reads two rows
   * of its identity's partition, and a wrapper was one more object to fetch from memory per row.
   */
  readonly rows: ReadonlyMap<string, RowData>;
  /**
   * What the core derives from `rows` (a number per row key: an identity's baseline day codes),
   * worked out on first use and kept here. A store hands out one snapshot object per partition
   * version, kept and dropped with the version, so the core works it out once per version; a
   * store never reads or sets it. Kept on the snapshot because judging a use already holds it:
   * looking the codes up by the row map in a weak map was two more fetches from memory per use.
   */
  derived?: DerivedRows;
}

/** A number per row key, derived from a snapshot's rows by the core (PartitionSnapshot.derived). */
export type DerivedRows = ReadonlyMap<string, number>;

export type RowChange =
  | {
      readonly kind: 'upsert';
      readonly partitionKey: string;
      readonly rowKey: string;
      readonly data: Readonly<Record<string, RowValue>>;
      /**
       * A write-once row (same key, same data for every writer, e.g. an issued token): concurrent
       * writers cannot lose each other's data, so the partition guard is not needed. A partition
       * whose changes are all unguarded is written without an ETag check.
       */
      readonly unguarded?: boolean;
    }
  | {
      /**
       * A row that must not exist yet (the first use of a token). A partition whose changes are
       * all creates is insert-only: written without the version guard, and the write fails as a
       * conflict when another writer created one of its rows first (the batch is then judged again
       * on what that writer wrote). Such a partition only grows, so a store may add the rows to
       * the copy it holds in place instead of copying it for every batch.
       */
      readonly kind: 'create';
      readonly partitionKey: string;
      readonly rowKey: string;
      readonly data: Readonly<Record<string, RowValue>>;
    }
  | { readonly kind: 'delete'; readonly partitionKey: string; readonly rowKey: string };

/** One row by its keys, for point reads (StateStore.readRows). */
export interface RowAddress {
  readonly partitionKey: string;
  readonly rowKey: string;
}

/** The key of a row in a readRows result. */
export function rowAddressKey(address: RowAddress): string {
  return `${address.partitionKey}\n${address.rowKey}`;
}

export function emptyPartition(partitionKey: string): PartitionSnapshot {
  return { partitionKey, rows: new Map() };
}
