import type { TheftVector } from '../alerts/alertRow';
import { rememberBounded } from '../boundedMemo';
import type { EndpointEvent } from '../records/endpoint/endpointEvent';
import { baseName, normalisePath } from '../records/endpoint/normalisePath';
import { isInterpreterImage, isTemporaryLocation, posixShellScriptKey, type CallerProfile } from './callerProfile';
import { NEVER_TRUSTED_BY_NAME_ALONE } from './defaultTrustedProcesses';
import { hostMatches, pathMatches } from './pathPattern';
import type { TrustedProcess } from './trustedProcess';

/** An operator's own application, trusted only on the hosts named (config `applications`). */
export interface HostScopedApplication {
  readonly id: string;
  readonly description: string;
  /** Path patterns, same syntax as TrustedProcess.pathPatterns. */
  readonly pathPatterns: readonly string[];
  /** Host name patterns (`*` wildcard), matched against the full host name and its first label. */
  readonly hostPatterns: readonly string[];
  readonly vectors: readonly TheftVector[];
}

export interface TheftAllowlist {
  readonly processes: readonly TrustedProcess[];
  readonly applications: readonly HostScopedApplication[];
}

/**
 * - `trusted`: the executable path (or, for an interpreter, the script it runs) is inside an
 *   entry's install locations, or an operator application's on this host, or (`parent-script`) a
 *   system program of an entry with parentScripts is run by a shell running one of those scripts, or
 *   (`parent-command-line`) one of an entry with parentCommandLines by a parent with one of those command lines;
 * - `name-only`: the telemetry has no path and the image name is an entry's name. Weaker: anyone can
 *   name a binary `waagent`. The detector still raises the first such request per host, at Low, and
 *   says so in Evidence;
 * - `user-writable`: an entry's pattern matches, but the path is in a home folder
 *   (`/home/bob/.vscode-server/…/node`, `C:\Users\bob\AppData\Local\Google\Cloud SDK\…`) or on a
 *   drive other than C: (`D:\WindowsAzure\…`), where an ordinary user can put any program. Judged like `name-only`;
 * - `untrusted`: no entry matches. `nameMatchedEntry` names an entry whose program name matched at
 *   a path outside its install locations (`/tmp/waagent`), for Evidence.
 */
export type TrustDecision =
  | { readonly verdict: 'trusted'; readonly by: 'executable-path' | 'script-path' | 'parent-script' | 'parent-command-line' | 'container-image' | 'host-application'; readonly entryId: string; readonly pattern: string }
  | { readonly verdict: 'name-only'; readonly entryId: string }
  | { readonly verdict: 'user-writable'; readonly entryId: string; readonly pattern: string }
  | { readonly verdict: 'untrusted'; readonly nameMatchedEntry: string };

/**
 * `matched`: what the match found. For the file vectors the token file pattern id
 * (`azure-arc-token-key`): an entry with `tokenFiles` is trusted only on those patterns. For the
 * token endpoint the service (`azure-imds`, `aws-imds`): an entry with a `cloud` is trusted only
 * on its cloud's endpoints.
 */
