import { alertId } from '../../alerts/alertId';

/**
 * A stable id for a record that carries none of its own: the SHA-256 (first 32 hex chars) of its
 * JSON with object keys sorted, so the same record always gets the same id however a producer
 * ordered its keys. Values nested deeper than FINGERPRINT_DEPTH count as one marker: the walk is
 * recursive, and JSON can nest deeper than the call stack goes (such a record would otherwise fail
 * its batch). Real telemetry nests a few levels.
 */
export function recordFingerprint(record: unknown): string {
  return alertId(['record', canonicalJson(record)]);
}

/**
 * A record's id as a parser hands it on: the id itself, or, for a record without one, how to
 * fingerprint it. The fingerprint (serialising the whole record, then SHA-256) is worked out only
 * when something reads the id, which is only for an event the allowlist does not trust (its
 * AlertId, its state rows, the judging order): most endpoint records never need it. Until then
 * the function keeps its decoded record alive, for as long as the batch holds the event.
 */
export type DeferredRecordId = string | (() => string);

export function fingerprintWhenRead(record: unknown): () => string {
  return () => recordFingerprint(record);
}

/** Levels of nesting the fingerprint reads (the deepest real records have under 10). */
export const FINGERPRINT_DEPTH = 64;
const TOO_DEEP = '"…"';

export function canonicalJson(value: unknown, depth = 0): string {
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (value !== null && typeof value === 'object' && depth >= FINGERPRINT_DEPTH) return TOO_DEEP;
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i > 0 ? ',' : '') + canonicalJson(value[i], depth + 1);
    return `${out}]`;
  }
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    // Code-unit order, as a plain sort() gives: the same order for every producer's key order.
    const keys = Object.keys(record).sort();
    let out = '{';
    let first = true;
    for (const key of keys) {
      const v = record[key];
      if (v === undefined) continue;
      out += `${first ? '' : ','}${JSON.stringify(key)}:${canonicalJson(v, depth + 1)}`;
      first = false;
    }
    return `${out}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
