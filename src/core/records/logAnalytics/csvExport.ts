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

const QUOTE = 34;
const COMMA = 44;
const LF = 10;
const CR = 13;

/**
 * The most characters a row may hold, as for a line of NDJSON: an Event Hub body holds at most
 * 1 MiB, so a longer row is no log record, and reading on would hold the rest of the file in one
 * field.
 */
export const MAX_CSV_ROW_CHARS = 64 * 1024 * 1024;

/**
 * A record's fields and the line it starts on, or a row that could not be read:
 * - `unterminated-quote`: a quote still open at the end of the file;
 * - `stray-quote`: a quoted field that runs over several lines and leaves the row with another
 *   field count than the header's, or past the size limit;
 * - `row-too-large`: a row on one line past the size limit.
 * Each stands for the row's first line only: the lines after it are read again (see CsvRowReader).
 */
type CsvRow =
  | { readonly fields: string[]; readonly line: number }
  | { readonly problem: 'unterminated-quote' | 'stray-quote' | 'row-too-large'; readonly line: number; readonly lines: number; readonly fieldCount: number };

/**
 * RFC 4180 records from chunks of text pushed one at a time (see csvExportRecords); a field's text
 * is sliced, not built a character at a time.
 *
 * A quote opens a quoted field only at the start of a field; elsewhere it is text (`5" disk`). A
 * quote that opens and never closes as a row needs, a stray one, must not take the rest of the
 * file with it: while a row runs over several lines its text after the first line is kept, and
 * when the row proves broken (still open at the end, another field count than the header's once
 * the header is read, or past MAX_CSV_ROW_CHARS) only its first line is rejected and the kept
 * lines are read again as rows.
 */
class CsvRowReader {
  /** The header's field count once it is read: a row over several lines with another count is broken. */
  expectedFields: number | undefined;
  private fields: string[] = [];
  private fieldsChars = 0;
  private field = '';
  private inQuotes = false;
  /** The previous character was a quote inside a quoted field: an escaped quote or the closing one. */
  private quoteSeen = false;
  /** The previous record ended with CR: a LF right after it belongs to the same line end. */
  private afterCr = false;
  private line = 1;
  private recordLine = 1;
  private first = true;
  /** The row's text after its first line break, while the row runs over several lines: what is read again if it proves broken. */
  private kept: string[] | undefined;
  /** Where the kept text starts in the chunk being scanned (0 when it started in an earlier chunk). */
  private keptStart = 0;
  /** The first line break was a CR: a LF right after it is part of it, not a line of its own. */
  private keptAfterCr = false;
  /** A row on one line past the size limit was rejected: its text is skipped to the next line break. */
  private skipping = false;

  constructor(private readonly maxRowChars: number) {}

  *push(text: string): Generator<CsvRow> {
    let chunk = text;
    if (this.first && chunk.length > 0) {
      this.first = false;
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
    }
    yield* this.scanAll(chunk);
  }

  *end(): Generator<CsvRow> {
    while (!this.skipping) {
      if (this.inQuotes && !this.quoteSeen) {
        const again = this.kept === undefined ? undefined : this.keptText('');
        yield this.broken('unterminated-quote');
        if (again === undefined) return;
        yield* this.scanAll(again);
        continue;
      }
      if (this.field === '' && this.fields.length === 0) return;
      this.fields.push(this.field);
      this.field = '';
      const again = yield* this.endRow('');
      if (again === undefined) return;
      yield* this.scanAll(again);
    }
  }

  /** Scans text and whatever a broken row gives back to read again, until nothing is. */
  private *scanAll(text: string): Generator<CsvRow> {
    let next: string | undefined = text;
    while (next !== undefined) next = yield* this.scan(next);
  }

  /** Scans one piece of text; returns the text to read again when a row in it proved broken. */
  private *scan(chunk: string): Generator<CsvRow, string | undefined> {
    let start = 0;
    this.keptStart = 0;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      if (this.skipping) {
        if (c === LF || c === CR) {
          this.skipping = false;
          this.line++;
          this.recordLine = this.line;
          this.afterCr = c === CR;
          start = i + 1;
        }
        continue;
      }
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
        } else if (c === LF || c === CR) {
          if (c === LF) this.line++;
          if (this.kept === undefined) {
            this.kept = [];
            this.keptStart = i + 1;
            this.keptAfterCr = c === CR;
          }
        }
        continue;
      }
      if (c === QUOTE && i === start && this.field === '') {
        this.inQuotes = true;
        start = i + 1;
      } else if (c === COMMA) {
        const field = this.field + chunk.slice(start, i);
        this.fields.push(field);
        this.fieldsChars += field.length;
        this.field = '';
        start = i + 1;
      } else if (c === LF || c === CR) {
        this.fields.push(this.field + chunk.slice(start, i));
        this.field = '';
        const again = yield* this.endRow(this.kept === undefined ? '' : chunk.slice(this.keptStart, i));
        // The line break that ended the broken row ends the last line read again.
        if (again !== undefined) return again + chunk.slice(i);
        this.line++;
        this.recordLine = this.line;
        start = i + 1;
        this.afterCr = c === CR;
      }
    }
    if (this.skipping) return undefined;
    this.field += chunk.slice(start);
    if (this.kept !== undefined) this.kept.push(chunk.slice(this.keptStart));
    if (this.fieldsChars + this.field.length <= this.maxRowChars) return undefined;
    if (this.kept !== undefined) {
      const again = this.keptText('');
      yield this.broken('stray-quote');
      return again;
    }
    yield this.broken('row-too-large');
    this.skipping = true;
    return undefined;
  }

  /**
   * The row whose last field was just pushed: yielded (rejected when past the size limit), or,
   * when it runs over several lines and the header names another field count or it is past the
   * limit, rejected as a stray quote, its text after the first line returned to be read again
   * (`tail`: the kept text in the chunk being scanned).
   */
  private *endRow(tail: string): Generator<CsvRow, string | undefined> {
    const fields = this.fields;
    const tooLarge = this.fieldsChars + fields[fields.length - 1]!.length > this.maxRowChars;
    if (this.kept !== undefined && (tooLarge || (this.expectedFields !== undefined && fields.length !== this.expectedFields))) {
      const again = this.keptText(tail);
      yield this.broken('stray-quote');
      return again;
    }
    yield tooLarge ? { problem: 'row-too-large', line: this.recordLine, lines: 1, fieldCount: fields.length } : { fields, line: this.recordLine };
    this.startRow(this.line);
    return undefined;
  }

  /** The broken row's report, the reader set to read again from the line after the row's first. */
  private broken(problem: 'unterminated-quote' | 'stray-quote' | 'row-too-large'): CsvRow {
    const row: CsvRow = { problem, line: this.recordLine, lines: this.line - this.recordLine + 1, fieldCount: this.fields.length + (this.field !== '' || this.inQuotes ? 1 : 0) };
    this.startRow(this.recordLine + 1);
    this.line = this.recordLine;
    this.afterCr = false;
    return row;
  }

  /** The row's text after its first line break: what the kept parts and `tail` hold, less the LF of a CRLF. */
  private keptText(tail: string): string {
    const text = (this.kept ?? []).join('') + tail;
    return this.keptAfterCr && text.charCodeAt(0) === LF ? text.slice(1) : text;
  }

  private startRow(line: number): void {
    this.fields = [];
    this.fieldsChars = 0;
    this.field = '';
    this.inQuotes = false;
    this.quoteSeen = false;
    this.kept = undefined;
    this.recordLine = line;
  }
}
