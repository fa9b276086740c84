import type { TheftVector } from '../alerts/alertRow';
import { normalisePath } from '../records/endpoint/normalisePath';

/**
 * The token files of vectors 2 (Kubernetes and workload-identity tokens) and 3 (cloud CLI and OAuth
 * token caches), as patterns over normalised paths (lower case, `/`, see normalisePath). Each is
 * matched at the end of a path, so `/root/.azure/msal_token_cache.json`,
 * `C:\Users\alice\.azure\msal_token_cache.json` and `~/.azure/msal_token_cache.json` all match.
 */
export interface TokenFilePattern {
  readonly id: string;
  readonly vector: Extract<TheftVector, 'ServiceAccountToken' | 'TokenCache'>;
  readonly what: string;
  readonly pattern: RegExp;
  /**
   * Only a read counts: file events that record an open or a read (auditd-manager `opened-file`,
   * ECS `open` / `access`) and command lines that name the file. Creations (Sysmon 11, MDE
   * `FileCreated`) are left out: for the Arc key files they are himds writing the challenge.
   */
  readonly readsOnly?: boolean;
}

/** The Azure Arc key-file pattern id: reading one of these files is how a process gets the Arc machine's token. */
export const ARC_TOKEN_KEY = 'azure-arc-token-key';

/** `..data/` and `..2026_03_01_10_00_00.123/`: the atomic-writer folders kubelet puts between the mount and the file. */
const K8S_ATOMIC = '(?:\\.\\.[^/]*/)?';

