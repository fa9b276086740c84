import type { PartitionSnapshot, RowChange, RowValue } from './partition';

type RowData = Readonly<Record<string, RowValue>>;

/**
 * A mutable working copy of one partition for the duration of a batch. It records which rows
 * changed so that the batch writes only those: a steady stream of known behaviour writes nothing.
 */
export class WorkingPartition {
  private readonly rows = new Map<string, RowData>();
  private readonly dirty = new Set<string>();
  private readonly deleted = new Set<string>();

  /** `writeOnce`: every row is write-once, so changes are emitted unguarded (see RowChange). */
  constructor(readonly partitionKey: string, snapshot?: PartitionSnapshot, private readonly writeOnce = false) {
    if (snapshot) for (const [rowKey, row] of snapshot.rows) this.rows.set(rowKey, row.data);
  }

  get(rowKey: string): RowData | undefined {
    return this.rows.get(rowKey);
  }

  entries(): IterableIterator<[string, RowData]> {
    return this.rows.entries();
  }

  /** Writes a row; a value equal to the current one is not a change. */
  set(rowKey: string, data: RowData): void {
    const current = this.rows.get(rowKey);
    if (current && sameData(current, data)) return;
    this.rows.set(rowKey, data);
    this.dirty.add(rowKey);
    this.deleted.delete(rowKey);
  }

  delete(rowKey: string): void {
    if (!this.rows.has(rowKey)) return;
    this.rows.delete(rowKey);
    this.dirty.delete(rowKey);
    this.deleted.add(rowKey);
  }

  get changed(): boolean {
    return this.dirty.size > 0 || this.deleted.size > 0;
  }

  changes(): RowChange[] {
    const out: RowChange[] = [];
    for (const rowKey of [...this.dirty].sort()) {
      const data = this.rows.get(rowKey);
      if (data) out.push({ kind: 'upsert', partitionKey: this.partitionKey, rowKey, data, ...(this.writeOnce ? { unguarded: true } : {}) });
    }
    for (const rowKey of [...this.deleted].sort()) out.push({ kind: 'delete', partitionKey: this.partitionKey, rowKey });
    return out;
  }
}

function sameData(a: RowData, b: RowData): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((k) => a[k] === b[k]);
}

export function num(data: RowData | undefined, key: string): number | undefined {
  const value = data?.[key];
  return typeof value === 'number' ? value : typeof value === 'string' && value !== '' && Number.isFinite(Number(value)) ? Number(value) : undefined;
}

export function str(data: RowData | undefined, key: string): string {
  const value = data?.[key];
  return typeof value === 'string' ? value : value === undefined ? '' : String(value);
}
