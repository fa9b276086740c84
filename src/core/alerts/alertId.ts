import { createHash } from 'node:crypto';
import { isoTime } from '../records/time';

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

/**
 * The AlertId of a dedup window: the parts of its key and the UTC day (`2026-03-22`) of the event
 * that raised it, not that event's record. Judged out of order (a body listing an operation's
 * Success before its Start, a replay one record per invocation, a lagging partition), a window is
 * raised by a later event of the same day than in event-time order, and keeps its AlertId.
 */
export function windowAlertId(keyParts: readonly (string | number)[], raisedAtMs: number): string {
  return alertId([...keyParts, isoTime(raisedAtMs).slice(0, 10)]);
}
