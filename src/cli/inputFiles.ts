/**
 * A replay's input files read as each file's format says, one record at a time (readInputRecords,
 * readInputItems); which files are read is inputListing.ts.
 */
import { createReadStream, closeSync, openSync, readSync } from 'node:fs';
import path from 'node:path';
import { pipeline, Readable } from 'node:stream';
import { TextDecoder } from 'node:util';
import { createGunzip } from 'node:zlib';
import type { SourcedRecord } from '../app/decodeMessages';
import { CsvExportReader, type CsvExportItem } from '../core/records/logAnalytics/csvExport';
import { makeReject, type Reject } from '../core/records/reject';
import { LineSplitter, lineItems, type InputItem } from './inputItems';
import { STDIN, type InputFile, type SkippedEntry } from './inputListing';
import { unreadableReason } from '../adapters/unreadableFile';
import { JsonDocumentReader } from './jsonDocumentReader';

export type { InputItem } from './inputItems';

/** 64 KiB: the read size of every format. */
const CHUNK_BYTES = 64 * 1024;

export interface ReadOptions {
  readonly chunkBytes?: number;
  /** Told how many bytes of the file were read, as they are read (progress). For a gzipped file, compressed bytes. */
  readonly onBytes?: (bytes: number) => void;
}

type Format = 'json' | 'csv' | 'ndjson';

/** How a file is read, by its extension (the one before `.gz` for a gzipped file). */
function formatOf(file: string): Format {
  const name = file.toLowerCase().endsWith('.gz') ? file.slice(0, -3) : file;
  const ext = path.extname(name).toLowerCase();
  return ext === '.json' ? 'json' : ext === '.csv' ? 'csv' : 'ndjson';
}

/**
 * Reads one input file, one record at a time:
 * - `.json`: an Event Hub body (`{"records":[…]}`), an array of records, rows or bodies, a single
 *   record, or a Log Analytics query result (`{"tables":[{"columns":[…],"rows":[[…]]}]}`, the query
 *   API's shape; its rows become column-name → value records); an array's or a body's records are
 *   read one by one as the file is read (JsonDocumentReader), any other document whole;
 * - `.csv`: a Log Analytics CSV export (see csvExportRecords), streamed;
 * - anything else: NDJSON (one record, row or body per line, whatever the extension says), streamed.
 * Log Analytics rows (with their `Type` column) go through the same pipeline as Event Hub records,
 * which reads them by table (see logAnalyticsTableOf).
 */
export function* readInputRecords(file: string, options: ReadOptions = {}): Generator<InputItem> {
  const reader = formatReader(formatOf(file), path.basename(file));
  for (const chunk of fileTextChunks(file, options.chunkBytes ?? CHUNK_BYTES, options.onBytes)) {
    yield* reader.push(chunk);
    if (reader.done) return;
  }
  yield* reader.end();
}

/**
 * An input's text read as its format says, a chunk at a time, whether the chunks come from a file
 * or a stream: `push` gives the items the chunk completes, `end` the rest; once `done` (a CSV
 * export whose times cannot be placed), nothing more is read.
 */
interface FormatReader {
  push(chunk: string): Iterable<InputItem>;
  end(): Iterable<InputItem>;
  readonly done: boolean;
}

/** NDJSON line by line, a CSV export row by row, a JSON document element by element. */
function formatReader(format: Format, name: string): FormatReader {
  if (format === 'json') {
    const json = new JsonDocumentReader(name);
    return { push: (chunk) => json.push(chunk), end: () => json.end(), done: false };
  }
  if (format === 'csv') {
    const csv = new CsvExportReader(name);
    return {
      *push(chunk) {
        for (const item of csv.push(chunk)) yield csvInputItem(item);
      },
      *end() {
        for (const item of csv.end()) yield csvInputItem(item);
      },
      get done() {
        return csv.done;
      },
    };
  }
  const lines = new LineSplitter();
  return {
    *push(chunk) {
      for (const line of lines.push(chunk)) yield* lineItems(line, name);
    },
    *end() {
      for (const line of lines.end()) yield* lineItems(line, name);
    },
    done: false,
  };
}

