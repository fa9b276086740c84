import { closeSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import type { SourcedRecord } from '../app/decodeMessages';
import { decodeMessage, isObject } from '../core/records/envelope';
import { csvExportRecords } from '../core/records/logAnalytics/csvExport';
import { isQueryResult, queryResultRows } from '../core/records/logAnalytics/queryResult';
import type { Reject } from '../core/records/reject';
import { appendAll } from '../core/arrays';

const INPUT_EXTENSIONS = new Set(['.json', '.ndjson', '.jsonl', '.log', '.csv']);

/** Expands files and folders into input files: a folder is walked recursively in name order. */
export function listInputFiles(inputs: readonly string[]): string[] {
  const out: string[] = [];
  for (const input of inputs) {
    const stat = statSync(input);
    if (stat.isDirectory()) {
      const names = readdirSync(input).sort();
      appendAll(out, listInputFiles(names.map((n) => path.join(input, n)).filter((p) => statSync(p).isDirectory() || INPUT_EXTENSIONS.has(path.extname(p).toLowerCase()))));
    } else out.push(input);
  }
  return out;
}

/** One item of an input file: a record with its origin, or a counted reject. */
export type InputItem = SourcedRecord | { readonly reject: Reject };

/** 64 KiB: the read size of the streamed formats (NDJSON, CSV). */
const CHUNK_BYTES = 64 * 1024;

/**
 * Reads one input file, one record at a time:
 * - `.json`: an Event Hub body (`{"records":[…]}`), an array of records, rows or bodies, a single
 *   record, or a Log Analytics query result (`{"tables":[{"columns":[…],"rows":[[…]]}]}`, the query
 *   API's shape; its rows become column-name → value records); read whole, as JSON must be;
 * - `.csv`: a Log Analytics CSV export (see csvExportRecords), streamed;
 * - anything else: NDJSON (one record, row or body per line, whatever the extension says), streamed.
 * Log Analytics rows (with their `Type` column) go through the same pipeline as Event Hub records,
 * which reads them by table (see logAnalyticsTableOf).
 */
export function* readInputRecords(file: string, options: { chunkBytes?: number } = {}): Generator<InputItem> {
  const name = path.basename(file);
  const ext = path.extname(file).toLowerCase();
  const chunkBytes = options.chunkBytes ?? CHUNK_BYTES;
  if (ext === '.json') {
    yield* decoded(decodeMessage(readFileSync(file, 'utf8'), name), name);
    return;
  }
  if (ext === '.csv') {
    for (const item of csvExportRecords(fileTextChunks(file, chunkBytes), name)) yield 'reject' in item ? item : { record: item.record, origin: item.origin };
    return;
  }
  for (const { text, line } of fileLines(file, chunkBytes)) {
    if (text.trim() === '') continue;
    const origin = `${name}:${line}`;
    yield* decoded(decodeMessage(text, origin), origin);
  }
}

/** Reads one input file whole (see readInputRecords). */
export function readInputFile(file: string): { records: SourcedRecord[]; rejects: Reject[] } {
  const records: SourcedRecord[] = [];
  const rejects: Reject[] = [];
  for (const item of readInputRecords(file)) {
    if ('reject' in item) rejects.push(item.reject);
    else records.push(item);
  }
  return { records, rejects };
}

/** A decoded body's records: Event Hub bodies inside an array and query results are opened. */
function* decoded(body: ReturnType<typeof decodeMessage>, origin: string): Generator<InputItem> {
  for (const reject of body.rejects) yield { reject };
  for (let i = 0; i < body.records.length; i++) {
    const record = body.records[i];
    const where = `${origin} record ${i}`;
    if (isQueryResult(record)) {
      for (const item of queryResultRows(record, where)) yield 'reject' in item ? item : { record: item.row, origin: item.origin };
    } else if (isObject(record) && Array.isArray(record['records'])) {
      // A top-level array may hold whole Event Hub bodies.
      const inner = record['records'];
      for (let j = 0; j < inner.length; j++) yield { record: inner[j], origin: `${origin} record ${i}.${j}` };
    } else yield { record, origin: where };
  }
}

/**
 * A file's text in chunks of about `chunkBytes`, decoded as UTF-8 across chunk boundaries (a
 * character split between two reads is joined) with a byte-order mark dropped; only one chunk is
 * held at a time.
 */
export function* fileTextChunks(file: string, chunkBytes = CHUNK_BYTES): Generator<string> {
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.allocUnsafe(chunkBytes);
    const decoder = new TextDecoder('utf-8');
    for (;;) {
      const read = readSync(fd, buffer, 0, chunkBytes, null);
      if (read === 0) break;
      const text = decoder.decode(buffer.subarray(0, read), { stream: true });
      if (text !== '') yield text;
    }
    const rest = decoder.decode();
    if (rest !== '') yield rest;
  } finally {
    closeSync(fd);
  }
}

/** A file's lines (LF or CRLF) with their 1-based numbers, streamed (see fileTextChunks). */
function* fileLines(file: string, chunkBytes: number): Generator<{ text: string; line: number }> {
  let pending = '';
  let line = 1;
  for (const chunk of fileTextChunks(file, chunkBytes)) {
    let start = 0;
    let end = chunk.indexOf('\n');
    while (end !== -1) {
      const text = pending + chunk.slice(start, end);
      pending = '';
      yield { text: text.endsWith('\r') ? text.slice(0, -1) : text, line: line++ };
      start = end + 1;
      end = chunk.indexOf('\n', start);
    }
    pending += chunk.slice(start);
  }
  if (pending !== '') yield { text: pending.endsWith('\r') ? pending.slice(0, -1) : pending, line };
}
