import { describe, expect, it } from 'vitest';
import { parseAuditRecords } from '../../src/app/remoteUseRunner';
import { TenantlessRecords } from '../../src/app/tenantlessRecords';
import { at, identity, miSignIn, TENANT, type TestIdentity } from '../support/auditFixtures';

const OTHER_TENANT = '9e8d7c6b-0000-4000-8000-0000000000ff';
const HOME_TENANT = '1d2c3b4a-0000-4000-8000-0000000000aa';

/** A Key Vault SecretGet by a Managed Identity as Key Vault logs it: oid, appid, appidacr, xms_mirid, no tenant. */
function keyVaultRead(id: TestIdentity, ms: number): Record<string, unknown> {
  return {
    time: new Date(ms).toISOString(),
    resourceId: '/SUBSCRIPTIONS/C0FFEE00-0000-4000-8000-000000000003/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.KEYVAULT/VAULTS/KV-CONTOSO',
    operationName: 'SecretGet',
    category: 'AuditEvent',
    resultType: 'Success',
    callerIpAddress: '203.0.113.7',
    identity: { claim: { oid: id.objectId, appid: id.appId, appidacr: '2', xms_mirid: id.resourceId } },
    properties: { id: 'https://kv-contoso.vault.azure.net/secrets/db/0123', httpStatusCode: 200 },
  };
}

const sourced = (records: unknown[]): { record: unknown; origin: string }[] => records.map((record, i) => ({ record, origin: `r${i}` }));

describe('TenantlessRecords: the tenant of a use whose record names none', () => {
  it('is the configured tenant, whatever the records name', () => {
    const tenantless = new TenantlessRecords(HOME_TENANT);
    tenantless.saw(OTHER_TENANT);
    expect(tenantless.tenant()).toBe(HOME_TENANT);
  });

  it('in a replay, is the one tenant the earlier records named, and none once they named two', () => {
    const tenantless = new TenantlessRecords('', true);
    expect(tenantless.tenant()).toBeUndefined();
    tenantless.saw(TENANT);
    tenantless.saw(TENANT);
    expect(tenantless.tenant()).toBe(TENANT);
    tenantless.saw(OTHER_TENANT);
    expect(tenantless.tenant()).toBeUndefined();
    tenantless.saw(TENANT);
    expect(tenantless.tenant()).toBeUndefined();
  });

  it('is none when neither configured nor inferred', () => {
    const tenantless = new TenantlessRecords('');
    tenantless.saw(TENANT);
    expect(tenantless.tenant()).toBeUndefined();
  });
});

describe('parseAuditRecords: sign-ins that name no tenant (the older AADManagedIdentitySignInLogs columns)', () => {
  const id = identity(5);
  const tenantless = (): Record<string, unknown> => {
    const { tenantId: _tenant, resourceId: _resource, ...signIn } = miSignIn(id, at(1));
    return signIn;
  };

  it('are rejected as signin.no-tenant when no tenant is configured, and issued in the configured one', () => {
    expect(parseAuditRecords(sourced([tenantless()])).rejects).toMatchObject([{ reason: 'signin.no-tenant', detail: expect.stringContaining('TOKENWATCH_HOME_TENANT_ID') }]);
    const parsed = parseAuditRecords(sourced([tenantless()]), undefined, new TenantlessRecords(HOME_TENANT));
    expect(parsed.events).toMatchObject([{ kind: 'issuance', tenantId: HOME_TENANT, objectId: id.objectId }]);
  });
});

describe('parseAuditRecords: Key Vault reads that name no tenant', () => {
  const id = identity(3);

  it('are rejected as activity.no-tenant when no tenant is configured, the record shown and the setting named', () => {
    const parsed = parseAuditRecords(sourced([miSignIn(id, at(1)), keyVaultRead(id, at(1, 5))]));
    expect(parsed.events.map((e) => e.kind)).toEqual(['issuance']);
    expect(parsed.rejects).toMatchObject([{ reason: 'activity.no-tenant', origin: 'r1', detail: expect.stringContaining('TOKENWATCH_HOME_TENANT_ID') }]);
    expect(parsed.rejects[0]!.sample).toContain('SecretGet');
  });

  it('are judged in the configured tenant', () => {
    const parsed = parseAuditRecords(sourced([keyVaultRead(id, at(1, 5))]), undefined, new TenantlessRecords(HOME_TENANT));
    expect(parsed.rejects).toEqual([]);
    expect(parsed.events).toMatchObject([{ kind: 'use', tenantId: HOME_TENANT, objectId: id.objectId, miResourceId: id.resourceId, category: 'AuditEvent' }]);
    expect(parsed.tenants).toEqual([HOME_TENANT]);
  });

  it('in a replay, take the tenant of the records before them, across batches, and are rejected before any or after two', () => {
    const tenantless = new TenantlessRecords('', true);
    const first = parseAuditRecords(sourced([keyVaultRead(id, at(1, 1)), miSignIn(id, at(1))]), undefined, tenantless);
    expect(first.rejects.map((r) => r.reason)).toEqual(['activity.no-tenant']);
    const second = parseAuditRecords(sourced([keyVaultRead(id, at(1, 5))]), undefined, tenantless);
    expect(second.rejects).toEqual([]);
    expect(second.events).toMatchObject([{ kind: 'use', tenantId: TENANT }]);
    const other = identity(4);
    const third = parseAuditRecords(sourced([{ ...miSignIn(other, at(2)), tenantId: OTHER_TENANT }, keyVaultRead(id, at(2, 5))]), undefined, tenantless);
    expect(third.events.map((e) => e.tenantId)).toEqual([OTHER_TENANT]);
    expect(third.rejects.map((r) => r.reason)).toEqual(['activity.no-tenant']);
  });
});
