import { normalisePath } from '../records/endpoint/normalisePath';

/**
 * Allowlist path patterns (syntax in trustedProcess.ts): matched case-insensitively against a
 * normalised executable path. `*` is any run of characters inside one segment (so version folders
 * such as `2.9.1.1` or `guestagent_2.7.41491.1057_2022-11-07_163802` match), `**` any run across
 * segments, and `**\/` also matches no folder at all. A pattern written with a drive or backslashes
 * (`C:\Program Files\…`) is normalised like a path first, so it means `?:/program files/…`.
 */
export function compilePathPattern(pattern: string): RegExp {
  const normalised = normalisePath(pattern);
  let source = '';
  for (let i = 0; i < normalised.length; i++) {
    const ch = normalised[i] as string;
    if (ch === '*') {
      if (normalised[i + 1] === '*') {
        if (normalised[i + 2] === '/') {
          source += '(?:.*/)?';
          i += 2;
        } else {
          source += '.*';
          i += 1;
        }
      } else source += '[^/]*';
    } else source += ch.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

const cache = new Map<string, RegExp>();

/** True when the normalised path matches the pattern (patterns compiled once and cached). */
export function pathMatches(pattern: string, pathKey: string): boolean {
  let compiled = cache.get(pattern);
  if (compiled === undefined) {
    compiled = compilePathPattern(pattern);
    cache.set(pattern, compiled);
  }
  return compiled.test(pathKey);
}

/** Host name patterns: `*` is any run of characters; matched case-insensitively against the full name and its first label. */
export function hostMatches(pattern: string, hostName: string): boolean {
  const source = pattern.toLowerCase().replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  const regex = new RegExp(`^${source}$`);
  const host = hostName.toLowerCase().replace(/\.$/, '');
  const short = host.split('.')[0] ?? host;
  return regex.test(host) || regex.test(short);
}