/**
 * Reads any input the way readInputRecords reads a file, and also a gzipped file (`x.ndjson.gz`,
 * read as its inner extension says, decompressed as it is read) and standard input (`-`: JSON, a
 * document or NDJSON, when it starts with `{` or `[`, else a CSV export). Every format is streamed as readInputRecords streams it. A gzip stream
 * that breaks off is a `file.damaged-gzip` reject after the records before the damage.
 */
export async function* readInputItems(file: string, options: ReadOptions & { readonly stdin?: Readable } = {}): AsyncGenerator<InputItem> {
  if (file === STDIN) {
    // Piped from `zcat`-less tooling or downloaded as is: gzip is known by its magic bytes.
    const start = await firstBytesOf(options.stdin ?? process.stdin, options.onBytes);
    if (start.first[0] === 0x1f && start.first[1] === 0x8b) {
      yield* gzipItems(Readable.from(start.chunks), 'stdin', 'sniff');
      return;
    }
    yield* sniffedItems(textChunksOf(start.chunks), 'stdin');
    return;
  }
  if (!file.toLowerCase().endsWith('.gz')) {
    yield* readInputRecords(file, options);
    return;
  }
  const raw = createReadStream(file, { highWaterMark: options.chunkBytes ?? CHUNK_BYTES });
  if (options.onBytes) raw.on('data', (chunk: Buffer | string) => options.onBytes!(chunk.length));
  yield* gzipItems(raw, path.basename(file));
}

/**
 * The items of a gzipped input (`name`: its file name, `x.csv.gz`), decompressed as they are read
 * and read as the extension inside `.gz` says.
 */
export async function* gzipItems(compressed: Readable, name: string, format: Format | 'sniff' = gzipFormatOf(name)): AsyncGenerator<InputItem> {
  const gunzip = createGunzip();
  pipeline(Readable.from(inSlices(compressed)), gunzip, () => undefined);
  try {
    if (format === 'sniff') yield* sniffedItems(textChunksOf(gunzip), name);
    else yield* streamItems(textChunksOf(gunzip), format, name);
  } catch (error) {
    if (!isZlibError(error)) throw error;
    yield {
      reject: makeReject(
        'file.damaged-gzip',
        `The file is not a whole gzip stream (${(error as Error).message}); the records before the damage were read, but for those in the last ${DAMAGE_SLICE_BYTES} to ${SLICE_BYTES} bytes of compressed data before it.`,
        '',
        name,
      ),
    };
  }
}

/**
 * zlib discards what one write decompressed when that write ends in an error, so a file with
 * bytes after its gzip data (a log shipper's trailer, a concatenated text line) lost a whole chunk
 * of records before them, a small file all of them. Each chunk is therefore written in slices of
 * SLICE_BYTES, and its last SLICE_BYTES in slices of DAMAGE_SLICE_BYTES (a file's damage is
 * usually at its end): only the failing slice's records are lost. Nothing is held back, so a
 * stream still yields its records as they arrive.
 */
const SLICE_BYTES = 4096;
const DAMAGE_SLICE_BYTES = 64;

async function* inSlices(compressed: Readable): AsyncGenerator<Buffer> {
  for await (const data of compressed) {
    const chunk = Buffer.isBuffer(data) ? data : Buffer.from(data as Uint8Array);
    const tail = Math.max(0, chunk.length - SLICE_BYTES);
    for (let at = 0; at < tail; at += SLICE_BYTES) yield chunk.subarray(at, Math.min(at + SLICE_BYTES, tail));
    for (let at = tail; at < chunk.length; at += DAMAGE_SLICE_BYTES) yield chunk.subarray(at, at + DAMAGE_SLICE_BYTES);
  }
}

/** Items per block of readInputBlocks. */
const BLOCK_ITEMS = 1024;

/**
 * readInputItems in blocks of up to 1,024 items: a plain file is read synchronously, with one
 * await per block rather than per record (an await per record costs as much as reading it).
 */
