import { utcEpochMs } from '../time';

/**
 * Datetime cells of a Log Analytics portal CSV export. The portal writes a datetime column's
 * header with the display time zone in brackets and its values in the browser's locale:
 * `"TimeGenerated [UTC]"` over `"7/5/2023, 2:16:44.756 PM"` (en-US; every datetime column so,
 * `"EndTime [UTC]"`, `"StartTime [UTC]"`, empty cells included, while a string column holding a
 * time, `ReceiptTime`, stays as text: Azure/Azure-Sentinel `Sample Data/ASIM/Cisco_ASA_Authentication_IngestedLogs.csv`,
 * a portal export of CommonSecurityLog, commit 3dc8d035). A
 * value without a zone of its own is in the header's zone, so the header must pin one: `[UTC]`
 * (or `[GMT]`, `[Z]`), or a fixed offset such as `[UTC+02:00]`. Any other zone (`[Local Time]`, a
 * named zone with daylight saving) cannot be turned into UTC from the file alone and is refused,
 * never guessed: a silent shift would move every event by hours.
 */
export type ColumnZone = { readonly pinned: true; readonly offsetMinutes: number } | { readonly pinned: false; readonly zone: string };

export interface ExportHeader {
  /** The column name without its zone: `TimeGenerated`. */
  readonly name: string;
  /** The zone in the header's brackets; undefined when there is none (not a datetime column, or not a portal export). */
  readonly zone: ColumnZone | undefined;
}

const BRACKETED = /^(.*?)\s*\[([^\]]*)\]\s*$/;
const UTC_NAMES = /^(?:utc|gmt|z|coordinated universal time)$/i;
const OFFSET = /^(?:utc|gmt)?\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?$/i;

export function readExportHeader(header: string): ExportHeader {
  const match = BRACKETED.exec(header);
  if (!match || match[1] === '') return { name: header.trim(), zone: undefined };
  const name = match[1] as string;
  const zone = (match[2] as string).trim();
  if (UTC_NAMES.test(zone)) return { name, zone: { pinned: true, offsetMinutes: 0 } };
  const offset = OFFSET.exec(zone);
  if (offset) {
    const minutes = Number(offset[2]) * 60 + Number(offset[3] ?? 0);
    // ±14:00 is the widest offset in use (Line Islands).
    if (minutes <= 14 * 60) return { name, zone: { pinned: true, offsetMinutes: (offset[1] === '-' ? -1 : 1) * minutes } };
  }
  return { name, zone: { pinned: false, zone } };
}

/** A datetime cell read: ISO text in UTC, or why it could not be read. */
export type ExportTime = { readonly iso: string } | { readonly problem: 'unreadable' | 'ambiguous' };

/** `2026-03-01T10:05:00.1234567Z`, `2026-03-01 10:05:00`, with or without a zone of its own. */
const ISO = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;
/** `4/28/2021, 2:32:14.029 PM` (en-US: month first, 12-hour clock). */
const US = /^(\d{1,2})\/(\d{1,2})\/(\d{4}),?\s+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?\s*([AP]M)$/i;
/** `28/04/2021, 14:32:14.029` (24-hour clock: en-GB and others day first, some month first). */
const SLASH_24H = /^(\d{1,2})\/(\d{1,2})\/(\d{4}),?\s+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?$/;
/** `28.04.2021, 14:32:14.029` (de, fr-CH, ru…: day first). */
const DOTTED = /^(\d{1,2})\.(\d{1,2})\.(\d{4}),?\s+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?$/;

/**
 * Reads a datetime cell written in `offsetMinutes` (the header's zone) as UTC ISO text. A value
 * with a zone of its own (ISO `Z` or `+02:00`) keeps it. A slash date on a 24-hour clock is read
 * only when its numbers decide which is the day (a part above 12); `04/05/2021, 14:32` could be
 * either and is `ambiguous`.
 */
export function readExportTime(value: string, offsetMinutes: number): ExportTime {
  const cell = value.trim();
  let m = ISO.exec(cell);
  if (m) {
    const zone = m[8];
    const offset = zone === undefined ? offsetMinutes : zone.toUpperCase() === 'Z' ? 0 : zoneMinutes(zone);
    return build(+m[1]!, +m[2]!, +m[3]!, +m[4]!, +m[5]!, m[6], m[7], offset);
  }
  m = US.exec(cell);
  if (m) {
    const hour12 = +m[4]!;
    if (hour12 < 1 || hour12 > 12) return { problem: 'unreadable' };
    const hour = (hour12 % 12) + (m[8]!.toUpperCase() === 'PM' ? 12 : 0);
    return build(+m[3]!, +m[1]!, +m[2]!, hour, +m[5]!, m[6], m[7], offsetMinutes);
  }
  m = DOTTED.exec(cell);
  if (m) return build(+m[3]!, +m[2]!, +m[1]!, +m[4]!, +m[5]!, m[6], m[7], offsetMinutes);
  m = SLASH_24H.exec(cell);
  if (m) {
    const first = +m[1]!;
    const second = +m[2]!;
    if (first > 12 && second <= 12) return build(+m[3]!, second, first, +m[4]!, +m[5]!, m[6], m[7], offsetMinutes);
    if (second > 12 && first <= 12) return build(+m[3]!, first, second, +m[4]!, +m[5]!, m[6], m[7], offsetMinutes);
    if (first === second) return build(+m[3]!, first, second, +m[4]!, +m[5]!, m[6], m[7], offsetMinutes);
    return { problem: first > 12 ? 'unreadable' : 'ambiguous' };
  }
  return { problem: 'unreadable' };
}

function zoneMinutes(zone: string): number {
  const digits = zone.slice(1).replace(':', '');
  return (zone.startsWith('-') ? -1 : 1) * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4)));
}

function build(year: number, month: number, day: number, hour: number, minute: number, second: string | undefined, fraction: string | undefined, offsetMinutes: number): ExportTime {
  const seconds = Number(second ?? 0);
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month) || hour > 23 || minute > 59 || seconds > 59) return { problem: 'unreadable' };
  const ms = fraction ? Number(fraction.slice(0, 3).padEnd(3, '0')) : 0;
  const epoch = utcEpochMs(year, month, day, hour, minute, seconds, ms) - offsetMinutes * 60_000;
  return { iso: new Date(epoch).toISOString() };
}

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}
