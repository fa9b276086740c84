/**
 * What reading an input yields (InputItem: a record with its origin, or a counted reject), and the
 * pieces every text format shares: a decoded body opened into its records, an NDJSON line read as
 * one body, and text chunks cut into numbered lines.
 */
import type { SourcedRecord } from '../app/decodeMessages';
import { decodeMessage, isObject } from '../core/records/envelope';
import { isQueryResult, queryResultRows } from '../core/records/logAnalytics/queryResult';
import type { Reject } from '../core/records/reject';

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

/** An NDJSON line (`name:line`): one record, row or body; a blank line is nothing. */
export function* lineItems({ text, line }: NumberedLine, name: string): Generator<InputItem> {
  if (text.trim() === '') return;
  const origin = `${name}:${line}`;
  yield* decodedItems(decodeMessage(text, origin), origin);
}

export interface NumberedLine {
  readonly text: string;
  /** 1-based. */
  readonly line: number;
}

/** Cuts text chunks into lines (LF or CRLF) with their 1-based numbers; a line split across chunks is joined. */
export class LineSplitter {
  private pending = '';

  /** `line`: the number of the first line pushed (a reader that read the lines before it itself). */
  constructor(private line = 1) {}

  *push(chunk: string): Generator<NumberedLine> {
    let start = 0;
    let end = chunk.indexOf('\n');
    while (end !== -1) {
      const text = this.pending + chunk.slice(start, end);
      this.pending = '';
      yield { text: text.endsWith('\r') ? text.slice(0, -1) : text, line: this.line++ };
      start = end + 1;
      end = chunk.indexOf('\n', start);
    }
    this.pending += chunk.slice(start);
  }

  *end(): Generator<NumberedLine> {
    const text = this.pending;
    this.pending = '';
    if (text !== '') yield { text: text.endsWith('\r') ? text.slice(0, -1) : text, line: this.line };
  }
}
