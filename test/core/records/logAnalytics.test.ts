import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { recordKeyText, type AuditEvent } from '../../../src/core/records/auditEvent';
import { parseAuditRecord } from '../../../src/core/records/auditRecord';
import { csvExportRecords } from '../../../src/core/records/logAnalytics/csvExport';
import { logAnalyticsTableOf } from '../../../src/core/records/logAnalytics/logAnalyticsTables';
import { isQueryResult, queryResultRows } from '../../../src/core/records/logAnalytics/queryResult';
import type { Parsed } from '../../../src/core/records/reject';

/**
 * Each Log Analytics table read from real-shaped rows (test/fixtures/log-analytics, in the shapes
 * people export: JSON arrays, the query API's tables, portal CSV), and the rows the parsers must
 * count, reject or leave alone.
 */

const TENANT = '4a5b6c7d-0000-4000-8000-00000000c0de';
const WORKSPACE = '6a7b0000-0000-4000-8000-0000000b0a7d';
const fixture = (name: string): string => path.join(__dirname, '../../fixtures/log-analytics', name);

function jsonRows(name: string): Record<string, unknown>[] {
  const value = JSON.parse(readFileSync(fixture(name), 'utf8')) as unknown;
  if (isQueryResult(value)) return [...queryResultRows(value, name)].map((item) => ('row' in item ? item.row : expect.unreachable(item.reject.detail)));
  return value as Record<string, unknown>[];
}

function csvRows(name: string): Record<string, unknown>[] {
  return [...csvExportRecords([readFileSync(fixture(name), 'utf8')], name)].map((item) => ('record' in item ? item.record : expect.unreachable(item.reject.detail)));
}

function event(row: unknown): AuditEvent {
  const result = parseAuditRecord(row, 'test');
  if (result === undefined) throw new Error('not routed');
  if (!result.ok) throw new Error(`rejected: ${result.reject.reason} ${result.reject.detail}`);
  return result.value;
}

function parse(row: unknown): Parsed<AuditEvent> | undefined {
  return parseAuditRecord(row, 'test');
}