export function decideTrust(event: EndpointEvent, caller: CallerProfile, vector: TheftVector, allowlist: TheftAllowlist, matched = ''): TrustDecision {
  const { process, platform } = event;
  const candidates: { key: string; raw: string; by: 'executable-path' | 'script-path' }[] = [];
  // An interpreter at its install location is trusted for the code it is installed to run, not for
  // inline code or a script any user could have written: anyone may run `/opt/az/bin/python3 -c …`.
  if (process.pathKey !== '' && (!isInterpreterImage(imageOf(process.pathKey)) || runsOwnCode(caller, process.pathKey))) candidates.push({ key: process.pathKey, raw: process.path, by: 'executable-path' });
  // A script is never an interpreter (`python3 /opt/az/bin/python3`): such an argument names no script entry.
  if (caller.scriptKey !== '' && !isInterpreterImage(imageOf(caller.scriptKey))) candidates.push({ key: caller.scriptKey, raw: caller.scriptPath, by: 'script-path' });

  for (const app of allowlist.applications) {
    if (!app.vectors.includes(vector) || event.hostName === '') continue;
    if (!app.hostPatterns.some((h) => hostMatches(h, event.hostName))) continue;
    for (const candidate of candidates) {
      const pattern = app.pathPatterns.find((p) => pathMatches(p, candidate.key));
      if (pattern !== undefined) return { verdict: 'trusted', by: 'host-application', entryId: app.id, pattern };
    }
  }

  const entries = entriesFor(allowlist, vector, platform, matched).entries;
  let inHome: TrustDecision | undefined;
  let byNameOnly: TrustDecision | undefined;
  const inContainer = process.containerId !== '';
  for (const entry of entries) {
    if (inContainer && entry.hostOnly === true) continue;
    const context = contextOf(entry);
    if (context !== undefined) {
      // The subject is read off the event only for a child the entry names, in a system folder.
      const subject = runsFromSystemFolder(event, entry) ? context.subject(event) : '';
      const pattern = subject === '' ? undefined : context.patterns.find((p) => context.matches(p, subject));
      if (pattern !== undefined) return { verdict: 'trusted', by: context.by, entryId: entry.id, pattern };
      continue;
    }
    for (const candidate of candidates) {
      // An entry with modules covers those modules only (TrustedProcess.modules). Telemetry with no
      // command line (Sysmon 3 and 11, Security 5156) cannot say which: a private interpreter in its
      // product's own folder is judged on its path then, a shared one (/usr/bin/python3) never is.
      if (entry.modules !== undefined) {
        if (candidate.by !== 'executable-path') continue;
        const unknown = event.process.commandLine.trim() === '' && INSTALL_ROOT.test(candidate.key);
        if (!unknown && !entry.modules.includes(caller.module)) continue;
      }
      const pattern = entry.pathPatterns.find((p) => pathMatches(p, candidate.key));
      if (pattern === undefined) continue;
      // A script is trusted only as run by an interpreter whose own place is known and not a
      // user's: any program can be named `python3` and given `/usr/sbin/waagent` as its first
      // argument. An agent's script is run by the system's interpreter, never one in a home folder
      // or on a data disk; with no path, the name is all there is (weaker, as for any agent).
      if (candidate.by === 'script-path') {
        if (process.pathKey === '') {
          byNameOnly ??= { verdict: 'name-only', entryId: entry.id };
          continue;
        }
        if (isUserPlaceable(process.pathKey, process.path)) continue;
      }
      // An interpreter running a module where a user could have put a package of that name (no -I,
      // a home or unknown working directory): its own install or a planted copy, weaker evidence.
      if (candidate.by === 'executable-path' && caller.moduleShadowable) {
        inHome ??= { verdict: 'user-writable', entryId: entry.id, pattern };
        continue;
      }
      if (!isUserPlaceable(candidate.key, candidate.raw)) return { verdict: 'trusted', by: candidate.by, entryId: entry.id, pattern };
      inHome ??= { verdict: 'user-writable', entryId: entry.id, pattern };
    }
  }
  if (inHome !== undefined) return inHome;
  if (byNameOnly !== undefined) return byNameOnly;

  const name = (baseName(process.path) || process.name).toLowerCase();
  if (process.pathKey === '') {
    // Shells, interpreters and LOLBins are never trusted for their name: that is what an attacker runs.
    const entry = NEVER_TRUSTED_BY_NAME_ALONE.has(name) ? undefined : entries.find((e) => e.names.includes(name));
    if (entry !== undefined) return { verdict: 'name-only', entryId: entry.id };
    return { verdict: 'untrusted', nameMatchedEntry: '' };
  }
  // An interpreter or a shell under its usual name (`/usr/bin/python3.10`) imitates nothing: only agents' own names are worth naming.
  const names = [name, baseName(caller.scriptKey)].filter((n) => n !== '' && !NEVER_TRUSTED_BY_NAME_ALONE.has(n) && !isInterpreterImage(n.replace(/\.exe$/, '')));
  const misplaced = entries.find((e) => names.some((n) => e.names.includes(n)));
  return { verdict: 'untrusted', nameMatchedEntry: misplaced?.id ?? '' };
}

