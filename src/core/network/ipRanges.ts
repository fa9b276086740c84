/**
 * Sorted, non-overlapping, inclusive address ranges in typed arrays, and the binary search over
 * them. Shared by CIDR sets (service tags, allowlists) and the IP-to-ASN table, whose arrays are
 * views straight over the data file.
 *
 * IPv4 ranges: `starts[i]` … `ends[i]` (uint32 each).
 * IPv6 ranges: four words per bound, most significant first: `starts[4i … 4i+3]` … `ends[4i … 4i+3]`.
 */

export interface Ipv4RangeTable {
  readonly starts: Uint32Array;
  readonly ends: Uint32Array;
}

export interface Ipv6RangeTable {
  /** 4 × count words. */
  readonly starts: Uint32Array;
  /** 4 × count words. */
  readonly ends: Uint32Array;
}

// Indexes below are inside the arrays by construction of the searches, hence the `!`s.

/** Index of the range holding `value`, or -1. */
export function findIpv4Range(table: Ipv4RangeTable, value: number): number {
  const { starts, ends } = table;
  // Last range whose start is <= value.
  let low = 0;
  let high = starts.length - 1;
  let found = -1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    if (starts[middle]! <= value) {
      found = middle;
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  return found >= 0 && value <= ends[found]! ? found : -1;
}

/** Index of the range holding the address `w0 w1 w2 w3`, or -1. */
export function findIpv6Range(table: Ipv6RangeTable, w0: number, w1: number, w2: number, w3: number): number {
  const { starts, ends } = table;
  let low = 0;
  let high = (starts.length >>> 2) - 1;
  let found = -1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    if (compareWords(starts, middle << 2, w0, w1, w2, w3) <= 0) {
      found = middle;
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  return found >= 0 && compareWords(ends, found << 2, w0, w1, w2, w3) >= 0 ? found : -1;
}

/** Sign of (array[at … at+3]) minus (w0 w1 w2 w3), as 128-bit unsigned numbers. */
function compareWords(array: Uint32Array, at: number, w0: number, w1: number, w2: number, w3: number): number {
  const a0 = array[at]!;
  if (a0 !== w0) return a0 < w0 ? -1 : 1;
  const a1 = array[at + 1]!;
  if (a1 !== w1) return a1 < w1 ? -1 : 1;
  const a2 = array[at + 2]!;
  if (a2 !== w2) return a2 < w2 ? -1 : 1;
  const a3 = array[at + 3]!;
  if (a3 !== w3) return a3 < w3 ? -1 : 1;
  return 0;
}

/** 2^32, the weight of one 32-bit word. */
const WORD = 0x1_0000_0000n;

export function ipv6WordsToBigInt(words: readonly [number, number, number, number]): bigint {
  return ((BigInt(words[0]) * WORD + BigInt(words[1])) * WORD + BigInt(words[2])) * WORD + BigInt(words[3]);
}

export function bigIntToIpv6Words(value: bigint): [number, number, number, number] {
  return [
    Number((value >> 96n) & 0xffff_ffffn),
    Number((value >> 64n) & 0xffff_ffffn),
    Number((value >> 32n) & 0xffff_ffffn),
    Number(value & 0xffff_ffffn),
  ];
}

export function writeIpv6Words(target: Uint32Array, at: number, value: bigint): void {
  target.set(bigIntToIpv6Words(value), at);
}
