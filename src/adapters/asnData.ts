import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { AsnTable, decodeAsnTable } from '../core/network/asnTable';

/** Where `npm run build` writes the IP-to-ASN table (scripts/build-asn.mjs), relative to the package root. */
export const ASN_DATA_RELATIVE_PATH = join('data', 'asn', 'asn.bin');

/** The ASN data file is missing or unreadable. */
export class AsnDataUnavailableError extends Error {
  override readonly name = 'AsnDataUnavailableError';
}

export interface LoadAsnDataOptions {
  /** Defaults to `<package root>/data/asn/asn.bin`. */
  readonly file?: string;
}

/**
 * Loads the built IP-to-ASN table: one synchronous file read, then typed-array views over the
 * buffer (no parsing, no copy). Does no timing and no logging; call it once per process (the
 * composition root caches it) and share the result. Throws AsnDataUnavailableError when the file
 * is missing, AsnDataFormatError when it is not a table this code can read.
 */
export function loadAsnData(options: LoadAsnDataOptions = {}): AsnTable {
  const file = options.file ?? defaultAsnDataFile();
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw new AsnDataUnavailableError(`cannot read ASN data ${file} (npm run build writes it): ${messageOf(error)}`);
  }
  return decodeAsnTable(bytes);
}

export function defaultAsnDataFile(): string {
  return join(packageRoot(__dirname), ASN_DATA_RELATIVE_PATH);
}

/**
 * The nearest folder at or above `start` holding a package.json: the repository root both from
 * `src/adapters` (tests run the TypeScript) and from `dist/src/adapters` (the built app, also in
 * the Functions deployment package, which ships `data/` beside `dist/`).
 */
export function packageRoot(start: string): string {
  for (let folder = start; ; folder = dirname(folder)) {
    if (existsSync(join(folder, 'package.json'))) return folder;
    if (dirname(folder) === folder) throw new AsnDataUnavailableError(`no package.json in ${start} or above it`);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
