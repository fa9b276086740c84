import { tableKey } from '../state/keys';

/**
 * How long dead letters are kept, and which of their partitions have expired. A reject is stored
 * under `<detector>|<yyyymmdd>`, the UTC day it was processed (TableRejectSink), so expiry is a key
 * range per detector, decided from keys alone: no row has to be read to know it is old.
 *
 * A reject keeps a redacted sample of its record, but redaction recognises known forms only, and a
 * record can carry personal data; kept forever, the table would grow into a store of everything
 * malformed the app ever saw. A reject written on day D is kept through day D + retention and
 * deleted by the first daily run after that.
 */

/** 30 days: long enough to investigate a month's parsing problems, as long as the remote-use baseline looks back. */
export const DEFAULT_REJECTS_RETENTION_DAYS = 30;
/** A year at most: dead letters are for diagnosing the pipeline, not an archive. */
export const MAX_REJECTS_RETENTION_DAYS = 365;

const DAY_MS = 86_400_000;

/** The UTC day of `ms` as `yyyymmdd`: the day part of a reject partition key. */
export function rejectDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10).replace(/-/g, '');
}

/** The partition of `detector`'s rejects processed at `ms`. */
export function rejectPartitionKey(detector: string, ms: number): string {
  return tableKey(detector, rejectDay(ms));
}

/** The earliest day whose rejects are kept at `nowMs`: partitions of earlier days have expired. */
export function firstKeptRejectDay(nowMs: number, retentionDays: number): string {
  if (!Number.isInteger(retentionDays) || retentionDays < 1) throw new RangeError(`reject retention must be a whole number of days from 1, not ${retentionDays}`);
  return rejectDay(nowMs - retentionDays * DAY_MS);
}

/** A reject partition key read back: the detector as it stands in the key (escaped) and the day. */
export interface RejectPartition {
  readonly detectorKey: string;
  readonly day: string;
}

const DAY = /^\d{8}$/;

/** `<detector>|<yyyymmdd>` split; undefined for a key of any other shape (left alone by the retention). */
export function parseRejectPartitionKey(partitionKey: string): RejectPartition | undefined {
  const bar = partitionKey.indexOf('|');
  if (bar <= 0) return undefined;
  const day = partitionKey.slice(bar + 1);
  return DAY.test(day) ? { detectorKey: partitionKey.slice(0, bar), day } : undefined;
}

/**
 * The expired partitions of one detector as a key range, [`from`, `to`): every `<detector>|<day>`
 * with a day before `firstKeptDay` (days are fixed-width digits, so string order is day order).
 */
export function expiredRejectRange(detectorKey: string, firstKeptDay: string): { readonly from: string; readonly to: string } {
  return { from: `${detectorKey}|`, to: `${detectorKey}|${firstKeptDay}` };
}

/**
 * The lowest key above every partition of `detectorKey`: where the next detector's partitions
 * start. `}` is the character after `|`, and an escaped key part never holds `|` (tableKey), so
 * `<detector>}` sorts after every `<detector>|…` and before any other detector's keys that follow.
 * Walking the table detector by detector this way costs one query per detector, whatever the
 * detectors are called.
 */
export function afterRejectDetector(detectorKey: string): string {
  return `${detectorKey}}`;
}