describe('AzureActivity', () => {
  const [miUse, userUse, serviceHealth] = jsonRows('azureActivity.json');

  it('a Managed Identity call (Claims_d an object) is a token use with the claims, caller and operation', () => {
    expect(event(miUse)).toMatchObject({
      kind: 'use',
      timeMs: Date.UTC(2026, 2, 1, 10, 5, 0, 123),
      tenantId: TENANT,
      objectId: '0b1ec7a1-0000-4000-8000-000000000001',
      appId: 'a99c1da1-0000-4000-8000-000000000002',
      tokenId: 'Yz5mQ0x0c0FvR0t3c2d1',
      callerIp: '203.0.113.7',
      miResourceId: '/subscriptions/c0ffee00-0000-4000-8000-000000000003/resourcegroups/rg-contoso/providers/Microsoft.Compute/virtualMachines/vm-contoso-web01',
      principalType: 'app',
      issuedAtMs: 1772358900000,
      category: 'Administrative',
      // OperationNameValue, not the display name in OperationName.
      operation: 'MICROSOFT.KEYVAULT/VAULTS/SECRETS/READ',
    });
  });

  it('is keyed by the values the Event Hub shape has too, not by EventDataId', () => {
    const use = event(miUse);
    if (use.kind !== 'use') throw new Error('not a use');
    expect(recordKeyText(use.recordKey)).toBe(`5d7e0f7a-0000-4000-8000-0000000000a1|MICROSOFT.KEYVAULT/VAULTS/SECRETS/READ|${String(miUse!['_ResourceId'])}|${Date.UTC(2026, 2, 1, 10, 5, 0, 123)}|203.0.113.7|Yz5mQ0x0c0FvR0t3c2d1`);
    // Only _ResourceId (lower case) and ActivityStatusValue spelled otherwise: the same key.
    const { ResourceId: _upper, ...lowerOnly } = miUse!;
    const again = event({ ...lowerOnly, ActivityStatusValue: 'Succeeded' });
    expect(again.kind === 'use' && recordKeyText(again.recordKey)).toBe(recordKeyText(use.recordKey));
  });

  it('reads Claims_d given as JSON text, and a user call as a user’s', () => {
    expect(event(userUse)).toMatchObject({ kind: 'use', principalType: 'user', objectId: '0b1ec7f6-0000-4000-8000-000000000001', tokenId: 'dXNlci10b2tlbi0wMDAx', callerIp: '198.51.100.77' });
    const { Claims_d: _dynamic, ...claimsTextOnly } = userUse!;
    expect(event(claimsTextOnly)).toStrictEqual(event(userUse));
  });

  it('a record without a caller (service health, empty claims) is counted as other, never a use', () => {
    expect(event(serviceHealth)).toMatchObject({ kind: 'other', category: 'ServiceHealth', note: 'category.not-monitored' });
  });

  it('takes the tenant from the claims, never from TenantId (the workspace)', () => {
    const claims = { ...(miUse!['Claims_d'] as Record<string, unknown>) };
    for (const claim of ['http://schemas.microsoft.com/identity/claims/tenantid', 'iss']) delete claims[claim];
    const result = parse({ ...miUse, Claims_d: claims, Claims: JSON.stringify(claims) });
    // No tenant, and never the workspace's: the app judges it in the deployment's tenant or rejects it.
    expect(result).toMatchObject({ ok: true, value: { kind: 'use', tenantId: '' } });
    expect(JSON.stringify(event(miUse))).not.toContain(WORKSPACE);
  });

  it('a row without TimeGenerated is rejected for its time', () => {
    const { TimeGenerated: _time, ...noTime } = miUse!;
    expect(parse(noTime)).toMatchObject({ ok: false, reject: { reason: 'activity.bad-time' } });
  });
});

describe('AADManagedIdentitySignInLogs (portal CSV export)', () => {
  const [web01, billing, failed] = csvRows('aadManagedIdentitySignInLogs.csv');

  it('a sign-in is a token issuance with the identity, its token id and the audience', () => {
    expect(event(web01)).toMatchObject({
      kind: 'issuance',
      timeMs: Date.UTC(2026, 2, 1, 9, 55, 0, 227),
      tenantId: TENANT,
      objectId: '0b1ec7a1-0000-4000-8000-000000000001',
      appId: 'a99c1da1-0000-4000-8000-000000000002',
      name: 'vm-contoso-web01',
      tokenId: 'Yz5mQ0x0c0FvR0t3c2d1',
      audience: 'Windows Azure Service Management API',
      category: 'ManagedIdentitySignInLogs',
      recordKey: 'a08869a8-0000-4000-8000-0000000000b1',
    });
  });

  it('without AADTenantId the tenant comes from _ResourceId (/tenants/<tid>/…); a quoted name keeps its comma; 1:15 PM is 13:15 UTC', () => {
    expect(event(billing)).toMatchObject({ kind: 'issuance', tenantId: TENANT, name: 'func-contoso-billing, staging slot', timeMs: Date.UTC(2026, 2, 1, 13, 15, 42, 500), audience: 'Azure Key Vault' });
  });

  it('a failed sign-in (ResultType an error code) issues no token', () => {
    expect(event(failed)).toMatchObject({ kind: 'other', note: 'sign-in.failed', timeMs: Date.UTC(2026, 2, 1, 23, 59, 59, 999) });
  });

  it('a row naming no Entra tenant (only the workspace) names none, never the workspace (the app resolves or rejects it)', () => {
    const { AADTenantId: _tid, _ResourceId: _resource, ...workspaceOnly } = web01!;
    expect(parse(workspaceOnly)).toMatchObject({ ok: true, value: { kind: 'issuance', tenantId: '' } });
  });

  it('a ResultType written as "Success" is a success', () => {
    expect(event({ ...web01, ResultType: 'Success' })).toMatchObject({ kind: 'issuance' });
  });
});

