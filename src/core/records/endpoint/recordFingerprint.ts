import { alertId } from '../../alerts/alertId';

/**
 * A stable id for a record that carries none of its own: the SHA-256 (first 32 hex chars) of its
 * JSON with object keys sorted, so the same record always gets the same id however a producer
 * ordered its keys.
 */
export function recordFingerprint(record: unknown): string {
  return alertId(['record', canonicalJson(record)]);
}

function canonicalJson(value: unknown): string {
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
