import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AsnDataFormatError, decodeAsnTable, type AsnTable } from '../../../src/core/network/asnTable';
import { parseIp, parseIpv4, parseIpv6Words } from '../../../src/core/network/ip';
import { ipv6WordsToBigInt } from '../../../src/core/network/ipRanges';

// The table format has one writer (scripts/build-asn.mjs) and one reader (decodeAsnTable): these
// tests run the writer over small CSVs in the shape of @ip-location-db/asn and read its output.
const buildScript = resolve(__dirname, '../../../scripts/build-asn.mjs');

const v4 = (address: string): number => parseIpv4(address)!.value;
const v6 = (address: string): bigint => ipv6WordsToBigInt(parseIpv6Words(address)!);

const ipv4Csv = [
  // Out of order on purpose: the script sorts.
  `${v4('203.0.113.0')},${v4('203.0.113.127')},64502,Contoso Transit`,
  `${v4('192.0.2.0')},${v4('192.0.2.255')},64496,Contoso Networks`,
  `${v4('198.51.100.0')},${v4('198.51.100.255')},64500,"Fabrikam, Inc."`,
  // Nested inside Fabrikam: wins inside, and Fabrikam resumes after it.
  `${v4('198.51.100.64')},${v4('198.51.100.127')},64501,"LLC ""Contoso East"""\r`,
  // Overlaps the end of Contoso Transit: the later start wins the overlap.
  `${v4('203.0.113.64')},${v4('203.0.113.255')},64503,Fabrikam Transit `,
  '',
].join('\n');

const ipv6Csv = [
  `${v6('2001:db8::')},${v6('2001:db8:0:ffff:ffff:ffff:ffff:ffff')},64511,Contoso IPv6`,
  // Not aligned to any prefix: bounds use all 128 bits.
  `${v6('2001:db8:1::1')},${v6('2001:db8:1::ff')},64510,Fabrikam Straße GmbH`,
  `${v6('2001:db8:2::')},${v6('2001:db8:2::ffff')},64500,"Fabrikam, Inc."`,
].join('\n');

let workDir: string;
let tableFile: string;
let table: AsnTable;

function runBuild(...extra: string[]): string {
  return execFileSync(process.execPath, [buildScript, '--from', workDir, '--out', tableFile, ...extra], { encoding: 'utf8' });
}

beforeAll(() => {
  workDir = mkdtempSync(join(tmpdir(), 'asn-table-'));
  tableFile = join(workDir, 'out', 'asn.bin');
  writeFileSync(join(workDir, 'asn-ipv4-num.csv'), ipv4Csv);
  writeFileSync(join(workDir, 'asn-ipv6-num.csv'), ipv6Csv);
  writeFileSync(join(workDir, 'package.json'), JSON.stringify({ name: '@ip-location-db/asn', version: '0.0.1-test' }));
  // Inputs from an hour ago, so "output newer than input" does not depend on the file system's clock granularity.
  const anHourAgo = new Date(Date.now() - 3_600_000);
  for (const csv of ['asn-ipv4-num.csv', 'asn-ipv6-num.csv']) utimesSync(join(workDir, csv), anHourAgo, anHourAgo);
  runBuild();
  table = decodeAsnTable(readFileSync(tableFile));
});

afterAll(() => {
  rmSync(workDir, { recursive: true, force: true });
});

describe('the built table, read back', () => {
  it.each([
    ['192.0.2.0', 64496, 'Contoso Networks'],
    ['192.0.2.255', 64496, 'Contoso Networks'],
    ['198.51.100.63', 64500, 'Fabrikam, Inc.'],
    ['198.51.100.64', 64501, 'LLC "Contoso East"'],
    ['198.51.100.127', 64501, 'LLC "Contoso East"'],
    ['198.51.100.128', 64500, 'Fabrikam, Inc.'],
    ['198.51.100.255', 64500, 'Fabrikam, Inc.'],
    ['203.0.113.63', 64502, 'Contoso Transit'],
    ['203.0.113.64', 64503, 'Fabrikam Transit'],
    ['203.0.113.255', 64503, 'Fabrikam Transit'],
    ['2001:db8::1', 64511, 'Contoso IPv6'],
    ['2001:db8:0:ffff:ffff:ffff:ffff:ffff', 64511, 'Contoso IPv6'],
    ['2001:db8:1::1', 64510, 'Fabrikam Straße GmbH'],
    ['2001:db8:1::ff', 64510, 'Fabrikam Straße GmbH'],
    ['2001:db8:2::abcd', 64500, 'Fabrikam, Inc.'],
  ])('%s -> AS%s %s', (address, asn, organization) => {
    expect(table.lookup(parseIp(address)!)).toEqual({ asn, organization });
  });

  it.each(['192.0.1.255', '192.0.3.0', '198.51.99.255', '203.0.114.0', '2001:db8:1::', '2001:db8:1::100', '2001:db8:2::1:0', '2001:db7::1'])(
    '%s -> undefined',
    (address) => {
      expect(table.lookup(parseIp(address)!)).toBeUndefined();
    },
  );

  it('holds disjoint ranges: the nested range split its parent in two', () => {
    // 192.0.2/24, Fabrikam ×2 around Contoso East, Contoso Transit, Fabrikam Transit
    expect(table.ipv4RangeCount).toBe(6);
    expect(table.ipv6RangeCount).toBe(3);
    expect(table.source).toBe('@ip-location-db/asn 0.0.1-test');
  });

  it('shares one result object per AS entry across IPv4 and IPv6', () => {
    expect(table.lookup(parseIp('198.51.100.1')!)).toBe(table.lookup(parseIp('2001:db8:2::1')!));
  });

  it('is skipped when the output is newer than its inputs, and rebuilt with --force', () => {
    expect(runBuild()).toContain('is up to date');
    expect(runBuild('--force')).toContain('6 IPv4 and 3 IPv6 ranges');
  });
});

describe('decodeAsnTable', () => {
  it('reads bytes that are not 4-byte aligned (by copying them)', () => {
    const original = readFileSync(tableFile);
    const shifted = new Uint8Array(original.byteLength + 1);
    shifted.set(original, 1);
    const decoded = decodeAsnTable(shifted.subarray(1));
    expect(decoded.lookup(parseIp('198.51.100.64')!)).toEqual({ asn: 64501, organization: 'LLC "Contoso East"' });
  });

  it.each([
    ['shorter than the header', (bytes: Uint8Array) => bytes.subarray(0, 10), 'shorter than its header'],
    ['another magic', (bytes: Uint8Array) => withByte(bytes, 0, 0x58), 'magic'],
    ['another format version', (bytes: Uint8Array) => withByte(bytes, 8, 2), 'format version 2'],
    ['truncated', (bytes: Uint8Array) => bytes.slice(0, bytes.byteLength - 4), 'its header describes'],
  ])('rejects a file %s', (_, corrupt, message) => {
    const bytes = corrupt(new Uint8Array(readFileSync(tableFile)));
    expect(() => decodeAsnTable(bytes)).toThrow(AsnDataFormatError);
    expect(() => decodeAsnTable(bytes)).toThrow(message);
  });
});

function withByte(bytes: Uint8Array, at: number, value: number): Uint8Array {
  const copy = bytes.slice();
  copy[at] = value;
  return copy;
}
