import { columnText, hasValue, type LogAnalyticsRow, type LogAnalyticsTable } from './logAnalyticsTable';
import { signInTwin } from './signInTwin';

/**
 * `AADManagedIdentitySignInLogs`: Managed Identity sign-ins (token issuance), the Event Hub
 * category `ManagedIdentitySignInLogs`. Read into its Event Hub twin (see signInTwin) and so into
 * the same TokenIssuance: object id `ServicePrincipalId`, client id `AppId`, name
 * `ServicePrincipalName`, token id `UniqueTokenIdentifier`, audience `ResourceDisplayName` (else
 * `ResourceIdentity`), record key `Id`, time `TimeGenerated`.
 *
 * Columns and types: MicrosoftDocs/azure-reference-other `azure-monitor-ref/tables/includes/aadmanagedidentitysigninlogs-include.md`
 * (commit 97500f29, 2024-07: AppId, Category, CorrelationId, Id "Unique ID representing the
 * sign-in activity", IPAddress, ResourceDisplayName, ResourceIdentity "ID of the resource that the
 * service principal signed into", ResultType, ServicePrincipalId, ServicePrincipalName, TenantId
 * "The Log Analytics workspace ID", TimeGenerated, Type, UniqueTokenIdentifier, all string but
 * TimeGenerated); Azure/Azure-Sentinel `.script/tests/KqlvalidationsTests/CustomTables/AADManagedIdentitySignInLogs.json`
 * (commit 52feacfc, the same names). The current revision adds `AADTenantId`, `CreatedDateTime`
 * and more (learn.microsoft.com table page, ja-jp mirror). `IPAddress` is empty in MI sign-ins
 * ("AADManagedIdentitySignInLogs does not include SignInIpAddress", Cloud-Architekt/AzureSentinel
 * `GraphActivityFromOtherIpAddress.kusto`).
 *
 * Example (abridged, fake ids):
 * `{"Type":"AADManagedIdentitySignInLogs","TimeGenerated":"2026-03-01T10:00:00.1234567Z",
 *   "Category":"ManagedIdentitySignInLogs","AADTenantId":"<tid>","TenantId":"<workspace id>","ResultType":"0",
 *   "Id":"<sign-in id>","ServicePrincipalId":"<oid>","AppId":"<client id>","ServicePrincipalName":"vm-web01",
 *   "UniqueTokenIdentifier":"dGhpcyBpcyBub3QgYSByZWFsIHRva2Vu","IPAddress":"",
 *   "ResourceDisplayName":"Windows Azure Service Management API","ResourceIdentity":"797f4846-ba00-4fd7-ba43-dac1f8f63013"}`
 */
export const aadManagedIdentitySignInLogs: LogAnalyticsTable = {
  name: 'AADManagedIdentitySignInLogs',
  recognises: (row) => isSignInRow(row) && signInCategoryOf(row, 'ManagedIdentitySignInLogs'),
  eventHubTwin: (row) => signInTwin(row, 'ManagedIdentitySignInLogs'),
};

/** A sign-in table's column set: a token id and the signing-in service principal. */
export function isSignInRow(row: LogAnalyticsRow): boolean {
  return hasValue(row, 'UniqueTokenIdentifier') && hasValue(row, 'ServicePrincipalId');
}

/**
 * Whether a sign-in row without `Type` is of `category`: its `Category` says so, or, without one,
 * its client address does (Managed Identity sign-ins carry none, service principal sign-ins one).
 */
export function signInCategoryOf(row: LogAnalyticsRow, category: 'ManagedIdentitySignInLogs' | 'ServicePrincipalSignInLogs'): boolean {
  const stated = columnText(row, 'Category');
  if (stated !== undefined) return stated === category;
  const hasAddress = columnText(row, 'IPAddress') !== undefined;
  return category === 'ManagedIdentitySignInLogs' ? !hasAddress : hasAddress;
}
