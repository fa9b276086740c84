import { createHash } from 'node:crypto';

/**
 * A deterministic alert id: the hex SHA-256 (first 32 chars) of the parts that identify one alert.
 * The parts must come from the triggering events and the rule, never from the clock, so that a
 * redelivered batch produces the same id and Sentinel collapses the rows (`arg_max(...) by AlertId`).
 */
export function alertId(parts: readonly (string | number)[]): string {
  const hash = createHash('sha256');
  for (const part of parts) {
    // Length-prefixing keeps ["ab","c"] and ["a","bc"] apart.
    const text = String(part);
    hash.update(`${text.length}:${text}|`);
  }
  return hash.digest('hex').slice(0, 32);
}
