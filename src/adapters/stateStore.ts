import { makeReject, type Reject } from '../core/records/reject';
import type { PartitionSnapshot, RowAddress, RowChange, RowData } from '../core/state/partition';
import type { WriteOnceFamily } from '../core/remoteUse/stateRetention';

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
 * partition without a snapshot is a conflict. Partitions whose changes are all unguarded
 * write-once rows (RowChange `unguarded`: the token registry, the suppression ledger) are written
 * only after every other partition of the commit was, and not at all when one of those conflicts:
 * such rows record what the judgement concluded (a suppressed alert), and a judgement that
 * conflicted is made again, possibly to another conclusion, and writes them then. A row too large
 * to store is left out and reported in `refused` (see RefusedRow). Infrastructure failures (the network, 5xx, 408/429, throttling)
 * throw: a retry can fix them.
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
  /**
   * Rows of written partitions left out because the store cannot hold them (see RefusedRow);
   * absent or empty when every row was written.
   */
  readonly refused?: readonly RefusedRow[];
}

/**
 * A row the store cannot hold: a value or the whole row over the store's limits (Table Storage:
 * 64 KiB per property, 1 MiB per entity, 4 MiB per transaction), or a number it cannot represent.
 *
 * Such a failure is a data error, not an infrastructure one: sending the same row again fails the
 * same way, and thrown it would make Event Hubs redeliver the batch forever. So the store leaves
 * the row out, writes the rest of its partition (guard included) and every other partition, and
 * reports the row here; the caller turns each into a counted reject (`state.value-too-large`,
 * `state.value-not-storable`) and the batch goes on. The reject names the row, not a record: a
 * state row holds what many records taught (a catalog entry, a baseline network), so no single
 * record is "the" one concerned, and the batch's other records were judged and written already.
 * The core bounds every value it puts in a row (src/core/bounds), so this is the last line, for a
 * value the bounds missed; the memory twin has no limits and never refuses.
 */
export interface RefusedRow {
  readonly partitionKey: string;
  readonly rowKey: string;
  readonly reason: 'state.value-too-large' | 'state.value-not-storable';
  readonly detail: string;
}

/** A store failure that should make the invocation fail (and Event Hubs redeliver the batch). */
export class StateStoreError extends Error {
  override readonly name = 'StateStoreError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * Refused rows as counted rejects, one per row however many commit rounds refused it (a batch
 * judged again after a conflict produces the same row again): the sample is the row's address.
 */
export class RefusedRows {
  private readonly rows = new Map<string, RefusedRow>();

  add(result: CommitResult): void {
    for (const row of result.refused ?? []) this.rows.set(`${row.partitionKey}\n${row.rowKey}`, row);
  }

  rejects(): Reject[] {
    return [...this.rows.values()].map((row) =>
      makeReject(row.reason, row.detail, { partitionKey: row.partitionKey, rowKey: row.rowKey }, `state ${row.partitionKey} ${row.rowKey}`),
    );
  }
}

/**
 * The commit's partitions in the order a store writes them (see StateStore): first those with a
 * guarded or insert-only change, then those whose changes are all unguarded, written only when
 * none of the first conflicted.
 */
export function commitPhases(changes: readonly RowChange[]): { readonly judged: [string, RowChange[]][]; readonly unguarded: [string, RowChange[]][] } {
  const judged: [string, RowChange[]][] = [];
  const unguarded: [string, RowChange[]][] = [];
  for (const entry of groupByPartition(changes)) (entry[1].every(isUnguarded) ? unguarded : judged).push(entry);
  return { judged, unguarded };
}

function isUnguarded(change: RowChange): boolean {
  return change.kind === 'upsert' && change.unguarded === true;
}

function groupByPartition(changes: readonly RowChange[]): Map<string, RowChange[]> {
  const groups = new Map<string, RowChange[]>();
  for (const change of changes) {
    const group = groups.get(change.partitionKey);
    if (group) group.push(change);
    else groups.set(change.partitionKey, [change]);
  }
  return groups;
}

/** What one run of the state retention deleted (src/core/remoteUse/stateRetention.ts). */
export interface StateDeletion {
  /** Each family's partitions of this day and later were kept. */
  readonly firstKeptDays: Readonly<Record<WriteOnceFamily, string>>;
  /** Tenants (as their keys spell them) with a partition of a write-once family, by family. */
  readonly tenants: Readonly<Record<WriteOnceFamily, number>>;
  readonly partitions: number;
  readonly rows: number;
}

/** A state store whose write-once partitions expire: the stateRetention timer's side. */
export interface ExpiringStateStore {
  /** Deletes every write-once partition of a time before its family's first kept day; throws when the store fails. */
  deleteExpiredPartitions(firstKeptDays: Readonly<Record<WriteOnceFamily, string>>): Promise<StateDeletion>;
}
