/**
 * Timestamp and token-id formats as Entra ID and Azure Monitor write them.
 */

const MS_PER_DAY = 86_400_000;
export { MS_PER_DAY };

/** Midnight UTC of an ISO day (`2026-09-01`); throws on anything else, so a bad option fails loudly. */
export function parseDay(day: string, option: string): number {
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(day) ? Date.parse(`${day}T00:00:00Z`) : Number.NaN;
  if (Number.isNaN(ms)) throw new RangeError(`${option}: "${day}" is not an ISO day such as 2026-09-01.`);
  return ms;
}

/**
 * `2026-09-01T04:59:49.2279838Z`: Azure Monitor records carry 7 fractional digits (100 ns ticks);
 * `ticks` (0–9999) supplies the 4 digits below the millisecond.
 */
export function isoTicks(ms: number, ticks: number): string {
  return `${new Date(ms).toISOString().slice(0, 23)}${String(ticks % 10000).padStart(4, '0')}Z`;
}

/** `createdDateTime` of sign-in records: same instant, offset form (`…2279838+00:00`). */
export function isoOffset(isoTicksValue: string): string {
  return `${isoTicksValue.slice(0, -1)}+00:00`;
}

/** Whole seconds, as Graph activity `tokenIssuedAt` shows them: `2026-09-01T04:54:49Z`. */
export function isoSeconds(epochSeconds: number): string {
  return `${new Date(epochSeconds * 1000).toISOString().slice(0, 19)}Z`;
}

/**
 * The token id (`uti` claim, `uniqueTokenIdentifier`, `signInActivityId`) of a sign-in: Entra derives
 * it from the request id GUID, as the 16 bytes of that GUID in .NET `Guid.ToByteArray()` order
 * (first three groups little-endian), base64url-encoded without padding: always 22 characters.
 */
export function tokenIdFromGuid(guid: string): string {
  const hex = guid.replace(/-/g, '');
  if (!/^[0-9a-f]{32}$/i.test(hex)) throw new RangeError(`tokenIdFromGuid: "${guid}" is not a GUID.`);
  const bytes = Buffer.from(hex, 'hex');
  const ordered = Buffer.concat([
    Buffer.from(bytes.subarray(0, 4)).reverse(),
    Buffer.from(bytes.subarray(4, 6)).reverse(),
    Buffer.from(bytes.subarray(6, 8)).reverse(),
    bytes.subarray(8, 16),
  ]);
  return ordered.toString('base64url');
}

/**
 * isoTicks for a stream of mostly increasing times: the `YYYY-MM-DDTHH:MM:` prefix is formatted once
 * per minute and reused, which makes formatting several times cheaper where records arrive every few
 * hundred milliseconds (the benchmark stream). Same output as isoTicks.
 */
export function createIsoTicksFormatter(): (ms: number, ticks: number) => string {
  let minute = Number.NaN;
  let prefix = '';
  return (ms, ticks) => {
    const m = Math.floor(ms / 60_000);
    if (m !== minute) {
      minute = m;
      prefix = new Date(m * 60_000).toISOString().slice(0, 17);
    }
    const withinMinute = ms - m * 60_000;
    const seconds = Math.floor(withinMinute / 1000);
    const millis = withinMinute - seconds * 1000;
    const t = ticks % 10000;
    return `${prefix}${seconds < 10 ? '0' : ''}${seconds}.${millis < 10 ? '00' : millis < 100 ? '0' : ''}${millis}${t < 10 ? '000' : t < 100 ? '00' : t < 1000 ? '0' : ''}${t}Z`;
  };
}