export const TOKEN_FILE_PATTERNS: readonly TokenFilePattern[] = [
  {
    id: 'kubernetes-service-account',
    vector: 'ServiceAccountToken',
    what: 'Kubernetes service account token',
    pattern: new RegExp(`(?:^|/)(?:var/)?run/secrets/kubernetes\\.io/serviceaccount/${K8S_ATOMIC}(?:token|ca\\.crt)$`),
  },
  {
    id: 'azure-workload-identity',
    vector: 'ServiceAccountToken',
    what: 'Azure workload identity federated token',
    pattern: new RegExp(`(?:^|/)(?:var/)?run/secrets/(?:azure/)?tokens/${K8S_ATOMIC}azure-identity-token$`),
  },
  {
    id: 'eks-irsa',
    vector: 'ServiceAccountToken',
    what: 'EKS IAM roles for service accounts token',
    pattern: new RegExp(`(?:^|/)(?:var/)?run/secrets/eks\\.amazonaws\\.com/serviceaccount/${K8S_ATOMIC}token$`),
  },
  {
    id: 'eks-pod-identity',
    vector: 'ServiceAccountToken',
    what: 'EKS Pod Identity token',
    pattern: new RegExp(`(?:^|/)(?:var/)?run/secrets/pods\\.eks\\.amazonaws\\.com/serviceaccount/${K8S_ATOMIC}eks-pod-identity-token$`),
  },
  {
    id: 'projected-service-account-token',
    vector: 'ServiceAccountToken',
    what: 'projected service account token',
    pattern: new RegExp(`(?:^|/)(?:var/)?run/secrets/tokens/${K8S_ATOMIC}[^/]+$`),
  },
  {
    // The same tokens seen from the node: kubelet's volume folders for each pod.
    id: 'kubelet-pod-volume-token',
    vector: 'ServiceAccountToken',
    what: "service account token in a pod's kubelet volume",
    pattern: new RegExp(`(?:^|/)var/lib/kubelet/pods/[^/]+/volumes/kubernetes\\.io~(?:projected|secret)/[^/]+/${K8S_ATOMIC}(?:token|azure-identity-token)$`),
  },
  {
    // Azure Arc: himds answers a token request with 401 and `Www-Authenticate: Basic realm=<file>`;
    // whoever can read that key file (Administrators, the himds group / "Hybrid agent extension
    // applications") gets the machine's token. %ProgramData%\AzureConnectedMachineAgent\Tokens\<guid>.key
    // on Windows, /var/opt/azcmagent/tokens/<guid>.key on Linux.
    id: ARC_TOKEN_KEY,
    vector: 'TokenCache',
    what: 'Azure Arc managed identity key file',
    pattern: /(?:^|\/)(?:(?:%programdata%|programdata)\/azureconnectedmachineagent|var\/opt\/azcmagent)\/tokens\/[^/]+\.key$/,
    readsOnly: true,
  },
  {
    id: 'cloud-token-cache-file',
    vector: 'TokenCache',
    what: 'cloud CLI / OAuth token cache',
    pattern:
      /(?:^|\/)(?:application_default_credentials\.json|accesstokens\.json|azureprofile\.json|msal_token_cache\.(?:json|bin)|msal_http_cache\.bin|service_principal_entries\.bin|tokencache\.dat|\.git-credentials)$/,
  },
  {
    // Azure PowerShell and Visual Studio: %LOCALAPPDATA%\.IdentityService\msal.cache, ~/.local/.IdentityService/msal.cache.
    id: 'identity-service-msal-cache',
    vector: 'TokenCache',
    what: 'Azure PowerShell / Visual Studio MSAL token cache',
    pattern: /(?:^|\/)\.identityservice\/(?:[^/]+\/)*[^/]*msal[^/]*\.cache$/,
  },
  {
    id: 'gcloud-config',
    vector: 'TokenCache',
    what: 'gcloud credential store',
    pattern: /(?:^|\/)(?:\.config|appdata\/roaming)\/gcloud\/(?:(?:[^/]+\/)*[^/]+\.(?:json|db)|legacy_credentials\/.*)$/,
  },
  { id: 'azure-cli-json', vector: 'TokenCache', what: 'Azure CLI profile or token file', pattern: /(?:^|\/)\.azure\/(?:[^/]+\/)*[^/]+\.json$/ },
  { id: 'token-cache-folder', vector: 'TokenCache', what: 'TokenCache folder', pattern: /(?:^|\/)tokencache\/[^/]+/ },
  { id: 'aws-credentials', vector: 'TokenCache', what: 'AWS shared credentials file', pattern: /(?:^|\/)\.aws\/credentials$/ },
  { id: 'aws-cli-cache', vector: 'TokenCache', what: 'AWS CLI / SSO token cache', pattern: /(?:^|\/)\.aws\/(?:cli|sso)\/cache\/[^/]+$/ },
];

export interface TokenFileHit {
  readonly patternId: string;
  readonly readsOnly: boolean;
  readonly vector: TokenFilePattern['vector'];
  readonly what: string;
  /** The path as written (display). */
  readonly path: string;
  /** The normalised path (dedup key). */
  readonly pathKey: string;
}

export function tokenFileOfPath(path: string): TokenFileHit | undefined {
  const pathKey = normalisePath(path);
  for (const p of TOKEN_FILE_PATTERNS) {
    if (p.pattern.test(pathKey)) return { patternId: p.id, readsOnly: p.readsOnly === true, vector: p.vector, what: p.what, path, pathKey };
  }
  return undefined;
}

/**
 * True when a file event's action records a read or an open: auditd-manager `opened-file`, Elastic
 * `open`, ECS event types `access`. Creations, writes, renames and deletions are not reads.
 */
export function isReadAction(action: string): boolean {
  return action.toLowerCase().split(/[+,\s]+/).some((a) => /^(?:opened-file|open|opened|read|access|accessed|file-open|fileopen)$/.test(a));
}

/**
 * The folders of a home or profile where the CLIs keep their caches: `~/.azure/` (Azure CLI, Azure
 * PowerShell's `AzureRmContext.json`), `.IdentityService/` (`%LOCALAPPDATA%`, `~/.local`),
 * gcloud's config folder, `~/.aws/`, and `~/.git-credentials`.
 */
