import { describe, expect, it } from 'vitest';
import { lookupAll, sampleAddresses } from '../../src/bench/asnBench';
import { AsnLookup } from '../../src/core/network/asnLookup';

describe('ASN lookup sampling', () => {
  it('draws the same public addresses for the same seed, about 90 % IPv4 and the rest in 2000::/3', () => {
    const first = sampleAddresses(2_000, 7);
    expect(sampleAddresses(2_000, 7).map((a) => a.text)).toEqual(first.map((a) => a.text));
    const v4 = first.filter((a) => a.version === 4);
    expect(v4.length / first.length).toBeGreaterThan(0.85);
    expect(v4.length / first.length).toBeLessThan(0.95);
    for (const a of first) {
      if (a.version === 4) expect(a.value).toBeGreaterThanOrEqual(0x01000000);
      else expect(a.words[0] >>> 29).toBe(1);
    }
  });

  it('counts the addresses an announced range holds', () => {
    const table = AsnLookup.fromRanges([{ cidr: '192.0.2.0/24', asn: 64500, organization: 'Contoso' }]);
    const addresses = [...sampleAddresses(3, 1), ...['192.0.2.1', '192.0.2.200'].map((text) => ({ version: 4 as const, text, value: ipv4(text) }))];
    expect(lookupAll(table, addresses, 2)).toBe(2);
  });
});

function ipv4(text: string): number {
  return text.split('.').reduce((value, octet) => value * 256 + Number(octet), 0);
}
