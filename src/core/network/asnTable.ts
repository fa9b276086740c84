import type { AsnInfo, AsnLookup } from './asnLookup';
import type { ParsedIp } from './ip';
import { findIpv4Range, findIpv6Range, type Ipv4RangeTable, type Ipv6RangeTable } from './ipRanges';

/**
 * IP-to-ASN table over typed arrays: a binary search per lookup, organisation names decoded on
 * first use, and one frozen result object per (ASN, organisation) pair reused for every lookup,
 * so a warm lookup allocates nothing.
 *
 * The data file (`data/asn/asn.bin`, written by `scripts/build-asn.mjs`) holds the arrays as they
 * are used, so loading it is taking views over the file buffer. Layout, little-endian, every
 * section starting on a 4-byte boundary:
 *
 *   0   8 bytes  magic "TWASNBIN"
 *   8   u32      format version (1)
 *   12  u32      ipv4Count        16  u32  ipv6Count      20  u32  entryCount
 *   24  u32      organizationCount  28  u32  organizationBytes  32  u32  sourceBytes
 *   36–63        reserved (zero)
 *   64  u32 × ipv4Count       IPv4 range starts (sorted, disjoint, inclusive)
 *       u32 × ipv4Count       IPv4 range ends
 *       u32 × ipv4Count       IPv4 range entry index
 *       u32 × 4·ipv6Count     IPv6 range starts, four words each, most significant first
 *       u32 × 4·ipv6Count     IPv6 range ends
 *       u32 × ipv6Count       IPv6 range entry index
 *       u32 × entryCount      entry ASN
 *       u32 × entryCount      entry organisation index
 *       u32 × (organizationCount + 1)  organisation start offsets into the text, then the end
 *       u8  × organizationBytes        organisation names, UTF-8, concatenated (deduplicated)
 *       u8  × sourceBytes              where the data came from (`@ip-location-db/asn 2.3.…`), UTF-8
 * An "entry" is one distinct (ASN, organisation) pair; ranges point at entries.
 */
export const ASN_TABLE_MAGIC = 'TWASNBIN';
export const ASN_TABLE_FORMAT_VERSION = 1;
/** 64 bytes: magic, version, six counts, room for more. */
const HEADER_BYTES = 64;

export interface AsnTableParts {
  readonly ipv4: Ipv4RangeTable;
  readonly ipv4Entries: Uint32Array;
  readonly ipv6: Ipv6RangeTable;
  readonly ipv6Entries: Uint32Array;
  readonly entryAsns: Uint32Array;
  readonly entryOrganizations: Uint32Array;
  /** Organisation name by index; called at most once per entry. */
  readonly organizationName: (index: number) => string;
  /** Where the data came from, for logs and the benchmark. */
  readonly source: string;
}

/** The ASN data file is not in the expected format (truncated, another version, wrong file). */
export class AsnDataFormatError extends Error {
  override readonly name = 'AsnDataFormatError';
}

export class AsnTable implements AsnLookup {
  private readonly results: Array<AsnInfo | undefined>;

  constructor(private readonly parts: AsnTableParts) {
    this.results = new Array<AsnInfo | undefined>(parts.entryAsns.length);
  }

  lookup(ip: ParsedIp): AsnInfo | undefined {
    let entry: number;
    if (ip.version === 4) {
      const index = findIpv4Range(this.parts.ipv4, ip.value);
      if (index < 0) return undefined;
      entry = this.parts.ipv4Entries[index]!;
    } else {
      const [w0, w1, w2, w3] = ip.words;
      const index = findIpv6Range(this.parts.ipv6, w0, w1, w2, w3);
      if (index < 0) return undefined;
      entry = this.parts.ipv6Entries[index]!;
    }
    return this.results[entry] ?? this.resultFor(entry);
  }

  get ipv4RangeCount(): number {
    return this.parts.ipv4.starts.length;
  }

