import { isObject } from '../envelope';
import { text } from '../fields';
import { aadManagedIdentitySignInLogs } from './aadManagedIdentitySignInLogs';
import { aadServicePrincipalSignInLogs } from './aadServicePrincipalSignInLogs';
import { azkvAuditLogs } from './azkvAuditLogs';
import { azureActivity } from './azureActivity';
import { azureDiagnostics } from './azureDiagnostics';
import type { LogAnalyticsTable } from './logAnalyticsTable';
import { microsoftGraphActivityLogs } from './microsoftGraphActivityLogs';
import { signinLogs } from './signinLogs';
import { storageBlobLogs } from './storageBlobLogs';

/**
 * The Log Analytics tables read as Entra / Azure audit records, in the order a row without `Type`
 * is tried against their column sets (the sign-in tables first: their `Identity` is text, not
 * AZKVAuditLogs' claims).
 */
export const LOG_ANALYTICS_TABLES = [
  aadManagedIdentitySignInLogs,
  aadServicePrincipalSignInLogs,
  signinLogs,
  microsoftGraphActivityLogs,
  azureActivity,
  azureDiagnostics,
  azkvAuditLogs,
  storageBlobLogs,
] as const satisfies readonly LogAnalyticsTable[];

const BY_NAME = new Map<string, LogAnalyticsTable>(LOG_ANALYTICS_TABLES.flatMap((table) => [table.name, ...(table.alsoNamed ?? [])].map((name) => [name, table] as const)));

/**
 * The table a Log Analytics row belongs to: by its `Type` column (query results and exports carry
 * it; the contract of every producer that feeds rows into the pipeline), else, for a row with a
 * `TimeGenerated` but no `Type`, by a column set only one table has. A row of another table (a
 * `Type` not read here: endpoint tables, Heartbeat) or an Event Hub record gives undefined.
 */
export function logAnalyticsTableOf(record: unknown): LogAnalyticsTable | undefined {
  if (!isObject(record)) return undefined;
  const type = text(record['Type']);
  if (type !== undefined) return BY_NAME.get(type);
  if (record['TimeGenerated'] === undefined) return undefined;
  return LOG_ANALYTICS_TABLES.find((table) => table.recognises(record));
}
