import { alertId } from '../../alerts/alertId';

/**
 * A stable id for a record that carries none of its own: the SHA-256 (first 32 hex chars) of its
 * JSON with object keys sorted, so the same record always gets the same id however a producer
 * ordered its keys.
 */
export function recordFingerprint(record: unknown): string {
  return alertId(['record', canonicalJson(record)]);
}

export function canonicalJson(value: unknown): string {
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i > 0 ? ',' : '') + canonicalJson(value[i]);
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
      out += `${first ? '' : ','}${JSON.stringify(key)}:${canonicalJson(v)}`;
      first = false;
    }
    return `${out}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
