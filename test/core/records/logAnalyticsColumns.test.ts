import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { csvExportRecords } from '../../../src/core/records/logAnalytics/csvExport';
import { LOG_ANALYTICS_TABLES } from '../../../src/core/records/logAnalytics/logAnalyticsTables';
import { isQueryResult, queryResultRows } from '../../../src/core/records/logAnalytics/queryResult';
import { activityUse, at, graphUse, identity, miSignIn } from '../../support/auditFixtures';
import { logAnalyticsRowOf } from '../../support/logAnalyticsRows';
import { keyVaultUse, storageUse } from '../../support/regionFixtures';

/**
 * The row parsers read only columns the tables document, and the test rows carry only those: a
 * misspelt column would read as "absent" and silently change events. Column lists from
 * MicrosoftDocs/azure-reference-other `azure-monitor-ref/tables/includes/<table>-include.md`
 * (2024) and Azure/Azure-Sentinel `.script/tests/KqlvalidationsTests/CustomTables/<table>.json`;
 * `newer` are columns of the current page revisions (learn.microsoft.com / docs.azure.cn table
 * pages); `tolerated` are spellings read as fallbacks, named here so each is a decision.
 */
const STANDARD = ['TenantId', 'TimeGenerated', 'Type', 'SourceSystem', '_ResourceId', '_SubscriptionId', '_BilledSize', '_IsBillable'];
const SIGN_IN = [
  ...STANDARD,
  ...['AppId', 'AuthenticationContextClassReferences', 'AuthenticationProcessingDetails', 'Category', 'ConditionalAccessPolicies', 'ConditionalAccessPoliciesV2', 'ConditionalAccessStatus'],
  ...['CorrelationId', 'DurationMs', 'FederatedCredentialId', 'Id', 'Identity', 'IPAddress', 'Level', 'Location', 'LocationDetails', 'OperationName', 'OperationVersion'],
  ...['ResourceDisplayName', 'ResourceGroup', 'ResourceIdentity', 'ResourceServicePrincipalId', 'ResultDescription', 'ResultSignature', 'ResultType'],
  ...['ServicePrincipalCredentialKeyId', 'ServicePrincipalCredentialThumbprint', 'ServicePrincipalId', 'ServicePrincipalName', 'UniqueTokenIdentifier'],
];

interface TableColumns {
  readonly documented: readonly string[];
  readonly newer?: readonly string[];
  readonly tolerated?: readonly string[];
  /** Columns named by a pattern (AzureDiagnostics' flattened fields). */
  readonly pattern?: RegExp;
}

const COLUMNS: Record<string, TableColumns> = {
  AzureActivity: {
    documented: [
      ...STANDARD,
      ...['ActivityStatus', 'ActivityStatusValue', 'ActivitySubstatus', 'ActivitySubstatusValue', 'Authorization', 'Authorization_d', 'Caller', 'CallerIpAddress', 'Category', 'CategoryValue'],
      ...['Claims', 'Claims_d', 'CorrelationId', 'EventDataId', 'EventSubmissionTimestamp', 'Hierarchy', 'HTTPRequest', 'Level', 'OperationId', 'OperationName', 'OperationNameValue'],
      ...['Properties', 'Properties_d', 'Resource', 'ResourceGroup', 'ResourceId', 'ResourceProvider', 'ResourceProviderValue', 'SubscriptionId'],
    ],
  },
  AADManagedIdentitySignInLogs: { documented: SIGN_IN, newer: ['AADTenantId', 'CreatedDateTime'], tolerated: ['AadTenantId', 'ResourceId', 'ManagedServiceIdentity'] },
  AADServicePrincipalSignInLogs: { documented: SIGN_IN, newer: ['AADTenantId', 'CreatedDateTime', 'AutonomousSystemNumber', 'ClientCredentialType'], tolerated: ['AadTenantId', 'ResourceId', 'ManagedServiceIdentity'] },
  MicrosoftGraphActivityLogs: {
    documented: [
      ...STANDARD,
      ...['AadTenantId', 'ApiVersion', 'AppId', 'ATContent', 'ATContentH', 'ATContentP', 'ClientAuthMethod', 'ClientRequestId', 'DurationMs', 'IdentityProvider', 'IPAddress', 'Location'],
      ...['OperationId', 'RequestId', 'RequestMethod', 'RequestUri', 'ResponseSizeBytes', 'ResponseStatusCode', 'Roles', 'Scopes', 'ServicePrincipalId', 'SignInActivityId', 'TokenIssuedAt', 'UserAgent', 'UserId', 'Wids'],
    ],
    tolerated: ['AADTenantId'],
  },
  AzureDiagnostics: {
    documented: [...STANDARD, 'ResourceId', 'Category', 'ResourceGroup', 'SubscriptionId', 'ResourceProvider', 'Resource', 'ResourceType', 'OperationName', 'ResultType', 'CorrelationId', 'ResultDescription', 'DurationMs', 'CallerIPAddress', 'OperationVersion', 'ResultSignature', 'AdditionalFields'],
    pattern: /^[A-Za-z0-9]+(?:_[A-Za-z0-9]+)*_[sgdbt]$/,
    tolerated: ['CallerIpAddress'],
  },
  AZKVAuditLogs: {
    documented: [
      ...STANDARD,
      ...['AddressAuthorizationType', 'Algorithm', 'AppliedAssignmentId', 'CallerIpAddress', 'CertificateIssuerProperties', 'CertificatePolicyProperties', 'CertificateProperties', 'CertificateRequestProperties', 'ClientInfo', 'CorrelationId'],
      ...['DurationMs', 'EnabledForDeployment', 'EnabledForDiskEncryption', 'EnabledForTemplateDeployment', 'EnablePurgeProtection', 'EnableRbacAuthorization', 'EnableSoftDelete', 'HsmPoolResourceId', 'HttpStatusCode', 'Id', 'Identity'],
      ...['IsAccessPolicyMatch', 'IsAddressAuthorized', 'IsRbacAuthorized', 'KeyProperties', 'NetworkAcls', 'Nsp', 'OperationName', 'OperationVersion', 'Properties', 'RequestUri', 'ResultDescription', 'ResultSignature', 'ResultType'],
      ...['SecretProperties', 'Sku', 'SoftDeleteRetentionInDays', 'StorageAccountProperties', 'StorageSasDefinitionProperties', 'SubnetId', 'Tlsversion', 'TrustedService', 'VaultProperties'],
    ],
    tolerated: ['ResourceId'],
  },
  StorageBlobLogs: {
    documented: [
      ...STANDARD,
      ...['AccessTier', 'AccountName', 'AuthenticationHash', 'AuthenticationType', 'AuthorizationDetails', 'CallerIpAddress', 'Category', 'ClientRequestId', 'ConditionsUsed', 'ContentLengthHeader', 'CorrelationId', 'DestinationUri'],
      ...['DurationMs', 'Etag', 'LastModifiedTime', 'Location', 'MetricResponseType', 'ObjectKey', 'OperationCount', 'OperationName', 'OperationVersion', 'Protocol', 'ReferrerHeader', 'RehydratePriority', 'RequestBodySize'],
      ...['RequesterAppId', 'RequesterAudience', 'RequesterObjectId', 'RequesterTenantId', 'RequesterTokenIssuer', 'RequesterUpn', 'RequestHeaderSize', 'RequestMd5', 'ResponseBodySize', 'ResponseHeaderSize', 'ResponseMd5'],
      ...['SasExpiryStatus', 'SchemaVersion', 'ServerLatencyMs', 'ServiceType', 'SourceAccessTier', 'SourceUri', 'StatusCode', 'StatusText', 'TlsVersion', 'Uri', 'UserAgentHeader'],
    ],
    tolerated: ['ResourceId'],
  },
};

