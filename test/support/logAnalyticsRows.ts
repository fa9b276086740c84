/**
 * Event Hub records (test/support/auditFixtures.ts, regionFixtures.ts, test/fixtures/audit/**) as
 * the Log Analytics rows Azure stores for them, written from the documented column mappings, not
 * from the parsers (which read the other way): the differential tests feed both shapes through
 * the same pipeline and expect the same events and the same alerts.
 *
 * Mappings (sources in the doc comments of src/core/records/logAnalytics/*):
 * - ManagedIdentitySignInLogs / ServicePrincipalSignInLogs → AADManagedIdentitySignInLogs /
 *   AADServicePrincipalSignInLogs: `properties.<x>` → `<X>`, `properties.resourceId` →
 *   `ResourceIdentity`, `properties.location` → `LocationDetails` (JSON text), `tenantId` → `AADTenantId`.
 * - Activity (identity.claims) → AzureActivity: `identity.claims` → `Claims_d` / `Claims`,
 *   `identity.authorization` → `Authorization_d` / `Authorization`, `operationName` →
 *   `OperationNameValue`, `category` → `CategoryValue`, `resultType` → `ActivityStatusValue`,
 *   `properties` → `Properties_d` / `Properties`; an `EventDataId` the Event Hub record lacks.
 * - MicrosoftGraphActivityLogs: `properties.<x>` → `<X>`, `properties.tenantId` → `AadTenantId`.
 * - Key Vault AuditEvent → AzureDiagnostics (`identity.claim.<c>` → `identity_claim_<c flattened>_<g|s>`,
 *   `properties.<x>` → `<x>_<s|d|b>`, `callerIpAddress` → `CallerIPAddress`) or AZKVAuditLogs
 *   (`identity` → `Identity`, `properties.<x>` → `<X>`, no Category, only `_ResourceId`).
 * - StorageRead/Write/Delete → StorageBlobLogs: `identity.type` → `AuthenticationType`,
 *   `identity.tokenHash` → `AuthenticationHash`, `identity.authorization` → `AuthorizationDetails`,
 *   `identity.requester.<x>` → `Requester<X>`, `properties.<x>` → `<X>`, only `_ResourceId`.
 * Every row: `TenantId` is the workspace id (not the Entra tenant), `TimeGenerated` is `time`,
 * `_ResourceId` is the resource id in lower case, `Type` is the table.
 */
export const WORKSPACE_ID = '6a7b0000-0000-4000-8000-0000000b0a7d';

type EventHubRecord = Readonly<Record<string, unknown>>;
export type LogAnalyticsRow = Record<string, unknown>;

export interface RowOptions {
  /**
   * How values are typed: `sdk` as the query SDK returns them (datetime as Date, dynamic as
   * objects, numbers as numbers); `text` as the query API's JSON and CSV exports carry them
   * (datetime as ISO text, dynamic as JSON text, numbers as text).
   */
  readonly encoding?: 'sdk' | 'text';
  /** Where Key Vault's AuditEvent lands: AzureDiagnostics (Azure Diagnostics mode) or AZKVAuditLogs (resource-specific). */
  readonly keyVaultTable?: 'AzureDiagnostics' | 'AZKVAuditLogs';
  /** Leave `Type` out (a projected query): the parsers must tell the table by its columns. */
  readonly withoutType?: boolean;
}

/** The Log Analytics row of an Event Hub record (see the module comment). */
export function logAnalyticsRowOf(record: EventHubRecord, options: RowOptions = {}): LogAnalyticsRow {
  const category = str(record['category']);
  let row: LogAnalyticsRow;
  if (category === 'ManagedIdentitySignInLogs' || category === 'ServicePrincipalSignInLogs') row = signInRow(record);
  else if (category === 'MicrosoftGraphActivityLogs') row = graphRow(record);
  else if (category === 'AuditEvent') row = options.keyVaultTable === 'AZKVAuditLogs' ? azkvRow(record) : azureDiagnosticsRow(record);
  else if (category.startsWith('Storage')) row = storageRow(record);
  else if (obj(record['identity'])['claims'] !== undefined) row = activityRow(record);
  else throw new Error(`logAnalyticsRowOf: no table for category ${category}`);
  if (options.withoutType) delete row['Type'];
  return options.encoding === 'text' ? asText(row) : row;
}