/**
 * The context an entry trusts its names in, and nothing else (TrustedProcess.containerImages,
 * parentCommandLines, parentScripts): what of the event it matches its patterns against, and how.
 * Image names are matched as paths are (`*` within one `/`-separated part, letter case aside).
 */
interface TrustContext {
  readonly by: 'container-image' | 'parent-command-line' | 'parent-script';
  readonly patterns: readonly string[];
  readonly subject: (event: EndpointEvent) => string;
  readonly matches: (pattern: string, subject: string) => boolean;
}

function contextOf(entry: TrustedProcess): TrustContext | undefined {
  if (entry.containerImages !== undefined) return { by: 'container-image', patterns: entry.containerImages, subject: (e) => normalisePath(e.process.containerImage), matches: pathMatches };
  if (entry.parentCommandLines !== undefined) return { by: 'parent-command-line', patterns: entry.parentCommandLines, subject: (e) => collapsedCommandLine(e.process.parentCommandLine), matches: commandLineMatches };
  if (entry.parentScripts !== undefined) return { by: 'parent-script', patterns: entry.parentScripts, subject: parentScriptOf, matches: pathMatches };
  return undefined;
}

/** The script a POSIX shell parent runs (`/bin/bash /opt/azure/containers/provision_start.sh`); '' when the parent is no shell running a script, or unknown. */
function parentScriptOf(event: EndpointEvent): string {
  const { parentCommandLine, parentPath, parentName } = event.process;
  if (parentCommandLine === '') return '';
  const shell = (baseName(parentPath) || parentName || baseName(parentCommandLine.trim().split(/\s+/)[0] ?? '')).toLowerCase();
  if (!POSIX_SHELLS.has(shell)) return '';
  return posixShellScriptKey({ ...event.process, commandLine: parentCommandLine, workingDirectory: '' });
}

const POSIX_SHELLS = new Set(['bash', 'sh', 'dash']);

/** A command line with its white space collapsed and trimmed, lower-case: how parentCommandLines compare. */
function collapsedCommandLine(commandLine: string): string {
  return commandLine.trim().replace(/\s+/g, ' ').toLowerCase();
}

const COMMAND_LINE_PATTERNS = new Map<string, RegExp>();
/** A parentCommandLines pattern against a collapsed command line: `*` any run of characters within one word, the rest literal. */
function commandLineMatches(pattern: string, line: string): boolean {
  let compiled = COMMAND_LINE_PATTERNS.get(pattern);
  if (compiled === undefined) {
    const literal = collapsedCommandLine(pattern).split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    compiled = new RegExp(`^${literal.join('\\S*')}$`);
    COMMAND_LINE_PATTERNS.set(pattern, compiled);
  }
  return compiled.test(line);
}

/** The child is one of the entry's names, at a path only an administrator writes (`/usr/bin/curl`). */
function runsFromSystemFolder(event: EndpointEvent, entry: TrustedProcess): boolean {
  const { pathKey, path } = event.process;
  return pathKey !== '' && entry.names.includes(baseName(pathKey).toLowerCase()) && !isUserPlaceable(pathKey, path) && !isTemporaryLocation(pathKey);
}

/** A path where an ordinary user can put any program: a home folder or a drive other than C: (`pathKey` normalised, `rawPath` as written). */
function isUserPlaceable(pathKey: string, rawPath: string): boolean {
  return isInUserHome(pathKey) || isOnAnotherDrive(rawPath);
}

/**
 * A path in a user's home folder (`/home/<user>/`, macOS's `/Users/<user>/`, `C:\Users\<user>\`):
 * the user, and anything running as the user, can write there. `/home/kubernetes/` is no user's: GKE's Container-Optimized
 * OS nodes keep their node binaries there, root-owned.
 */
export function isInUserHome(pathKey: string): boolean {
  return /^(?:\/home\/(?!kubernetes\/)[^/]+\/|\/users\/[^/]+\/|\?:\/users\/[^/]+\/)/.test(pathKey);
}

/**
 * A Windows path on a drive other than C:. Patterns match any drive (`?:`: Security 5156 names
 * volumes by number, so the letter is often not known), but any user can create folders at the
 * root of a data disk, and an Azure VM's D: is its temporary disk: `D:\WindowsAzure\GuestAgent_…\`
 * there is anybody's. Such a match is weaker evidence, as a home folder's is. A volume path
 * (`\Device\HarddiskVolume3\…`) names no letter and is matched like a C: path.
 */
