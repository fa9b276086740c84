// Converts the IP-to-ASN CSVs of @ip-location-db/asn into data/asn/asn.bin, the compact file that
// src/adapters/asnData.ts maps into typed arrays at start-up. The layout is documented in
// src/core/network/asnTable.ts (format version 1); this script is its only writer.
//
// Runs before tsc in `npm run build`. Skips the work when asn.bin is newer than both CSVs and this
// script. Usage: node scripts/build-asn.mjs [--force] [--from <dir with the two CSVs>] [--out <file>]
// (--from and --out let tests build a table from their own small CSVs.)

import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const MAGIC = 'TWASNBIN';
const FORMAT_VERSION = 1;
const HEADER_BYTES = 64;
const PACKAGE = '@ip-location-db/asn';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function main() {
  const force = process.argv.includes('--force');
  const outputFile = resolve(argument('--out') ?? join(repoRoot, 'data', 'asn', 'asn.bin'));
  const packageDir = argument('--from') ?? installedPackageDir();
  if (packageDir === undefined) {
    // A production-only install (npm ci --omit=dev) has no devDependencies; a table built earlier still serves.
    if (existsSync(outputFile)) {
      console.log(`build-asn: ${PACKAGE} is not installed; keeping ${relative(outputFile)}`);
      return;
    }
    fail(`${PACKAGE} is not installed and ${relative(outputFile)} does not exist (it is a devDependency: run npm install)`);
  }
  const ipv4File = join(packageDir, 'asn-ipv4-num.csv');
  const ipv6File = join(packageDir, 'asn-ipv6-num.csv');
  const version = readVersion(join(packageDir, 'package.json'));

  const inputs = [ipv4File, ipv6File, fileURLToPath(import.meta.url)];
  if (!force && isNewerThanAll(outputFile, inputs)) {
    console.log(`build-asn: ${relative(outputFile)} is up to date`);
    return;
  }

  const started = process.hrtime.bigint();
  const entries = new EntryTable();
  const ipv4 = resolveOverlaps(readCsv(ipv4File, entries, (text) => Number(text)), (value) => value + 1, (value) => value - 1);
  const ipv6 = resolveOverlaps(readCsv(ipv6File, entries, (text) => BigInt(text)), (value) => value + 1n, (value) => value - 1n);
  const bytes = encode(ipv4, ipv6, entries, `${PACKAGE} ${version}`);

  mkdirSync(dirname(outputFile), { recursive: true });
  // Write then rename, so a concurrent reader never sees half a file.
  const temporary = `${outputFile}.${process.pid}.tmp`;
  writeFileSync(temporary, bytes);
  renameSync(temporary, outputFile);
  const milliseconds = Number(process.hrtime.bigint() - started) / 1e6;
  console.log(
    `build-asn: ${relative(outputFile)} from ${PACKAGE} ${version}: ${ipv4.length} IPv4 and ${ipv6.length} IPv6 ranges, ` +
      `${entries.asns.length} AS entries, ${(bytes.byteLength / 1048576).toFixed(1)} MiB in ${milliseconds.toFixed(0)} ms`,
  );
}

/** Distinct (ASN, organisation) pairs and distinct organisation names, in first-seen order. */
class EntryTable {
  asns = [];
  organizationIndexes = [];
  organizations = [];
  #entryByKey = new Map();
  #organizationByName = new Map();

  indexOf(asn, organization) {
    const key = `${asn}\u0000${organization}`;
    let entry = this.#entryByKey.get(key);
    if (entry === undefined) {
      let organizationIndex = this.#organizationByName.get(organization);
      if (organizationIndex === undefined) {
        organizationIndex = this.organizations.length;
        this.organizations.push(organization);
        this.#organizationByName.set(organization, organizationIndex);
      }
      entry = this.asns.length;
      this.asns.push(asn);
      this.organizationIndexes.push(organizationIndex);
      this.#entryByKey.set(key, entry);
    }
    return entry;
  }
}

/**
 * Rows are `start,end,asn,organization`: inclusive decimal bounds, the organisation CSV-quoted
 * when it holds a comma or a quote (`"Cloudflare, Inc."`, `"LLC ""SPUTNIK"""`).
 */
function readCsv(file, entries, toNumber) {
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    fail(`cannot read ${file}: ${error.message}`);
  }
  const ranges = [];
  let lineStart = 0;
  let lineNumber = 0;
  while (lineStart < text.length) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd < 0) lineEnd = text.length;
    lineNumber++;
    const line = text.slice(lineStart, lineEnd).replace(/\r$/, '');
    lineStart = lineEnd + 1;
    if (line === '') continue;

    const comma1 = line.indexOf(',');
    const comma2 = line.indexOf(',', comma1 + 1);
    const comma3 = line.indexOf(',', comma2 + 1);
    if (comma1 < 0 || comma2 < 0 || comma3 < 0) fail(`${file}:${lineNumber}: expected start,end,asn,organization`);
    const startText = line.slice(0, comma1);
    const endText = line.slice(comma1 + 1, comma2);
    const asnText = line.slice(comma2 + 1, comma3);
    if (!/^\d+$/.test(startText) || !/^\d+$/.test(endText) || !/^\d+$/.test(asnText)) fail(`${file}:${lineNumber}: bounds and ASN must be decimal numbers`);
    let organization = line.slice(comma3 + 1);
    if (organization.startsWith('"')) {
      if (organization.length < 2 || !organization.endsWith('"')) fail(`${file}:${lineNumber}: unterminated quoted organisation`);
      organization = organization.slice(1, -1).replaceAll('""', '"');
    }
    const start = toNumber(startText);
    const end = toNumber(endText);
    const asn = Number(asnText);
    if (end < start) fail(`${file}:${lineNumber}: range ends before it starts`);
    if (asn > 0xffffffff) fail(`${file}:${lineNumber}: ASN ${asn} is not a 32-bit number`);
    ranges.push({ start, end, entry: entries.indexOf(asn, organization.trim()) });
  }
  ranges.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  return ranges;
}

