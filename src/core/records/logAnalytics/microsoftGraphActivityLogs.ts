import { columnText, columnTime, firstColumnText, hasValue, type LogAnalyticsTable } from './logAnalyticsTable';

/**
 * `MicrosoftGraphActivityLogs`: calls to Microsoft Graph, the Event Hub category of the same name
 * whose `properties.<x>` are the columns `<X>`: `SignInActivityId` (= the issuing sign-in's
 * `UniqueTokenIdentifier`), `IPAddress`, `AppId`, `ServicePrincipalId`, `UserId`, `TokenIssuedAt`
 * (datetime), `RequestId`, `OperationId`, `RequestMethod`, `RequestUri`; `time` is `TimeGenerated`
 * ("The date and time the request was received", equal to the Event Hub `time` and
 * `properties.timeGenerated` in real records). The Entra tenant is `AadTenantId` (the Event Hub
 * `properties.tenantId`); `TenantId` is the workspace.
 *
 * Columns and types: MicrosoftDocs/azure-reference-other `azure-monitor-ref/tables/includes/microsoftgraphactivitylogs-include.md`
 * (commit 31d27605, 2024-02: AadTenantId "The Azure AD tenant ID", ClientAuthMethod int, IPAddress,
 * RequestId, ResponseStatusCode int, SignInActivityId, TenantId "The Log Analytics workspace ID",
 * TimeGenerated datetime, TokenIssuedAt datetime, …); Azure/Azure-Sentinel
 * `.script/tests/KqlvalidationsTests/CustomTables/MicrosoftGraphActivityLogs.json` (commit a839142c,
 * the same names and types). Join on `SignInActivityId` ⇄ `UniqueTokenIdentifier` and compare
 * `IPAddress`: Cloud-Architekt/AzureSentinel `GraphActivityFromOtherIpAddress.kusto`.
 *
 * Example (abridged, documentation address, fake ids):
 * `{"Type":"MicrosoftGraphActivityLogs","TimeGenerated":"2026-03-01T10:06:00.1234567Z","AadTenantId":"<tid>",
 *   "TenantId":"<workspace id>","IPAddress":"203.0.113.7","ServicePrincipalId":"<oid>","AppId":"<client id>",
 *   "SignInActivityId":"<token id>","TokenIssuedAt":"2026-03-01T09:55:00Z","RequestMethod":"GET",
 *   "RequestUri":"https://graph.microsoft.com/v1.0/users","RequestId":"<guid>","ResponseStatusCode":200}`
 */
export const microsoftGraphActivityLogs: LogAnalyticsTable = {
  name: 'MicrosoftGraphActivityLogs',
  recognises: (row) => hasValue(row, 'SignInActivityId') && hasValue(row, 'RequestUri'),
  eventHubTwin(row) {
    const tenantId = firstColumnText(row, 'AadTenantId', 'AADTenantId');
    const ipAddress = columnText(row, 'IPAddress');
    return {
      time: columnTime(row['TimeGenerated']),
      category: 'MicrosoftGraphActivityLogs',
      operationName: 'Microsoft Graph Activity',
      tenantId,
      callerIpAddress: ipAddress,
      location: columnText(row, 'Location'),
      properties: {
        tenantId,
        timeGenerated: columnTime(row['TimeGenerated']),
        requestId: columnText(row, 'RequestId'),
        operationId: columnText(row, 'OperationId'),
        clientRequestId: columnText(row, 'ClientRequestId'),
        apiVersion: columnText(row, 'ApiVersion'),
        requestMethod: columnText(row, 'RequestMethod'),
        requestUri: columnText(row, 'RequestUri'),
        responseStatusCode: row['ResponseStatusCode'],
        signInActivityId: columnText(row, 'SignInActivityId'),
        ipAddress,
        userAgent: columnText(row, 'UserAgent'),
        appId: columnText(row, 'AppId'),
        servicePrincipalId: columnText(row, 'ServicePrincipalId'),
        userId: columnText(row, 'UserId'),
        roles: columnText(row, 'Roles'),
        scopes: columnText(row, 'Scopes'),
        tokenIssuedAt: columnTime(row['TokenIssuedAt']),
        identityProvider: columnText(row, 'IdentityProvider'),
      },
    };
  },
};