  get ipv6RangeCount(): number {
    return this.parts.ipv6.starts.length / 4;
  }

  get source(): string {
    return this.parts.source;
  }

  private resultFor(entry: number): AsnInfo {
    const result: AsnInfo = Object.freeze({
      asn: this.parts.entryAsns[entry]!,
      organization: this.parts.organizationName(this.parts.entryOrganizations[entry]!),
    });
    this.results[entry] = result;
    return result;
  }
}

/**
 * Reads the data file's bytes as an AsnTable without copying them: the arrays are views over
 * `bytes.buffer`. The caller must not modify the bytes afterwards.
 */
export function decodeAsnTable(bytes: Uint8Array): AsnTable {
  if (bytes.byteLength < HEADER_BYTES) throw new AsnDataFormatError(`ASN data is ${bytes.byteLength} bytes, shorter than its header`);
  if (new TextDecoder().decode(bytes.subarray(0, 8)) !== ASN_TABLE_MAGIC) throw new AsnDataFormatError('ASN data does not start with the TWASNBIN magic');
  if (!isLittleEndianPlatform()) {
    throw new AsnDataFormatError('ASN data is little-endian and is read through typed-array views, which need a little-endian CPU');
  }
  // Typed-array views need 4-byte alignment; a file read into a pooled buffer may not have it.
  const aligned = bytes.byteOffset % 4 === 0 ? bytes : bytes.slice();
  const header = new DataView(aligned.buffer, aligned.byteOffset, HEADER_BYTES);
  const version = header.getUint32(8, true);
  if (version !== ASN_TABLE_FORMAT_VERSION) {
    throw new AsnDataFormatError(`ASN data has format version ${version}; this code reads version ${ASN_TABLE_FORMAT_VERSION} (rebuild it with npm run build)`);
  }
  const ipv4Count = header.getUint32(12, true);
  const ipv6Count = header.getUint32(16, true);
  const entryCount = header.getUint32(20, true);
  const organizationCount = header.getUint32(24, true);
  const organizationBytes = header.getUint32(28, true);
  const sourceBytes = header.getUint32(32, true);

  const expectedLength =
    HEADER_BYTES + 4 * (3 * ipv4Count + 9 * ipv6Count + 2 * entryCount + organizationCount + 1) + padded(organizationBytes) + padded(sourceBytes);
  if (aligned.byteLength !== expectedLength) {
    throw new AsnDataFormatError(`ASN data is ${aligned.byteLength} bytes; its header describes ${expectedLength}`);
  }

  let offset = aligned.byteOffset + HEADER_BYTES;
  const words = (count: number): Uint32Array => {
    const view = new Uint32Array(aligned.buffer, offset, count);
    offset += 4 * count;
    return view;
  };
  const octets = (count: number): Uint8Array => {
    const view = new Uint8Array(aligned.buffer, offset, count);
    offset += padded(count);
    return view;
  };

  const ipv4 = { starts: words(ipv4Count), ends: words(ipv4Count) };
  const ipv4Entries = words(ipv4Count);
  const ipv6 = { starts: words(4 * ipv6Count), ends: words(4 * ipv6Count) };
  const ipv6Entries = words(ipv6Count);
  const entryAsns = words(entryCount);
  const entryOrganizations = words(entryCount);
  const organizationOffsets = words(organizationCount + 1);
  const organizationText = octets(organizationBytes);
  const source = new TextDecoder().decode(octets(sourceBytes));

  const decoder = new TextDecoder();
  return new AsnTable({
    ipv4,
    ipv4Entries,
    ipv6,
    ipv6Entries,
    entryAsns,
    entryOrganizations,
    organizationName: (index) => decoder.decode(organizationText.subarray(organizationOffsets[index], organizationOffsets[index + 1])),
    source,
  });
}

function padded(byteCount: number): number {
  return Math.ceil(byteCount / 4) * 4;
}

function isLittleEndianPlatform(): boolean {
  return new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
}
