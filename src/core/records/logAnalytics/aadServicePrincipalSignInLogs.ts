import { isSignInRow, signInCategoryOf } from './aadManagedIdentitySignInLogs';
import type { LogAnalyticsTable } from './logAnalyticsTable';
import { signInTwin } from './signInTwin';

/**
 * `AADServicePrincipalSignInLogs`: sign-ins of service principals that are not Managed
 * Identities, the Event Hub category `ServicePrincipalSignInLogs`. Like its Event Hub twin it is
 * parsed and counted (`sign-in.service-principal`), never an issuance: an app registration's token
 * is not a Managed Identity's.
 *
 * Columns: the same set as AADManagedIdentitySignInLogs (MicrosoftDocs/azure-reference-other
 * `azure-monitor-ref/tables/includes/aadserviceprincipalsigninlogs-include.md`, commit c9210696;
 * Azure/Azure-Sentinel `.script/tests/KqlvalidationsTests/CustomTables/AADServicePrincipalSignInLogs.json`),
 * with `IPAddress` filled; the current revision adds `AADTenantId`, `AutonomousSystemNumber`,
 * `ClientCredentialType` (docs.azure.cn table page).
 *
 * Example (abridged, documentation address, fake ids):
 * `{"Type":"AADServicePrincipalSignInLogs","TimeGenerated":"2026-03-01T10:00:00Z","Category":"ServicePrincipalSignInLogs",
 *   "AADTenantId":"<tid>","ResultType":"0","ServicePrincipalId":"<oid>","AppId":"<client id>",
 *   "IPAddress":"203.0.113.9","UniqueTokenIdentifier":"<token id>"}`
 */
export const aadServicePrincipalSignInLogs: LogAnalyticsTable = {
  name: 'AADServicePrincipalSignInLogs',
  recognises: (row) => isSignInRow(row) && signInCategoryOf(row, 'ServicePrincipalSignInLogs'),
  eventHubTwin: (row) => signInTwin(row, 'ServicePrincipalSignInLogs'),
};
