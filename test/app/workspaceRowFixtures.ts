import { MemoryWorkspace } from '../../src/adapters/logAnalyticsQuery';
import { logAnalyticsRowOf, WORKSPACE_ID } from '../support/logAnalyticsRows';

/**
 * Workspace twins for the sweep and backfill tests: the Event Hub fixtures
 * (test/support/auditFixtures.ts) as the Log Analytics rows Azure stores for them
 * (test/support/logAnalyticsRows.ts, as the query SDK returns them), or the records themselves as rows.
 */
export { WORKSPACE_ID };

type EventHubRecord = Record<string, unknown>;
type Row = Record<string, unknown>;

const date = (value: unknown): Date => new Date(typeof value === 'string' ? value : '');

/** The table and row of an Event Hub fixture record. */
export function rowOf(record: EventHubRecord): { table: string; row: Row } {
  const row = logAnalyticsRowOf(record);
  return { table: String(row['Type']), row };
}

/** A workspace twin holding the real-shaped rows of these records, each table created. */
export function workspaceOfRows(records: readonly EventHubRecord[], ingestedAtMs?: (timeMs: number) => number): MemoryWorkspace {
  const workspace = new MemoryWorkspace();
  for (const table of ['AADManagedIdentitySignInLogs', 'AzureActivity', 'MicrosoftGraphActivityLogs']) workspace.createTable(table);
  for (const record of records) {
    const { table, row } = rowOf(record);
    workspace.add(table, [row], ingestedAtMs ? { ingestedAtMs: (_row, timeMs) => ingestedAtMs(timeMs) } : {});
  }
  return workspace;
}

/**
 * A workspace twin holding the Event Hub records themselves as rows (with TimeGenerated, no
 * `Type`): what the machinery tests replay, so they exercise the real detector with the parsers
 * the Event Hub path has today. Each goes to the table its category is stored in.
 */
export function workspaceOfRecords(records: readonly EventHubRecord[], ingestedAtMs?: (timeMs: number) => number): MemoryWorkspace {
  const workspace = new MemoryWorkspace();
  for (const table of ['AADManagedIdentitySignInLogs', 'AzureActivity', 'MicrosoftGraphActivityLogs']) workspace.createTable(table);
  for (const record of records) {
    const { table } = rowOf(record);
    workspace.add(table, [{ ...record, TimeGenerated: date(record['time']) }], ingestedAtMs ? { ingestedAtMs: (_row, timeMs) => ingestedAtMs(timeMs) } : {});
  }
  return workspace;
}