/**
 * Makes the sorted ranges disjoint, as the binary search needs. Where two overlap (the published
 * data has a handful), the one starting later is the more specific announcement and wins; an
 * earlier range reaching past it resumes after it. Adjacent ranges of the same entry are joined.
 */
function resolveOverlaps(ranges, next, previous) {
  const disjoint = [];
  const pending = ranges.slice();
  for (let i = 0; i < pending.length; i++) {
    const range = { ...pending[i] };
    const last = disjoint[disjoint.length - 1];
    if (last !== undefined && range.start <= last.end) {
      if (range.isTail) {
        // The resumed part of an earlier, wider range yields to everything it overlaps.
        if (range.end <= last.end) continue;
        range.start = next(last.end);
      } else {
        if (last.end > range.end) {
          const tail = { start: next(range.end), end: last.end, entry: last.entry, isTail: true };
          let at = i + 1;
          while (at < pending.length && pending[at].start < tail.start) at++;
          pending.splice(at, 0, tail);
        }
        last.end = previous(range.start);
        if (last.end < last.start) disjoint.pop();
      }
    }
    const joined = disjoint[disjoint.length - 1];
    if (joined !== undefined && joined.entry === range.entry && next(joined.end) === range.start) joined.end = range.end;
    else disjoint.push({ start: range.start, end: range.end, entry: range.entry });
  }
  return disjoint;
}

function encode(ipv4, ipv6, entries, source) {
  const encoder = new TextEncoder();
  const organizationBytes = entries.organizations.map((name) => encoder.encode(name));
  const organizationLength = organizationBytes.reduce((sum, bytes) => sum + bytes.byteLength, 0);
  const sourceBytes = encoder.encode(source);
  const entryCount = entries.asns.length;
  const organizationCount = entries.organizations.length;
  const padded = (n) => Math.ceil(n / 4) * 4;

  const wordCount = 3 * ipv4.length + 9 * ipv6.length + 2 * entryCount + organizationCount + 1;
  const totalBytes = HEADER_BYTES + 4 * wordCount + padded(organizationLength) + padded(sourceBytes.byteLength);
  const buffer = new ArrayBuffer(totalBytes);
  const view = new DataView(buffer);
  const bytes = new Uint8Array(buffer);

  bytes.set(encoder.encode(MAGIC), 0);
  const header = [FORMAT_VERSION, ipv4.length, ipv6.length, entryCount, organizationCount, organizationLength, sourceBytes.byteLength];
  header.forEach((value, i) => view.setUint32(8 + 4 * i, value, true));

  let offset = HEADER_BYTES;
  const word = (value) => {
    view.setUint32(offset, value, true);
    offset += 4;
  };
  const words128 = (value) => {
    word(Number((value >> 96n) & 0xffffffffn));
    word(Number((value >> 64n) & 0xffffffffn));
    word(Number((value >> 32n) & 0xffffffffn));
    word(Number(value & 0xffffffffn));
  };

  for (const range of ipv4) word(range.start);
  for (const range of ipv4) word(range.end);
  for (const range of ipv4) word(range.entry);
  for (const range of ipv6) words128(range.start);
  for (const range of ipv6) words128(range.end);
  for (const range of ipv6) word(range.entry);
  for (const asn of entries.asns) word(asn);
  for (const index of entries.organizationIndexes) word(index);
  let textOffset = 0;
  for (const name of organizationBytes) {
    word(textOffset);
    textOffset += name.byteLength;
  }
  word(textOffset);
  for (const name of organizationBytes) {
    bytes.set(name, offset);
    offset += name.byteLength;
  }
  offset = padded(offset);
  bytes.set(sourceBytes, offset);
  return bytes;
}

function argument(name) {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

function installedPackageDir() {
  try {
    return dirname(createRequire(join(repoRoot, 'package.json')).resolve(`${PACKAGE}/package.json`));
  } catch {
    return undefined;
  }
}

function readVersion(packageJson) {
  try {
    return JSON.parse(readFileSync(packageJson, 'utf8')).version ?? 'unknown version';
  } catch {
    return 'unknown version';
  }
}

function isNewerThanAll(output, inputs) {
  let outputTime;
  try {
    outputTime = statSync(output).mtimeMs;
  } catch {
    return false;
  }
  return inputs.every((input) => {
    try {
      return statSync(input).mtimeMs < outputTime;
    } catch {
      return false;
    }
  });
}

function relative(file) {
  return file.startsWith(repoRoot) ? file.slice(repoRoot.length + 1) : file;
}

function fail(message) {
  console.error(`build-asn: ${message}`);
  process.exit(1);
}

main();
