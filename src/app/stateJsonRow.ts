import { StateStoreError, type StateStore } from '../adapters/stateStore';
import type { PartitionSnapshot } from '../core/state/partition';

/**
 * One small JSON document kept in one row of the state table (a watermark), written ETag-guarded:
 * two runs writing the same row at once is a conflict, and the second one fails instead of
 * overwriting the first one's progress. The document is one string property, so it must stay
 * under Table Storage's 64 KiB per property (32,768 UTF-16 characters).
 */
export interface JsonRow<T> {
  readonly value: T | undefined;
  /** Saves a new value, guarded by the version this row was read at; returns the row at its new version. */
  save(value: T): Promise<JsonRow<T>>;
}

/** 32,000 characters: under the 32,768 UTF-16 characters of a 64 KiB string property. */
const MAX_JSON_CHARS = 32_000;

export async function loadJsonRow<T>(store: StateStore, partitionKey: string, rowKey: string, parse: (json: unknown) => T | undefined): Promise<JsonRow<T>> {
  const loaded = await store.load([partitionKey]);
  return jsonRowOf(store, partitionKey, rowKey, parse, loaded);
}

function jsonRowOf<T>(store: StateStore, partitionKey: string, rowKey: string, parse: (json: unknown) => T | undefined, loaded: Map<string, PartitionSnapshot>): JsonRow<T> {
  const text = loaded.get(partitionKey)?.rows.get(rowKey)?.['json'];
  let value: T | undefined;
  if (typeof text === 'string') {
    try {
      value = parse(JSON.parse(text) as unknown);
    } catch {
      value = undefined;
    }
  }
  return {
    value,
    async save(next: T): Promise<JsonRow<T>> {
      const json = JSON.stringify(next);
      if (json.length > MAX_JSON_CHARS) throw new StateStoreError(`state row ${partitionKey}/${rowKey}: ${json.length} characters is more than a table property holds`);
      const commit = await store.commit([{ kind: 'upsert', partitionKey, rowKey, data: { json } }], loaded);
      if (commit.conflicts.length > 0) throw new StateStoreError(`state row ${partitionKey}/${rowKey} was changed by another run at the same time; this run stops (the other one continues)`);
      // The store hands out the partition at its new version (TableStateStore keeps what it wrote).
      return jsonRowOf(store, partitionKey, rowKey, parse, await store.load([partitionKey]));
    },
  };
}
