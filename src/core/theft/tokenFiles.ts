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

/** The Azure Developer CLI's cache pattern id: azd is trusted for its own cache, not for the other CLIs'. */
export const AZD_TOKEN_CACHE = 'azure-developer-cli-cache';

/** The Azure Arc key-file pattern id: reading one of these files is how a process gets the Arc machine's token. */
export const ARC_TOKEN_KEY = 'azure-arc-token-key';

/** `..data/` and `..2026_03_01_10_00_00.123/`: the atomic-writer folders kubelet puts between the mount and the file. */
const K8S_ATOMIC = '(?:\\.\\.[^/]*/)?';

/**
 * A home folder as a path or a command line names it (the source of a RegExp): `/home/<user>`,
 * `/root`, macOS's `/Users/<user>` and `/var/root` (also as `/private/var/root`, the path it links
 * to), `C:\Users\<user>`, the SYSTEM and service profiles, or a variable that stands for
 * one (`~`, `$HOME`, `%USERPROFILE%`, `$env:USERPROFILE`), at the start of the path.
 */
const HOME_FOLDER =
  '^(?:\\/home\\/[^/]+|\\/root|\\/users\\/[^/]+|(?:\\/private)?\\/var\\/root|\\?:\\/users\\/[^/]+|\\?:\\/windows\\/(?:system32|syswow64)\\/config\\/systemprofile|\\?:\\/windows\\/serviceprofiles\\/[^/]+|~|\\$\\{?home\\}?|%userprofile%|\\$\\{?env:userprofile\\}?)';

export const TOKEN_FILE_PATTERNS: readonly TokenFilePattern[] = [
  {
    id: 'kubernetes-service-account',
    vector: 'ServiceAccountToken',
    what: 'Kubernetes service account token',
    // The token only: ca.crt beside it is the cluster's public CA (`curl --cacert …/ca.crt` is the
    // documented way to call the API server from a pod), and namespace is a name.
    pattern: new RegExp(`(?:^|/)(?:var/)?run/secrets/kubernetes\\.io/serviceaccount/${K8S_ATOMIC}token$`),
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
    pattern: new RegExp(`(?:^|/)var/lib/kubelet/pods/[^/]+/volumes/kubernetes\\.io~(?:projected|secret)/[^/]+/${K8S_ATOMIC}(?:token|azure-identity-token|eks-pod-identity-token)$`),
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
      /(?:^|\/)(?:application_default_credentials\.json|accesstokens\.json|msal_token_cache\.(?:json|bin)|msal_http_cache\.bin|service_principal_entries\.(?:json|bin)|tokencache\.dat|access_tokens\.db|\.git-credentials)$/,
  },
  {
    // Azure PowerShell and Visual Studio: %LOCALAPPDATA%\.IdentityService\msal.cache, ~/.local/.IdentityService/msal.cache;
    // the Azure SDKs' persistent caches add `.cae` / `.nocae` (msal.cache.nocae), Microsoft Graph PowerShell's is mg.msal.cache.nocae.
    id: 'identity-service-msal-cache',
    vector: 'TokenCache',
    what: 'Azure PowerShell / Visual Studio MSAL token cache',
    pattern: /(?:^|\/)\.identityservice\/(?:[^/]+\/)*[^/]*msal[^/]*\.cache(?:\.(?:cae|nocae))?$/,
  },
  {
    id: 'gcloud-config',
    vector: 'TokenCache',
    what: 'gcloud credential store',
    // Not gcloud's own prompt and update timestamps (`.last_update_check.json`, `.last_survey_prompt.yaml`).
    pattern: /(?:^|\/)(?:\.config|appdata\/roaming)\/gcloud\/(?:(?:[^/]+\/)*(?!\.last_)[^/]+\.(?:json|db)|legacy_credentials\/.*)$/,
  },
  // Any json in the home's .azure (the CLI's profile and caches, Azure PowerShell's AzureRmContext.json):
  // a project's own .azure folder (the Azure Developer CLI's config.json and environments) holds no token,
  // nor do the CLI's extensions (`az extension add` has pip write each wheel's azext_metadata.json under
  // cliextensions/) nor the files the CLI loads at every start beside its profile (azure/cli/core/__init__.py:
  // its settings az.json, and the command, extension and help indexes and version check), nor its
  // profile azureProfile.json: subscriptions, tenants and account names, which scripts read for the
  // default subscription.
  {
    id: 'azure-cli-json',
    vector: 'TokenCache',
    what: 'Azure CLI token file',
    pattern: new RegExp(`${HOME_FOLDER}\\/\\.azure\\/(?!cliextensions\\/|(?:az|azureprofile|commandindex|extensionindex|helpindex|extensionhelpindex|versioncheck)\\.json$)(?:[^/]+\\/)*[^/]+\\.json$`),
  },
  { id: 'token-cache-folder', vector: 'TokenCache', what: 'TokenCache folder', pattern: /(?:^|\/)tokencache\/[^/]+/ },
  { id: 'aws-credentials', vector: 'TokenCache', what: 'AWS shared credentials file', pattern: /(?:^|\/)\.aws\/credentials$/ },
  { id: 'aws-cli-cache', vector: 'TokenCache', what: 'AWS CLI / SSO token cache', pattern: /(?:^|\/)\.aws\/(?:cli|sso)\/cache\/[^/]+$/ },
  // kubelogin (the kubectl credential plugin for AKS) keeps the Entra tokens it gets in the home's `.kube/cache/kubelogin/`.
  { id: 'kubelogin-cache', vector: 'TokenCache', what: 'kubelogin token cache', pattern: /(?:^|\/)\.kube\/cache\/kubelogin\/[^/]+\.json$/ },
  {
    // The Azure Developer CLI: its MSAL cache `~/.azd/auth/msal/cache<key>.json` (`.bin`, DPAPI-sealed, on
    // Windows) and its service principal credentials `cred<key>.{json,bin}` (azure-dev pkg/auth/cache_*.go).
    id: AZD_TOKEN_CACHE,
    vector: 'TokenCache',
    what: 'Azure Developer CLI token cache',
    pattern: /(?:^|\/)\.azd\/auth\/(?:msal\/)?(?:cache|cred)[^/]*\.(?:json|bin)$/,
  },
  {
    // Windows' Web Account Manager: the token broker keeps the tokens it hands to apps (Office,
    // Teams, the Azure SDKs' broker credential) as DPAPI-sealed `.tbres` responses in
    // `%LOCALAPPDATA%\Microsoft\TokenBroker\Cache\` (and the AAD broker plug-in's package folder).
    // The broker writes them all day, so only a read counts: a command line that names one.
    id: 'windows-token-broker-cache',
    vector: 'TokenCache',
    what: 'Windows token broker (WAM) cache',
    pattern: /(?:^|\/)tokenbroker\/cache\/[^/]+\.tbres$/,
    readsOnly: true,
  },
];