function signInRow(record: EventHubRecord): LogAnalyticsRow {
  const p = obj(record['properties']);
  const table = record['category'] === 'ManagedIdentitySignInLogs' ? 'AADManagedIdentitySignInLogs' : 'AADServicePrincipalSignInLogs';
  return {
    TenantId: WORKSPACE_ID,
    SourceSystem: 'Azure AD',
    TimeGenerated: date(record['time']),
    OperationName: record['operationName'],
    OperationVersion: record['operationVersion'],
    Category: record['category'],
    ResultType: record['resultType'],
    ResultSignature: record['resultSignature'],
    ResultDescription: record['resultDescription'] ?? '',
    DurationMs: record['durationMs'],
    CorrelationId: record['correlationId'],
    Identity: p['servicePrincipalName'],
    Level: String(record['Level'] ?? ''),
    Location: record['location'] ?? '',
    AADTenantId: record['tenantId'],
    AppId: p['appId'],
    ConditionalAccessStatus: p['conditionalAccessStatus'] ?? '',
    Id: p['id'],
    IPAddress: p['ipAddress'] ?? '',
    LocationDetails: JSON.stringify(p['location'] ?? {}),
    ResourceDisplayName: p['resourceDisplayName'],
    ResourceIdentity: p['resourceId'],
    ServicePrincipalId: p['servicePrincipalId'],
    ServicePrincipalName: p['servicePrincipalName'],
    UniqueTokenIdentifier: p['uniqueTokenIdentifier'],
    CreatedDateTime: date(p['createdDateTime']),
    Type: table,
    _ResourceId: lower(record['resourceId']),
  };
}

function activityRow(record: EventHubRecord): LogAnalyticsRow {
  const identity = obj(record['identity']);
  const claims = obj(identity['claims']);
  const authorization = obj(identity['authorization']);
  const properties = obj(record['properties']);
  const resourceId = str(record['resourceId']);
  const [, subscription = '', , resourceGroup = '', , provider = ''] = resourceId.split('/').slice(1);
  const [status, substatus] = str(record['resultSignature']).split('.');
  return {
    TenantId: WORKSPACE_ID,
    SourceSystem: 'Azure',
    OperationName: record['operationName'] === 'MICROSOFT.KEYVAULT/VAULTS/SECRETS/READ' ? 'Get Secret' : record['operationName'],
    OperationNameValue: record['operationName'],
    Level: record['level'],
    ActivityStatus: status ?? '',
    ActivityStatusValue: record['resultType'],
    ActivitySubstatus: substatus ?? '',
    ActivitySubstatusValue: substatus ?? '',
    ResourceGroup: resourceGroup,
    SubscriptionId: subscription.toLowerCase(),
    CorrelationId: record['correlationId'],
    Caller: claims['http://schemas.microsoft.com/identity/claims/objectidentifier'] ?? '',
    CallerIpAddress: record['callerIpAddress'],
    Category: record['category'],
    CategoryValue: record['category'],
    HTTPRequest: JSON.stringify({ clientIpAddress: record['callerIpAddress'] }),
    Properties: JSON.stringify(properties),
    Properties_d: properties,
    EventSubmissionTimestamp: date(record['time']),
    Authorization: JSON.stringify(authorization),
    Authorization_d: authorization,
    Claims: JSON.stringify(claims),
    Claims_d: claims,
    ResourceId: resourceId,
    ResourceProvider: provider,
    ResourceProviderValue: provider,
    // Log Analytics has an event id the Event Hub shape lacks; the parsers must not key by it.
    EventDataId: `e0${str(record['correlationId']).slice(2)}-0000-4000-8000-000000000001`,
    TimeGenerated: date(record['time']),
    Type: 'AzureActivity',
    _ResourceId: resourceId.toLowerCase(),
  };
}

