import { columnText, columnTime, dynamicColumn, firstColumnText, hasValue, type LogAnalyticsTable } from './logAnalyticsTable';

/**
 * `StorageBlobLogs` (and the queue, table and file logs, which share its columns): Storage's
 * `StorageRead` / `StorageWrite` / `StorageDelete` categories, whose Event Hub `identity` is split
 * into columns: `identity.type` → `AuthenticationType`, `identity.tokenHash` →
 * `AuthenticationHash`, `identity.authorization` → `AuthorizationDetails` (dynamic),
 * `identity.requester.{appId, audience, objectId, tenantId, tokenIssuer, upn}` →
 * `Requester{AppId, Audience, ObjectId, TenantId, TokenIssuer, Upn}`. `CallerIpAddress` carries the
 * port, as in the Event Hub record. There is no `ResourceId`: the resource is `_ResourceId` (lower
 * case; read without case by the record key, see ResourceRecordKeyParts).
 *
 * Columns and types: MicrosoftDocs/azure-reference-other `azure-monitor-ref/tables/includes/storagebloblogs-include.md`
 * (commit 0f8cea78, 2024-02: AuthenticationHash "The hash of authentication token",
 * AuthenticationType, AuthorizationDetails dynamic, CallerIpAddress "The IP address of the
 * requester, including the port number", Category, CorrelationId, OperationName, RequesterAppId,
 * RequesterAudience, RequesterObjectId, RequesterTenantId, RequesterTokenIssuer, RequesterUpn,
 * StatusCode string, TenantId "The Log Analytics workspace ID", TimeGenerated "The … time when the
 * request was received by storage", Uri, _ResourceId); Azure/Azure-Sentinel
 * `.script/tests/KqlvalidationsTests/CustomTables/StorageBlobLogs.json` (commit 442ef2ff, the same
 * names and types); StorageTableLogs' page lists the same identity columns (docs.azure.cn).
 *
 * Example (abridged, documentation address, fake ids):
 * `{"Type":"StorageBlobLogs","TimeGenerated":"2026-03-01T10:05:00.1234567Z","Category":"StorageRead",
 *   "OperationName":"GetBlob","StatusCode":"200","CallerIpAddress":"198.51.100.23:51234","CorrelationId":"<request id>",
 *   "AuthenticationType":"OAuth","AuthenticationHash":"<sha-256 hex>","RequesterObjectId":"<oid>",
 *   "RequesterAppId":"<client id>","RequesterTenantId":"<tid>","RequesterTokenIssuer":"https://sts.windows.net/<tid>/",
 *   "AuthorizationDetails":[{"action":"…/blobs/read","principals":[{"id":"<oid>","type":"ServicePrincipal"}],"result":"Granted"}],
 *   "_ResourceId":"/subscriptions/<sub>/resourcegroups/rg/providers/microsoft.storage/storageaccounts/stcontoso/blobservices/default"}`
 */
export const storageBlobLogs: LogAnalyticsTable = {
  name: 'StorageBlobLogs',
  alsoNamed: ['StorageQueueLogs', 'StorageTableLogs', 'StorageFileLogs'],
  recognises: (row) => hasValue(row, 'AuthenticationType') && hasValue(row, 'AccountName') && hasValue(row, 'CallerIpAddress'),
  eventHubTwin(row) {
    const requester = {
      appId: columnText(row, 'RequesterAppId'),
      audience: columnText(row, 'RequesterAudience'),
      objectId: columnText(row, 'RequesterObjectId'),
      tenantId: columnText(row, 'RequesterTenantId'),
      tokenIssuer: columnText(row, 'RequesterTokenIssuer'),
      upn: columnText(row, 'RequesterUpn'),
    };
    // Only token requests name a requester; shared-key, SAS and anonymous requests leave the columns empty.
    const named = Object.values(requester).some((value) => value !== undefined);
    return {
      time: columnTime(row['TimeGenerated']),
      resourceId: firstColumnText(row, '_ResourceId', 'ResourceId'),
      category: columnText(row, 'Category'),
      operationName: columnText(row, 'OperationName'),
      operationVersion: columnText(row, 'OperationVersion'),
      statusCode: columnText(row, 'StatusCode'),
      statusText: columnText(row, 'StatusText'),
      callerIpAddress: columnText(row, 'CallerIpAddress'),
      correlationId: columnText(row, 'CorrelationId'),
      identity: {
        type: columnText(row, 'AuthenticationType'),
        tokenHash: columnText(row, 'AuthenticationHash'),
        authorization: dynamicColumn(row['AuthorizationDetails']),
        requester: named ? requester : undefined,
      },
      location: columnText(row, 'Location'),
      uri: columnText(row, 'Uri'),
      protocol: columnText(row, 'Protocol'),
    };
  },
};
