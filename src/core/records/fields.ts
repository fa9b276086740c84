import { rememberBounded } from '../boundedMemo';
import { isObject } from './envelope';

/** Small readers for untrusted JSON: they return undefined instead of throwing or guessing. */

/** What a parser reads when a record or its `properties` is not an object: every field absent. */
export const NO_FIELDS: Readonly<Record<string, unknown>> = Object.freeze({});

export function field(record: unknown, ...path: string[]): unknown {
  let current: unknown = record;
  for (const key of path) {
    if (!isObject(current)) return undefined;
    current = current[key];
  }
  return current;
}

/** A non-empty string, or a number rendered as a string (logs mix `"4"` and `4`). */
export function text(value: unknown): string | undefined {
  if (typeof value === 'string') {
    const trimmed = value.trim();
    return trimmed === '' ? undefined : trimmed;
  }
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

export function textField(record: unknown, ...path: string[]): string | undefined {
  return text(field(record, ...path));
}

/** The first present, case-insensitive match among an object's keys (for producers that vary casing). */
export function fieldCi(record: unknown, name: string): unknown {
  if (!isObject(record)) return undefined;
  if (name in record) return record[name];
  const lower = name.toLowerCase();
  for (const key of Object.keys(record)) if (key.toLowerCase() === lower) return record[key];
  return undefined;
}

/**
 * Identifiers every later step looks up in maps (tenant and object ids), as one shared string per
 * value. Each parsed record brings a fresh copy of the same few thousand ids; a map compares a
 * fresh copy with its key character by character and hashes it first, while one shared string
 * hashes once and compares by reference. Sharing costs a lookup of its own, so it pays only for
 * ids looked up several times: the object id (catalog, partition key, baseline) is, the app id
 * (read only when the object id is unknown) is not. Bounded (rememberBounded): a cleared id is
 * simply shared again from its next record on.
 */
const SHARED_IDS_MAX = 100_000;
const sharedIds = new Map<string, string>();

export function sharedId(id: string): string {
  return sharedIds.get(id) ?? rememberBounded(sharedIds, id, id, SHARED_IDS_MAX);
}

/** `sharedId` for tenant ids: consecutive records nearly always name the same tenant, compared first. */
export function sharedTenantId(id: string): string {
  if (id !== lastTenantId) lastTenantId = sharedId(id);
  return lastTenantId;
}
let lastTenantId = '';