const CACHE_HOME = /^(?:\/home\/[^/]+|\/root|\?:\/users\/[^/]+)\/(?:(?:\.local\/|appdata\/local\/)?\.identityservice\/|\.azure\/|\.config\/gcloud\/|appdata\/roaming\/gcloud\/|\.aws\/|\.git-credentials$)/;

/**
 * True when a file event is a cache written where it lives: a creation, change or rename (a known
 * action that is not a read) of a token cache in its own folder of a home. That is nearly always
 * the program the cache belongs to refreshing it (Azure PowerShell writes `AzureRmContext.json` and
 * its MSAL cache from inside `pwsh.exe` at every sign-in), not theft: a thief reads the cache, which
 * write-only telemetry (MDE DeviceFileEvents, Sysmon 11) does not show, or copies it, and the copy
 * is written elsewhere (`/tmp/msal_token_cache.json`). Reads, and events whose action is not known,
 * are not such writes.
 */
export function isCacheWrittenInPlace(hit: TokenFileHit, action: string): boolean {
  return !hit.readsOnly && action !== '' && !isReadAction(action) && CACHE_HOME.test(hit.pathKey);
}

/**
 * Folders that hold token files, named whole in a command line that copies or archives
 * (`tar czf /tmp/c.tgz ~/.azure ~/.aws ~/.config/gcloud`, `Compress-Archive $HOME\.azure`): each
 * stands for every token file in it.
 */
const TOKEN_FOLDERS: readonly TokenFilePattern[] = [
  { id: 'service-account-token-folder', vector: 'ServiceAccountToken', what: 'Kubernetes service account token folder', pattern: /(?:^|\/)(?:var\/)?run\/secrets\/(?:kubernetes\.io|eks\.amazonaws\.com)\/serviceaccount\/?$/ },
  { id: 'azure-cli-folder', vector: 'TokenCache', what: 'Azure CLI / Azure PowerShell folder', pattern: /(?:^|\/)\.azure\/?$/ },
  { id: 'identity-service-folder', vector: 'TokenCache', what: 'Azure PowerShell / Visual Studio MSAL cache folder', pattern: /(?:^|\/)\.identityservice\/?$/ },
  { id: 'gcloud-folder', vector: 'TokenCache', what: 'gcloud credential folder', pattern: /(?:^|\/)(?:\.config|appdata\/roaming)\/gcloud\/?$/ },
  { id: 'aws-folder', vector: 'TokenCache', what: 'AWS credentials folder', pattern: /(?:^|\/)\.aws\/?$/ },
];

/** Programs (and PowerShell cmdlets) that copy or archive what they are given: a token folder named to them is taken whole. */
const COPIERS = new Set(['tar', 'zip', '7z', '7za', 'rar', 'cp', 'scp', 'rsync', 'robocopy', 'xcopy', 'copy', 'copy-item', 'cpi', 'compress-archive', 'cpio']);
/** Commands that change the directory relative names are read in (`cd /var/run/secrets/kubernetes.io/serviceaccount && cat token`). */
const CHANGE_DIRECTORY = new Set(['cd', 'pushd', 'chdir', 'set-location', 'sl']);
/** A directory whose relative names are resolved: one that holds token files (resolving every argument of every command would cost more than it finds). */
const TOKEN_DIRECTORY = /(?:secrets|\.azure|gcloud|\.aws|azcmagent|azureconnectedmachineagent|\.identityservice|kubelet\/pods|tokens)(?:\/|$)/;
/** The words of a command line: a quoted string (its content in group 1 or 2), or a run of characters no shell or PowerShell separates on. */
const WORD = /"([^"]*)"|'([^']*)'|([^\s'"`(),;{}<>|&]+)/g;
const UNQUOTED_WORD = /[^\s'"`(),;{}<>|&]+/g;

