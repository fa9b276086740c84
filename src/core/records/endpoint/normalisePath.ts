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
 */
export function normalisePath(path: string): string {
  let p = path.trim().replace(/^"(.*)"$/, '$1').replace(/\\/g, '/').toLowerCase();
  p = p.replace(/^\/\/\?\/|^\/\?\?\//, '');
  p = p.replace(/^\/device\/harddiskvolume\d+\//, '?:/');
  p = p.replace(/^[a-z]:(?=\/|$)/, '?:');
  return p.replace(/\/{2,}/g, '/');
}

/** The last path segment (`powershell.exe`), of a raw or normalised path. */
export function baseName(path: string): string {
  const p = path.replace(/\\/g, '/');
  const slash = p.lastIndexOf('/');
  return slash < 0 ? p : p.slice(slash + 1);
}

/** Windows when the path has a drive, a `\device\` prefix or backslashes; Linux when it starts with `/`. */
export function platformOfPath(path: string): 'windows' | 'linux' | 'unknown' {
  if (/^(?:[a-z]:[\\/]|\\\\|\\device\\|\\\?\?\\)/i.test(path) || path.includes('\\')) return 'windows';
  if (path.startsWith('/')) return 'linux';
  return 'unknown';
}
