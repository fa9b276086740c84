/**
 * RFC 4180 rows from text that arrives in chunks, and how a row broken by a stray quote is
 * rejected by its first line alone while the lines after it are read again. What the rows mean (a
 * header, time columns, records) is the export reader's (csvExport.ts).
 */

const QUOTE = 34;
const COMMA = 44;
const LF = 10;
const CR = 13;

/**
 * A record's fields and the line it starts on, or a row that could not be read:
 * - `unterminated-quote`: a quote still open at the end of the file;
 * - `stray-quote`: a quoted field that runs over several lines and leaves the row with another
 *   field count than the header's, or past the size limit;
 * - `row-too-large`: a row on one line past the size limit.
 * Each stands for the row's first line only: the lines after it are read again (see CsvRowReader).
 */
export type CsvRow =
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
export class CsvRowReader {
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
