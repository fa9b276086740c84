import { describe, expect, it } from 'vitest';
import type { AuditEvent, TokenUse } from '../../../src/core/records/auditEvent';
import { planBatch, tenantPartitions } from '../../../src/core/remoteUse/batchPlan';
import { detectRemoteUse, eventOrder } from '../../../src/core/remoteUse/detectRemoteUse';
import { defaultRemoteUseSettings } from '../../../src/core/remoteUse/settings';
import type { PartitionSnapshot } from '../../../src/core/state/partition';
import { testClassifier } from '../../support/auditFixtures';
import { MAX_TOKEN_BUCKET_SHARDS, suppressionLedgerKey, tokenBucketCandidates, tokenBucketKey, tokenShard } from '../../../src/core/remoteUse/partitionKeys';

const TENANT = '72f988bf-0000-4000-8000-000000000001';
const ISSUED = Date.UTC(2026, 8, 14, 13, 57, 10);

describe('token bucket keys', () => {
  it('one shard keeps the plain tenant + hour key', () => {
    expect(tokenBucketKey(TENANT, ISSUED, 'x9Kq2v0AbUeoWb7cY1mQAA')).toBe(`tok|${TENANT}|2026091413`);
  });

  it('with shards, a token always lands in the same shard of its hour, and the shard is in the key', () => {
    const key = tokenBucketKey(TENANT, ISSUED, 'x9Kq2v0AbUeoWb7cY1mQAA', 8);
    expect(key).toMatch(new RegExp(`^tok\\|${TENANT}\\|2026091413\\|[0-7]$`));
    expect(tokenBucketKey(TENANT, ISSUED + 60_000, 'x9Kq2v0AbUeoWb7cY1mQAA', 8)).toBe(key);
    // FNV-1a of "a" is 0xe40c292c, finalised 444641715: the layout must not change between versions.
    expect(tokenShard('a', 2 ** 32)).toBe(444_641_715);
  });

  it('spreads token ids evenly over the shards', () => {
    const counts = new Array<number>(16).fill(0);
    for (let i = 0; i < 16_000; i++) counts[tokenShard(`tok-${i.toString(36)}-AbUeoWb7cY1m`, 16)]!++;
    expect(Math.min(...counts)).toBeGreaterThan(850);
    expect(Math.max(...counts)).toBeLessThan(1_150);
  });

  it('a bucket key names the token’s hour, and its shard with more than one, for every shard count', () => {
    for (const shards of [1, 2, 8, MAX_TOKEN_BUCKET_SHARDS]) {
      for (const [i, at] of [ISSUED, ISSUED + 3_600_000, Date.UTC(2027, 0, 1), Date.UTC(2026, 11, 31, 23, 59)].entries()) {
        const token = `tok-${i}-${shards}-Wb7cY1m`;
        const hour = new Date(at).toISOString().slice(0, 13).replace(/[-T]/g, '');
        expect(tokenBucketKey(TENANT, at, token, shards)).toBe(shards > 1 ? `tok|${TENANT}|${hour}|${tokenShard(token, shards)}` : `tok|${TENANT}|${hour}`);
      }
    }
  });

  it('the suppression ledger has the hour of the use, split by identity with shards', () => {
    expect(suppressionLedgerKey(TENANT, ISSUED, 'oid-1')).toBe(`sup|${TENANT}|2026091413`);
    expect(suppressionLedgerKey(TENANT, ISSUED, 'oid-1', 8)).toBe(`sup|${TENANT}|2026091413|${tokenShard('oid-1', 8)}`);
    expect(suppressionLedgerKey(TENANT, ISSUED + 3_600_000, 'oid-1', 8)).toBe(`sup|${TENANT}|2026091414|${tokenShard('oid-1', 8)}`);
  });

  it('a use looks in its token’s shard of the issuance hour and of the hour 10 minutes later', () => {
    const late = Date.UTC(2026, 8, 14, 13, 55);
    const shard = tokenShard('x9Kq2v0AbUeoWb7cY1mQAA', 4);
    expect(tokenBucketCandidates(TENANT, late, 'x9Kq2v0AbUeoWb7cY1mQAA', 4)).toEqual([`tok|${TENANT}|2026091413|${shard}`, `tok|${TENANT}|2026091414|${shard}`]);
    expect(tokenBucketCandidates(TENANT, Date.UTC(2026, 8, 14, 13, 20), 'x9Kq2v0AbUeoWb7cY1mQAA')).toEqual([`tok|${TENANT}|2026091413`]);
  });
});

