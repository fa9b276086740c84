import { describe, expect, it } from 'vitest';
import { parseAuditRecords } from '../../src/app/remoteUseRunner';
import { TenantlessRecords } from '../../src/app/tenantlessRecords';
import { activityUse, at, identity, miSignIn, TENANT, type TestIdentity } from '../support/auditFixtures';

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
    tenantless.saw(OTHER_TENANT, '');
    expect(tenantless.tenant()).toBe(HOME_TENANT);
  });

  it('in a replay, is the one tenant the earlier records named, and none once they named two', () => {
    const tenantless = new TenantlessRecords('', true);
    expect(tenantless.tenant()).toBeUndefined();
    tenantless.saw(TENANT, '');
    tenantless.saw(TENANT, '');
    expect(tenantless.tenant()).toBe(TENANT);
    tenantless.saw(OTHER_TENANT, '');
    expect(tenantless.tenant()).toBeUndefined();
    tenantless.saw(TENANT, '');
    expect(tenantless.tenant()).toBeUndefined();
  });

  it("in a replay, is first the tenant that issued the identity's tokens, whatever else the records named", () => {
    const tenantless = new TenantlessRecords('', true);
    tenantless.saw(TENANT, 'oid-a');
    tenantless.saw(OTHER_TENANT, 'oid-b');
    expect([tenantless.tenant('oid-a'), tenantless.tenant('oid-b'), tenantless.tenant('oid-c')]).toEqual([TENANT, OTHER_TENANT, undefined]);
  });

  it('counts the records it judged in the one tenant seen without knowing their identity there', () => {
    const tenantless = new TenantlessRecords('', true);
    tenantless.saw(TENANT, 'oid-a');
    tenantless.tenant('oid-a');
    tenantless.tenant('oid-x');
    tenantless.tenant('oid-y');
    expect(tenantless.guesses).toEqual({ records: 2, tenant: TENANT });
  });

  it('is none when neither configured nor inferred', () => {
    const tenantless = new TenantlessRecords('');
    tenantless.saw(TENANT, '');
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

  it("in a replay, take the tenant that issued the identity's tokens, even once two tenants were named", () => {
    const tenantless = new TenantlessRecords('', true);
    const other = identity(4);
    const parsed = parseAuditRecords(sourced([miSignIn(id, at(1)), { ...miSignIn(other, at(1, 1)), tenantId: OTHER_TENANT }, keyVaultRead(other, at(1, 5)), keyVaultRead(id, at(1, 6))]), undefined, tenantless);
    expect(parsed.rejects).toEqual([]);
    expect(parsed.events.filter((e) => e.kind === 'use').map((e) => e.tenantId)).toEqual([OTHER_TENANT, TENANT]);
  });

  it("in a replay, a user's record of another tenant (an Azure Lighthouse administrator) does not stop the inference", () => {
    const tenantless = new TenantlessRecords('', true);
    const lighthouseUser = { ...activityUse(identity(6), at(1, 2), '203.0.113.9'), identity: { claims: { oid: 'u1', upn: 'admin@fabrikam.example', idtyp: 'user', tid: OTHER_TENANT, 'http://schemas.microsoft.com/identity/claims/tenantid': OTHER_TENANT } } };
    const parsed = parseAuditRecords(sourced([miSignIn(id, at(1)), lighthouseUser, keyVaultRead(identity(9), at(1, 5))]), undefined, tenantless);
    expect(parsed.rejects).toEqual([]);
    expect(parsed.events.filter((e) => e.kind === 'use' && e.category === 'AuditEvent').map((e) => e.tenantId)).toEqual([TENANT]);
  });

  it('in a replay, take the tenant of the records before them, across batches, and are rejected before any, or after two for an identity not seen', () => {
    const tenantless = new TenantlessRecords('', true);
    const first = parseAuditRecords(sourced([keyVaultRead(id, at(1, 1)), miSignIn(id, at(1))]), undefined, tenantless);
    expect(first.rejects.map((r) => r.reason)).toEqual(['activity.no-tenant']);
    const second = parseAuditRecords(sourced([keyVaultRead(id, at(1, 5))]), undefined, tenantless);
    expect(second.rejects).toEqual([]);
    expect(second.events).toMatchObject([{ kind: 'use', tenantId: TENANT }]);
    const other = identity(4);
    // Once two tenants were named, an identity the replay has not seen issued a token is rejected; one it has is judged in its tenant.
    const third = parseAuditRecords(sourced([{ ...miSignIn(other, at(2)), tenantId: OTHER_TENANT }, keyVaultRead(identity(8), at(2, 4)), keyVaultRead(id, at(2, 5))]), undefined, tenantless);
    expect(third.events.map((e) => e.tenantId)).toEqual([OTHER_TENANT, TENANT]);
    expect(third.rejects.map((r) => r.reason)).toEqual(['activity.no-tenant']);
  });
});
