import type { KqlColumnType } from '../support/kusto';

/**
 * Column types of the Log Analytics tables the remote-use detector reads, for kqlDiagnostics of the
 * "try it before you deploy" query (rules/try/remote-token-use.kql). Sources: the Azure Monitor table
 * reference (MicrosoftDocs/azure-reference-other `azure-monitor-ref/tables/includes/<table>-include.md`)
 * and the Azure-Sentinel KQL validation schemas (`.script/tests/KqlvalidationsTests/CustomTables/<table>.json`),
 * as cited in src/core/records/logAnalytics/<table>.ts; AzureDiagnostics has only its fixed columns here
 * (its `identity_claim_*` columns exist per workspace and are read with column_ifexists()).
 */
type Table = Record<string, KqlColumnType>;

/** Every Log Analytics table: TenantId is the workspace id. */
const STANDARD: Table = { TenantId: 'string', TimeGenerated: 'datetime', Type: 'string', SourceSystem: 'string', _ResourceId: 'string', _ItemId: 'string' };

export const REMOTE_USE_TABLES: Record<string, Table> = {
  AADManagedIdentitySignInLogs: {
    ...STANDARD,
    AppId: 'string', Category: 'string', CorrelationId: 'string', DurationMs: 'long', Id: 'string', Identity: 'string', IPAddress: 'string',
    Level: 'string', Location: 'string', LocationDetails: 'string', OperationName: 'string', ResourceDisplayName: 'string', ResourceGroup: 'string',
    ResourceIdentity: 'string', ResultDescription: 'string', ResultSignature: 'string', ResultType: 'string', ServicePrincipalId: 'string',
    ServicePrincipalName: 'string', UniqueTokenIdentifier: 'string', AADTenantId: 'string',
  },
  AzureActivity: {
    ...STANDARD,
    ActivityStatus: 'string', ActivityStatusValue: 'string', Authorization: 'string', Authorization_d: 'dynamic', Caller: 'string', CallerIpAddress: 'string',
    Category: 'string', CategoryValue: 'string', Claims: 'string', Claims_d: 'dynamic', CorrelationId: 'string', EventDataId: 'string', Level: 'string',
    OperationName: 'string', OperationNameValue: 'string', Properties: 'string', Properties_d: 'dynamic', ResourceGroup: 'string', ResourceId: 'string',
    ResourceProvider: 'string', ResourceProviderValue: 'string', SubscriptionId: 'string',
  },
  MicrosoftGraphActivityLogs: {
    ...STANDARD,
    AadTenantId: 'string', ApiVersion: 'string', AppId: 'string', ClientAuthMethod: 'int', ClientRequestId: 'string', DurationMs: 'int', IPAddress: 'string',
    Location: 'string', OperationId: 'string', RequestId: 'string', RequestMethod: 'string', RequestUri: 'string', ResponseSizeBytes: 'int',
    ResponseStatusCode: 'int', Roles: 'string', Scopes: 'string', ServicePrincipalId: 'string', SignInActivityId: 'string', TokenIssuedAt: 'datetime',
    UserAgent: 'string', UserId: 'string',
  },
  AZKVAuditLogs: {
    ...STANDARD,
    CallerIpAddress: 'string', ClientInfo: 'string', CorrelationId: 'string', HttpStatusCode: 'int', Id: 'string', Identity: 'dynamic', OperationName: 'string',
    OperationVersion: 'string', RequestUri: 'string', ResultSignature: 'string', ResultType: 'string',
  },
  AzureDiagnostics: {
    ...STANDARD,
    Category: 'string', CallerIPAddress: 'string', CorrelationId: 'string', OperationName: 'string', ResourceId: 'string', ResourceProvider: 'string',
    ResourceType: 'string', ResultType: 'string', ResultSignature: 'string', AdditionalFields: 'dynamic',
  },
  StorageBlobLogs: {
    ...STANDARD,
    AccountName: 'string', AuthenticationHash: 'string', AuthenticationType: 'string', AuthorizationDetails: 'dynamic', CallerIpAddress: 'string',
    Category: 'string', CorrelationId: 'string', OperationName: 'string', RequesterAppId: 'string', RequesterAudience: 'string', RequesterObjectId: 'string',
    RequesterTenantId: 'string', RequesterTokenIssuer: 'string', RequesterUpn: 'string', StatusCode: 'string', Uri: 'string',
  },
};
