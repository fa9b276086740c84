import { makeReject, type Reject } from './reject';
import { appendAll } from '../arrays';

/**
 * Decodes one Event Hub message body into log records.
 *
 * Diagnostic settings send `{"records":[{…},{…}]}`; other producers send a bare array or a single
 * record; the Functions host hands us an object (valid JSON), a string (not JSON, or JSON it did not
 * parse) or a Buffer (binary body). Every shape is accepted; anything else is a counted reject.
 *
 * Example: `{"records":[{"time":"2026-03-01T10:00:00.1234567Z","category":"ManagedIdentitySignInLogs",…}]}`
 */
export interface DecodedMessage {
  readonly records: readonly unknown[];
  readonly rejects: readonly Reject[];
}

export function decodeMessage(body: unknown, origin: string): DecodedMessage {
  let value: unknown = body;
  if (value instanceof Uint8Array) value = Buffer.from(value).toString('utf8');
  if (typeof value === 'string') {
    // JSON.parse skips surrounding white space itself; only a byte-order mark needs removing.
    const text = value.charCodeAt(0) === 0xfeff ? value.slice(1) : value;
    const empty = (): DecodedMessage => ({ records: [], rejects: [makeReject('body.empty', 'The message body is empty.', body, origin)] });
    // Short bodies are checked for white space before parsing; a long blank one is caught when the parse fails.
    if (text.length === 0 || (text.length < 64 && text.trim() === '')) return empty();
    try {
      value = JSON.parse(text);
    } catch {
      if (text.trim() === '') return empty();
      // Some producers send NDJSON (one record per line) in a single body.
      const ndjson = decodeNdjson(text, origin);
      if (ndjson.records.length > 0) return ndjson;
      return { records: [], rejects: [makeReject('body.invalid-json', 'The message body is not JSON.', body, origin)] };
    }
  }
  if (Array.isArray(value)) return { records: value, rejects: [] };
  if (isObject(value)) {
    const records = value['records'];
    if (records === undefined) return { records: [value], rejects: [] };
    if (Array.isArray(records)) return { records, rejects: [] };
    return { records: [], rejects: [makeReject('body.records-not-array', 'The "records" field is not an array.', body, origin)] };
  }
  return { records: [], rejects: [makeReject('body.not-an-object', 'The message body is neither a JSON object nor an array.', body, origin)] };
}

function decodeNdjson(text: string, origin: string): DecodedMessage {
  const records: unknown[] = [];
  const rejects: Reject[] = [];
  const lines = text.split(/\r?\n/);
  if (lines.length < 2) return { records, rejects };
  lines.forEach((line, i) => {
    const trimmed = line.trim();
    if (trimmed === '') return;
    try {
      const parsed: unknown = JSON.parse(trimmed);
      if (isObject(parsed) && Array.isArray(parsed['records'])) appendAll(records, parsed['records'] as unknown[]);
      else records.push(parsed);
    } catch {
      rejects.push(makeReject('body.invalid-json', `Line ${i + 1} is not JSON.`, trimmed, `${origin} line ${i + 1}`));
    }
  });
  return { records, rejects };
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