export async function* readInputBlocks(file: string, options: ReadOptions & { readonly stdin?: Readable } = {}): AsyncGenerator<InputItem[]> {
  let block: InputItem[] = [];
  if (file !== STDIN && !file.toLowerCase().endsWith('.gz')) {
    for (const item of readInputRecords(file, options)) {
      block.push(item);
      if (block.length === BLOCK_ITEMS) {
        yield block;
        block = [];
      }
    }
  } else {
    for await (const item of readInputItems(file, options)) {
      block.push(item);
      if (block.length === BLOCK_ITEMS) {
        yield block;
        block = [];
      }
    }
  }
  if (block.length > 0) yield block;
}

/**
 * The blocks of one input, or fewer: a file that cannot be opened or read when its turn comes
 * (deleted, renamed or made unreadable since the replay listed it) is skipped with the reason, as
 * the listing skips one, and the replay goes on; what was read of it before the failure stays read.
 */
export async function* readInputBlocksOrSkip(file: InputFile, options: Parameters<typeof readInputBlocks>[1], skip: (entry: SkippedEntry) => void): AsyncGenerator<InputItem[]> {
  let items = 0;
  try {
    for await (const block of readInputBlocks(file.path, options)) {
      items += block.length;
      yield block;
    }
  } catch (error) {
    if (file.path === STDIN || !isFileSystemError(error)) throw error;
    const reason = unreadableReason(file.path, error);
    skip({ path: file.path, reason: items === 0 ? reason : `${reason} (after ${items.toLocaleString('en-US')} of its records and rejects were read)` });
  }
}

/** An error of the file system about the file itself (gone, not permitted, not a file, unreadable), not of the data read. */
function isFileSystemError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && ['ENOENT', 'EACCES', 'EPERM', 'EISDIR', 'ELOOP', 'EIO', 'ENOTDIR', 'ESTALE'].includes(code);
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

/** The format named inside `.gz` (`x.csv.gz`), or 'sniff' when the name says none (`export.gz`). */
function gzipFormatOf(name: string): Format | 'sniff' {
  const inner = path.extname(name.toLowerCase().replace(/\.gz$/, ''));
  return inner === '.json' || inner === '.csv' || inner === '.ndjson' ? formatOf(name) : 'sniff';
}

/** Items of a text whose format is known by its first character (sniffFormat): standard input, a gzip that names none. */
async function* sniffedItems(chunks: AsyncGenerator<string>, name: string): AsyncGenerator<InputItem> {
  const start = await firstCharacterOf(chunks);
  yield* streamItems(start.chunks, sniffFormat(start.first), name);
}

/** A stream's first bytes (at least two, unless it is shorter) and all of its chunks again, those included. */
async function firstBytesOf(stream: AsyncIterable<unknown>, onBytes?: (bytes: number) => void): Promise<{ first: Uint8Array; chunks: AsyncIterable<Uint8Array> }> {
  const iterator = stream[Symbol.asyncIterator]();
  const read: Uint8Array[] = [];
  let length = 0;
  while (length < 2) {
    const next = await iterator.next();
    if (next.done === true) break;
    const bytes = bytesOf(next.value);
    onBytes?.(bytes.length);
    read.push(bytes);
    length += bytes.length;
  }
  async function* again(): AsyncGenerator<Uint8Array> {
    yield* read;
    for (let next = await iterator.next(); next.done !== true; next = await iterator.next()) {
      const bytes = bytesOf(next.value);
      onBytes?.(bytes.length);
      yield bytes;
    }
  }
  return { first: Buffer.concat(read), chunks: again() };
}

function csvInputItem(item: CsvExportItem): InputItem {
  return 'reject' in item ? item : { record: item.record, origin: item.origin };
}

/** Items of a stream of text, read as readInputRecords reads a file's (formatReader). */
async function* streamItems(chunks: AsyncIterable<string>, format: Format, name: string): AsyncGenerator<InputItem> {
  const reader = formatReader(format, name);
  for await (const chunk of chunks) {
    yield* reader.push(chunk);
    if (reader.done) return;
  }
  yield* reader.end();
}

