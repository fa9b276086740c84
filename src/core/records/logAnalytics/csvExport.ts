import { makeReject, type Reject } from '../reject';
import { CsvRowReader, type CsvRow } from './csvRows';
import { readExportHeader, readExportTime, type ExportHeader } from './exportTime';

/**
 * The most characters a row may hold, as for a line of NDJSON: an Event Hub body holds at most
 * 1 MiB, so a longer row is no log record, and reading on would hold the rest of the file in one
 * field.
 */
export const MAX_CSV_ROW_CHARS = 64 * 1024 * 1024;

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
 * - A row with more or fewer fields than the header (`csv.field-count`) is rejected; blank lines
 *   are skipped. A quote opens a quoted field only at the start of a field. A stray quote, one
 *   that leaves a row over several lines with another field count than the header's
 *   (`csv.stray-quote`), still open at the end of the file (`csv.unterminated-quote`) or running
 *   past MAX_CSV_ROW_CHARS, rejects the row's first line only, and the lines after it are read
 *   as rows; so does a row on one line past that size (`csv.row-too-large`).
 *
 * The text arrives in chunks (of any size, split anywhere) and rows leave one at a time, so a file
 * is never held whole, read from disk, a gzip stream or standard input (CsvExportReader). Origins
 * are `<name>:<line>`, the line the row starts on.
 */
export type CsvExportItem = { readonly record: Record<string, string>; readonly origin: string } | { readonly reject: Reject };

export function* csvExportRecords(chunks: Iterable<string>, name: string, maxRowChars = MAX_CSV_ROW_CHARS): Generator<CsvExportItem> {
  const reader = new CsvExportReader(name, maxRowChars);
  for (const chunk of chunks) {
    yield* reader.push(chunk);
    if (reader.done) return;
  }
  yield* reader.end();
}

/**
 * csvExportRecords fed one chunk at a time, for text that arrives asynchronously (a gzip stream,
 * standard input): `push` gives the rows the chunk completes, `end` the last one. Once `done` (a
 * file whose times cannot be placed), nothing more is read.
 */
export class CsvExportReader {
  private readonly rows: CsvRowReader;
  private header: readonly ExportHeader[] | undefined;
  private stopped = false;

  /** `maxRowChars`: the longest row read (MAX_CSV_ROW_CHARS; tests make it small). */
  constructor(
    private readonly name: string,
    private readonly maxRowChars = MAX_CSV_ROW_CHARS,
  ) {
    this.rows = new CsvRowReader(maxRowChars);
  }

  get done(): boolean {
    return this.stopped;
  }

  *push(chunk: string): Generator<CsvExportItem> {
    if (this.stopped) return;
    for (const row of this.rows.push(chunk)) {
      yield* this.item(row);
      if (this.stopped) return;
    }
  }

  *end(): Generator<CsvExportItem> {
    if (this.stopped) return;
    for (const row of this.rows.end()) yield* this.item(row);
  }

  private *item(row: CsvRow): Generator<CsvExportItem> {
    const origin = `${this.name}:${row.line}`;
    if ('problem' in row) {
      yield { reject: makeReject(`csv.${row.problem}`, brokenRowDetail(row, this.header?.length, this.maxRowChars), '', origin) };
      return;
    }
    const fields = row.fields;
    if (fields.length === 1 && fields[0]!.trim() === '') return;
    const header = this.header;
    if (header === undefined) {
      this.header = fields.map(readExportHeader);
      this.rows.expectedFields = this.header.length;
      const unpinned = this.header.find((h) => h.zone !== undefined && !h.zone.pinned);
      if (unpinned?.zone !== undefined && !unpinned.zone.pinned) {
        const detail = `The column "${unpinned.name} [${unpinned.zone.zone}]" is in a time zone the file does not name; export with the display time zone set to UTC (the header then reads "${unpinned.name} [UTC]").`;
        yield { reject: makeReject('csv.time-zone-not-pinned', detail, fields.join(','), origin) };
        this.stopped = true;
      }
      return;
    }
    if (fields.length !== header.length) {
      yield { reject: makeReject('csv.field-count', `The row has ${fields.length} fields; the header names ${header.length} columns.`, fields.join(','), origin) };
      return;
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

/** What a row that could not be read was, and that the lines after its first were read on. */
function brokenRowDetail(row: Extract<CsvRow, { problem: string }>, headerFields: number | undefined, maxRowChars: number): string {
  const over = row.lines > 1 ? ` runs over ${row.lines} lines` : '';
  switch (row.problem) {
    case 'unterminated-quote':
      return `A quote opened on this line is still open at the end of the file: it is read as a stray quote, this line is rejected${row.lines > 1 ? ' and the lines after it were read as rows' : ''}.`;
    case 'stray-quote':
      return headerFields !== undefined && row.fieldCount !== headerFields && row.lines > 1
        ? `A quoted field opened on this line${over} and leaves the row with ${row.fieldCount} fields (the header names ${headerFields}): it is read as a stray quote, this line is rejected and the lines after it were read as rows.`
        : `A quoted field opened on this line${over} past ${maxRowChars} characters: it is read as a stray quote, this line is rejected and the lines after it were read as rows.`;
    case 'row-too-large':
      return `The row is over ${maxRowChars} characters long; rows that long are not read (an Event Hub body holds at most 1 MiB). The lines after it were read.`;
  }
}
