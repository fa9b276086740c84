import type { Cidr } from './cidr';
import type { ParsedIp } from './ip';
import { findIpv4Range, findIpv6Range, writeIpv6Words, type Ipv4RangeTable, type Ipv6RangeTable } from './ipRanges';

/**
 * Address → Azure region, from the regional `AzureCloud.<region>` service tags. Built once per
 * service-tags document; a lookup is one binary search over typed arrays (the same search as the
 * AzureCloud CidrSet and the ASN table), so the classifier's per-address cost stays flat.
 *
 * Overlaps: two CIDR blocks are either disjoint or one holds the other. When tags of two regions
 * hold nested blocks, the MOST SPECIFIC (longest) prefix wins for the addresses it covers, and the
 * wider block keeps the rest; this is the rule routers use, and it is the only one that gives a
 * carved-out block (a /24 of region B inside a /16 of region A) its own region. The very same
 * block listed under two regions goes to the region whose name sorts first, so the answer does not
 * depend on the order of the tags in the document. (The 2025-10-28 public download has neither:
 * its 12,666 regional prefixes are disjoint; test/conformance checks that.)
 */
export interface RegionLookup {
  /** The region (`westeurope`) whose tag holds the address, or undefined when none does. */
  lookup(ip: ParsedIp): string | undefined;
}

/** The prefixes of one region, as parsed from its `AzureCloud.<region>` tag(s). */
export interface RegionPrefixes {
  readonly region: string;
  readonly cidrs: readonly Cidr[];
}

/** 65,535: the largest region index a Uint16Array label holds (Azure has well under 100 regions). */
const MAX_REGIONS = 0xffff;

interface Block<T extends number | bigint> {
  readonly first: T;
  readonly last: T;
  readonly prefixLength: number;
  readonly label: number;
}

type Segment<T> = [first: T, last: T, label: number];

/** ±1 on addresses: numbers for IPv4, bigints for IPv6. */
interface Step<T> {
  next(value: T): T;
  previous(value: T): T;
}

export class RegionTable implements RegionLookup {
  static readonly EMPTY = RegionTable.fromRegions([]);

  private constructor(
    /** Region names sorted; labels index into it. */
    readonly regions: readonly string[],
    private readonly ipv4: Ipv4RangeTable,
    private readonly ipv4Labels: Uint16Array,
    private readonly ipv6: Ipv6RangeTable,
    private readonly ipv6Labels: Uint16Array,
  ) {}

  /** Throws RangeError past 65,535 regions; the same region may appear in several entries. */
  static fromRegions(entries: readonly RegionPrefixes[]): RegionTable {
    const regions = [...new Set(entries.map((entry) => entry.region))].sort();
    if (regions.length > MAX_REGIONS) throw new RangeError(`RegionTable: ${regions.length} regions, at most ${MAX_REGIONS}`);
    const labelOf = new Map(regions.map((region, index) => [region, index]));

    const ipv4: Block<number>[] = [];
    const ipv6: Block<bigint>[] = [];
    for (const entry of entries) {
      const label = labelOf.get(entry.region) ?? 0;
      for (const cidr of entry.cidrs) {
        if (cidr.version === 4) ipv4.push({ first: cidr.first, last: cidr.last, prefixLength: cidr.prefixLength, label });
        else ipv6.push({ first: cidr.first, last: cidr.last, prefixLength: cidr.prefixLength, label });
      }
    }

    const v4 = mostSpecificSegments(ipv4, { next: (value) => value + 1, previous: (value) => value - 1 });
    const ipv4Table = { starts: Uint32Array.from(v4, (s) => s[0]), ends: Uint32Array.from(v4, (s) => s[1]) };
    const v6 = mostSpecificSegments(ipv6, { next: (value) => value + 1n, previous: (value) => value - 1n });
    const ipv6Table = { starts: new Uint32Array(4 * v6.length), ends: new Uint32Array(4 * v6.length) };
    v6.forEach(([first, last], i) => {
      writeIpv6Words(ipv6Table.starts, 4 * i, first);
      writeIpv6Words(ipv6Table.ends, 4 * i, last);
    });
    return new RegionTable(regions, ipv4Table, Uint16Array.from(v4, (s) => s[2]), ipv6Table, Uint16Array.from(v6, (s) => s[2]));
  }

  lookup(ip: ParsedIp): string | undefined {
    if (ip.version === 4) {
      const index = findIpv4Range(this.ipv4, ip.value);
      return index < 0 ? undefined : this.regions[this.ipv4Labels[index]!];
    }
    const [w0, w1, w2, w3] = ip.words;
    const index = findIpv6Range(this.ipv6, w0, w1, w2, w3);
    return index < 0 ? undefined : this.regions[this.ipv6Labels[index]!];
  }

  get regionCount(): number {
    return this.regions.length;
  }

  /** Disjoint labelled ranges left after resolving overlaps and joining neighbours of one region. */
  get rangeCount(): number {
    return this.ipv4Labels.length + this.ipv6Labels.length;
  }
}

/**
 * Flattens CIDR blocks (nested or disjoint, never partly overlapping) into sorted disjoint
 * segments, each labelled by the innermost block that covers it, then joins touching segments of
 * the same label. A sweep over the blocks sorted by start, outer before inner, with a stack of the
 * blocks still open.
 */
function mostSpecificSegments<T extends number | bigint>(blocks: Block<T>[], step: Step<T>): Segment<T>[] {
  blocks.sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : a.prefixLength - b.prefixLength || a.label - b.label));
  const segments: Segment<T>[] = [];
  const emit = (first: T, last: T, label: number): void => {
    if (first > last) return;
    const previous = segments[segments.length - 1];
    if (previous !== undefined && previous[2] === label && step.next(previous[1]) === first) previous[1] = last;
    else segments.push([first, last, label]);
  };

  const open: Block<T>[] = [];
  // The first address not yet given to a segment, inside the innermost open block.
  let cursor: T | undefined;
  // Closes the open blocks that end before `limit` (all of them when undefined), innermost first.
  const closeBefore = (limit: T | undefined): void => {
    for (let top = open.at(-1); top !== undefined && (limit === undefined || top.last < limit); top = open.at(-1)) {
      open.pop();
      if (cursor !== undefined) emit(cursor, top.last, top.label);
      cursor = step.next(top.last);
    }
  };
  let previous: Block<T> | undefined;
  for (const block of blocks) {
    // The same block under a second region: the first (by region name) keeps it.
    if (previous !== undefined && previous.first === block.first && previous.prefixLength === block.prefixLength) continue;
    previous = block;
    closeBefore(block.first);
    const holder = open.at(-1);
    if (holder !== undefined && cursor !== undefined && cursor < block.first) emit(cursor, step.previous(block.first), holder.label);
    open.push(block);
    cursor = block.first;
  }
  closeBefore(undefined);
  return segments;
}