function isOnAnotherDrive(rawPath: string): boolean {
  // The drive's colon comes within the first few characters (`D:\`, `"D:\`, `\\?\D:\`, `\??\D:\`):
  // found with indexOf, as this is asked of every trusted agent's record.
  const colon = rawPath.indexOf(':');
  if (colon < 1 || colon > 5) return false;
  const letter = rawPath.charCodeAt(colon - 1) | 32;
  const next = rawPath.charCodeAt(colon + 1);
  return letter >= 97 && letter <= 122 && letter !== 99 && (next === 92 || next === 47);
}

/**
 * The folder a program is installed in: the product's own folder under a system location
 * (`/opt/az/`, `/opt/microsoft/`, `/usr/lib/google-cloud-sdk/`, `C:\Program Files\Microsoft SDKs\`,
 * a Homebrew formula's `/opt/homebrew/Cellar/<formula>/`) or in a home (`/home/bob/.vscode-server/`,
 * `C:\Users\bob\AppData\Local\Google\`); undefined elsewhere. Homebrew's own pythons
 * (`Cellar/python@3.x/`) are not a product's folder: every formula written in python runs them, as
 * every package runs /usr/bin/python3.
 */
const INSTALL_ROOT =
  /^(?:(?:\/opt\/homebrew|\/usr\/local)\/cellar\/(?!python@)[^/]+\/|\/opt\/(?!homebrew\/)[^/]+\/|\/usr\/(?:local\/)?(?:lib|lib64|libexec|share)\/[^/]+\/|\/snap\/[^/]+\/|\/var\/lib\/[^/]+\/|\?:\/program files(?: \(x86\))?\/[^/]+\/|\/home\/[^/]+\/[^/]+\/|\/root\/[^/]+\/|\?:\/users\/[^/]+\/appdata\/(?:local|roaming)\/(?:programs\/)?[^/]+\/)/;

/**
 * Whether an interpreter at an install location runs what that install runs: nothing named (a
 * module, or no command line), or a script inside the same install (the OMS agent's ruby running
 * `/opt/microsoft/omsagent/bin/omsagent-…`, gcloud's python its `lib/gcloud.py`, VS Code server's
 * node its own JavaScript). Inline code, standard input, an interactive prompt, a module from a
 * temporary working directory, and a script anywhere else (a home folder, /tmp, a web root, a
 * relative name with no working directory) are code anyone could have written.
 */
function runsOwnCode(caller: CallerProfile, pathKey: string): boolean {
  if (caller.category === 'interpreter-inline') return false;
  if (caller.scriptKey === '') return caller.category !== 'interpreter-writable-script';
  const root = INSTALL_ROOT.exec(pathKey)?.[0];
  return root !== undefined && caller.scriptKey.startsWith(root);
}

/** The image name of a normalised path, without `.exe`. */
function imageOf(pathKey: string): string {
  return baseName(pathKey).replace(/\.exe$/, '');
}

/**
 * True when the executable path alone makes decideTrust answer `trusted` (an operator application
 * on this host, or a process entry, whose pattern matches the path): then the caller's profile (the
 * script an interpreter runs) cannot change the verdict and need not be worked out. Nearly every
 * record is the cloud's own agents at their install locations, so this is the common answer;
 * `false` only means decideTrust must look further, as it must for every interpreter, whose
 * arguments decide (runsUntrustedCode).
 */
