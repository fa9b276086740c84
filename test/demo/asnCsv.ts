import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isIP } from 'node:net';

/**
 * A deliberately naive IP → ASN lookup over the installed `@ip-location-db/asn` CSV files, written
 * independently of the detector's own table so the demo data is checked against the source data.
 * Row format: `first,last,asn,organisation`.
 */
export interface AsnHit {
  readonly asn: number;
  readonly organization: string;
  readonly first: string;
  readonly last: string;
}

interface Row {
  readonly first: bigint;
  readonly last: bigint;
  readonly hit: AsnHit;
}

const repoRoot = path.resolve(__dirname, '../..');
const tables = new Map<4 | 6, Row[]>();

function ipToBigInt(ip: string): bigint {
  if (isIP(ip) === 4) return ip.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
  const [head = '', tail = ''] = ip.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = ip.includes('::') ? (tail === '' ? [] : tail.split(':')) : [];
  const groups = [...headGroups, ...Array(8 - headGroups.length - tailGroups.length).fill('0'), ...tailGroups];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

function load(version: 4 | 6): Row[] {
  const cached = tables.get(version);
  if (cached !== undefined) return cached;
  const file = path.join(repoRoot, 'node_modules', '@ip-location-db', 'asn', `asn-ipv${version}.csv`);
  const rows: Row[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line === '') continue;
    const [first = '', last = '', asn = '', ...org] = line.split(',');
    rows.push({ first: ipToBigInt(first), last: ipToBigInt(last), hit: { asn: Number(asn), organization: org.join(',').replace(/^"|"$/g, ''), first, last } });
  }
  rows.sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
  tables.set(version, rows);
  return rows;
}

export function lookupAsn(ip: string): AsnHit | undefined {
  const version = isIP(ip);
  if (version !== 4 && version !== 6) throw new Error(`lookupAsn: "${ip}" is not an IP address.`);
  const rows = load(version);
  const value = ipToBigInt(ip);
  let lo = 0;
  let hi = rows.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const row = rows[mid] as Row;
    if (value < row.first) hi = mid - 1;
    else if (value > row.last) lo = mid + 1;
    else return row.hit;
  }
  return undefined;
}

/** First and last address of a CIDR block. */
export function blockBounds(cidr: string): { first: string; last: string } {
  const [base = '', bitsText = ''] = cidr.split('/');
  const bits = Number(bitsText);
  const width = isIP(base) === 4 ? 32 : 128;
  const start = ipToBigInt(base);
  const size = 1n << BigInt(width - bits);
  return { first: bigIntToIp(start, width), last: bigIntToIp(start + size - 1n, width) };
}

function bigIntToIp(value: bigint, width: number): string {
  if (width === 32) return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 255n)).join('.');
  const groups: string[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) groups.push(((value >> shift) & 0xffffn).toString(16));
  return groups.join(':');
}

/** True when `ip` lies inside `cidr`. */
export function inBlock(ip: string, cidr: string): boolean {
  const { first, last } = blockBounds(cidr);
  if (isIP(ip) !== isIP(first)) return false;
  const value = ipToBigInt(ip);
  return value >= ipToBigInt(first) && value <= ipToBigInt(last);
}
