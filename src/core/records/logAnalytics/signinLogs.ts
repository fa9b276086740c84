import type { LogAnalyticsTable } from './logAnalyticsTable';
import { signInTwin } from './signInTwin';

/**
 * `SigninLogs` and `AADNonInteractiveUserSignInLogs`: user sign-ins, the Event Hub categories
 * `SignInLogs` and `NonInteractiveUserSignInLogs`, parsed and counted (`sign-in.user`) as their
 * Event Hub twins are, so that a replay of a workspace's Entra tables rejects none of them. Read
 * only by `Type` (their column sets are the sign-in tables' own, which a row without `Type` cannot
 * tell apart). Columns: MicrosoftDocs/azure-reference-other `azure-monitor-ref/tables/includes/aadnoninteractiveusersigninlogs-include.md`
 * (AADTenantId, Category, TimeGenerated, …).
 */
export const signinLogs: LogAnalyticsTable = {
  name: 'SigninLogs',
  alsoNamed: ['AADNonInteractiveUserSignInLogs'],
  recognises: () => false,
  // The Event Hub category by table: a `Category` cell the sign-in parser does not know must not send the row elsewhere.
  eventHubTwin: (row) => signInTwin(row, row['Type'] === 'AADNonInteractiveUserSignInLogs' ? 'NonInteractiveUserSignInLogs' : 'SignInLogs'),
};
