import type { PartitionSnapshot, RowAddress, RowChange, RowData } from '../core/state/partition';

/**
 * Detector state behind a narrow interface: Table Storage in production, memory in unit tests.
 *
 * `load` returns a snapshot of every requested partition (empty when it does not exist).
 * `commit` writes the changes partition by partition, in as few batched transactions as the
 * service allows, given the snapshots the changes were judged on. A changed partition is
 * guarded: its write succeeds only if nobody else wrote it since that snapshot was loaded
 * (another instance, or a concurrent invocation of this one: the host runs the invocations of
 * different Event Hub partitions at the same time); otherwise it is reported in `conflicts`,
 * nothing of it is written, and the caller reloads it and judges again. A guarded change to a
 * partition without a snapshot is a conflict. Infrastructure failures throw.
 *
 * `readRows` reads single rows by key (one point read each, no partition loaded or cached): the
 * few write-once rows a batch cites but need not judge on, such as the issuance of a token an
 * alert names. A row that does not exist is absent from the result.
 */
export interface StateStore {
  load(partitionKeys: readonly string[]): Promise<Map<string, PartitionSnapshot>>;
  readRows(addresses: readonly RowAddress[]): Promise<Map<string, RowData>>;
  commit(changes: readonly RowChange[], judgedOn: ReadonlyMap<string, PartitionSnapshot>): Promise<CommitResult>;
}

export interface CommitResult {
  /** Partitions written. */
  readonly written: number;
  /** Partitions not written because another writer changed them since they were loaded. */
  readonly conflicts: readonly string[];
}

/** A store failure that should make the invocation fail (and Event Hubs redeliver the batch). */
export class StateStoreError extends Error {
  override readonly name = 'StateStoreError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export function groupByPartition(changes: readonly RowChange[]): Map<string, RowChange[]> {
  const groups = new Map<string, RowChange[]>();
  for (const change of changes) {
    const group = groups.get(change.partitionKey);
    if (group) group.push(change);
    else groups.set(change.partitionKey, [change]);
  }
  return groups;
}
