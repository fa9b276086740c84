import { formatIpv4, parseIp } from '../network/ip';

/**
 * Host names and addresses reduced to one canonical text, so that every way of writing the
 * instance metadata address is the same address:
 *
 *   `0xa9fea9fe`, `2852039166`, `0251.0376.0251.0376`, `169.254.43518`, `0xa9.0xfe.0xa9.0xfe`,
 *   `[::ffff:a9fe:a9fe]`, `::ffff:169.254.169.254`, `169.254.169.254.nip.io`  →  `169.254.169.254`
 *
 * IPv4 follows the inet_aton / WHATWG URL rules that curl, wget, browsers and HTTP libraries apply:
 * one to four parts, each decimal, octal (leading `0`) or hex (`0x`), the last part filling the
 * remaining bytes. IPv6 is RFC 5952 text, with IPv4-mapped addresses turned into the IPv4 address
 * (the `::ffff:` socket form reaches the IPv4 endpoint). Host names are lower-cased without a
 * trailing dot. The result is undefined only for an empty input.
 */
export function canonicalHost(host: string): string | undefined {
  // Most addresses in telemetry are already written this way: no parsing, no new string.
  if (isPlainDottedQuad(host)) return host;
  let h = safeDecode(host.trim()).toLowerCase();
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
  if (h.endsWith('.') && !h.includes(':')) h = h.slice(0, -1);
  if (h === '') return undefined;
  if (h.includes(':')) {
    const ip = parseIp(h);
    return ip?.text ?? h;
  }
  const v4 = parseLooseIpv4(h);
  if (v4 !== undefined) return formatIpv4(v4);
  const wildcard = wildcardDnsAddress(h);
  return wildcard ?? h;
}

/**
 * Four decimal parts of 0 to 255 without leading zeros (`169.254.169.254`): the canonical text
 * itself, which the loose parse below would only take apart and write again. Checked character by
 * character, without allocating.
 */
function isPlainDottedQuad(text: string): boolean {
  let parts = 0;
  let i = 0;
  while (i < text.length) {
    const start = i;
    let value = 0;
    while (i < text.length) {
      const code = text.charCodeAt(i);
      if (code < 48 || code > 57) break;
      value = value * 10 + (code - 48);
      i++;
    }
    const digits = i - start;
    if (digits === 0 || digits > 3 || value > 255 || (digits > 1 && text.charCodeAt(start) === 48)) return false;
    parts++;
    if (i === text.length) break;
    if (text.charCodeAt(i) !== 46 || parts === 4) return false;
    i++;
    if (i === text.length) return false;
  }
  return parts === 4;
}

/** inet_aton: the 32-bit value of a loosely written IPv4 address, or undefined when it is not one. */
export function parseLooseIpv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length < 1 || parts.length > 4) return undefined;
  const values: number[] = [];
  for (const part of parts) {
    const value = parseIpv4Part(part);
    if (value === undefined) return undefined;
    values.push(value);
  }
  const last = values.pop() as number;
  // Each leading part is one byte; the last one fills the 4 - (leading parts) bytes that remain.
  if (values.some((v) => v > 255)) return undefined;
  const remainingBytes = 4 - values.length;
  if (last >= 256 ** remainingBytes) return undefined;
  let result = 0;
  values.forEach((v, i) => {
    result += v * 256 ** (3 - i);
  });
  return result + last;
}

function parseIpv4Part(part: string): number | undefined {
  if (/^0x[0-9a-f]*$/i.test(part)) return part.length === 2 ? 0 : Number.parseInt(part.slice(2), 16);
  if (/^0[0-7]+$/.test(part)) return Number.parseInt(part.slice(1), 8);
  if (/^(?:0|[1-9][0-9]*)$/.test(part)) return Number(part);
  return undefined;
}

/**
 * Wildcard DNS services answer `<address>.nip.io` (and sslip.io) with the address itself, so a URL
 * naming `169-254-169-254.nip.io` reaches the metadata service. Dotted, dashed and 8-hex-digit forms.
 */
function wildcardDnsAddress(host: string): string | undefined {
  const match = /^(.*?)\.?(?:nip\.io|sslip\.io)$/.exec(host);
  if (!match || match[1] === undefined || match[1] === '') return undefined;
  const prefix = match[1];
  const dotted = /(?:^|[.-])(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$/.exec(prefix);
  if (dotted?.[1] !== undefined) {
    const v = parseLooseIpv4(dotted[1]);
    if (v !== undefined) return formatIpv4(v);
  }
  const dashed = /(?:^|[.-])(\d{1,3}-\d{1,3}-\d{1,3}-\d{1,3})$/.exec(prefix);
  if (dashed?.[1] !== undefined) {
    const v = parseLooseIpv4(dashed[1].replace(/-/g, '.'));
    if (v !== undefined) return formatIpv4(v);
  }
  const hex = /(?:^|[.-])([0-9a-f]{8})$/.exec(prefix);
  if (hex?.[1] !== undefined) return formatIpv4(Number.parseInt(hex[1], 16));
  return undefined;
}

function safeDecode(text: string): string {
  if (!text.includes('%')) return text;
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