/**
 * The token files the patterns above know by name, for a wildcard in a command line to stand for
 * (`type %USERPROFILE%\.azure\msal_token_cache.*`, `Copy-Item $env:LOCALAPPDATA\.IdentityService\*`):
 * a pattern that names a file names it here too.
 */
export const TOKEN_FILE_NAMES: readonly string[] = [
  // The names only one folder's pattern knows first, so that a wildcard in that folder stands for
  // them (`serviceaccount/t*` is the token, not a TokenCache.dat placed there); an Arc key is named
  // by a GUID (`Tokens\*.key`).
  'token', 'azure-identity-token', 'eks-pod-identity-token', '00000000-0000-0000-0000-000000000000.key',
  'msal_token_cache.json', 'msal_token_cache.bin', 'msal_http_cache.bin', 'service_principal_entries.bin', 'service_principal_entries.json', 'accessTokens.json',
  'AzureRmContext.json', 'TokenCache.dat', 'msal.cache', 'msal.cache.nocae', 'msal.cache.cae', 'mg.msal.cache.nocae', 'credentials',
  'credentials.db', 'access_tokens.db', 'application_default_credentials.json', '.git-credentials',
  // azd's caches and the token broker's responses, named by a key or a hash (`msal\*`, `Cache\*.tbres`).
  'cache.json', 'cache.bin', 'cred.json', 'cred.bin', '0000000000000000000000000000000000000000.tbres',
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
  return READ_ACTION.test(action);
}

/** One of the words of an action (`+`, `,` or white space between them) is a read or an open: asked of every file event, so one test, nothing split. */
const READ_ACTION = /(?:^|[+,\s])(?:opened-file|open|opened|read|access|accessed|file-open|fileopen)(?=$|[+,\s])/i;

/**
 * True when a file event's action records a deletion (MDE `FileDeleted`, ECS event type
 * `deletion`, auditd-manager `deleted`): removing a cache reads nothing from it. Build agents clean
 * their temporary Azure CLI folders (`_work/_temp/.azclitask/msal_token_cache.json`) after every job.
 */
export function isDeleteAction(action: string): boolean {
  return DELETE_ACTION.test(action);
}

