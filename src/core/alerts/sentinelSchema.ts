import { ALERT_COLUMNS, ALERT_COLUMN_NAMES, type AlertRow, type ColumnType } from './alertRow';
import { wellFormed, wellFormedObject } from '../records/wellFormed';

/**
 * The Sentinel side of the alert row: the custom table, the DCR stream that feeds it, and the JSON
 * shape of one row on the wire. Everything here is derived from ALERT_COLUMNS, so the table, the
 * stream declaration and the rows the sink uploads cannot drift from the one alert-row type.
 * The Bicep reads the same lists from `infra/modules/alertColumns.json`, which a test keeps equal
 * to `alertColumnsDocument()`.
 */

/** Custom tables created through the Logs Ingestion API must end in `_CL`. */
export const ALERT_TABLE_NAME = 'TokenWatchAlerts_CL';
/** DCR input streams for custom data are named `Custom-<name>`. */
export const ALERT_STREAM_NAME = 'Custom-TokenWatchAlerts';
/** The DCR data flow writes to `Custom-<table>`. */
export const ALERT_OUTPUT_STREAM = `Custom-${ALERT_TABLE_NAME}`;

/** Column types of `Microsoft.OperationalInsights/workspaces/tables` (note the camel-cased `dateTime`). */
export type TableColumnType = 'string' | 'dateTime' | 'long' | 'dynamic';
/** Column types of a DCR `streamDeclarations` entry (lower-case `datetime`). */
export type StreamColumnType = 'string' | 'datetime' | 'long' | 'dynamic';

export interface TableColumn {
  readonly name: string;
  readonly type: TableColumnType;
  readonly description: string;
}

export interface StreamColumn {
  readonly name: string;
  readonly type: StreamColumnType;
}

const TABLE_TYPE: Record<ColumnType, TableColumnType> = { string: 'string', datetime: 'dateTime', long: 'long', dynamic: 'dynamic' };
const STREAM_TYPE: Record<ColumnType, StreamColumnType> = { string: 'string', datetime: 'datetime', long: 'long', dynamic: 'dynamic' };

/** The table's columns, in table order. */
export function alertTableColumns(): TableColumn[] {
  return ALERT_COLUMN_NAMES.map((name) => ({ name, type: TABLE_TYPE[ALERT_COLUMNS[name].type], description: ALERT_COLUMNS[name].description }));
}

/** The DCR stream declaration (`streamDeclarations['Custom-TokenWatchAlerts']`). */
export function alertStreamDeclaration(): { columns: StreamColumn[] } {
  return { columns: ALERT_COLUMN_NAMES.map((name) => ({ name, type: STREAM_TYPE[ALERT_COLUMNS[name].type] })) };
}

/** The schema as the KQL tests see the table (Kusto scalar type names). */
export function alertKqlSchema(): Record<string, ColumnType> {
  return Object.fromEntries(ALERT_COLUMN_NAMES.map((name) => [name, ALERT_COLUMNS[name].type]));
}

/** Everything the Bicep needs, as committed in `infra/modules/alertColumns.json`. */
export interface AlertColumnsDocument {
  readonly tableName: string;
  readonly streamName: string;
  readonly outputStream: string;
  readonly tableColumns: TableColumn[];
  readonly streamColumns: StreamColumn[];
}

export function alertColumnsDocument(): AlertColumnsDocument {
  return {
    tableName: ALERT_TABLE_NAME,
    streamName: ALERT_STREAM_NAME,
    outputStream: ALERT_OUTPUT_STREAM,
    tableColumns: alertTableColumns(),
    streamColumns: alertStreamDeclaration().columns,
  };
}

/** One row as the Logs Ingestion API expects it: every stream column, nothing else. */
export type StreamRow = Record<string, string | number | null | object>;

export type StreamRowResult = { readonly ok: true; readonly row: StreamRow } | { readonly ok: false; readonly reason: string };

/**
 * Converts an alert row to the stream shape: columns in stream order, dates as ISO-8601 UTC
 * (`2026-05-01T10:00:00.000Z`), Evidence as a JSON object. A row the ingestion endpoint would
 * silently mangle (an unparseable date, a non-integer ASN) is refused here with a reason, so the
 * sink can report it instead of losing it.
 */
export function toStreamRow(row: AlertRow): StreamRowResult {
  const out: StreamRow = {};
  for (const name of ALERT_COLUMN_NAMES) {
    const value: unknown = row[name];
    const type = ALERT_COLUMNS[name].type;
    if (type === 'datetime') {
      if (value === null || value === undefined || value === '') {
        if (name === 'TimeGenerated') return { ok: false, reason: 'TimeGenerated is empty' };
        out[name] = null;
        continue;
      }
      const millis = typeof value === 'string' ? Date.parse(value) : Number.NaN;
      if (Number.isNaN(millis)) return { ok: false, reason: `${name} is not a date: ${JSON.stringify(value)}` };
      out[name] = new Date(millis).toISOString();
    } else if (type === 'long') {
      if (value === null || value === undefined) {
        out[name] = null;
      } else if (typeof value === 'number' && Number.isSafeInteger(value)) {
        out[name] = value;
      } else {
        return { ok: false, reason: `${name} is not an integer: ${JSON.stringify(value)}` };
      }
    } else if (type === 'dynamic') {
      if (value === null || typeof value !== 'object') return { ok: false, reason: `${name} is not a JSON object` };
      out[name] = wellFormedObject(value);
    } else {
      if (typeof value !== 'string') return { ok: false, reason: `${name} is not a string` };
      // Strings come from records (command lines, names): see wellFormed.
      out[name] = wellFormed(value);
    }
  }
  return { ok: true, row: out };
}
