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
 * is never held whole, read from disk, a gzip stream or standard input (CsvExportReader). Origins
 * are `<name>:<line>`, the line the row starts on.
 */
export type CsvExportItem = { readonly record: Record<string, string>; readonly origin: string } | { readonly reject: Reject };

export function* csvExportRecords(chunks: Iterable<string>, name: string): Generator<CsvExportItem> {
  const reader = new CsvExportReader(name);
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
  private readonly rows = new CsvRowReader();
  private header: readonly ExportHeader[] | undefined;
  private stopped = false;

  constructor(private readonly name: string) {}

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
    if (row.fields === undefined) {
      yield { reject: makeReject('csv.unterminated-quote', 'A quoted field is still open at the end of the file.', '', origin) };
      return;
    }
    const fields = row.fields;
    if (fields.length === 1 && fields[0]!.trim() === '') return;
    const header = this.header;
    if (header === undefined) {
      this.header = fields.map(readExportHeader);
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

const QUOTE = 34;
const COMMA = 44;
const LF = 10;
const CR = 13;

/** A record's fields and the line it starts on; `fields` undefined: a quote left open at the end. */
interface CsvRow {
  readonly fields: string[] | undefined;
  readonly line: number;
}

/** RFC 4180 records from chunks of text pushed one at a time (see csvExportRecords); a field's text is sliced, not built a character at a time. */
class CsvRowReader {
  private fields: string[] = [];
  private field = '';
  private inQuotes = false;
  /** The previous character was a quote inside a quoted field: an escaped quote or the closing one. */
  private quoteSeen = false;
  /** The previous record ended with CR: a LF right after it belongs to the same line end. */
  private afterCr = false;
  private line = 1;
  private recordLine = 1;
  private first = true;

  *push(text: string): Generator<CsvRow> {
    let chunk = text;
    if (this.first && chunk.length > 0) {
      this.first = false;
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
    }
    let start = 0;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      if (this.afterCr) {
        this.afterCr = false;
        if (c === LF) {
          start = i + 1;
          continue;
        }
      }
      if (this.quoteSeen) {
        this.quoteSeen = false;
        if (c === QUOTE) {
          this.field += '"';
          start = i + 1;
          continue;
        }
        // The closing quote: what follows is read as unquoted text (anything before the next comma is kept).
        this.inQuotes = false;
        start = i;
      }
      if (this.inQuotes) {
        if (c === QUOTE) {
          this.field += chunk.slice(start, i);
          this.quoteSeen = true;
          start = i + 1;
        } else if (c === LF) this.line++;
        continue;
      }
      if (c === QUOTE) {
        this.field += chunk.slice(start, i);
        this.inQuotes = true;
        start = i + 1;
      } else if (c === COMMA) {
        this.fields.push(this.field + chunk.slice(start, i));
        this.field = '';
        start = i + 1;
      } else if (c === LF || c === CR) {
        this.fields.push(this.field + chunk.slice(start, i));
        this.field = '';
        yield { fields: this.fields, line: this.recordLine };
        this.fields = [];
        this.line++;
        this.recordLine = this.line;
        start = i + 1;
        this.afterCr = c === CR;
      }
    }
    this.field += chunk.slice(start);
  }

  *end(): Generator<CsvRow> {
    if (this.inQuotes && !this.quoteSeen) {
      yield { fields: undefined, line: this.recordLine };
      return;
    }
    if (this.field !== '' || this.fields.length > 0) {
      this.fields.push(this.field);
      yield { fields: this.fields, line: this.recordLine };
    }
  }
}