function graphRow(record: EventHubRecord): LogAnalyticsRow {
  const p = obj(record['properties']);
  return {
    TenantId: WORKSPACE_ID,
    SourceSystem: 'Azure',
    TimeGenerated: date(record['time']),
    Location: record['location'],
    RequestId: p['requestId'],
    OperationId: p['operationId'],
    ClientRequestId: p['clientRequestId'] ?? p['operationId'],
    ApiVersion: p['apiVersion'],
    RequestMethod: p['requestMethod'],
    ResponseStatusCode: p['responseStatusCode'],
    AadTenantId: p['tenantId'],
    IPAddress: p['ipAddress'],
    UserAgent: p['userAgent'],
    RequestUri: p['requestUri'],
    DurationMs: record['durationMs'],
    ResponseSizeBytes: p['responseSizeBytes'] ?? 0,
    AppId: p['appId'],
    ServicePrincipalId: p['servicePrincipalId'] ?? '',
    UserId: p['userId'] ?? '',
    SignInActivityId: p['signInActivityId'],
    Roles: p['roles'] ?? '',
    Scopes: p['scopes'] ?? '',
    TokenIssuedAt: p['tokenIssuedAt'] === null || p['tokenIssuedAt'] === undefined ? null : date(p['tokenIssuedAt']),
    ClientAuthMethod: Number(p['clientAuthMethod'] ?? 0),
    Type: 'MicrosoftGraphActivityLogs',
  };
}

/** Key Vault in Azure Diagnostics mode: nested fields flattened into suffixed columns. */
function azureDiagnosticsRow(record: EventHubRecord): LogAnalyticsRow {
  const resourceId = str(record['resourceId']);
  const parts = resourceId.split('/');
  const row: LogAnalyticsRow = {
    TenantId: WORKSPACE_ID,
    TimeGenerated: date(record['time']),
    ResourceId: resourceId,
    Category: record['category'],
    ResourceGroup: parts[4] ?? '',
    SubscriptionId: parts[2] ?? '',
    ResourceProvider: 'MICROSOFT.KEYVAULT',
    Resource: parts[parts.length - 1] ?? '',
    ResourceType: 'VAULTS',
    OperationName: record['operationName'],
    ResultType: record['resultType'],
    CorrelationId: record['correlationId'],
    ResultDescription: record['resultDescription'] ?? '',
    DurationMs: Number(record['durationMs']),
    CallerIPAddress: record['callerIpAddress'],
    OperationVersion: record['operationVersion'],
    ResultSignature: record['resultSignature'],
    SourceSystem: 'Azure',
    Type: 'AzureDiagnostics',
    _ResourceId: resourceId.toLowerCase(),
  };
  for (const [key, value] of Object.entries(obj(record['properties']))) row[flattened(key, value)] = value;
  for (const [claim, value] of Object.entries(obj(obj(record['identity'])['claim']))) row[flattened(`identity_claim_${claim}`, value)] = value;
  return row;
}

