/**
 * IP address parsing into one canonical form, so that the same address written two ways
 * (`::FFFF:203.0.113.7`, `203.0.113.7:443`, `[2001:DB8:0::1]:8080`, `fe80::1%eth0`) is one
 * baseline entry and one range lookup.
 *
 * IPv4 is held as an unsigned 32-bit number; IPv6 as four unsigned 32-bit words, most significant
 * first. Both are plain numbers, so a range lookup is a binary search over Uint32Arrays with no
 * bigint arithmetic.
 */

export type Ipv6Words = readonly [number, number, number, number];

export interface ParsedIpv4 {
  readonly version: 4;
  /** Dotted decimal without leading zeros: `203.0.113.7`. */
  readonly text: string;
  /** The address as an unsigned 32-bit integer (0 … 4,294,967,295). */
  readonly value: number;
}

export interface ParsedIpv6 {
  readonly version: 6;
  /** RFC 5952 text: lower case, no leading zeros, the longest run of zero groups as `::`. */
  readonly text: string;
  /** The 128 bits as four unsigned 32-bit words, most significant first. */
  readonly words: Ipv6Words;
}

export type ParsedIp = ParsedIpv4 | ParsedIpv6;

/** 65,535: the highest TCP/UDP port. */
const MAX_PORT = 65_535;

const PORT = /^[0-9]{1,5}$/;
/**
 * A zone id names a local interface (`eth0`, `12`, `%25`-escaped in URLs): anything but spaces and
 * brackets, at most 64 characters (an interface name is 15 on Linux, a number on Windows). Bounded
 * because the address is kept as logged in alert evidence.
 */
const ZONE = /^[^\s[\]%]{1,64}$/;

/**
 * Parses an address as logs write it. Accepted forms:
 * `203.0.113.7`, `203.0.113.7:443`, `2001:db8::1`, `[2001:db8::1]`, `[2001:db8::1]:443`,
 * `fe80::1%eth0`, `[fe80::1%eth0]:443`, `::ffff:203.0.113.7` (returned as the IPv4 address).
 * Surrounding whitespace is ignored. Anything else yields undefined, in particular the spellings
 * other parsers take: IPv4 octets with leading zeros (`010.0.0.1`, which some read as octal), a
 * prefix length (`1.2.3.4/32`: a network, not a caller), the integer and shortened forms
 * (`16909060`, `0x1020304`, `1.2.3`, which inet_aton reads as 1.2.3.4 / 1.2.0.3) and a zone on an
 * IPv4 address.
 */
export function parseIp(text: string): ParsedIp | undefined {
  const input = text.trim();
  if (input === '') return undefined;

  if (input.startsWith('[')) {
    const close = input.indexOf(']');
    if (close < 0) return undefined;
    const after = input.slice(close + 1);
    if (after !== '' && !(after.startsWith(':') && isPort(after.slice(1)))) return undefined;
    return parseIpv6WithZone(input.slice(1, close));
  }

  const firstColon = input.indexOf(':');
  if (firstColon < 0) return parseIpv4(input);
  if (input.indexOf(':', firstColon + 1) < 0) {
    // Exactly one colon: only `IPv4:port` fits (an IPv6 address has at least two).
    if (!isPort(input.slice(firstColon + 1))) return undefined;
    return parseIpv4(input.slice(0, firstColon));
  }
  return parseIpv6WithZone(input);
}

/** Strict dotted-quad IPv4: four decimal octets 0–255, no leading zeros, nothing around them. */
export function parseIpv4(text: string): ParsedIpv4 | undefined {
  const value = parseIpv4Value(text);
  // Strict parsing accepts only the canonical spelling, so the input is already the canonical text.
  return value === undefined ? undefined : { version: 4, text, value };
}

export function ipv4FromValue(value: number): ParsedIpv4 {
  return { version: 4, text: formatIpv4(value), value };
}

/**
 * An IPv6 address from its 128 bits. An IPv4-mapped address (`::ffff:0:0/96`, RFC 4291 §2.5.5.2)
 * is the IPv4 address it carries: dual-stack sockets report IPv4 callers that way.
 */
export function ipFromIpv6Words(words: Ipv6Words): ParsedIp {
  if (isIpv4MappedWords(words)) return ipv4FromValue(words[3]);
  return { version: 6, text: formatIpv6(words), words };
}

/** True for `::ffff:a.b.c.d`: words 0 and 1 zero, word 2 = 0x0000ffff. */
export function isIpv4MappedWords(words: Ipv6Words): boolean {
  return words[0] === 0 && words[1] === 0 && words[2] === 0xffff;
}

export function formatIpv4(value: number): string {
  return `${value >>> 24}.${(value >>> 16) & 0xff}.${(value >>> 8) & 0xff}.${value & 0xff}`;
}

