/**
 * The 30-day baseline rows of an identity (`asn|<n>`, `ip|<ip>`, `rg|<region>`: `first` and `last`
 * seen, epoch ms) and the two questions judging asks of each: is it in the baseline at the use's
 * time, and would learning the use change it. Answered from the row itself or, for a loaded
 * partition, from its day codes (one small integer per row, worked out once per snapshot).
 */
import { utcDay } from '../records/time';
import type { DerivedRows, PartitionSnapshot } from '../state/partition';
import { num, type RowData } from '../state/workingPartition';
import { IDENTITY_META_ROW } from './partitionKeys';

/**
 * A baseline row's `first` and `last` (epoch ms). Each names its field as a constant, so V8 reads
 * it as a named property of the few row shapes there are; the general `num` reads a key given as
 * an argument, and a use asks eight times.
 */
function firstSeen(data: RowData): number | undefined {
  const value = data['first'];
  return typeof value === 'number' ? value : num(data, 'first');
}

function lastSeen(data: RowData): number | undefined {
  const value = data['last'];
  return typeof value === 'number' ? value : num(data, 'last');
}

/** In the baseline = seen no later than the event and last seen within the window before it. */
export function inBaseline(data: RowData | undefined, timeMs: number, windowMs: number): boolean {
  if (!data) return false;
  const first = firstSeen(data) ?? Infinity;
  const last = lastSeen(data) ?? -Infinity;
  return first <= timeMs && last >= timeMs - windowMs;
}

/**
 * A baseline row after learning a use of it, or undefined when learning changes nothing. `last`
 * advances at most once per UTC day (to the first use of that day), so a steady stream of known
 * behaviour writes an identity's rows at most once a day.
 */
export function learnedRow(data: RowData | undefined, timeMs: number, extraName: string, extraValue: string | number): RowData | undefined {
  if (!data) return { first: timeMs, last: timeMs, [extraName]: extraValue };
  const first = firstSeen(data) ?? timeMs;
  const last = lastSeen(data) ?? timeMs;
  const nextFirst = Math.min(first, timeMs);
  const nextLast = utcDay(timeMs) > utcDay(last) ? timeMs : last;
  // The usual case, a known row used again on the same day, allocates and writes nothing.
  if (nextFirst === first && nextLast === last) return undefined;
  return { ...data, first: nextFirst, last: nextLast };
}

/** rowFacts: the row is in the baseline at the use's time (inBaseline). */
const IN_BASELINE = 1;
/** rowFacts: learning the use leaves the row as it is (learnedRow gives undefined). */
const LEARNED_AS_IS = 2;

// Exported under their own statement: an exported const is read from the exports object on every use.
export { IN_BASELINE, LEARNED_AS_IS };

/** Rows by key: a loaded partition's, or the batch's working copy of it. */
export interface RowReader {
  get(rowKey: string): RowData | undefined;
}

/**
 * What judging a use needs of one baseline row, as IN_BASELINE | LEARNED_AS_IS bits: from the
 * row's day code when `days` (the loaded partition's) settles it, else from the row itself.
 */
export function rowFacts(days: BaselineDays | undefined, rows: RowReader, rowKey: string, timeMs: number, windowMs: number): number {
  if (days !== undefined) {
    const code = days.get(rowKey);
    // No code: no such row (every row of the partition has one, UNCODED when it cannot be coded).
    if (code === undefined) return 0;
    if (code !== UNCODED) {
      const lastDay = code >> DAY_SPAN_BITS;
      const firstDayAtMost = lastDay - (code & MAX_DAY_SPAN);
      const day = utcDay(timeMs);
      // First seen on an earlier day than the use (the usual case): the last day then decides
      // both facts, unless it is the day the window starts in, where the exact times do.
      if (firstDayAtMost < day) {
        const windowStartDay = utcDay(timeMs - windowMs);
        if (lastDay !== windowStartDay) return (lastDay > windowStartDay ? IN_BASELINE : 0) | (lastDay >= day ? LEARNED_AS_IS : 0);
      }
    }
  }
  return exactRowFacts(rows.get(rowKey), timeMs, windowMs);
}

export function exactRowFacts(data: RowData | undefined, timeMs: number, windowMs: number): number {
  return (inBaseline(data, timeMs, windowMs) ? IN_BASELINE : 0) | (data !== undefined && learnedRow(data, timeMs, '', '') === undefined ? LEARNED_AS_IS : 0);
}