describe('AADServicePrincipalSignInLogs', () => {
  it('is counted as a service principal sign-in, never an issuance', () => {
    const [row] = jsonRows('aadServicePrincipalSignInLogs.json');
    expect(event(row)).toMatchObject({ kind: 'other', tenantId: TENANT, category: 'ServicePrincipalSignInLogs', note: 'sign-in.service-principal' });
  });
});

describe('MicrosoftGraphActivityLogs (query API tables)', () => {
  const [appOnly, delegated] = jsonRows('microsoftGraphActivityLogs.query-api.json');

  it('an app-only call is a token use linked by SignInActivityId, with AadTenantId as the tenant', () => {
    expect(event(appOnly)).toMatchObject({
      kind: 'use',
      tenantId: TENANT,
      objectId: '0b1ec7a1-0000-4000-8000-000000000001',
      tokenId: 'Yz5mQ0x0c0FvR0t3c2d1',
      callerIp: '2001:db8:2::66',
      issuedAtMs: Date.UTC(2026, 2, 1, 9, 55),
      principalType: 'app',
      operation: 'GET https://graph.microsoft.com/v1.0/users',
      recordKey: 'f7739da0-0000-4000-8000-0000000000d1',
    });
  });

  it('a delegated call (UserId, no ServicePrincipalId) is counted as other', () => {
    expect(event(delegated)).toMatchObject({ kind: 'other', note: 'graph.delegated' });
  });

  it('an app-only call without AadTenantId is rejected (TenantId is the workspace)', () => {
    expect(parse({ ...appOnly, AadTenantId: '' })).toMatchObject({ ok: false, reject: { reason: 'graph.no-tenant' } });
  });
});

describe('Key Vault: AzureDiagnostics and AZKVAuditLogs', () => {
  it('AzureDiagnostics: the identity_claim_* columns are the caller’s claims; the issuer URL names the tenant', () => {
    const [miRead] = jsonRows('azureDiagnostics-keyvault.json');
    expect(event(miRead)).toMatchObject({
      kind: 'use',
      tenantId: TENANT,
      objectId: '0b1ec7b2-0000-4000-8000-000000000001',
      appId: 'a99c1db2-0000-4000-8000-000000000002',
      callerIp: '198.51.100.23',
      miResourceId: '/subscriptions/c0ffee00-0000-4000-8000-000000000003/resourcegroups/rg-contoso/providers/Microsoft.Web/sites/func-contoso-billing',
      principalType: 'app',
      category: 'AuditEvent',
      operation: 'SecretGet',
    });
  });

  it('AzureDiagnostics: a failed authentication (no claims) is counted; a user’s read (URI claims flattened) is a user’s use', () => {
    const [, unauthenticated, userRead] = jsonRows('azureDiagnostics-keyvault.json');
    expect(event(unauthenticated)).toMatchObject({ kind: 'other', note: 'activity.no-caller-token' });
    expect(event(userRead)).toMatchObject({ kind: 'use', principalType: 'user', objectId: '0b1ec7f6-0000-4000-8000-000000000001', tenantId: TENANT });
  });

  it('AzureDiagnostics: claims past the 500-column limit (AdditionalFields) are read too', () => {
    const [miRead] = jsonRows('azureDiagnostics-keyvault.json');
    const { identity_claim_xms_mirid_s: mirid, ...rest } = miRead!;
    expect(event({ ...rest, AdditionalFields: JSON.stringify({ identity_claim_xms_mirid_s: mirid }) })).toStrictEqual(event(miRead));
  });

  it('AZKVAuditLogs: Identity (an object, or JSON text) holds the claims; _ResourceId is the resource', () => {
    const [withObject, withText] = jsonRows('azkvAuditLogs.json');
    expect(event(withObject)).toMatchObject({ kind: 'use', tenantId: TENANT, objectId: '0b1ec7e5-0000-4000-8000-000000000001', callerIp: '192.0.2.44', category: 'AuditEvent', operation: 'SecretGet', principalType: 'app' });
    expect(event(withText)).toMatchObject({ kind: 'use', tenantId: TENANT, objectId: '0b1ec7e5-0000-4000-8000-000000000001', callerIp: '203.0.113.66' });
    const use = event(withObject);
    expect(use.kind === 'use' && recordKeyText(use.recordKey)).toContain('|/subscriptions/c0ffee00-0000-4000-8000-000000000003/resourcegroups/rg-contoso/providers/microsoft.keyvault/vaults/kv-contoso-orders|');
  });

  it('an AzureDiagnostics row of another service is counted as other', () => {
    const row = { TimeGenerated: '2026-03-01T10:00:00Z', ResourceId: '/SUBSCRIPTIONS/X/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.SQL/SERVERS/SQL-CONTOSO', Category: 'SQLSecurityAuditEvents', ResourceProvider: 'MICROSOFT.SQL', OperationName: 'AuditEvent', Type: 'AzureDiagnostics' };
    expect(event(row)).toMatchObject({ kind: 'other', category: 'SQLSecurityAuditEvents', note: 'category.not-monitored' });
  });
});

