import { parseCidrs, type Cidr } from './cidr';
import { parseIp, type ParsedIp } from './ip';
import { findIpv4Range, findIpv6Range, writeIpv6Words, type Ipv4RangeTable, type Ipv6RangeTable } from './ipRanges';

/** Thrown by CidrSet.from when entries are not CIDR blocks; names every bad entry at once. */
export class InvalidCidrError extends Error {
  override readonly name = 'InvalidCidrError';
  constructor(readonly reasons: readonly string[]) {
    super(`invalid CIDR ${reasons.length === 1 ? 'entry' : 'entries'}: ${reasons.join('; ')}`);
  }
}

/**
 * A set of IPv4 and IPv6 CIDR blocks with fast containment: the blocks are sorted and merged into
 * disjoint ranges once, and `contains` is a binary search over typed arrays.
 * Used for the AzureCloud service-tag ranges and for operator allowlists.
 */
export class CidrSet {
  static readonly EMPTY = new CidrSet({ starts: new Uint32Array(0), ends: new Uint32Array(0) }, { starts: new Uint32Array(0), ends: new Uint32Array(0) });

  private constructor(
    private readonly ipv4: Ipv4RangeTable,
    private readonly ipv6: Ipv6RangeTable,
  ) {}

  /** Throws InvalidCidrError listing every entry that parseCidr rejects. */
  static from(cidrs: readonly string[]): CidrSet {
    const parsed = parseCidrs(cidrs);
    if (parsed.problems.length > 0) throw new InvalidCidrError(parsed.problems);
    return CidrSet.fromCidrs(parsed.cidrs);
  }

  static fromCidrs(cidrs: readonly Cidr[]): CidrSet {
    const ipv4: Array<[number, number]> = [];
    const ipv6: Array<[bigint, bigint]> = [];
    for (const cidr of cidrs) {
      if (cidr.version === 4) ipv4.push([cidr.first, cidr.last]);
      else ipv6.push([cidr.first, cidr.last]);
    }

    const mergedIpv4 = mergeRanges(ipv4, (last) => last + 1);
    const ipv4Table = { starts: new Uint32Array(mergedIpv4.length), ends: new Uint32Array(mergedIpv4.length) };
    mergedIpv4.forEach(([first, last], i) => {
      ipv4Table.starts[i] = first;
      ipv4Table.ends[i] = last;
    });

    const mergedIpv6 = mergeRanges(ipv6, (last) => last + 1n);
    const ipv6Table = { starts: new Uint32Array(mergedIpv6.length * 4), ends: new Uint32Array(mergedIpv6.length * 4) };
    mergedIpv6.forEach(([first, last], i) => {
      writeIpv6Words(ipv6Table.starts, i * 4, first);
      writeIpv6Words(ipv6Table.ends, i * 4, last);
    });
    return new CidrSet(ipv4Table, ipv6Table);
  }

  /** A string is parsed with parseIp first; one that does not parse is in no set. */
  contains(ip: ParsedIp | string): boolean {
    const address = typeof ip === 'string' ? parseIp(ip) : ip;
    if (address === undefined) return false;
    if (address.version === 4) return findIpv4Range(this.ipv4, address.value) >= 0;
    const [w0, w1, w2, w3] = address.words;
    return findIpv6Range(this.ipv6, w0, w1, w2, w3) >= 0;
  }

  /** Disjoint IPv4 ranges left after merging overlapping and adjacent blocks. */
  get ipv4RangeCount(): number {
    return this.ipv4.starts.length;
  }

  /** Disjoint IPv6 ranges left after merging overlapping and adjacent blocks. */
  get ipv6RangeCount(): number {
    return this.ipv6.starts.length / 4;
  }

  get isEmpty(): boolean {
    return this.ipv4RangeCount === 0 && this.ipv6RangeCount === 0;
  }
}

/** Sorts inclusive ranges and joins those that overlap or touch (`last + 1 === next first`). */
function mergeRanges<T extends number | bigint>(ranges: Array<[T, T]>, successor: (value: T) => T): Array<[T, T]> {
  ranges.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const merged: Array<[T, T]> = [];
  for (const [first, last] of ranges) {
    const previous = merged[merged.length - 1];
    if (previous !== undefined && first <= successor(previous[1])) {
      if (last > previous[1]) previous[1] = last;
    } else {
      merged.push([first, last]);
    }
  }
  return merged;
}