/**
 * Token file paths named in a command line (`cat /var/run/secrets/kubernetes.io/serviceaccount/token`,
 * `type %USERPROFILE%\.azure\msal_token_cache.json`, `cp ~/.aws/credentials /tmp/x`), each once:
 * - a quoted path is read whole, spaces included (`type "C:\Users\John Smith\.azure\msal_token_cache.bin"`);
 *   a quoted string that is no token file is read word by word (`bash -c "cat …/token"`);
 * - a relative name is read in the working directory (ECS `process.working_directory`, Sysmon
 *   `CurrentDirectory`), or in the one a `cd` earlier in the line moved to, when that directory
 *   holds token files (`cat token` in `/var/run/secrets/kubernetes.io/serviceaccount`);
 * - a folder of token files given to a copier or archiver (`tar`, `cp -r`, `Compress-Archive`) counts.
 */
export function tokenFilesInCommandLine(commandLine: string, workingDirectory = ''): TokenFileHit[] {
  const hits: TokenFileHit[] = [];
  let directory = workingDirectory === '' ? '' : normalisePath(workingDirectory).replace(/\/+$/, '');
  let changingDirectory = false;
  let copying = false;
  const add = (hit: TokenFileHit | undefined): void => {
    if (hit !== undefined && !hits.some((h) => h.pathKey === hit.pathKey)) hits.push(hit);
  };
  const read = (word: string): void => {
    const token = word.replace(/^-{1,2}[a-z][\w-]*=/i, '').replace(/[.,:!]+$/, '');
    if (token === '') return;
    if (changingDirectory) {
      changingDirectory = false;
      directory = inDirectory(directory, token);
      return;
    }
    const lower = token.toLowerCase();
    const program = (lower.split(/[\\/]/).pop() ?? lower).replace(/\.exe$/, '');
    if (CHANGE_DIRECTORY.has(lower)) {
      changingDirectory = true;
      return;
    }
    if (COPIERS.has(program)) copying = true;
    const path = directory !== '' && isRelative(token) && TOKEN_DIRECTORY.test(directory) ? `${directory}/${token}` : token;
    if (path.length < 6) return;
    add(tokenFileOfPath(path));
    if (copying) add(tokenFolderOfPath(path));
  };
  for (const match of commandLine.matchAll(WORD)) {
    const quoted = match[1] ?? match[2];
    if (quoted === undefined) {
      read(match[3] ?? '');
      continue;
    }
    // A quoted path is one word, spaces and all; any other quoted string is words of its own.
    const whole = quoted.trim();
    if (isOnePath(whole) && !changingDirectory && (tokenFileOfPath(whole) !== undefined || (copying && tokenFolderOfPath(whole) !== undefined))) read(whole);
    else for (const word of quoted.match(UNQUOTED_WORD) ?? []) read(word);
  }
  return hits;
}

function tokenFolderOfPath(path: string): TokenFileHit | undefined {
  const pathKey = normalisePath(path);
  for (const p of TOKEN_FOLDERS) {
    if (p.pattern.test(pathKey)) return { patternId: p.id, readsOnly: false, vector: p.vector, what: p.what, path, pathKey };
  }
  return undefined;
}

/** A quoted string that is one path (`C:\\Users\\John Smith\\…`), not a command (`cat /…/token; cp …`): it starts as a path and holds no separator or option. */
function isOnePath(text: string): boolean {
  return text.length >= 6 && /^(?:[\\/~%$.]|[a-z]:)/i.test(text) && !/[;|&<>]|\s-/.test(text);
}

/** Not absolute, not from home (`~`) and naming no variable (`%USERPROFILE%`, `$HOME`, `$env:…`). */
function isRelative(token: string): boolean {
  return !/^(?:[\\/~%$]|[a-z]:)/i.test(token);
}

/** The directory `cd target` moves to from `directory` (normalised; '' when it cannot be known). */
function inDirectory(directory: string, target: string): string {
  if (!isRelative(target)) return normalisePath(target).replace(/\/+$/, '');
  return directory === '' ? '' : `${directory}/${normalisePath(target)}`.replace(/\/+$/, '');
}