/** `http://schemas.microsoft.com/identity/claims/objectidentifier` → `…_objectidentifier_g`: runs of other characters become `_`, then the type suffix. */
function flattened(name: string, value: unknown): string {
  const base = name.replace(/[^A-Za-z0-9]+/g, '_');
  const suffix = typeof value === 'number' ? 'd' : typeof value === 'boolean' ? 'b' : GUID.test(String(value)) ? 'g' : 's';
  return `${base}_${suffix}`;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Key Vault in resource-specific mode: typed columns, the identity as one dynamic column. */
function azkvRow(record: EventHubRecord): LogAnalyticsRow {
  const properties = obj(record['properties']);
  return {
    TenantId: WORKSPACE_ID,
    TimeGenerated: date(record['time']),
    ResultType: record['resultType'],
    OperationName: record['operationName'],
    ResultDescription: record['resultDescription'] ?? '',
    CorrelationId: record['correlationId'],
    CallerIpAddress: record['callerIpAddress'],
    OperationVersion: record['operationVersion'],
    Identity: obj(record['identity']),
    Properties: properties,
    Id: properties['id'] ?? '',
    ClientInfo: properties['clientInfo'] ?? '',
    HttpStatusCode: properties['httpStatusCode'],
    RequestUri: properties['requestUri'] ?? '',
    IsAccessPolicyMatch: properties['isAccessPolicyMatch'] ?? false,
    ResultSignature: record['resultSignature'],
    DurationMs: Number(record['durationMs']),
    SourceSystem: 'Azure',
    Type: 'AZKVAuditLogs',
    _ResourceId: lower(record['resourceId']),
  };
}

function storageRow(record: EventHubRecord): LogAnalyticsRow {
  const identity = obj(record['identity']);
  const requester = obj(identity['requester']);
  const p = obj(record['properties']);
  return {
    TenantId: WORKSPACE_ID,
    SourceSystem: 'Azure',
    TimeGenerated: date(record['time']),
    AccountName: p['accountName'],
    Location: record['location'],
    Protocol: record['protocol'],
    OperationName: record['operationName'],
    AuthenticationType: identity['type'],
    StatusCode: String(record['statusCode']),
    StatusText: record['statusText'],
    DurationMs: record['durationMs'],
    ServerLatencyMs: p['serverLatencyMs'] ?? 0,
    Uri: record['uri'],
    CallerIpAddress: record['callerIpAddress'],
    CorrelationId: record['correlationId'],
    SchemaVersion: record['schemaVersion'],
    OperationVersion: record['operationVersion'],
    AuthenticationHash: identity['tokenHash'] ?? '',
    RequesterObjectId: requester['objectId'] ?? '',
    RequesterTenantId: requester['tenantId'] ?? '',
    RequesterAppId: requester['appId'] ?? '',
    RequesterAudience: requester['audience'] ?? '',
    RequesterTokenIssuer: requester['tokenIssuer'] ?? '',
    RequesterUpn: requester['upn'] ?? '',
    AuthorizationDetails: identity['authorization'] ?? null,
    UserAgentHeader: p['userAgentHeader'] ?? '',
    ClientRequestId: p['clientRequestId'] ?? '',
    Etag: p['etag'] ?? '',
    ServiceType: p['serviceType'],
    ObjectKey: p['objectKey'] ?? '',
    Category: record['category'],
    TlsVersion: p['tlsVersion'] ?? '',
    Type: 'StorageBlobLogs',
    _ResourceId: lower(record['resourceId']),
  };
}

/** Every value as the query API's JSON and CSV exports carry it: text, JSON text for dynamic values, '' for null. */
function asText(row: LogAnalyticsRow): LogAnalyticsRow {
  const out: LogAnalyticsRow = {};
  for (const [key, value] of Object.entries(row)) {
    if (value instanceof Date) out[key] = value.toISOString().replace('Z', '0000Z');
    else if (value === null || value === undefined) out[key] = '';
    else if (typeof value === 'object') out[key] = JSON.stringify(value);
    else out[key] = String(value);
  }
  return out;
}

/**
 * Rows as a portal CSV export writes them: a header with the datetime columns' zone
 * (`TimeGenerated [UTC]`), values quoted where needed, datetimes in the en-US display format
 * (`3/1/2026, 10:05:00.123 AM`), CRLF line ends and a byte-order mark.
 */
export function portalCsv(rows: readonly LogAnalyticsRow[], options: { zone?: string; offsetMinutes?: number } = {}): string {
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const datetime = new Set(columns.filter((c) => rows.some((row) => row[c] instanceof Date)));
  const zone = options.zone ?? 'UTC';
  const header = columns.map((c) => quote(datetime.has(c) ? `${c} [${zone}]` : c));
  const lines = rows.map((row) =>
    columns
      .map((c) => {
        const value = row[c];
        if (value instanceof Date) return quote(portalTime(value, options.offsetMinutes ?? 0));
        if (value === null || value === undefined) return '';
        return quote(typeof value === 'object' ? JSON.stringify(value) : String(value));
      })
      .join(','),
  );
  return `\ufeff${[header.join(','), ...lines].join('\r\n')}\r\n`;
}

/** `3/1/2026, 10:05:00.123 AM`, the wall-clock time `offsetMinutes` east of UTC. */
export function portalTime(value: Date, offsetMinutes = 0): string {
  const d = new Date(value.getTime() + offsetMinutes * 60_000);
  const hour = d.getUTCHours();
  const h12 = hour % 12 === 0 ? 12 : hour % 12;
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${d.getUTCMonth() + 1}/${d.getUTCDate()}/${d.getUTCFullYear()}, ${h12}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)} ${hour < 12 ? 'AM' : 'PM'}`;
}

function quote(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

const obj = (value: unknown): Record<string, unknown> => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {});
const str = (value: unknown): string => (typeof value === 'string' ? value : '');
const lower = (value: unknown): string => str(value).toLowerCase();
const date = (value: unknown): Date => new Date(str(value));
