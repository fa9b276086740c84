import { describe, expect, it } from 'vitest';
import { firstUseBucket, firstUseBucketKey, firstUseDayKey, identityPartitionKey, suppressionLedgerKey, tenantPartitionKey, tokenBucketKey } from '../../../src/core/remoteUse/partitionKeys';
import {
  afterTenant,
  DEFAULT_LEDGER_RETENTION_DAYS,
  DEFAULT_TOKEN_RETENTION_DAYS,
  expiredPartitionRange,
  firstKeptStateDays,
  isExpiredPartition,
  parseWriteOncePartitionKey,
} from '../../../src/core/remoteUse/stateRetention';

const TENANT = '6f1c2d3e-4a5b-4c7d-8e9f-0a1b2c3d4e5f';
const DEFAULTS = { tokenDays: DEFAULT_TOKEN_RETENTION_DAYS, ledgerDays: DEFAULT_LEDGER_RETENTION_DAYS };
const DAY_MS = 86_400_000;

/** Every write-once key the detector writes for an event at `ms`: token buckets (plain and sharded), first uses (by issuance and by day), the ledger. */
function writeOnceKeys(tenantId: string, ms: number): string[] {
  return [
    tokenBucketKey(tenantId, ms, 'uti-1'),
    tokenBucketKey(tenantId, ms, 'uti-1', 4),
    firstUseBucketKey(tenantId, firstUseBucket(ms)),
    firstUseDayKey(tenantId, Math.floor(ms / DAY_MS)),
    suppressionLedgerKey(tenantId, ms, 'object-1'),
    suppressionLedgerKey(tenantId, ms, 'object-1', 4),
  ];
}

describe('state retention', () => {
  it('reads back every write-once key the detector writes, and no other', () => {
    const ms = Date.UTC(2026, 10, 23, 17, 40);
    expect(writeOnceKeys(TENANT, ms).map(parseWriteOncePartitionKey)).toEqual([
      { family: 'tok', tenantKey: TENANT, time: '2026112317' },
      { family: 'tok', tenantKey: TENANT, time: '2026112317' },
      { family: 'use', tenantKey: TENANT, time: '2026112316' },
      { family: 'use', tenantKey: TENANT, time: '20261123' },
      { family: 'sup', tenantKey: TENANT, time: '2026112317' },
      { family: 'sup', tenantKey: TENANT, time: '2026112317' },
    ]);
    // A tenant id that needs escaping stays one key part.
    expect(parseWriteOncePartitionKey(tokenBucketKey('odd|tenant/x', ms, 'u'))).toEqual({ family: 'tok', tenantKey: 'odd%7Ctenant%2Fx', time: '2026112317' });
    for (const key of [tenantPartitionKey(TENANT), identityPartitionKey(TENANT, 'object-1'), `host|${TENANT}|web-01`, 'tok|t', 'tok|t|2026-11-23', 'tok|t|202611231', 'tok|t|2026112317|x', 'mark|t|20261123', 'TokenTheft|20261123']) {
      expect(parseWriteOncePartitionKey(key)).toBeUndefined();
      expect(isExpiredPartition(key, firstKeptStateDays(Date.UTC(2030, 0, 1), DEFAULTS))).toBe(false);
    }
  });

  it('keeps tokens 8 days and the ledger 30 by default, whole UTC days past the retention', () => {
    const now = Date.UTC(2026, 11, 7, 4, 53);
    expect(firstKeptStateDays(now, DEFAULTS)).toEqual({ tok: '20261129', use: '20261129', sup: '20261107' });
    const expired = (ms: number): boolean[] => writeOnceKeys(TENANT, ms).map((key) => isExpiredPartition(key, firstKeptStateDays(now, DEFAULTS)));
    // The last hour before the first kept day goes, whatever the family's key looks like...
    expect(expired(Date.UTC(2026, 10, 28, 23, 59))).toEqual([true, true, true, true, false, false]);
    // ...and the first kept day's first hour stays: its day key and its 00 first-use bucket too.
    expect(expired(Date.UTC(2026, 10, 29, 0, 0))).toEqual([false, false, false, false, false, false]);
    expect(expired(Date.UTC(2026, 10, 6, 23, 0))).toEqual([true, true, true, true, true, true]);
    expect(expired(Date.UTC(2026, 10, 7, 0, 0)).slice(4)).toEqual([false, false]);
    expect(firstKeptStateDays(Date.UTC(2028, 2, 1, 4, 53), { tokenDays: 1, ledgerDays: 1 })).toEqual({ tok: '20280229', use: '20280229', sup: '20280229' });
  });

  it('refuses a retention that is not a whole number of days from 1', () => {
    for (const days of [0, -1, 1.5, Number.NaN]) {
      expect(() => firstKeptStateDays(Date.UTC(2026, 10, 1), { tokenDays: days, ledgerDays: 30 })).toThrow(/token retention/);
      expect(() => firstKeptStateDays(Date.UTC(2026, 10, 1), { tokenDays: 8, ledgerDays: days })).toThrow(/ledger retention/);
    }
  });

  it('bounds a tenant’s expired partitions by key order, and steps past all of them to the next tenant', () => {
    const keys = [
      ...writeOnceKeys(TENANT, Date.UTC(2026, 10, 28, 23)),
      ...writeOnceKeys(TENANT, Date.UTC(2026, 10, 29, 0)),
      ...writeOnceKeys('', Date.UTC(2026, 10, 1)),
      ...writeOnceKeys('zz-other', Date.UTC(2026, 10, 1)),
      ...writeOnceKeys('6f1c', Date.UTC(2026, 10, 1)),
    ].sort();
    for (const family of ['tok', 'use', 'sup'] as const) {
      const range = expiredPartitionRange(family, TENANT, '20261129');
      const inRange = keys.filter((key) => key >= range.from && key < range.to);
      // Exactly this tenant's partitions of this family before the first kept day.
      expect(inRange).toEqual(keys.filter((key) => parseWriteOncePartitionKey(key)?.family === family && parseWriteOncePartitionKey(key)?.tenantKey === TENANT && isExpiredPartition(key, { tok: '20261129', use: '20261129', sup: '20261129' })));
      expect(inRange.length).toBeGreaterThan(0);
      // The next tenant after this one's bound is the first key above all of this tenant's.
      for (const tenantKey of [TENANT, '', '6f1c', 'zz-other']) {
        const after = afterTenant(family, tenantKey);
        const own = keys.filter((key) => key.startsWith(`${family}|${tenantKey}|`));
        expect(own.every((key) => key < after)).toBe(true);
        expect(keys.filter((key) => key.startsWith(`${family}|`) && !own.includes(key) && key > own[own.length - 1]!).every((key) => key >= after)).toBe(true);
      }
    }
  });
});
