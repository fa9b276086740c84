/**
 * A program's identity for the "first time on this host" state: its normalised path with the
 * version-like segments replaced by `<ver>`, so an agent that updates itself into a new versioned
 * folder is still the same program and does not alert again after every update.
 *
 * Only these collapse (everything else, letter case aside, is kept as it is):
 *  1. A dotted version, alone or after a name and a separator (`-`, `_` or a space), optionally
 *     followed by build, date and pre-release parts and a file extension:
 *       `1.22.0.0`, `v1.0`                           → `<ver>`
 *       `guestagent_2.7.41491.1102_2024-01-01_000000` → `guestagent_<ver>`
 *       `walinuxagent-2.9.1.1`                       → `walinuxagent-<ver>`
 *       `walinuxagent-2.9.1.1-py3.8.egg`             → `walinuxagent-<ver>.egg`
 *       `elastic-agent-8.15.0-1a2b3c`                → `elastic-agent-<ver>`
 *     A build part is digits (`_000000`, `-01`), a hex build hash with a digit (`-1a2b3c`), a
 *     pre-release word with optional digits (`-rc1`, `-beta`, `-preview2`) or a python tag (`-py3.8`).
 *  2. A date or build stamp of six or more digits, alone or after a name and a separator:
 *       `packages_202185_155650` → `packages_<ver>`, `20240101` → `<ver>`.
 *  3. A 40-hex git commit folder (VS Code server `bin/<commit>/node`) → `<ver>`.
 *  4. The revision folder of a snap: `/snap/<name>/<revision>/…` → `/snap/<name>/<ver>/…`.
 *
 * Why it cannot merge two different programs: the name before the version and every other segment,
 * the file name included, must be equal for two paths to collapse to the same key. A segment whose
 * tail is anything but version parts (`node-v20.11.0-linux-x64`, `python3.11`, `gcarcservice2`,
 * `cli2`, `x64`) is left as it is. Two paths that collapse together are the same install location
 * of the same program at different versions; anyone who can write a sibling version folder there
 * can also overwrite the program itself.
 *
 * Input and output are normalised paths (see normalisePath): lower case, `/` separators. A segment
 * over 255 characters is left as it is. The scan is linear and never backtracks (see versionEnd).
 */
export const VERSION_PLACEHOLDER = '<ver>';

/** Parts after the version: a pre-release word with optional digits, or a python tag (`py3`; its `.8` is a digit part). */
const WORD_PART = /^(?:alpha|beta|rc|preview|pre|dev|build|hotfix|snapshot|release)\d*$|^py\d+$/;
/** A hex build hash of 6 to 40 characters with at least one digit (`1a2b3c`). */
const HEX_PART = /^(?=[0-9a-f]*\d)[0-9a-f]{6,40}$/;
/** File extensions kept after a collapsed version (`walinuxagent-2.9.1.1-py3.8.egg`). */
const EXTENSIONS: ReadonlySet<string> = new Set(['.exe', '.egg', '.jar', '.whl', '.dll', '.py', '.zip', '.tar.gz', '.tgz']);
const GIT_COMMIT = /^(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{40}$/;
const PART_SEPARATORS = '-_.+';
/** Longer segments are left alone: no file system allows them, and the scan stays cheap on hostile input. */
const MAX_SEGMENT = 255;

const isDigit = (ch: string | undefined): boolean => ch !== undefined && ch >= '0' && ch <= '9';

/**
 * The end of the version that starts at `start` (`v1.2.3`, or six or more digits) followed by its
 * build parts, or -1. Scanned by hand, greedily and without backtracking: the paths come from
 * telemetry an attacker can shape, so no regular expression with nested choices runs over them.
 */
function versionEnd(segment: string, start: number): number {
  let i = start;
  if (segment[i] === 'v') i++;
  const digitsFrom = i;
  while (isDigit(segment[i])) i++;
  const leading = i - digitsFrom;
  if (leading === 0) return -1;
  let dotted = 0;
  while (segment[i] === '.' && isDigit(segment[i + 1])) {
    i++;
    while (isDigit(segment[i])) i++;
    dotted++;
  }
  if (dotted === 0 && (leading < 6 || i - start !== leading)) return -1;
  // Build parts: a separator, then a token that is digits, a hex hash, a pre-release word or a python tag.
  for (;;) {
    if (i >= segment.length || !PART_SEPARATORS.includes(segment[i] as string)) return i;
    let j = i + 1;
    while (j < segment.length && !PART_SEPARATORS.includes(segment[j] as string)) j++;
    const token = segment.slice(i + 1, j);
    if (token === '' || !(/^\d+$/.test(token) || HEX_PART.test(token) || WORD_PART.test(token))) return i;
    i = j;
  }
}

/** One path segment with its version collapsed, or the segment unchanged. */
export function versionlessSegment(segment: string): string {
  if (segment.length > MAX_SEGMENT) return segment;
  if (GIT_COMMIT.test(segment)) return VERSION_PLACEHOLDER;
  // The version starts the segment or follows a name and a separator; the earliest start that works wins.
  for (let start = 0; start < segment.length; start++) {
    if (start > 0 && !'-_ '.includes(segment[start - 1] as string)) continue;
    const end = versionEnd(segment, start);
    if (end < 0) continue;
    const rest = segment.slice(end);
    if (rest === '' || EXTENSIONS.has(rest)) return `${segment.slice(0, start)}${VERSION_PLACEHOLDER}${rest}`;
  }
  return segment;
}

/** The normalised path with every version-like segment collapsed (see the rule above). */
export function versionlessPathKey(pathKey: string): string {
  if (pathKey === '') return '';
  const segments = pathKey.split('/');
  return segments
    .map((segment, i) => {
      // Snap revisions are plain integers (`/snap/amazon-ssm-agent/7628/…`): only in that position.
      if (i === 3 && segments[0] === '' && segments[1] === 'snap' && /^\d+$/.test(segment)) return VERSION_PLACEHOLDER;
      return versionlessSegment(segment);
    })
    .join('/');
}