export function trustedByExecutablePath(event: EndpointEvent, vector: TheftVector, allowlist: TheftAllowlist, matched = ''): boolean {
  const pathKey = event.process.pathKey;
  // In a container the path is the image's: decideTrust weighs it (TrustedProcess.hostOnly), not the path memo.
  if (pathKey === '' || isOnAnotherDrive(event.process.path) || event.process.containerId !== '') return false;
  if (allowlist.applications.length > 0 && !isInterpreterImage(imageOf(pathKey))) {
    for (const app of allowlist.applications) {
      if (!app.vectors.includes(vector) || event.hostName === '') continue;
      if (!app.hostPatterns.some((h) => hostMatches(h, event.hostName))) continue;
      if (app.pathPatterns.some((p) => pathMatches(p, pathKey))) return true;
    }
  }
  const scope = entriesFor(allowlist, vector, event.platform, matched);
  const known = scope.trustedPaths.get(pathKey);
  if (known !== undefined) return known;
  const trusted = !isInterpreterImage(imageOf(pathKey)) && !isInUserHome(pathKey) && scope.entries.some((e) => contextOf(e) === undefined && e.pathPatterns.some((p) => pathMatches(p, pathKey)));
  // A path longer than any real one (a record's megabytes) is not kept: the memo bounds entries, not their size.
  if (pathKey.length > TRUSTED_PATH_MEMO_MAX_LENGTH) return trusted;
  return rememberBounded(scope.trustedPaths, pathKey, trusted, TRUSTED_PATHS_MAX);
}

/**
 * The process entries that apply to one vector, platform and token file, and which executable
 * paths they trust: worked out once per allowlist (a weak map, so a replaced allowlist takes its
 * memo with it) instead of filtering the entries and trying every pattern for every record.
 */
interface EntryScope {
  readonly entries: readonly TrustedProcess[];
  /** Normalised executable path → trusted by some entry's pattern. Bounded (rememberBounded). */
  readonly trustedPaths: Map<string, boolean>;
}

const SCOPES = new WeakMap<TheftAllowlist, Map<string, EntryScope>>();
/** Distinct executables one allowlist scope remembers; a fleet runs far fewer. */
const TRUSTED_PATHS_MAX = 10_000;
/** 2,048 characters (TEXT_MAX_CHARS): paths longer than that are judged each time, never remembered. */
const TRUSTED_PATH_MEMO_MAX_LENGTH = 2_048;

/**
 * The scope entriesFor answered last: consecutive records nearly always ask for the same one, and
 * the key string built for the lookup was most of its cost.
 */
let lastScope: { readonly allowlist: TheftAllowlist; readonly vector: TheftVector; readonly platform: EndpointEvent['platform']; readonly matched: string; readonly scope: EntryScope } | undefined;

function entriesFor(allowlist: TheftAllowlist, vector: TheftVector, platform: EndpointEvent['platform'], matched: string): EntryScope {
  const last = lastScope;
  if (last !== undefined && last.allowlist === allowlist && last.vector === vector && last.platform === platform && last.matched === matched) return last.scope;
  const scope = scopeOf(allowlist, vector, platform, matched);
  lastScope = { allowlist, vector, platform, matched, scope };
  return scope;
}

/**
 * The cloud of a token endpoint service (`azure-imds` → azure, `oracle-metadata` → oracle);
 * undefined for a bare metadata address, whose cloud is not known. An entry of one cloud is not
 * trusted on another's endpoint, Oracle's and Alibaba's included.
 */
function cloudOfService(service: string): string | undefined {
  return /^(azure|aws|gcp|oracle|alibaba)-/.exec(service)?.[1];
}

function scopeOf(allowlist: TheftAllowlist, vector: TheftVector, platform: EndpointEvent['platform'], matched: string): EntryScope {
  let scopes = SCOPES.get(allowlist);
  if (scopes === undefined) {
    scopes = new Map();
    SCOPES.set(allowlist, scopes);
  }
  // Token file ids are the ids of TOKEN_FILE_PATTERNS (a fixed set): the key space stays small.
  const endpointCloud = vector === 'TokenEndpoint' ? cloudOfService(matched) : undefined;
  const key = `${vector}|${platform}|${vector === 'TokenEndpoint' ? (endpointCloud ?? '') : matched}`;
  let scope = scopes.get(key);
  if (scope === undefined) {
    const entries = allowlist.processes.filter(
      (e) =>
        e.vectors.includes(vector) &&
        (e.platform === 'any' || platform === 'unknown' || e.platform === platform) &&
        (vector === 'TokenEndpoint' ? e.cloud === undefined || endpointCloud === undefined || e.cloud === endpointCloud : e.tokenFiles === undefined || e.tokenFiles.includes(matched)),
    );
    scope = { entries, trustedPaths: new Map() };
    scopes.set(key, scope);
  }
  return scope;
}
