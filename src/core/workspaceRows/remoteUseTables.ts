/**
 * The Log Analytics tables the remote-use detector reads when it works from a workspace instead of
 * (or besides) Event Hubs: the backfill (`tokenwatch backfill`, the remoteTokenUseBackfill timer) and
 * the sweep (remoteTokenUseSweep). Each row goes to the same record pipeline as an Event Hub record,
 * which routes it by its `Type` column; nothing here reads a table's own columns beyond the few
 * documented ones a filter names.
 *
 * The order is the tie-break of the event-time merge: rows with the same TimeGenerated are fed in
 * this order, so a token's issuance (a sign-in) comes before a use stamped the same instant.
 */
export type RemoteUseTable =
  | 'AADManagedIdentitySignInLogs'
  | 'AADServicePrincipalSignInLogs'
  | 'AzureActivity'
  | 'MicrosoftGraphActivityLogs'
  | 'AzureDiagnostics'
  | 'AZKVAuditLogs'
  | 'StorageBlobLogs';

export interface RemoteUseTableSpec {
  readonly table: RemoteUseTable;
  /** A KQL predicate (fixed text, no input) that drops rows the detector can never judge; undefined: every row. */
  readonly filter?: string;
}

export const REMOTE_USE_TABLES: readonly RemoteUseTableSpec[] = [
  { table: 'AADManagedIdentitySignInLogs' },
  { table: 'AADServicePrincipalSignInLogs' },
  { table: 'AzureActivity' },
  { table: 'MicrosoftGraphActivityLogs' },
  // AzureDiagnostics holds the legacy diagnostics of every resource type: only Key Vault's AuditEvent is a token use.
  { table: 'AzureDiagnostics', filter: 'ResourceProvider == "MICROSOFT.KEYVAULT" and Category == "AuditEvent"' },
  { table: 'AZKVAuditLogs' },
  // Storage requests authorised by account key, SAS or anonymously carry no token (the pipeline counts them as storage.not-oauth):
  // most of a storage account's volume, left in the workspace.
  { table: 'StorageBlobLogs', filter: 'AuthenticationType == "OAuth"' },
];

export const REMOTE_USE_TABLE_NAMES: readonly RemoteUseTable[] = REMOTE_USE_TABLES.map((t) => t.table);

const ORDER = new Map<string, number>(REMOTE_USE_TABLE_NAMES.map((name, i) => [name, i]));

/** A table's place in the merge order; an unknown name sorts after every known one. */
export function tableOrder(table: string): number {
  return ORDER.get(table) ?? REMOTE_USE_TABLE_NAMES.length;
}

export function tableSpec(table: RemoteUseTable): RemoteUseTableSpec {
  return REMOTE_USE_TABLES[tableOrder(table)] as RemoteUseTableSpec;
}