/**
 * A loaded identity partition's baseline rows as day codes: the UTC day of `last` and how many
 * days before it `first` fell (at most MAX_DAY_SPAN: then `first` is no later than that), in
 * one small integer, by row key. V8 keeps such an integer in the map itself; reading a row's
 * `first` and `last` meant fetching the row and then each time, a number object of its own,
 * from memory other records had pushed out of the caches: a third of judging a use. Made once
 * per partition version and kept on its snapshot (PartitionSnapshot.derived): identities change
 * rarely, and a store hands out the same snapshot until the partition changes.
 */
export type BaselineDays = DerivedRows;

const DAY_SPAN_BITS = 15;
const MAX_DAY_SPAN = (1 << DAY_SPAN_BITS) - 1;
/** Days after 1970 a code can hold (the code stays below 2^31, a small integer for V8): the year 2149. */
const MAX_CODED_DAY = (1 << (31 - DAY_SPAN_BITS)) - 1;

/** The code of a row that cannot be coded (no first or last, or out of range): rowFacts reads it. */
const UNCODED = -1;

export const NO_DAYS: BaselineDays = new Map<string, number>();

const MINUTE_MS = 60_000;

/**
 * An identity's watermark as a batch measures lateness against it (epoch ms, to the minute when
 * read from day codes), undefined before any batch wrote one: from the loaded partition's codes
 * (`days`, where the meta row is coded as minutes since the epoch) or from its working copy. When
 * the watermark is the batch's own latest minute, the batch (or one ending in the same minute) set
 * it, and it is judged again: the watermark it found then (`before`) answers, so its older uses are
 * late exactly when they were the first time.
 */
export function watermarkOf(days: BaselineDays | undefined, rows: RowReader, batchLatestMinute: number): number | undefined {
  if (days !== undefined) {
    const minutes = days.get(IDENTITY_META_ROW);
    if (minutes === undefined) return undefined;
    // Set by this batch (or one ending in the same minute): the watermark it found.
    const before = minutes === batchLatestMinute ? days.get(WATERMARK_BEFORE_CODE) : undefined;
    return (before ?? minutes) * MINUTE_MS;
  }
  const meta = rows.get(IDENTITY_META_ROW);
  const watermark = num(meta, 'wm');
  const before = watermark !== undefined && Math.floor(watermark / MINUTE_MS) === batchLatestMinute ? num(meta, 'before') : undefined;
  return before ?? watermark;
}

/**
 * The day-code key of the meta row's `before` (the watermark the batch that set `wm` found), in
 * minutes: not a row key (row keys are `meta` or `<kind>|…`).
 */
const WATERMARK_BEFORE_CODE = 'meta|before';

/** The minute a batch's latest event falls in: what watermarkOf compares a watermark with. */
export function batchLatestMinute(batchLatestMs: number): number {
  return Math.floor(batchLatestMs / MINUTE_MS);
}

export function baselineDaysOf(snapshot: PartitionSnapshot): BaselineDays {
  let days = snapshot.derived;
  if (!days) {
    const coded = new Map<string, number>();
    const rows = snapshot.rows;
    for (const [rowKey, data] of rows) {
      if (rowKey === IDENTITY_META_ROW) {
        const watermark = num(data, 'wm');
        if (watermark !== undefined) coded.set(IDENTITY_META_ROW, Math.floor(watermark / MINUTE_MS));
        const before = num(data, 'before');
        if (before !== undefined) coded.set(WATERMARK_BEFORE_CODE, Math.floor(before / MINUTE_MS));
        continue;
      }
      const first = firstSeen(data);
      const last = lastSeen(data);
      const firstDay = first !== undefined ? utcDay(first) : NaN;
      const lastDay = last !== undefined ? utcDay(last) : NaN;
      const codable = lastDay >= 0 && lastDay <= MAX_CODED_DAY && firstDay <= lastDay;
      coded.set(rowKey, codable ? (lastDay << DAY_SPAN_BITS) | Math.min(lastDay - firstDay, MAX_DAY_SPAN) : UNCODED);
    }
    days = coded;
    snapshot.derived = days;
  }
  return days;
}