describe('the partitions a batch loads', () => {
  const base = { tenantId: TENANT, category: 'test', recordKey: 'r' } as const;
  const signIn = (objectId: string, appId: string, tokenId: string, timeMs: number): AuditEvent => ({ ...base, kind: 'issuance', timeMs, objectId, appId, name: objectId, tokenId, resourceId: '', audience: '' });
  const use = (fields: Partial<TokenUse>): AuditEvent => ({ ...base, kind: 'use', timeMs: ISSUED, objectId: '', appId: '', tokenId: '', tokenHash: '', callerIp: '198.51.100.1', miResourceId: '', principalType: 'app', issuedAtMs: undefined, operation: 'op', ...fields });

  it('first round: each tenant once, and no token bucket (the tokens alerts cite are read row by row)', () => {
    const events = [use({ tokenId: 't1', issuedAtMs: Date.UTC(2026, 8, 14, 13, 55) }), signIn('o1', 'a1', 't2', Date.UTC(2026, 8, 14, 11, 5)), use({ tokenId: 't3', issuedAtMs: Date.UTC(2026, 8, 14, 13, 20), tenantId: 'other-tenant' })];
    expect(tenantPartitions(events.map((e) => e.tenantId))).toEqual([`tenant|${TENANT}`, 'tenant|other-tenant']);
  });

  it('second round: identities named by object id, by the catalog’s or the batch’s app id, or by a token issued in the batch', () => {
    const catalog = new Map([[`tenant|${TENANT}`, { partitionKey: `tenant|${TENANT}`, rows: new Map([
      ['mi|o-cat', { objectId: 'o-cat', appId: 'a-cat', name: 'vm', resourceId: '' }],
      ['mi|o-app', { objectId: 'o-app', appId: 'a-app', name: 'func', resourceId: '' }],
    ]) }]]);
    const events = [
      signIn('o-new', 'a-new', 'tok-new', ISSUED - 60_000),
      signIn('o-other', 'a-new', 'tok-other', ISSUED - 30_000),
      use({ objectId: 'o-cat' }),
      use({ appId: 'a-app' }),
      use({ appId: 'a-new' }),
      use({ tokenId: 'tok-other' }),
      use({ objectId: 'o-stranger' }),
      use({ objectId: 'o-user', principalType: 'user' }),
    ];
    // The app id a-new resolves to the batch's first sign-in with it (o-new); o-stranger is no known identity.
    // Each key once, in no particular order (the store takes any).
    const plan = planBatch(events, catalog);
    const keys = plan.partitionKeys;
    expect(keys).toHaveLength(new Set(keys).size);
    expect([...keys].filter((k) => k.startsWith('mi|')).sort()).toEqual([`mi|${TENANT}|o-app`, `mi|${TENANT}|o-cat`, `mi|${TENANT}|o-new`, `mi|${TENANT}|o-other`]);
    // The only other partitions: where the first use of a token may be, by the day of the use and
    // the days either side of it for the uses that carry a token id but no issue time; the user's use has none.
    expect([...keys].filter((k) => !k.startsWith('mi|')).sort()).toEqual([`use|${TENANT}|20260913`, `use|${TENANT}|20260914`, `use|${TENANT}|20260915`]);
    // The use found by object id carries its catalog entry on to judging; nothing else does.
    expect(plan.catalogued.map((entry) => entry?.objectId)).toEqual([undefined, undefined, 'o-cat', undefined, undefined, undefined, undefined, undefined]);
  });

  it('a catalogued identity reached through a sign-in, an app id or a token is loaded once, by its entry', () => {
    const catalog = catalogOf({ 'o-cat': 'a-cat' });
    const events = [signIn('o-cat', 'a-cat', 'tok-cat', ISSUED - 60_000), use({ appId: 'a-cat' }), use({ tokenId: 'tok-cat' }), use({ objectId: 'o-cat', miResourceId: '/subscriptions/s/x/vm' })];
    expect(planBatch(events, catalog).partitionKeys.filter((k) => k.startsWith('mi|'))).toEqual([`mi|${TENANT}|o-cat`]);
  });

  it('plans each batch on its own: identities a batch planned before are collected again, once', () => {
    const catalog = catalogOf({ 'o-cat': 'a-cat', 'o-two': 'a-two' });
    const first = [use({ objectId: 'o-cat' }), use({ objectId: 'o-cat' }), use({ objectId: 'o-two' })];
    const second = [use({ objectId: 'o-two' }), use({ appId: 'a-cat' }), use({ objectId: 'o-cat' })];
    const keys = (events: AuditEvent[]) => [...planBatch(events, catalog).partitionKeys].sort();
    const both = [`mi|${TENANT}|o-cat`, `mi|${TENANT}|o-two`];
    expect(keys(first)).toEqual(both);
    expect(keys(second)).toEqual(both);
    expect(keys(first)).toEqual(both);
  });

  it('judging order: event time, then issuance before use, then record key, whatever order the batch came in', () => {
    const events = [
      use({ recordKey: 'k2', timeMs: ISSUED }),
      signIn('o1', 'a1', 't1', ISSUED + 5),
      use({ recordKey: 'k1', timeMs: ISSUED }),
      signIn('o2', 'a2', 't2', ISSUED),
      use({ recordKey: 'k0', timeMs: ISSUED - 1 }),
    ];
    const order = eventOrder(events);
    expect(order.map((i) => [events[i]!.timeMs - ISSUED, events[i]!.kind, (events[i] as { recordKey: string }).recordKey])).toEqual([
      [-1, 'use', 'k0'],
      [0, 'issuance', 'r'],
      [0, 'use', 'k1'],
      [0, 'use', 'k2'],
      [5, 'issuance', 'r'],
    ]);
    expect(eventOrder([...events].reverse()).map((i) => [...events].reverse()[i])).toEqual(order.map((i) => events[i]));
  });

  describe('judging with the plan', () => {
    const vm = '/subscriptions/s/resourcegroups/rg/providers/Microsoft.Compute/virtualMachines/vm-cat';
    const uses = [
      use({ objectId: 'o-cat', miResourceId: vm, callerIp: '203.0.113.9', timeMs: ISSUED + 40 * 86_400_000 }),
      use({ objectId: 'o-cat', callerIp: '203.0.113.10', timeMs: ISSUED + 40 * 86_400_000 + 1 }),
    ];
    const settings = defaultRemoteUseSettings(testClassifier);
    const judge = (loaded: ReadonlyMap<string, PartitionSnapshot>, plannedOn: ReadonlyMap<string, PartitionSnapshot> | undefined) =>
      detectRemoteUse(uses, loaded, settings, plannedOn ? planBatch(uses, plannedOn) : undefined);
    const names = (result: ReturnType<typeof judge>): string[] => result.alerts.map((a) => a.IdentityName);

    it('gives the alerts and changes judging without it gives', () => {
      const catalog = catalogOf({ 'o-cat': 'a-cat' }, 'vm-cat');
      const withPlan = judge(catalog, catalog);
      expect(withPlan.alerts.length).toBeGreaterThan(0);
      expect(withPlan).toEqual(judge(catalog, undefined));
    });

    it('does not trust entries planned against another snapshot of the catalog (a reload after a conflict)', () => {
      const planned = catalogOf({ 'o-cat': 'a-cat' }, 'old-name');
      const reloaded = catalogOf({ 'o-cat': 'a-cat' }, 'vm-cat');
      expect(names(judge(reloaded, planned))).toEqual(names(judge(reloaded, undefined)));
      expect(names(judge(reloaded, undefined))).toContain('vm-cat');
      expect(names(judge(planned, undefined))).not.toContain('vm-cat');
    });
  });

  describe('a Managed Identity use teaches the catalog what it lacks, and only that', () => {
    const vm = '/subscriptions/s/resourcegroups/rg/providers/Microsoft.Compute/virtualMachines/vm-cat';
    const settings = defaultRemoteUseSettings(testClassifier);
    const catalogRow = (rows: ReturnType<typeof catalogWith>, use: Partial<TokenUse>) => {
      const events = [{ ...use0, ...use } as AuditEvent];
      const result = detectRemoteUse(events, rows, settings, planBatch(events, rows));
      return result.changes.find((c) => c.partitionKey === `tenant|${TENANT}` && c.rowKey === 'mi|o-cat');
    };
    const use0: Partial<TokenUse> = { kind: 'use', tenantId: TENANT, category: 'test', recordKey: 'r', timeMs: ISSUED, objectId: 'o-cat', appId: 'a-cat', tokenId: '', callerIp: '10.1.2.3', miResourceId: vm, principalType: 'app', issuedAtMs: undefined, operation: 'op' };
    function catalogWith(fields: Record<string, string>): Map<string, PartitionSnapshot> {
      const rows = new Map<string, Record<string, string | number>>([['meta', { firstEventAt: ISSUED - 30 * 86_400_000 }], ['mi|o-cat', { objectId: 'o-cat', appId: 'a-cat', name: 'vm-cat', resourceId: vm, ...fields }]]);
      return new Map([[`tenant|${TENANT}`, { partitionKey: `tenant|${TENANT}`, rows }]]);
    }

    it('nothing when the catalog already knows the use’s app id, name and resource', () => {
      expect(catalogRow(catalogWith({}), {})).toBeUndefined();
      expect(catalogRow(catalogWith({}), { appId: '' })).toBeUndefined();
    });

    it('the name from the resource id when the catalog has none', () => {
      expect(catalogRow(catalogWith({ name: '' }), {})).toMatchObject({ data: { objectId: 'o-cat', appId: 'a-cat', name: 'vm-cat', resourceId: vm } });
    });

    it('the app id and resource id the token carries when they differ from the catalog’s', () => {
      expect(catalogRow(catalogWith({ appId: 'a-old' }), {})).toMatchObject({ data: { appId: 'a-cat', name: 'vm-cat' } });
      expect(catalogRow(catalogWith({ resourceId: '' }), {})).toMatchObject({ data: { resourceId: vm } });
    });
  });

  /** A tenant partition cataloguing the given identities (object id → app id), active for 30 days. */
  function catalogOf(identities: Record<string, string>, name = 'vm'): Map<string, PartitionSnapshot> {
    const rows = new Map<string, Record<string, string | number>>([['meta', { firstEventAt: ISSUED - 30 * 86_400_000 }]]);
    for (const [objectId, appId] of Object.entries(identities)) rows.set(`mi|${objectId}`, { objectId, appId, name, resourceId: '' });
    return new Map([[`tenant|${TENANT}`, { partitionKey: `tenant|${TENANT}`, rows }]]);
  }
});
