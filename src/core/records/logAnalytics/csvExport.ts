import { makeReject, type Reject } from '../reject';
import { readExportHeader, readExportTime, type ExportHeader } from './exportTime';

/**
 * Reads a Log Analytics CSV export (the portal's "Export to CSV", or any RFC 4180 CSV with a
 * header row) into one record per row, column name → text, as the row parsers read them.
 *
 * - UTF-8 with or without a byte-order mark; CRLF or LF line ends (a lone CR too).
 * - Quoted fields with `""` for a quote, and commas, CR and LF inside quotes (the dynamic columns:
 *   `"{""appid"":""…"",""uti"":""…""}"`, which the row parsers read as JSON).
 * - Datetime columns: the header names the zone (`TimeGenerated [UTC]`, see exportTime.ts); the
 *   column is named without it and its cells become UTC ISO text. A header in a zone the file does
 *   not pin (`[Local Time]`) makes the whole file one counted reject (`csv.time-zone-not-pinned`),
 *   read no further: every event would shift by an unknown offset. A cell that cannot be read, or
 *   that could be day-first or month-first, rejects its row (`csv.bad-time`, `csv.ambiguous-time`).
 * - A row with more or fewer fields than the header (`csv.field-count`) and a quote left open at
 *   the end of the file (`csv.unterminated-quote`) are rejected; blank lines are skipped.
 *
 * The text arrives in chunks (of any size, split anywhere) and rows leave one at a time, so a file
 * is never held whole. Origins are `<name>:<line>`, the line the row starts on.
 */
export type CsvExportItem = { readonly record: Record<string, string>; readonly origin: string } | { readonly reject: Reject };

export function* csvExportRecords(chunks: Iterable<string>, name: string): Generator<CsvExportItem> {
  let header: readonly ExportHeader[] | undefined;
  for (const item of csvRows(chunks)) {
    const origin = `${name}:${item.line}`;
    if (item.fields === undefined) {
      yield { reject: makeReject('csv.unterminated-quote', 'A quoted field is still open at the end of the file.', '', origin) };
      continue;
    }
    const fields = item.fields;
    if (fields.length === 1 && fields[0]!.trim() === '') continue;
    if (header === undefined) {
      header = fields.map(readExportHeader);
      const unpinned = header.find((h) => h.zone !== undefined && !h.zone.pinned);
      if (unpinned?.zone !== undefined && !unpinned.zone.pinned) {
        const detail = `The column "${unpinned.name} [${unpinned.zone.zone}]" is in a time zone the file does not name; export with the display time zone set to UTC (the header then reads "${unpinned.name} [UTC]").`;
        yield { reject: makeReject('csv.time-zone-not-pinned', detail, fields.join(','), origin) };
        return;
      }
      continue;
    }
    if (fields.length !== header.length) {
      yield { reject: makeReject('csv.field-count', `The row has ${fields.length} fields; the header names ${header.length} columns.`, fields.join(','), origin) };
      continue;
    }
    const record: Record<string, string> = {};
    let problem: Reject | undefined;
    for (let i = 0; i < header.length; i++) {
      const column = header[i]!;
      let value = fields[i]!;
      if (column.zone?.pinned && value.trim() !== '') {
        const time = readExportTime(value, column.zone.offsetMinutes);
        if ('problem' in time) {
          const reason = time.problem === 'ambiguous' ? 'csv.ambiguous-time' : 'csv.bad-time';
          const why = time.problem === 'ambiguous' ? 'could be day-first or month-first' : 'is not a date and time the reader knows';
          problem = makeReject(reason, `The ${column.name} value "${value}" ${why}.`, fields.join(','), origin);
          break;
        }
        value = time.iso;
      }
      record[column.name] = value;
    }
    yield problem ? { reject: problem } : { record, origin };
  }
}

const QUOTE = 34;
const COMMA = 44;
const LF = 10;
const CR = 13;

/** A record's fields and the line it starts on; `fields` undefined: a quote left open at the end. */
interface CsvRow {
  readonly fields: string[] | undefined;
  readonly line: number;
}

/** RFC 4180 records from chunks of text (see csvExportRecords); a field's text is sliced, not built a character at a time. */
function* csvRows(chunks: Iterable<string>): Generator<CsvRow> {
  let fields: string[] = [];
  let field = '';
  let inQuotes = false;
  /** The previous character was a quote inside a quoted field: an escaped quote or the closing one. */
  let quoteSeen = false;
  /** The previous record ended with CR: a LF right after it belongs to the same line end. */
  let afterCr = false;
  let line = 1;
  let recordLine = 1;
  let first = true;
  for (let chunk of chunks) {
    if (first && chunk.length > 0) {
      first = false;
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
    }
    let start = 0;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      if (afterCr) {
        afterCr = false;
        if (c === LF) {
          start = i + 1;
          continue;
        }
      }
      if (quoteSeen) {
        quoteSeen = false;
        if (c === QUOTE) {
          field += '"';
          start = i + 1;
          continue;
        }
        // The closing quote: what follows is read as unquoted text (anything before the next comma is kept).
        inQuotes = false;
        start = i;
      }
      if (inQuotes) {
        if (c === QUOTE) {
          field += chunk.slice(start, i);
          quoteSeen = true;
          start = i + 1;
        } else if (c === LF) line++;
        continue;
      }
      if (c === QUOTE) {
        field += chunk.slice(start, i);
        inQuotes = true;
        start = i + 1;
      } else if (c === COMMA) {
        fields.push(field + chunk.slice(start, i));
        field = '';
        start = i + 1;
      } else if (c === LF || c === CR) {
        fields.push(field + chunk.slice(start, i));
        field = '';
        yield { fields, line: recordLine };
        fields = [];
        line++;
        recordLine = line;
        start = i + 1;
        afterCr = c === CR;
      }
    }
    field += chunk.slice(start);
  }
  if (inQuotes && !quoteSeen) {
    yield { fields: undefined, line: recordLine };
    return;
  }
  if (field !== '' || fields.length > 0) {
    fields.push(field);
    yield { fields, line: recordLine };
  }
}
