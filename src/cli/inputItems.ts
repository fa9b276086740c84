/**
 * What reading an input yields (InputItem: a record with its origin, or a counted reject), and the
 * pieces every text format shares: a decoded body opened into its records, an NDJSON line read as
 * one body, and text chunks cut into numbered lines.
 */
import type { SourcedRecord } from '../app/decodeMessages';
import { decodeMessage, isObject } from '../core/records/envelope';
import { isQueryResult, queryResultRows } from '../core/records/logAnalytics/queryResult';
import { makeReject, type Reject } from '../core/records/reject';

/**
 * 16 Mi characters: the longest line or record a replay reads. An Event Hub body is at most 1 MiB
 * and a log record far less, so anything longer is not a log. Parsed, a line is several times its
 * size in objects (a 61 MB line of small objects exhausted a 512 MB heap inside JSON.parse, where
 * V8 aborts with a native trace before anything can count it): held to 16 Mi, one line cannot.
 */
export const MAX_RECORD_CHARS = 16 * 1024 * 1024;

/** One item of an input file: a record with its origin, or a counted reject. */
export type InputItem = SourcedRecord | { readonly reject: Reject };

/** A decoded body's records: Event Hub bodies inside an array and query results are opened. */
export function* decodedItems(body: ReturnType<typeof decodeMessage>, origin: string): Generator<InputItem> {
  for (const reject of body.rejects) yield { reject };
  for (let i = 0; i < body.records.length; i++) yield* elementItems(body.records[i], `${origin} record ${i}`);
}

/**
 * One element of a document's record list (`where`: its origin): a query result's rows, an Event
 * Hub body's records (a top-level array may hold whole bodies), or the record itself.
 */
export function* elementItems(record: unknown, where: string): Generator<InputItem> {
  if (isQueryResult(record)) {
    for (const item of queryResultRows(record, where)) yield 'reject' in item ? item : { record: item.row, origin: item.origin };
  } else if (isObject(record) && Array.isArray(record['records'])) {
    const inner = record['records'];
    for (let j = 0; j < inner.length; j++) yield { record: inner[j], origin: `${where}.${j}` };
  } else yield { record, origin: where };
}

/** An NDJSON line (`name:line`): one record, row or body; a blank line is nothing; a line over MAX_RECORD_CHARS one reject. */
export function* lineItems({ text, line, tooLongChars }: NumberedLine, name: string): Generator<InputItem> {
  const origin = `${name}:${line}`;
  if (tooLongChars !== undefined) {
    yield { reject: makeReject('line.too-long', `The line is ${tooLongChars} characters long; lines over ${MAX_RECORD_CHARS} are not read (an Event Hub body holds at most 1 MiB). The lines after it were read.`, '', origin) };
    return;
  }
  if (text.trim() === '') return;
  yield* decodedItems(decodeMessage(text, origin), origin);
}

export interface NumberedLine {
  /** The line; '' when it was too long to keep. */
  readonly text: string;
  /** 1-based. */
  readonly line: number;
  /** Set when the line was longer than MAX_RECORD_CHARS: its length (its text was not kept). */
  readonly tooLongChars?: number;
}

/**
 * Cuts text chunks into lines (LF or CRLF) with their 1-based numbers; a line split across chunks
 * is joined. A line longer than `maxChars` is not kept: it comes out with its length only.
 */
export class LineSplitter {
  private pending = '';
  /** The length so far of a line too long to keep; -1 while the pending line is kept. */
  private dropped = -1;

  /** `line`: the number of the first line pushed (a reader that read the lines before it itself). */
  constructor(
    private line = 1,
    private readonly maxChars = MAX_RECORD_CHARS,
  ) {}

  *push(chunk: string): Generator<NumberedLine> {
    let start = 0;
    let end = chunk.indexOf('\n');
    while (end !== -1) {
      yield this.lineOf(chunk.slice(start, end));
      start = end + 1;
      end = chunk.indexOf('\n', start);
    }
    this.hold(chunk.slice(start));
  }

  *end(): Generator<NumberedLine> {
    if (this.pending !== '' || this.dropped !== -1) yield this.lineOf('');
  }

  private lineOf(tail: string): NumberedLine {
    this.hold(tail);
    const line = this.line++;
    if (this.dropped !== -1) {
      const tooLongChars = this.dropped;
      this.dropped = -1;
      return { text: '', line, tooLongChars };
    }
    const text = this.pending;
    this.pending = '';
    return { text: text.endsWith('\r') ? text.slice(0, -1) : text, line };
  }

  private hold(text: string): void {
    if (this.dropped !== -1) this.dropped += text.length;
    else if (this.pending.length + text.length > this.maxChars) {
      this.dropped = this.pending.length + text.length;
      this.pending = '';
    } else this.pending += text;
  }
}
