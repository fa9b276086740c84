import { rememberBounded } from '../../boundedMemo';

/**
 * Paths as the theft rules and allowlists compare them: lower case, `/` separators, and every way
 * Windows writes a volume reduced to `?:` — `C:\…`, `\device\harddiskvolume2\…` (Security 5156),
 * `\\?\C:\…` and `\??\C:\…` (kernel-style prefixes in Sysmon command lines). The drive letter is
 * dropped on purpose: 5156 names volumes by number, not letter, so `C:` cannot be recovered there,
 * and an agent installed on D: is the same agent.
 *
 * `\Device\HarddiskVolume2\Windows\System32\WindowsPowerShell\v1.0\powershell.exe`
 *   → `?:/windows/system32/windowspowershell/v1.0/powershell.exe`
 * `/usr/sbin//waagent` → `/usr/sbin/waagent`
 * `/var/lib/waagent/x/../../../tmp/akvvm_service` → `/tmp/akvvm_service` (an absolute path's `.` and
 * `..` resolved: a pattern must not match a path that leaves the folder it names)
 */
export function normalisePath(path: string): string {
  if (path.length > NORMALISED_MAX_LENGTH) return normaliseUncached(path);
  const known = NORMALISED.get(path);
  if (known !== undefined) return known;
  return rememberBounded(NORMALISED, path, normaliseUncached(path), NORMALISED_MAX);
}

/**
 * Normalised paths by raw path. Telemetry names the same few hundred executables over and over
 * (agents, shells, the kubelet), each record as a fresh string: the memo turns five regular
 * expression passes per path into one lookup, and hands back one shared string per program, which
 * later lookups keyed by the normalised path (the allowlist's) then hash only once. Bounded
 * (rememberBounded): a stream of distinct paths (pod volume files) only refills it.
 */
const NORMALISED = new Map<string, string>();
const NORMALISED_MAX = 10_000;
/** 260: Windows' MAX_PATH. Longer paths are rare and not kept, so the memo holds a few MB at most. */
const NORMALISED_MAX_LENGTH = 260;

function normaliseUncached(path: string): string {
  let p = path.trim().replace(/^"(.*)"$/, '$1').replace(/\\/g, '/').toLowerCase();
  p = p.replace(/^\/\/\?\/|^\/\?\?\//, '');
  p = p.replace(/^\/device\/harddiskvolume\d+\//, '?:/');
  p = p.replace(/^[a-z]:(?=\/|$)/, '?:');
  p = p.replace(/\/{2,}/g, '/');
  return p.startsWith('/') || p.startsWith('?:/') ? resolveDotSegments(p) : p;
}

/** A path with its `.` and `..` segments resolved (`/usr/sbin/../../tmp/x` → `/tmp/x`); a relative one loses leading ones. */
export function resolveDotSegments(key: string): string {
  if (!/(?:^|\/)\.{1,2}(?:\/|$)/.test(key)) return key;
  const [head, ...rest] = key.split('/');
  const out: string[] = [];
  for (const segment of rest) {
    if (segment === '.' || segment === '') continue;
    if (segment === '..') out.pop();
    else out.push(segment);
  }
  // head is '' for `/…`, `?:` for a Windows volume, or the first segment of a relative path.
  if (head === '.' || head === '..') return out.join('/');
  return [head, ...out].join('/');
}

/** The last path segment (`powershell.exe`), of a raw or normalised path. */
export function baseName(path: string): string {
  const slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return slash < 0 ? path : path.slice(slash + 1);
}

/** Folders only macOS has at the root of its file system (case as on disk varies: matched case-insensitively). */
const MACOS_ROOT = /^\/(?:users|applications|library|system|private|volumes|opt\/homebrew|usr\/local\/(?:cellar|caskroom))\//i;

/**
 * Windows when the path has a drive, a `\device\` prefix or backslashes; macOS when it starts in
 * a folder only macOS has (`/Users/`, `/Applications/`, `/Library/`, `/System/`, `/private/`,
 * `/Volumes/`, Homebrew's `/opt/homebrew/` and `/usr/local/Cellar/`); Linux for any other path
 * from `/`. A macOS program in a folder both have (`/usr/bin/curl`) reads as Linux.
 */
export function platformOfPath(path: string): 'windows' | 'linux' | 'macos' | 'unknown' {
  if (/^(?:[a-z]:[\\/]|\\\\|\\device\\|\\\?\?\\)/i.test(path) || path.includes('\\')) return 'windows';
  if (MACOS_ROOT.test(path)) return 'macos';
  if (path.startsWith('/')) return 'linux';
  return 'unknown';
}

