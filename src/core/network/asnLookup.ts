import { AsnTable } from './asnTable';
import { parseCidr } from './cidr';
import type { ParsedIp } from './ip';
import { writeIpv6Words } from './ipRanges';

/** The autonomous system an address is announced from, and who runs it. */
export interface AsnInfo {
  readonly asn: number;
  readonly organization: string;
}

/**
 * IP-to-ASN lookup. The real one is the built data file (`loadAsnData()` in src/adapters/asnData);
 * tests and the demo use `AsnLookup.fromRanges`.
 */
export interface AsnLookup {
  /** Undefined when no announced range holds the address (private, reserved or unrouted space). */
  lookup(ip: ParsedIp): AsnInfo | undefined;
}

export interface AsnRange {
  /** `198.51.100.0/24`, `2001:db8:1::/48`: validated with parseCidr. */
  readonly cidr: string;
  readonly asn: number;
  readonly organization: string;
}

export const AsnLookup = {
  /**
   * An in-memory table from CIDR blocks, searched by the same code as the data file. Blocks must
   * not overlap (a table where two ASNs claim one address is a mistake in the test, not a case to
   * resolve); throws on an invalid CIDR, an ASN outside 0 … 4,294,967,295, or an overlap.
   */
  fromRanges(ranges: readonly AsnRange[]): AsnLookup {
    const ipv4: Array<{ first: number; last: number; entry: number; text: string }> = [];
    const ipv6: Array<{ first: bigint; last: bigint; entry: number; text: string }> = [];
    const entryKeys = new Map<string, number>();
    const entryAsns: number[] = [];
    const organizations: string[] = [];

    for (const range of ranges) {
      const parsed = parseCidr(range.cidr);
      if (!parsed.ok) throw new Error(`AsnLookup.fromRanges: ${parsed.reason}`);
      if (!Number.isInteger(range.asn) || range.asn < 0 || range.asn > 0xffff_ffff) {
        throw new Error(`AsnLookup.fromRanges: ASN ${range.asn} for ${range.cidr} is not a 32-bit AS number`);
      }
      const key = `${range.asn}\u0000${range.organization}`;
      let entry = entryKeys.get(key);
      if (entry === undefined) {
        entry = entryAsns.length;
        entryKeys.set(key, entry);
        entryAsns.push(range.asn);
        organizations.push(range.organization);
      }
      const cidr = parsed.value;
      if (cidr.version === 4) ipv4.push({ first: cidr.first, last: cidr.last, entry, text: cidr.text });
      else ipv6.push({ first: cidr.first, last: cidr.last, entry, text: cidr.text });
    }

    const byFirst = <T extends number | bigint>(a: { first: T }, b: { first: T }): number => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0);
    ipv4.sort(byFirst);
    ipv6.sort(byFirst);
    for (const list of [ipv4, ipv6] as const) {
      for (let i = 1; i < list.length; i++) {
        const previous = list[i - 1]!;
        const current = list[i]!;
        if (current.first <= previous.last) throw new Error(`AsnLookup.fromRanges: ${previous.text} and ${current.text} overlap`);
      }
    }

    const ipv4Table = { starts: Uint32Array.from(ipv4, (r) => r.first), ends: Uint32Array.from(ipv4, (r) => r.last) };
    const ipv6Table = { starts: new Uint32Array(4 * ipv6.length), ends: new Uint32Array(4 * ipv6.length) };
    ipv6.forEach((range, i) => {
      writeIpv6Words(ipv6Table.starts, 4 * i, range.first);
      writeIpv6Words(ipv6Table.ends, 4 * i, range.last);
    });

    return new AsnTable({
      ipv4: ipv4Table,
      ipv4Entries: Uint32Array.from(ipv4, (r) => r.entry),
      ipv6: ipv6Table,
      ipv6Entries: Uint32Array.from(ipv6, (r) => r.entry),
      entryAsns: Uint32Array.from(entryAsns),
      // One organisation per entry here, so entry index = organisation index.
      entryOrganizations: Uint32Array.from(entryAsns, (_, i) => i),
      organizationName: (index) => organizations[index] ?? '',
      source: 'in-memory ranges',
    });
  },
};