describe('StorageBlobLogs (portal CSV export)', () => {
  const [oauthV4, oauthV6, sas, userWrite] = csvRows('storageBlobLogs.csv');

  it('an OAuth read by a Managed Identity is a token use named by AuthenticationHash, its caller with the port', () => {
    expect(event(oauthV4)).toMatchObject({
      kind: 'use',
      timeMs: Date.UTC(2026, 2, 1, 10, 5, 0, 123),
      tenantId: TENANT,
      objectId: '0b1ec7e5-0000-4000-8000-000000000001',
      appId: 'a99c1de5-0000-4000-8000-000000000002',
      tokenId: '',
      tokenHash: '9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08',
      callerIp: '198.51.100.23:51234',
      principalType: 'app',
      category: 'StorageRead',
      operation: 'GetBlob',
    });
    expect(event(oauthV6)).toMatchObject({ kind: 'use', callerIp: '[2001:db8:2::66]:50432' });
  });

  it('a SAS request is counted as storage.not-oauth; a user’s OAuth write as a user’s use', () => {
    expect(event(sas)).toMatchObject({ kind: 'other', note: 'storage.not-oauth' });
    expect(event(userWrite)).toMatchObject({ kind: 'use', principalType: 'user', category: 'StorageWrite', operation: 'PutBlob' });
  });
});

