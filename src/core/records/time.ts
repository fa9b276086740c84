/**
 * Parses the timestamps found in Azure logs into epoch milliseconds (UTC), or undefined.
 *
 * Seen in real exports: `2022-01-24T04:59:49.2279838Z` (7 fractional digits),
 * `2022-01-24T04:59:49.2279838+00:00`, no zone at all (UTC by Azure convention, never the local
 * zone of the machine parsing it), `1/24/2022 4:59:49 AM` (US format from some exporters) and
 * Unix seconds as a number or string (JWT `iat`).
 */
const ISO = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;
const US = /^(\d{1,2})\/(\d{1,2})\/(\d{4})\s+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?\s*(AM|PM)?$/i;

export function parseTime(value: unknown): number | undefined {
  if (typeof value === 'number') return epochFromNumber(value);
  if (typeof value !== 'string') return undefined;
  const fast = parseCanonicalIso(value);
  if (fast !== null) return fast;
  if (isEpochDigits(value)) return epochFromNumber(Number(value));
  const trimmed = value.trim();
  if (/^\d{9,13}(\.\d+)?$/.test(trimmed)) return epochFromNumber(Number(trimmed));
  const iso = ISO.exec(trimmed);
  if (iso) {
    const [, y, mo, d, h, mi, s, frac, zone] = iso;
    const ms = frac ? Number(frac.slice(0, 3).padEnd(3, '0')) : 0;
    let epoch = utcEpochMs(Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(s ?? 0), ms);
    if (zone && zone.toUpperCase() !== 'Z') {
      const sign = zone.startsWith('-') ? -1 : 1;
      const digits = zone.slice(1).replace(':', '');
      epoch -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4))) * 60_000;
    }
    return valid(epoch, Number(mo), Number(d), Number(h), Number(mi));
  }
  const us = US.exec(trimmed);
  if (us) {
    const [, mo, d, y, h, mi, s, frac, ampm] = us;
    let hour = Number(h);
    if (ampm) {
      if (hour < 1 || hour > 12) return undefined;
      hour = (hour % 12) + (ampm.toUpperCase() === 'PM' ? 12 : 0);
    }
    const ms = frac ? Number(frac.slice(0, 3).padEnd(3, '0')) : 0;
    return valid(utcEpochMs(Number(y), Number(mo), Number(d), hour, Number(mi), Number(s ?? 0), ms), Number(mo), Number(d), hour, Number(mi));
  }
  return undefined;
}

/**
 * Unix seconds or milliseconds as 9 to 13 plain digits, the shape of every Activity record's `iat`
 * claim: read without the regular expression the general path uses.
 */
function isEpochDigits(s: string): boolean {
  const n = s.length;
  if (n < 9 || n > 13) return false;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

const ZERO = 48;
const digitAt = (s: string, i: number): number => {
  const d = s.charCodeAt(i) - ZERO;
  return d >= 0 && d <= 9 ? d : NaN;
};
const twoDigits = (s: string, i: number): number => digitAt(s, i) * 10 + digitAt(s, i + 1);

/**
 * The shape nearly every Azure record uses, `yyyy-mm-ddThh:mm:ss[.fffffff](Z|+00:00)?`, read with
 * character arithmetic instead of the regular expression (every record has one or two times).
 * Returns null for any other shape, which the general parser then reads.
 */
function parseCanonicalIso(s: string): number | undefined | null {
  const n = s.length;
  if (n < 19 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 84 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return null;
  const year = twoDigits(s, 0) * 100 + twoDigits(s, 2);
  const month = twoDigits(s, 5);
  const day = twoDigits(s, 8);
  const hour = twoDigits(s, 11);
  const minute = twoDigits(s, 14);
  const second = twoDigits(s, 17);
  if (Number.isNaN(year + month + day + hour + minute + second)) return null;
  let i = 19;
  let ms = 0;
  if (i < n && s.charCodeAt(i) === 46) {
    i++;
    const start = i;
    while (i < n && digitAt(s, i) >= 0) {
      if (i - start < 3) ms = ms * 10 + digitAt(s, i);
      i++;
    }
    if (i === start) return null;
    for (let k = Math.min(i - start, 3); k < 3; k++) ms *= 10;
  }
  const rest = n - i;
  const utc = rest === 0 || (rest === 1 && s.charCodeAt(i) === 90) || (rest === 6 && s.endsWith('+00:00'));
  if (!utc) return null;
  return valid(utcEpochMs(year, month, day, hour, minute, second, ms), month, day, hour, minute);
}

/**
 * `Date.UTC(year, month - 1, day, hour, minute, second, ms)` in arithmetic: the days before the
 * month come from the civil calendar (March-based years, so the leap day is the last of the year),
 * with no call into the runtime (Date.UTC was a third of reading a record's time). Years below 100
 * are those years (`0001` is year 1, where Date.UTC would read 1901); a day past the month's end
 * rolls over as in Date.UTC.
 */
export function utcEpochMs(year: number, month: number, day: number, hour: number, minute: number, second: number, ms: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  // 719,468: the days from 0000-03-01 to 1970-01-01.
  const days = era * 146_097 + dayOfEra - 719_468;
  return ((days * 24 + hour) * 60 + minute) * 60_000 + second * 1000 + ms;
}

function valid(epoch: number, month: number, day: number, hour: number, minute: number): number | undefined {
  if (!Number.isFinite(epoch) || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59) return undefined;
  return epoch;
}

/**
 * The latest time a Date can hold (8.64e15 ms, the year 275760). A JSON number can say more; such a
 * time is unparseable, not an event: formatting it for an alert row would throw, fail the
 * invocation, and under the unlimited Event Hub retry policy stop its partition for good.
 */
const MAX_DATE_MS = 8.64e15;

/** Seconds (JWT claims) below 1e11, milliseconds above: 1e11 s is the year 5138, 1e11 ms is 1973. */
function epochFromNumber(value: number): number | undefined {
  if (!Number.isFinite(value) || value <= 0) return undefined;
  const epoch = value < 1e11 ? Math.round(value * 1000) : Math.round(value);
  return epoch <= MAX_DATE_MS ? epoch : undefined;
}

export function isoTime(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

const DAY_MS = 86_400_000;
export function utcDay(epochMs: number): number {
  return Math.floor(epochMs / DAY_MS);
}
