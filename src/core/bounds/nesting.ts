/**
 * Bounds on how deep a JSON value nests. JSON can nest deeper than the call stack goes (a record
 * that is an array nested a few thousand levels deep is a few kilobytes), and every recursive walk
 * of such a value (JSON.stringify, Array.prototype.join, a fingerprint) throws `Maximum call stack
 * size exceeded`. Out of a handler that throw fails the invocation, and under the unlimited Event
 * Hub retry policy its batch would be redelivered forever. So depth is measured here, by a walk
 * that itself stops at the bound, before any unbounded walk sees the value.
 */

/** Levels of nesting a record may have: real telemetry has under 10 (the fingerprint reads 64, FINGERPRINT_DEPTH). */
export const MAX_RECORD_DEPTH = 64;

/**
 * True when `value` has objects or arrays nested more than `maxDepth` levels (a flat object is 1
 * level). Recursive, but never more than `maxDepth` calls deep; stops at the first branch too deep.
 */
export function nestsDeeperThan(value: unknown, maxDepth: number = MAX_RECORD_DEPTH): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (maxDepth <= 0) return true;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (nestsDeeperThan(value[i], maxDepth - 1)) return true;
    return false;
  }
  const record = value as Record<string, unknown>;
  for (const key in record) if (Object.prototype.hasOwnProperty.call(record, key) && nestsDeeperThan(record[key], maxDepth - 1)) return true;
  return false;
}

/** What stands for an object or array below the depth a pruned copy keeps, or past its size. */
export const PRUNED = '…';

/**
 * 2,000 values: more than a 4 KiB reject sample can show, so pruning never shortens what it shows.
 */
const PRUNED_VALUES = 2_000;

/**
 * A copy of `value` that any recursive walk can take: objects and arrays deeper than `maxDepth`
 * become PRUNED, and after PRUNED_VALUES values everything else does too. For showing a value
 * (a reject's sample), never for judging it. Own keys only, set as data properties: a `__proto__`
 * key is copied as a key, never as the copy's prototype.
 */
export function prunedCopy(value: unknown, maxDepth: number = MAX_RECORD_DEPTH): unknown {
  const budget = { values: PRUNED_VALUES };
  return prune(value, maxDepth, budget);
}

function prune(value: unknown, depth: number, budget: { values: number }): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (depth <= 0 || budget.values <= 0) return PRUNED;
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (let i = 0; i < value.length; i++) {
      if (--budget.values < 0) {
        out.push(PRUNED);
        break;
      }
      out.push(prune(value[i], depth - 1, budget));
    }
    return out;
  }
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    if (--budget.values < 0) {
      Object.defineProperty(out, PRUNED, { value: PRUNED, enumerable: true, writable: true, configurable: true });
      break;
    }
    Object.defineProperty(out, key, { value: prune((value as Record<string, unknown>)[key], depth - 1, budget), enumerable: true, writable: true, configurable: true });
  }
  return out;
}
