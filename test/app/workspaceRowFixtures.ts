import { MemoryWorkspace } from '../../src/adapters/logAnalyticsQuery';

/**
 * Log Analytics rows of the same events as the Event Hub fixtures (test/support/auditFixtures.ts),
 * as the query API returns them: one object per row, its documented columns including `Type`,
 * datetime columns as Date, dynamic columns as parsed JSON. `TenantId` is the workspace's id, as
 * in every Log Analytics table; the Entra tenant is in the claims / `AADTenantId` / `AadTenantId`.
 *
 * Column names: AzureActivity (CategoryValue, OperationNameValue, ActivityStatusValue,
 * CallerIpAddress, CorrelationId, ResourceId, Claims_d / Claims, Authorization_d),
 * AADManagedIdentitySignInLogs (Id, ServicePrincipalId, AppId, ServicePrincipalName,
 * UniqueTokenIdentifier, IPAddress, ResourceDisplayName, ResourceIdentity, ResultType),
 * MicrosoftGraphActivityLogs (SignInActivityId, IPAddress, AppId, ServicePrincipalId, RequestUri,
 * RequestId, TokenIssuedAt): MicrosoftDocs/azure-reference-other azure-monitor-ref/tables.
 */
export const WORKSPACE_ID = '6a7b0000-0000-4000-8000-00000000beef';

type EventHubRecord = Record<string, unknown>;
type Row = Record<string, unknown>;

const obj = (value: unknown): Record<string, unknown> => (typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {});
const str = (value: unknown): string => (typeof value === 'string' ? value : '');
const date = (value: unknown): Date => new Date(str(value));

/** The AADManagedIdentitySignInLogs row of a ManagedIdentitySignInLogs record (auditFixtures.miSignIn). */
export function signInRow(record: EventHubRecord): Row {
  const p = obj(record['properties']);
  return {
    TenantId: WORKSPACE_ID,
    TimeGenerated: date(record['time']),
    Category: 'ManagedIdentitySignInLogs',
    OperationName: 'Sign-in activity',
    AADTenantId: record['tenantId'],
    ResultType: '0',
    CorrelationId: record['correlationId'],
    Id: p['id'],
    AppId: p['appId'],
    ServicePrincipalId: p['servicePrincipalId'],
    ServicePrincipalName: p['servicePrincipalName'],
    UniqueTokenIdentifier: p['uniqueTokenIdentifier'],
    IPAddress: '',
    ResourceDisplayName: p['resourceDisplayName'],
    ResourceIdentity: p['resourceId'],
    SourceSystem: 'Azure AD',
    Type: 'AADManagedIdentitySignInLogs',
  };
}

/** The AzureActivity row of an Activity log record (auditFixtures.activityUse). */
export function activityRow(record: EventHubRecord): Row {
  const identity = obj(record['identity']);
  const claims = obj(identity['claims']);
  const authorization = obj(identity['authorization']);
  const [status, substatus] = str(record['resultSignature']).split('.');
  return {
    TenantId: WORKSPACE_ID,
    SourceSystem: 'Azure',
    CallerIpAddress: record['callerIpAddress'],
    CategoryValue: record['category'],
    Category: record['category'],
    CorrelationId: record['correlationId'],
    Authorization: JSON.stringify(authorization),
    Authorization_d: authorization,
    Claims: JSON.stringify(claims),
    Claims_d: claims,
    Level: record['level'],
    OperationNameValue: record['operationName'],
    OperationName: 'Get Secret',
    Properties_d: obj(record['properties']),
    ActivityStatusValue: record['resultType'],
    ActivityStatus: status,
    ActivitySubstatusValue: substatus ?? '',
    ResourceId: record['resourceId'],
    _ResourceId: str(record['resourceId']).toLowerCase(),
    TimeGenerated: date(record['time']),
    Type: 'AzureActivity',
  };
}

/** The MicrosoftGraphActivityLogs row of a Graph activity record (auditFixtures.graphUse). */
export function graphRow(record: EventHubRecord): Row {
  const p = obj(record['properties']);
  return {
    TenantId: WORKSPACE_ID,
    TimeGenerated: date(record['time']),
    Location: record['location'],
    RequestId: p['requestId'],
    OperationId: p['operationId'],
    ApiVersion: p['apiVersion'],
    RequestMethod: p['requestMethod'],
    ResponseStatusCode: p['responseStatusCode'],
    AadTenantId: p['tenantId'],
    IPAddress: p['ipAddress'],
    UserAgent: p['userAgent'],
    RequestUri: p['requestUri'],
    AppId: p['appId'],
    ServicePrincipalId: p['servicePrincipalId'],
    UserId: p['userId'] ?? '',
    SignInActivityId: p['signInActivityId'],
    Roles: p['roles'],
    TokenIssuedAt: p['tokenIssuedAt'] === null ? null : date(p['tokenIssuedAt']),
    ClientAuthMethod: Number(p['clientAuthMethod']),
    Type: 'MicrosoftGraphActivityLogs',
  };
}

/** The table and row of an Event Hub fixture record. */
export function rowOf(record: EventHubRecord): { table: string; row: Row } {
  const category = record['category'];
  if (category === 'ManagedIdentitySignInLogs') return { table: 'AADManagedIdentitySignInLogs', row: signInRow(record) };
  if (category === 'MicrosoftGraphActivityLogs') return { table: 'MicrosoftGraphActivityLogs', row: graphRow(record) };
  return { table: 'AzureActivity', row: activityRow(record) };
}

/** A workspace twin holding the real-shaped rows of these records, each table created. */
export function workspaceOfRows(records: readonly EventHubRecord[], ingestedAtMs?: (timeMs: number) => number): MemoryWorkspace {
  const workspace = new MemoryWorkspace();
  for (const table of ['AADManagedIdentitySignInLogs', 'AzureActivity', 'MicrosoftGraphActivityLogs']) workspace.createTable(table);
  for (const record of records) {
    const { table, row } = rowOf(record);
    workspace.add(table, [row], ingestedAtMs ? { ingestedAtMs: (_row, timeMs) => ingestedAtMs(timeMs) } : {});
  }
  return workspace;
}

/**
 * A workspace twin holding the Event Hub records themselves as rows (with TimeGenerated, no
 * `Type`): what the machinery tests replay, so they exercise the real detector with the parsers
 * the Event Hub path has today. Each goes to the table its category is stored in.
 */
export function workspaceOfRecords(records: readonly EventHubRecord[], ingestedAtMs?: (timeMs: number) => number): MemoryWorkspace {
  const workspace = new MemoryWorkspace();
  for (const table of ['AADManagedIdentitySignInLogs', 'AzureActivity', 'MicrosoftGraphActivityLogs']) workspace.createTable(table);
  for (const record of records) {
    const { table } = rowOf(record);
    workspace.add(table, [{ ...record, TimeGenerated: date(record['time']) }], ingestedAtMs ? { ingestedAtMs: (_row, timeMs) => ingestedAtMs(timeMs) } : {});
  }
  return workspace;
}
