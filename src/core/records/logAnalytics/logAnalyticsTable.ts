import { isObject } from '../envelope';
import { hasKeys, structuredValue, text } from '../fields';

/**
 * A Log Analytics table whose rows TokenWatch reads: the workspace keeps what the diagnostic
 * settings stream, under other column names. Each table reads a row back into the Event Hub record
 * it was stored from (its "twin": same names, same nesting), which the Event Hub parsers then
 * read; a row and its Event Hub twin therefore give the same event, field by field, and the same
 * alert ids. A table module owns only its column mapping, with its sources.
 *
 * Rows arrive three ways, and every table reads all three:
 * - query results from the SDK (`@azure/monitor-query-logs`): datetime columns as Date, dynamic
 *   columns as parsed JSON, numbers as numbers;
 * - the query API's JSON and `az monitor log-analytics query` output: datetimes as ISO text,
 *   dynamic columns as JSON text or parsed;
 * - portal CSV exports: every value text, dynamic columns as JSON text, datetimes already turned
 *   into ISO text by the CSV reader (see csvExport.ts), empty cells as ''.
 *
 * `TenantId` is never read as a tenant: in every Log Analytics table it is the workspace id
 * ("TenantId | string | The Log Analytics workspace ID", MicrosoftDocs/azure-reference-other
 * `azure-monitor-ref/tables/includes/*-include.md`, 2024). The Entra tenant comes from the
 * columns that carry it (`AADTenantId`, `AadTenantId`, the token's claims, `RequesterTenantId`).
 */
export interface LogAnalyticsTable {
  /** The table's name, as its rows' `Type` column gives it. */
  readonly name: string;
  /** Other tables with the same columns, read the same way (StorageQueueLogs beside StorageBlobLogs). */
  readonly alsoNamed?: readonly string[];
  /**
   * Whether a row without a `Type` column (a projected query, a hand-made export) has values in
   * this table's column set (hasValue: a union's empty columns do not count). Only column sets no
   * other table read here has: a row that could be either is left unread (`record.not-azure-log`),
   * never guessed.
   */
  recognises(row: LogAnalyticsRow): boolean;
  /** The Event Hub record the row was stored from, rebuilt from its columns. */
  eventHubTwin(row: LogAnalyticsRow): Record<string, unknown>;
}

export type LogAnalyticsRow = Readonly<Record<string, unknown>>;

/**
 * Whether a row holds a value in a column: a union of tables (a query over several, an export of
 * one) gives every row every table's columns, empty (`''` in CSV and the CLI's JSON, `null` in the
 * query API) where the row's own table has none, so a column's presence says nothing by itself.
 */
export function hasValue(row: LogAnalyticsRow, name: string): boolean {
  const value = row[name];
  return value !== undefined && value !== null && value !== '';
}

/** A column's text: a non-empty string, or a number as text (see `text`); empty cells and nulls are absent. */
export function columnText(row: LogAnalyticsRow, name: string): string | undefined {
  return text(row[name]);
}

/**
 * A datetime column as the Event Hub `time` field carries it: an SDK Date as ISO text, text and
 * numbers as they are (parseTime reads them), and null when absent, so that a twin always has its
 * time field and a row without a time is rejected for its time, as its Event Hub twin would be.
 */
export function columnTime(value: unknown): string | number | null {
  if (value instanceof Date) return Number.isFinite(value.getTime()) ? value.toISOString() : null;
  if (typeof value === 'number') return value;
  return text(value) ?? null;
}

/**
 * A dynamic column: an object or array as it is (SDK, JSON exports), JSON text parsed (CSV exports,
 * and the string twins such as AzureActivity's `Claims`); anything else is absent.
 */
export function dynamicColumn(value: unknown): unknown {
  return structuredValue(value);
}

/** A dynamic column holding an object (see dynamicColumn); an empty object is absent too. */
export function dynamicObject(value: unknown): Record<string, unknown> | undefined {
  const parsed = dynamicColumn(value);
  return isObject(parsed) && hasKeys(parsed) ? parsed : undefined;
}

/** The first present column of several spellings (a column renamed between schema revisions). */
export function firstColumnText(row: LogAnalyticsRow, ...names: string[]): string | undefined {
  for (const name of names) {
    const value = text(row[name]);
    if (value !== undefined) return value;
  }
  return undefined;
}