/** RFC 5952 §4: lower-case hex, no leading zeros, `::` for the longest (first on a tie) run of two or more zero groups. */
export function formatIpv6(words: Ipv6Words): string {
  const groups: number[] = [];
  for (const word of words) groups.push(word >>> 16, word & 0xffff);

  let bestStart = -1;
  let bestLength = 1; // a single zero group is never compressed (RFC 5952 §4.2.2)
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let end = i;
    while (end < 8 && groups[end] === 0) end++;
    if (end - i > bestLength) {
      bestStart = i;
      bestLength = end - i;
    }
    i = end;
  }

  let text = '';
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      text += '::';
      i += bestLength - 1;
    } else {
      if (text !== '' && !text.endsWith(':')) text += ':';
      text += groups[i]!.toString(16);
    }
  }
  return text;
}

/**
 * The 128 bits of an IPv6 address written without brackets, port or zone; IPv4-mapped addresses
 * are NOT turned into IPv4 here (CIDR parsing needs the raw bits). Undefined when malformed.
 */
export function parseIpv6Words(text: string): Ipv6Words | undefined {
  const doubleColon = text.indexOf('::');
  if (doubleColon >= 0 && text.indexOf('::', doubleColon + 1) >= 0) return undefined;

  let head: number[] | undefined;
  let tail: number[] | undefined;
  if (doubleColon < 0) {
    head = parseGroups(text, true);
    tail = [];
    if (head === undefined || head.length !== 8) return undefined;
  } else {
    head = parseGroups(text.slice(0, doubleColon), false);
    tail = parseGroups(text.slice(doubleColon + 2), true);
    // `::` stands for at least one zero group (RFC 4291 §2.2), so at most seven are written.
    if (head === undefined || tail === undefined || head.length + tail.length > 7) return undefined;
  }

  const groups = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  return [
    groupsToWord(groups[0], groups[1]),
    groupsToWord(groups[2], groups[3]),
    groupsToWord(groups[4], groups[5]),
    groupsToWord(groups[6], groups[7]),
  ];
}

function parseIpv6WithZone(text: string): ParsedIp | undefined {
  const percent = text.indexOf('%');
  let address = text;
  if (percent >= 0) {
    // The zone only says which local interface the address was seen on; it is not part of the address.
    if (!ZONE.test(text.slice(percent + 1))) return undefined;
    address = text.slice(0, percent);
  }
  const words = parseIpv6Words(address);
  return words === undefined ? undefined : ipFromIpv6Words(words);
}

/**
 * Colon-separated 16-bit groups. The last group may be a dotted IPv4 address (RFC 4291 §2.2 form 3,
 * `::ffff:203.0.113.7`), which counts as two groups.
 */
function parseGroups(text: string, mayEndInIpv4: boolean): number[] | undefined {
  if (text === '') return [];
  const parts = text.split(':');
  const groups: number[] = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] ?? '';
    if (mayEndInIpv4 && i === parts.length - 1 && part.includes('.')) {
      const value = parseIpv4Value(part);
      if (value === undefined) return undefined;
      groups.push(value >>> 16, value & 0xffff);
    } else {
      const group = parseHextet(part);
      if (group === undefined) return undefined;
      groups.push(group);
    }
  }
  return groups;
}

/** One to four hex digits (RFC 4291 §2.2), as a number; a loop because parseInt accepts junk after the digits. */
function parseHextet(text: string): number | undefined {
  if (text.length === 0 || text.length > 4) return undefined;
  let value = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    let digit: number;
    if (code >= 48 && code <= 57) digit = code - 48; // 0-9
    else if (code >= 97 && code <= 102) digit = code - 87; // a-f
    else if (code >= 65 && code <= 70) digit = code - 55; // A-F
    else return undefined;
    value = value * 16 + digit;
  }
  return value;
}

function groupsToWord(high: number | undefined, low: number | undefined): number {
  return (((high ?? 0) << 16) | (low ?? 0)) >>> 0;
}

/**
 * The address as an unsigned 32-bit number when `text` is exactly a canonical dotted quad (what
 * `parseIpv4` accepts: no port, no space, no leading zeros), else undefined. Two such texts are
 * the same address exactly when their numbers are equal.
 */
export function plainIpv4Value(text: string): number | undefined {
  return text.length >= 7 && text.length <= 15 ? parseIpv4Value(text) : undefined;
}

/** A character loop rather than split + regex: this runs once per log record. */
function parseIpv4Value(text: string): number | undefined {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 48 && code <= 57) {
      // A leading zero is allowed only as the whole octet.
      if (digits === 1 && octet === 0) return undefined;
      octet = octet * 10 + (code - 48);
      if (++digits > 3 || octet > 255) return undefined;
    } else if (code === 46 && digits > 0 && dots < 3) {
      // Multiplication, not `<<`: a shift would make addresses from 128.0.0.0 up negative.
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
      dots++;
    } else {
      return undefined;
    }
  }
  return dots === 3 && digits > 0 ? value * 256 + octet : undefined;
}

function isPort(text: string): boolean {
  return PORT.test(text) && Number(text) <= MAX_PORT;
}