describe('routing rows', () => {
  it('by Type, or by a column set only one table has', () => {
    const rows: [Record<string, unknown>, string][] = [
      [jsonRows('azureActivity.json')[0]!, 'AzureActivity'],
      [csvRows('aadManagedIdentitySignInLogs.csv')[0]!, 'AADManagedIdentitySignInLogs'],
      [jsonRows('aadServicePrincipalSignInLogs.json')[0]!, 'AADServicePrincipalSignInLogs'],
      [jsonRows('microsoftGraphActivityLogs.query-api.json')[0]!, 'MicrosoftGraphActivityLogs'],
      [jsonRows('azureDiagnostics-keyvault.json')[0]!, 'AzureDiagnostics'],
      [jsonRows('azkvAuditLogs.json')[0]!, 'AZKVAuditLogs'],
      [csvRows('storageBlobLogs.csv')[0]!, 'StorageBlobLogs'],
    ];
    for (const [row, table] of rows) {
      expect(logAnalyticsTableOf(row)?.name).toBe(table);
      const { Type: _type, ...untyped } = row;
      expect(logAnalyticsTableOf(untyped)?.name, `${table} without Type`).toBe(table);
      expect(parseAuditRecord(untyped, 'test')).toStrictEqual(parseAuditRecord(row, 'test'));
    }
  });

  it('in a union of tables without Type (every row has every column, empty where its table has none) by the columns that hold values', () => {
    const rows: [Record<string, unknown>, string][] = [
      [jsonRows('azureActivity.json')[0]!, 'AzureActivity'],
      [csvRows('aadManagedIdentitySignInLogs.csv')[0]!, 'AADManagedIdentitySignInLogs'],
      [jsonRows('microsoftGraphActivityLogs.query-api.json')[0]!, 'MicrosoftGraphActivityLogs'],
      [jsonRows('azureDiagnostics-keyvault.json')[0]!, 'AzureDiagnostics'],
      [jsonRows('azkvAuditLogs.json')[0]!, 'AZKVAuditLogs'],
      [csvRows('storageBlobLogs.csv')[0]!, 'StorageBlobLogs'],
    ];
    const columns = new Set(rows.flatMap(([row]) => Object.keys(row)));
    for (const empty of ['', null]) {
      for (const [row, table] of rows) {
        const { Type: _type, ...untyped } = row;
        // CSV and the CLI's JSON leave another table's columns empty; the query API gives null.
        const union = Object.fromEntries([...columns].filter((c) => c !== 'Type').map((c) => [c, c in untyped ? untyped[c] : empty]));
        expect(logAnalyticsTableOf(union)?.name, `${table} in a union, empty as ${JSON.stringify(empty)}`).toBe(table);
      }
    }
  });

  it('a sign-in row without Type or Category: no client address is a Managed Identity’s, one is a service principal’s', () => {
    const { Type: _t, Category: _c, ...mi } = csvRows('aadManagedIdentitySignInLogs.csv')[0]!;
    expect(logAnalyticsTableOf(mi)?.name).toBe('AADManagedIdentitySignInLogs');
    expect(logAnalyticsTableOf({ ...mi, IPAddress: '203.0.113.9' })?.name).toBe('AADServicePrincipalSignInLogs');
  });

  it('user sign-in tables are counted by Type; rows of other tables and rows without a table are not Azure logs', () => {
    expect(event({ Type: 'SigninLogs', TimeGenerated: '2026-03-01T10:00:00Z', AADTenantId: TENANT, UniqueTokenIdentifier: 'x', ServicePrincipalId: '' })).toMatchObject({ kind: 'other', category: 'SignInLogs', note: 'sign-in.user' });
    expect(event({ Type: 'AADNonInteractiveUserSignInLogs', TimeGenerated: '2026-03-01T10:00:00Z' })).toMatchObject({ kind: 'other', category: 'NonInteractiveUserSignInLogs' });
    expect(parseAuditRecord({ Type: 'Heartbeat', TimeGenerated: '2026-03-01T10:00:00Z', Computer: 'vm-contoso-web01' }, 't')).toBeUndefined();
    expect(parseAuditRecord({ Type: 'DeviceNetworkEvents', TimeGenerated: '2026-03-01T10:00:00Z', RemoteIP: '169.254.169.254' }, 't')).toBeUndefined();
    expect(parseAuditRecord({ TimeGenerated: '2026-03-01T10:00:00Z', Computer: 'vm-contoso-web01' }, 't')).toBeUndefined();
  });

  it('reads datetime columns given as Date (the query SDK) like their ISO text', () => {
    const row = jsonRows('azureActivity.json')[0]!;
    expect(event({ ...row, TimeGenerated: new Date('2026-03-01T10:05:00.123Z') })).toStrictEqual(event(row));
    expect(parse({ ...row, TimeGenerated: new Date(Number.NaN) })).toMatchObject({ ok: false, reject: { reason: 'activity.bad-time' } });
  });

  it('a row the Event Hub router cannot place (no category, no operation, no resource) is a counted reject', () => {
    expect(parse({ Type: 'AzureDiagnostics', TimeGenerated: '2026-03-01T10:00:00Z' })).toMatchObject({ ok: false, reject: { reason: 'row.no-category' } });
  });
});
