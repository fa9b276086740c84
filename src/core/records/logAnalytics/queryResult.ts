import { isObject } from '../envelope';
import { makeReject, type Reject } from '../reject';

/**
 * The Log Analytics query API's result (`POST /v1/workspaces/{id}/query`, also what "Export" of a
 * query in JSON gives): `{"tables":[{"name":"PrimaryResult","columns":[{"name":"TimeGenerated","type":"datetime"},…],
 * "rows":[["2026-03-01T10:05:00.1234567Z",…],…]}]}`: columns once, rows as arrays. Datetimes are ISO
 * text, dynamic columns JSON text, numbers numbers; the row parsers read all of these. The legacy
 * shape names columns `columnName` (with `dataType`) and tables `tableName`; both are read.
 * Source: Azure Monitor Log Analytics REST API "Query - Execute" response (learn.microsoft.com/rest/api/loganalytics/dataaccess/query/execute).
 */
export interface QueryResult {
  readonly tables: readonly unknown[];
}

export function isQueryResult(value: unknown): value is QueryResult {
  if (!isObject(value) || !Array.isArray(value['tables'])) return false;
  const first: unknown = value['tables'][0];
  return first === undefined || (isObject(first) && Array.isArray(first['columns']) && Array.isArray(first['rows']));
}

export type QueryResultItem = { readonly row: Record<string, unknown>; readonly origin: string } | { readonly reject: Reject };

/**
 * The rows of a query result as column-name → value records, one at a time (the result's arrays are
 * not copied). A row that is not an array of the columns' length, or a table without column names,
 * is a counted reject.
 */
export function* queryResultRows(result: QueryResult, origin: string): Generator<QueryResultItem> {
  for (let t = 0; t < result.tables.length; t++) {
    const table = result.tables[t];
    const where = `${origin} table ${t}`;
    const columns = isObject(table) && Array.isArray(table['columns']) ? table['columns'].map(columnName) : undefined;
    const rows: unknown = isObject(table) ? table['rows'] : undefined;
    if (columns === undefined || columns.includes(undefined) || !Array.isArray(rows)) {
      yield { reject: makeReject('query-result.bad-table', 'A table of the query result has no column names or no rows array.', table, where) };
      continue;
    }
    for (let r = 0; r < rows.length; r++) {
      const values: unknown = rows[r];
      if (!Array.isArray(values) || values.length !== columns.length) {
        yield { reject: makeReject('query-result.bad-row', `Row ${r} is not an array of the table's ${columns.length} columns.`, values, `${where} row ${r}`) };
        continue;
      }
      const row: Record<string, unknown> = {};
      for (let c = 0; c < columns.length; c++) row[columns[c] as string] = values[c];
      yield { row, origin: `${where} row ${r}` };
    }
  }
}

function columnName(column: unknown): string | undefined {
  if (!isObject(column)) return undefined;
  const name = column['name'] ?? column['columnName'];
  return typeof name === 'string' && name !== '' ? name : undefined;
}