const known = (table: string, column: string): boolean => {
  const t = COLUMNS[table];
  if (t === undefined) return false;
  return [...t.documented, ...(t.newer ?? [])].includes(column) || (t.pattern?.test(column) ?? false);
};

/** Every table's rows, from the fixtures and from the Event Hub converter. */
function rowsByTable(): Map<string, Record<string, unknown>[]> {
  const dir = path.join(__dirname, '../../fixtures/log-analytics');
  const rows: Record<string, unknown>[] = [];
  for (const name of ['azureActivity.json', 'aadServicePrincipalSignInLogs.json', 'microsoftGraphActivityLogs.query-api.json', 'azureDiagnostics-keyvault.json', 'azkvAuditLogs.json']) {
    const value = JSON.parse(readFileSync(path.join(dir, name), 'utf8')) as unknown;
    if (isQueryResult(value)) for (const item of queryResultRows(value, name)) if ('row' in item) rows.push(item.row);
    if (Array.isArray(value)) rows.push(...(value as Record<string, unknown>[]));
  }
  for (const name of ['aadManagedIdentitySignInLogs.csv', 'storageBlobLogs.csv']) for (const item of csvExportRecords([readFileSync(path.join(dir, name), 'utf8')], name)) if ('record' in item) rows.push(item.record);
  const id = identity(61);
  const records = [miSignIn(id, at(1)), { ...miSignIn(id, at(1)), category: 'ServicePrincipalSignInLogs' }, activityUse(id, at(1), '203.0.113.5'), graphUse(id, at(1), '203.0.113.5'), keyVaultUse(id, at(1), '203.0.113.5'), storageUse(id, at(1), '203.0.113.5:443', 'ab'.repeat(32))];
  for (const record of records) {
    rows.push(logAnalyticsRowOf(record));
    if (record['category'] === 'AuditEvent') rows.push(logAnalyticsRowOf(record, { keyVaultTable: 'AZKVAuditLogs' }));
  }
  const out = new Map<string, Record<string, unknown>[]>();
  for (const row of rows) out.set(String(row['Type']), [...(out.get(String(row['Type'])) ?? []), row]);
  return out;
}

describe('Log Analytics columns', () => {
  const tables = rowsByTable();

  it('every table read has rows here', () => {
    expect([...tables.keys()].sort()).toEqual(Object.keys(COLUMNS).sort());
  });

  it.each(Object.keys(COLUMNS))('%s: the test rows and fixtures carry only documented columns', (table) => {
    const unknown = new Set<string>();
    for (const row of tables.get(table) ?? []) for (const column of Object.keys(row)) if (!known(table, column)) unknown.add(column);
    expect([...unknown]).toEqual([]);
  });

  it.each(Object.keys(COLUMNS))('%s: the parser reads only documented columns (and the named fallbacks)', (table) => {
    const parser = LOG_ANALYTICS_TABLES.find((t) => t.name === table || t.alsoNamed?.includes(table));
    if (!parser) throw new Error(`no parser for ${table}`);
    const read = new Set<string>();
    for (const row of tables.get(table) ?? []) {
      const watched = new Proxy(row, {
        get(target, key, receiver) {
          if (typeof key === 'string') read.add(key);
          return Reflect.get(target, key, receiver) as unknown;
        },
      });
      parser.eventHubTwin(watched);
    }
    const tolerated = COLUMNS[table]!.tolerated ?? [];
    expect([...read].filter((column) => !known(table, column) && !tolerated.includes(column))).toEqual([]);
    // The columns that carry an event's identity are among those read.
    expect(read.has('TimeGenerated')).toBe(true);
  });
});