/** A stream's bytes as text (split characters joined, a byte-order mark dropped, like fileTextChunks). */
async function* textChunksOf(stream: AsyncIterable<unknown>, onBytes?: (bytes: number) => void): AsyncGenerator<string> {
  let decoder: TextDecoder | undefined;
  for await (const chunk of stream) {
    const bytes = bytesOf(chunk);
    onBytes?.(bytes.length);
    decoder ??= decoderFor(bytes);
    const text = decoder.decode(bytes, { stream: true });
    if (text !== '') yield text;
  }
  const rest = decoder?.decode() ?? '';
  if (rest !== '') yield rest;
}

/** A stream's chunk as bytes: a stream with an encoding set hands out strings. */
function bytesOf(chunk: unknown): Uint8Array {
  return typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Uint8Array);
}

/**
 * The decoder for a text whose first bytes are `start`: UTF-16 when it starts with UTF-16's
 * byte-order mark (Windows PowerShell's `Out-File` and `>` write UTF-16LE with one), else UTF-8.
 * Either drops the mark. Without a mark, UTF-16 is known by its first two characters: a log starts
 * with `{`, `[`, a letter or white space, ASCII all, which UTF-16 writes beside a zero byte (.NET's
 * `Encoding.Unicode.GetBytes`, `[IO.File]::WriteAllBytes`); UTF-8 text holds no zero byte.
 */
function decoderFor(start: Uint8Array): TextDecoder {
  if (start[0] === 0xff && start[1] === 0xfe) return new TextDecoder('utf-16le');
  if (start[0] === 0xfe && start[1] === 0xff) return new TextDecoder('utf-16be');
  if (start.length >= 4 && start[0] !== 0 && start[1] === 0 && start[2] !== 0 && start[3] === 0) return new TextDecoder('utf-16le');
  if (start.length >= 4 && start[0] === 0 && start[1] !== 0 && start[2] === 0 && start[3] !== 0) return new TextDecoder('utf-16be');
  return new TextDecoder('utf-8');
}

/** The first character that is not white space ('' when there is none), and every chunk again, the ones read included. */
async function firstCharacterOf(chunks: AsyncGenerator<string>): Promise<{ first: string; chunks: AsyncIterable<string> }> {
  const read: string[] = [];
  let first = '';
  while (first === '') {
    const next = await chunks.next();
    if (next.done) break;
    read.push(next.value);
    first = next.value.replace(/^[\ufeff\s]+/, '').charAt(0);
  }
  async function* again(): AsyncGenerator<string> {
    yield* read;
    yield* chunks;
  }
  return { first, chunks: again() };
}

/**
 * Standard input's format from its first character: `{` or `[` starts JSON, which JsonDocumentReader
 * reads whether it is one document (on one line or many) or NDJSON; anything else is a CSV export.
 * Nothing waits for a line to end, so a body piped on one line (`jq -c`) is read record by record.
 */
function sniffFormat(first: string): Format {
  if (first === '') return 'ndjson';
  return first === '{' || first === '[' ? 'json' : 'csv';
}

function isZlibError(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('Z_');
}

/**
 * A file's text in chunks of about `chunkBytes`, decoded as UTF-8 across chunk boundaries (a
 * character split between two reads is joined) with a byte-order mark dropped; only one chunk is
 * held at a time.
 */
export function* fileTextChunks(file: string, chunkBytes = CHUNK_BYTES, onBytes?: (bytes: number) => void): Generator<string> {
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.allocUnsafe(chunkBytes);
    let decoder: TextDecoder | undefined;
    for (;;) {
      const read = readSync(fd, buffer, 0, chunkBytes, null);
      if (read === 0) break;
      onBytes?.(read);
      decoder ??= decoderFor(buffer.subarray(0, read));
      const text = decoder.decode(buffer.subarray(0, read), { stream: true });
      if (text !== '') yield text;
    }
    const rest = decoder?.decode() ?? '';
    if (rest !== '') yield rest;
  } finally {
    closeSync(fd);
  }
}
