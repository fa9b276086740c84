import { isObject } from '../envelope';
import { columnText, columnTime, dynamicObject, firstColumnText, hasValue, type LogAnalyticsTable } from './logAnalyticsTable';

/**
 * `AZKVAuditLogs`: Key Vault's `AuditEvent` category in resource-specific mode. `Identity` is the
 * Event Hub `identity` object as a dynamic column (`{"claim":{…}}`, the claims by their Event Hub
 * names); the other fields are typed columns: `CallerIpAddress`, `OperationName`, `ResultType`,
 * `CorrelationId`, `TimeGenerated`, `Id`, `RequestUri`, `ClientInfo`, `HttpStatusCode`. The table
 * has no `Category` (every row is an AuditEvent) and no `ResourceId`: the resource is
 * `_ResourceId`, lower case, which the record key reads without case (see ResourceRecordKeyParts).
 *
 * Columns and types: MicrosoftDocs/azure-reference-other `azure-monitor-ref/tables/includes/azkvauditlogs-include.md`
 * (commit 31d27605, 2024-02: CallerIpAddress string, CorrelationId, HttpStatusCode int, Id
 * "Resourceidentifier (Key ID or secret ID)", Identity dynamic "Identity from the token that was
 * presented in the REST API request", OperationName, ResultType, _ResourceId, TenantId "The Log
 * Analytics workspace ID", TimeGenerated); Azure/Azure-Sentinel
 * `.script/tests/KqlvalidationsTests/CustomTables/AZKVAuditLogs.json` (the same names, no Category).
 * Claims inside `Identity` as in the Event Hub `identity.claim`: Microsoft's Key Vault logging page
 * (see parseResourceCall). A flat claims object (no `claim` key) is read as the claims too.
 *
 * Example (abridged, documentation address, fake ids):
 * `{"Type":"AZKVAuditLogs","TimeGenerated":"2026-03-01T10:05:00.1234567Z","OperationName":"SecretGet",
 *   "ResultType":"Success","CallerIpAddress":"203.0.113.7","CorrelationId":"<guid>",
 *   "Identity":{"claim":{"oid":"<oid>","appid":"<client id>","xms_mirid":"/subscriptions/…",
 *   "http://schemas.microsoft.com/identity/claims/identityprovider":"https://sts.windows.net/<tid>/"}},
 *   "_ResourceId":"/subscriptions/<sub>/resourcegroups/rg/providers/microsoft.keyvault/vaults/kv-contoso"}`
 */
export const azkvAuditLogs: LogAnalyticsTable = {
  name: 'AZKVAuditLogs',
  recognises: (row) => hasValue(row, 'Identity') && hasValue(row, 'HttpStatusCode') && hasValue(row, 'OperationName') && hasValue(row, 'CallerIpAddress'),
  eventHubTwin(row) {
    return {
      time: columnTime(row['TimeGenerated']),
      resourceId: firstColumnText(row, '_ResourceId', 'ResourceId'),
      operationName: columnText(row, 'OperationName'),
      operationVersion: columnText(row, 'OperationVersion'),
      category: 'AuditEvent',
      resultType: columnText(row, 'ResultType'),
      resultSignature: columnText(row, 'ResultSignature'),
      callerIpAddress: columnText(row, 'CallerIpAddress'),
      correlationId: columnText(row, 'CorrelationId'),
      identity: identityOf(row['Identity']),
      properties: { id: columnText(row, 'Id'), requestUri: columnText(row, 'RequestUri'), clientInfo: columnText(row, 'ClientInfo'), httpStatusCode: row['HttpStatusCode'] },
    };
  },
};

function identityOf(value: unknown): Record<string, unknown> | undefined {
  const identity = dynamicObject(value);
  if (identity === undefined) return undefined;
  if (identity['claim'] !== undefined || identity['claims'] !== undefined || isObject(identity['requester'])) return identity;
  return { claim: identity };
}
