import { formatIpv4, formatIpv6, isIpv4MappedWords, parseIpv4, parseIpv6Words } from './ip';
import { bigIntToIpv6Words, ipv6WordsToBigInt } from './ipRanges';

/** A CIDR block as an inclusive range. IPv6 bounds are bigints: CIDRs are parsed once, at start-up. */
export type Cidr =
  | { readonly version: 4; readonly text: string; readonly prefixLength: number; readonly first: number; readonly last: number }
  | { readonly version: 6; readonly text: string; readonly prefixLength: number; readonly first: bigint; readonly last: bigint };

export type CidrParse = { readonly ok: true; readonly value: Cidr } | { readonly ok: false; readonly reason: string };

const PREFIX_LENGTH = /^(?:0|[1-9][0-9]{0,2})$/;
/** 96: the length of the IPv4-mapped prefix `::ffff:0:0/96` (RFC 4291 §2.5.5.2). */
const MAPPED_PREFIX_LENGTH = 96;
const ALL_128 = (1n << 128n) - 1n;

/**
 * Parses `203.0.113.0/24`, `2001:db8::/32` or a bare address (a /32 or /128).
 * Rejected, with the reason: a malformed address or length, a length beyond 32 / 128, and set host
 * bits (`203.0.113.7/24`): in an allowlist those are nearly always a typo, and silently widening
 * it to the network would trust more than was written.
 * An IPv4-mapped block of length ≥ 96 (`::ffff:203.0.113.0/120`) is the IPv4 block it carries,
 * because parseIp returns mapped addresses as IPv4.
 */
export function parseCidr(text: string): CidrParse {
  const input = text.trim();
  const slash = input.indexOf('/');
  const address = slash < 0 ? input : input.slice(0, slash);
  const lengthText = slash < 0 ? undefined : input.slice(slash + 1);
  if (lengthText !== undefined && !PREFIX_LENGTH.test(lengthText)) return fail(`"${text}" has no valid prefix length after "/"`);

  if (!address.includes(':')) {
    const ipv4 = parseIpv4(address);
    if (ipv4 === undefined) return fail(`"${text}" does not start with a valid IPv4 address`);
    return ipv4Block(text, ipv4.value, lengthText === undefined ? 32 : Number(lengthText));
  }

  const words = parseIpv6Words(address);
  if (words === undefined) return fail(`"${text}" does not start with a valid IPv6 address`);
  const prefixLength = lengthText === undefined ? 128 : Number(lengthText);
  if (isIpv4MappedWords(words) && prefixLength >= MAPPED_PREFIX_LENGTH && prefixLength <= 128) {
    return ipv4Block(text, words[3], prefixLength - MAPPED_PREFIX_LENGTH);
  }
  if (prefixLength > 128) return fail(`"${text}" has a prefix length above 128`);
  const value = ipv6WordsToBigInt(words);
  const cidr = ipv6Cidr(value, prefixLength);
  if (cidr.first !== value) return fail(`"${text}" has host bits set (the block is ${cidr.text})`);
  return { ok: true, value: cidr };
}

/** Parses a list: the blocks that parsed, and the reasons for those that did not. */
export function parseCidrs(texts: Iterable<string>): { readonly cidrs: Cidr[]; readonly problems: string[] } {
  const cidrs: Cidr[] = [];
  const problems: string[] = [];
  for (const text of texts) {
    const parsed = parseCidr(text);
    if (parsed.ok) cidrs.push(parsed.value);
    else problems.push(parsed.reason);
  }
  return { cidrs, problems };
}

function ipv4Block(text: string, address: number, prefixLength: number): CidrParse {
  if (prefixLength > 32) return fail(`"${text}" has a prefix length above 32`);
  const cidr = ipv4Cidr(address, prefixLength);
  if (cidr.first !== address) return fail(`"${text}" has host bits set (the block is ${cidr.text})`);
  return { ok: true, value: cidr };
}

function ipv4Cidr(address: number, prefixLength: number): Cidr {
  // 2^(32 - length) addresses; arithmetic, not shifts, because `1 << 32` is 1 in JavaScript.
  const size = 2 ** (32 - prefixLength);
  const first = address - (address % size);
  return { version: 4, text: `${formatIpv4(first)}/${prefixLength}`, prefixLength, first, last: first + size - 1 };
}

function ipv6Cidr(address: bigint, prefixLength: number): Cidr {
  const hostMask = ALL_128 >> BigInt(prefixLength);
  const first = address & ~hostMask & ALL_128;
  return { version: 6, text: `${formatIpv6(bigIntToIpv6Words(first))}/${prefixLength}`, prefixLength, first, last: first | hostMask };
}

function fail(reason: string): CidrParse {
  return { ok: false, reason };
}