const DELETE_ACTION = /(?:^|[+,\s])(?:filedeleted|deleted|deletion|delete|file-delete|unlinked?|removed?)(?=$|[+,\s])/i;

/**
 * A token cache where its CLI keeps it in a home or profile (the home's user in group 1 for Linux,
 * also under SSSD's `/home/<domain>/<user>`, group 2 for a service account's `/var/lib/<account>`
 * (Jenkins), group 3 for Windows, group 6 for macOS, none for root's; the SYSTEM profile in group 4, where tools run by Run
 * Command, scheduled tasks and pipeline agents keep theirs, and LOCAL or NETWORK SERVICE's in group 5): directly in `~/.azure/` (Azure CLI, Azure PowerShell's `AzureRmContext.json`) or
 * `.IdentityService/` (`%LOCALAPPDATA%`, `~/.local`, `~/.local/share`, macOS's `~/Library/Application Support`: .NET's local application data), in gcloud's config folder or its
 * `legacy_credentials/`, `~/.aws/` or its `cli/cache/` and `sso/cache/`, or `~/.git-credentials`.
 * A cache in a subfolder the CLI does not write (`~/.azure/backup/`) is not in its place.
 */
const CACHE_HOME =
  /^(?:\/home\/(?:[^/]+\.[^/]+\/)?([^/]+)|\/var\/lib\/([^/]+)|\/root|(?:\/private)?\/var\/root|\?:\/users\/([^/]+)|\?:\/windows\/(?:system32|syswow64)\/config\/(systemprofile)|\?:\/windows\/serviceprofiles\/(localservice|networkservice)|\/users\/([^/]+))\/(?:(?:(?:\.local\/(?:share\/)?|appdata\/local\/|library\/application support\/)?\.identityservice|\.azure)\/[^/]+$|(?:\.config|appdata\/roaming)\/gcloud\/(?:legacy_credentials\/.+|[^/]+)$|\.aws\/(?:(?:cli|sso)\/cache\/)?[^/]+$|\.kube\/cache\/kubelogin\/[^/]+$|\.azd\/auth\/(?:msal\/)?[^/]+$|\.git-credentials$)/;

/** The accounts whose profiles Windows keeps under `Windows\ServiceProfiles`, as telemetry names them. */
const SERVICE_ACCOUNTS: Readonly<Record<string, string>> = { localservice: 'local service', networkservice: 'network service' };

/**
 * True when a file event is a cache written where it lives: a creation, change or rename (a known
 * action that is not a read) of a token cache in its own folder of a home. That is nearly always
 * the program the cache belongs to refreshing it (Azure PowerShell writes `AzureRmContext.json` and
 * its MSAL cache from inside `pwsh.exe` at every sign-in), not theft: a thief reads the cache, which
 * write-only telemetry (MDE DeviceFileEvents, Sysmon 11) does not show, or copies it, and the copy
 * is written elsewhere (`/tmp/msal_token_cache.json`). Reads, events whose action is not known,
 * and writes by an account other than the home's (`account`: `DOMAIN\user`, `user` or '' when not
 * known) are not such writes.
 */
export function isCacheWrittenInPlace(hit: TokenFileHit, action: string, account: string): boolean {
  if (hit.readsOnly || action === '' || isReadAction(action)) return false;
  // Written by another account (eve's shell writing into her cache a copy of admin's), it is a copy.
  const owned = ownsCacheHome(hit.pathKey, account);
  return owned === true || owned === 'unknown-account';
}

/**
 * Whether `account` (`DOMAIN\user`, `user`, `user@domain` or '' when not known) is the account whose
 * home holds the cache at `pathKey` (normalised) in its own folder: false for another account's or a
 * cache outside its home folder, 'unknown-account' when the event names no account.
 */
export function ownsCacheHome(pathKey: string, account: string): boolean | 'unknown-account' {
  const place = CACHE_HOME.exec(pathKey);
  if (place === null) return false;
  const owner = place[1] ?? place[2] ?? place[3] ?? place[6] ?? (place[4] !== undefined ? 'system' : place[5] !== undefined ? SERVICE_ACCOUNTS[place[5]]! : 'root');
  // `CONTOSO\bob`, `bob` or, from SSSD and Entra-joined Linux, `bob@contoso.com`.
  const user = (account.toLowerCase().split(/[\\/]/).pop() ?? '').replace(/@.*$/, '');
  if (user === '') return 'unknown-account';
  // Windows names a second profile of one account `<user>.<DOMAIN>`.
  return user === owner || owner.startsWith(`${user}.`);
}
