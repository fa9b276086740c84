import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { decodeMessage } from '../core/records/envelope';
import type { Reject } from '../core/records/reject';
import type { SourcedRecord } from '../app/decodeMessages';

const INPUT_EXTENSIONS = new Set(['.json', '.ndjson', '.jsonl', '.log']);

/** Expands files and folders into input files: a folder is walked recursively in name order. */
export function listInputFiles(inputs: readonly string[]): string[] {
  const out: string[] = [];
  for (const input of inputs) {
    const stat = statSync(input);
    if (stat.isDirectory()) {
      const names = readdirSync(input).sort();
      out.push(...listInputFiles(names.map((n) => path.join(input, n)).filter((p) => statSync(p).isDirectory() || INPUT_EXTENSIONS.has(path.extname(p).toLowerCase()))));
    } else out.push(input);
  }
  return out;
}

/**
 * Reads one input file: an Event Hub body (`{"records":[…]}`), an array of records or bodies, a
 * single record, or NDJSON (one record or body per line, whatever the extension says).
 */
export function readInputFile(file: string): { records: SourcedRecord[]; rejects: Reject[] } {
  const text = readFileSync(file, 'utf8');
  const name = path.basename(file);
  const ext = path.extname(file).toLowerCase();
  const records: SourcedRecord[] = [];
  const rejects: Reject[] = [];
  const add = (decoded: ReturnType<typeof decodeMessage>, origin: string): void => {
    rejects.push(...decoded.rejects);
    decoded.records.forEach((record, i) => {
      // A top-level array may hold whole Event Hub bodies.
      if (typeof record === 'object' && record !== null && !Array.isArray(record) && Array.isArray((record as { records?: unknown }).records)) {
        ((record as { records: unknown[] }).records).forEach((inner, j) => records.push({ record: inner, origin: `${origin} record ${i}.${j}` }));
      } else records.push({ record, origin: `${origin} record ${i}` });
    });
  };
  if (ext === '.json') add(decodeMessage(text, name), name);
  else {
    text.split(/\r?\n/).forEach((line, i) => {
      if (line.trim() === '') return;
      add(decodeMessage(line, `${name}:${i + 1}`), `${name}:${i + 1}`);
    });
  }
  return { records, rejects };
}
