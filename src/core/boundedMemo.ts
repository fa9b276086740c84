/**
 * Stores `value` under `key` in a memo of pure results, first clearing the memo when it already
 * holds `maxEntries`: a long-running instance's memory stays flat whatever the stream, and a
 * cleared entry is simply computed again, identically. Returns `value`.
 */
export function rememberBounded<K, V>(memo: Map<K, V>, key: K, value: V, maxEntries: number): V {
  if (memo.size >= maxEntries) memo.clear();
  memo.set(key, value);
  return value;
}
