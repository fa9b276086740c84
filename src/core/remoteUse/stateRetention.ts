/**
 * How long the remote-use detector's write-once partitions are kept, and which have expired.
 * Token buckets (`tok|`), first uses (`use|`) and the suppression ledger (`sup|`) get a partition
 * per tenant and hour (or day), none is ever written again once its hour is past, and Table
 * Storage has no time-to-live: without the stateRetention timer the table grows by every token a
 * tenant is issued, for ever. Their keys end in the UTC time they cover (`<family>|<tenant>|
 * <yyyymmddhh>`, `…|<yyyymmdd>` for first uses by day, `…|<shard>` after either), so expiry is a
 * key range per family and tenant, decided from keys alone. Identity and tenant partitions are not
 * here: their rows expire against the baseline window when their identity is next written.
 *
 * A token is used for at most a day, but a batch can arrive as late as the Event Hub keeps it
 * (7 days as deployed) and is judged against its tokens' first uses then: token and first-use
 * partitions are kept 8 days. The ledger answers "how often did this suppressed alert recur" for
 * an incident under review: kept 30 days, as the dead letters are.
 */

/** Event Hubs' 7-day retention as deployed, plus the day a token lives. */
export const DEFAULT_TOKEN_RETENTION_DAYS = 8;
/** A token's day and the day before it that a batch's first uses may read (FIRST_USE_LOOKBACK_MS). */
export const MIN_TOKEN_RETENTION_DAYS = 2;
export const DEFAULT_LEDGER_RETENTION_DAYS = 30;
export const MAX_STATE_RETENTION_DAYS = 365;

/** The write-once families and which retention each has. */
export const WRITE_ONCE_FAMILIES = [
  { family: 'tok', retention: 'token' },
  { family: 'use', retention: 'token' },
  { family: 'sup', retention: 'ledger' },
] as const;

export type WriteOnceFamily = (typeof WRITE_ONCE_FAMILIES)[number]['family'];

export interface StateRetention {
  /** Days token buckets and first uses are kept (TOKENWATCH_TOKEN_RETENTION_DAYS). */
  readonly tokenDays: number;
  /** Days the suppression ledger is kept (TOKENWATCH_LEDGER_RETENTION_DAYS). */
  readonly ledgerDays: number;
}

const DAY_MS = 86_400_000;

/** The UTC day of `ms` as `yyyymmdd`. */
function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10).replace(/-/g, '');
}

/**
 * The earliest day each family keeps at `nowMs`: its partitions of earlier days have expired. A
 * partition of day D is kept through day D + retention and deleted by the first run after that.
 */
export function firstKeptStateDays(nowMs: number, retention: StateRetention): Record<WriteOnceFamily, string> {
  const days = (n: number, what: string): string => {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`${what} retention must be a whole number of days from 1, not ${n}`);
    return utcDay(nowMs - n * DAY_MS);
  };
  const token = days(retention.tokenDays, 'token');
  return { tok: token, use: token, sup: days(retention.ledgerDays, 'ledger') };
}

/** A write-once partition key read back: its family, its tenant as the key spells it, and the time it covers. */
export interface WriteOncePartition {
  readonly family: WriteOnceFamily;
  readonly tenantKey: string;
  /** `yyyymmdd` or `yyyymmddhh`. */
  readonly time: string;
}

const TIME = /^(\d{8}|\d{10})(\|\d+)?$/;

/** `<family>|<tenant>|<time>[|<shard>]` split; undefined for a key of any other shape (left alone by the retention). */
export function parseWriteOncePartitionKey(partitionKey: string): WriteOncePartition | undefined {
  const first = partitionKey.indexOf('|');
  const second = partitionKey.indexOf('|', first + 1);
  if (first < 0 || second < 0) return undefined;
  const family = WRITE_ONCE_FAMILIES.find((f) => f.family === partitionKey.slice(0, first))?.family;
  const time = partitionKey.slice(second + 1);
  const match = TIME.exec(time);
  return family === undefined || match === null ? undefined : { family, tenantKey: partitionKey.slice(first + 1, second), time: match[1]! };
}

/** Whether a partition has expired given each family's first kept day (firstKeptStateDays). */
export function isExpiredPartition(partitionKey: string, firstKeptDays: Readonly<Record<WriteOnceFamily, string>>): boolean {
  const parsed = parseWriteOncePartitionKey(partitionKey);
  return parsed !== undefined && parsed.time.slice(0, 8) < firstKeptDays[parsed.family];
}

/**
 * The expired partitions of one family and tenant as a key range, [`from`, `to`): every time
 * before `firstKeptDay`. Times are fixed-width digits, so string order is time order, and a day
 * key (`…|20261201`) sorts before the hour keys of its day (`…|2026120100`) and after those of the
 * day before, so the bound `…|<firstKeptDay>` keeps both of the first kept day.
 */
export function expiredPartitionRange(family: WriteOnceFamily, tenantKey: string, firstKeptDay: string): { readonly from: string; readonly to: string } {
  return { from: `${family}|${tenantKey}|`, to: `${family}|${tenantKey}|${firstKeptDay}` };
}

/**
 * The lowest key above every partition of a family's tenant, where the next tenant's start: the
 * prefix `<family>|<tenant>|` with its last character raised (`}` follows `|`). Walking a family
 * tenant by tenant this way costs one query per tenant, whatever the tenants are called.
 */
export function afterTenant(family: WriteOnceFamily, tenantKey: string): string {
  return `${family}|${tenantKey}}`;
}
