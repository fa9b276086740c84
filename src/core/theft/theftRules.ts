import type { Severity, TheftVector } from '../alerts/alertRow';
import { rememberBounded } from '../boundedMemo';
import type { EndpointEvent, EndpointFile } from '../records/endpoint/endpointEvent';
import { imageOfProcess, isTemporaryLocation, posixShellScriptKey, profileCaller } from './callerProfile';
import { commandLineUrls, hostAndPathWords } from './commandLineUrls';
import { tokenEndpointOfConnection, tokenEndpointOfUrl, tokenEndpointVariables } from './tokenEndpoints';
import { NON_READING, tokenFilesInCommandLine } from './commandLineTokenFiles';
import { ARC_TOKEN_KEY, isCacheWrittenInPlace, isDeleteAction, isReadAction, tokenFileOfPath, type TokenFileHit } from './tokenFiles';

/**
 * The theft rules: metadata plus one small pure predicate each. The detector knows only this type;
 * adding a rule is adding an entry to THEFT_RULES (and its Sigma twin under rules/sigma).
 */
/**
 * `token-path`: a token URL, identity variable or token file was seen; `endpoint-only`: only the
 * endpoint (a bare connection, instance metadata); `identity-key`: a key that unlocks the machine's
 * own identity was read (the Azure Arc challenge key file), which a name-only allowlist match does
 * not lower (see theftSeverity).
 */
export type MatchStrength = 'token-path' | 'endpoint-only' | 'identity-key';
export type MatchVia = 'url' | 'command-line' | 'encoded-command' | 'environment-variable' | 'connection' | 'file-event';

export interface TheftMatch {
  /** For the Target column: the URL without its query, `address:port`, `$IDENTITY_ENDPOINT` or the file path. */
  readonly target: string;
  /** Normalised target: part of the dedup key. */
  readonly targetKey: string;
  /** See MatchStrength. */
  readonly strength: MatchStrength;
  readonly via: MatchVia;
  /** Token service (`azure-imds`) or token file pattern id (`kubernetes-service-account`). */
  readonly service: string;
  /** What was reached for, in words: "Azure managed identity token". */
  readonly what: string;
  /** HTTP method or file action when known; ''. */
  readonly operation: string;
  /** The URL as seen (query included; redacted before it reaches an alert); ''. */
  readonly url: string;
}

export interface TheftRule {
  /** Stable kebab-case id; also the Sigma file name. */
  readonly id: string;
  /** AlertName. */
  readonly name: string;
  readonly vector: TheftVector;
  /** The highest severity the rule raises (the detector lowers it by evidence and caller, see theftSeverity). */
  readonly severity: Severity;
  readonly attack: { readonly tactic: 'CredentialAccess'; readonly techniques: readonly string[] };
  readonly description: string;
  /** Investigation steps, in order. */
  readonly runbook: readonly string[];
  readonly falsePositives: readonly string[];
  /** The portable Sigma rule that mirrors this one, relative to the repository root. */
  readonly sigma: string;
  match(event: EndpointEvent): readonly TheftMatch[];
}

function tokenEndpointRequests(event: EndpointEvent): readonly TheftMatch[] {
  const url = event.network?.url ?? '';
  const hit = url === '' ? undefined : tokenEndpointOfUrl(url);
  const requests = event.process.commandLine === '' ? NO_MATCHES : commandLineRequests(event.process.commandLine);
  // Nearly every command line names no token URL: the searcher check runs for the few that do.
  const fromCommandLine = requests.length > 0 && isSearcher(event.process) ? NO_MATCHES : requests;
  if (hit === undefined) return fromCommandLine;
  // Matches by the URL and by the command line never collide (their `via` differs): no dedup between them.
  return [
    { target: hit.target, targetKey: hit.target, strength: hit.tokenPath ? 'token-path' : 'endpoint-only', via: 'url', service: hit.service, what: hit.what, operation: event.network?.method ?? '', url },
    ...fromCommandLine,
  ];
}

const NO_MATCHES: readonly TheftMatch[] = Object.freeze([]);

/**
 * Programs that search text: a URL in their command line is a pattern (`grep -rn
 * http://169.254.169.254/metadata/identity ./scripts`, an incident responder's first move), not
 * a request. Their network and file events are judged as anyone's.
 */
const SEARCHERS = new Set(['grep', 'egrep', 'fgrep', 'zgrep', 'rg', 'ag', 'ack', 'findstr']);

function isSearcher(process: EndpointEvent['process']): boolean {
  return SEARCHERS.has(imageOfProcess(process));
}

/**
 * Token endpoint requests named in a command line (URLs, also in a decoded -EncodedCommand, and
 * identity endpoint variables). A function of the command line alone, and agents start with the
 * same command line on every host, so the answers are remembered by command line (bounded, see
 * rememberBounded; frozen, as records share them). Long command lines are not kept.
 */
function commandLineRequests(commandLine: string): readonly TheftMatch[] {
  const known = COMMAND_LINE_REQUESTS.get(commandLine);
  if (known !== undefined) return known;
  const matches = scanCommandLine(commandLine);
  if (commandLine.length > COMMAND_LINE_MEMO_MAX_LENGTH) return matches;
  return rememberBounded(COMMAND_LINE_REQUESTS, commandLine, matches, COMMAND_LINE_MEMO_MAX);
}

const COMMAND_LINE_REQUESTS = new Map<string, readonly TheftMatch[]>();
const COMMAND_LINE_MEMO_MAX = 2_000;
/** Command lines up to this long are remembered (the memo then holds a few MB at most). */
const COMMAND_LINE_MEMO_MAX_LENGTH = 1_024;

function scanCommandLine(commandLine: string): readonly TheftMatch[] {
  const matches: TheftMatch[] = [];
  const add = (m: TheftMatch): void => {
    if (!matches.some((x) => x.targetKey === m.targetKey && x.via === m.via)) matches.push(Object.freeze(m));
  };
  for (const found of commandLineUrls(commandLine)) {
    const hit = tokenEndpointOfUrl(found.url);
    if (hit === undefined) continue;
    add({
      target: hit.target,
      targetKey: hit.target,
      strength: hit.tokenPath ? 'token-path' : 'endpoint-only',
      via: found.decoded ? 'encoded-command' : 'command-line',
      service: hit.service,
      what: hit.what,
      operation: found.method,
      url: found.url,
    });
  }
  for (const hit of tokenEndpointVariables(commandLine)) {
    add({ target: hit.target, targetKey: hit.target.toLowerCase(), strength: 'token-path', via: 'environment-variable', service: hit.service, what: hit.what, operation: '', url: '' });
  }
  if (!matches.some((m) => m.strength === 'token-path')) {
    const split = splitRequest(commandLine);
    if (split !== undefined) add(split);
  }
  return matches.length === 0 ? NO_MATCHES : Object.freeze(matches);
}

/**
 * A token request written as a metadata host and a token path apart (hostAndPathWords): the host
 * and the path together ask for a token as the URL would.
 */
function splitRequest(commandLine: string): TheftMatch | undefined {
  if (!commandLine.includes('/')) return undefined;
  const { hosts, paths } = hostAndPathWords(commandLine);
  for (const host of hosts) {
    if (tokenEndpointOfUrl(`http://${host}/`) === undefined) continue;
    for (const path of paths) {
      const url = `http://${host}${path}`;
      const hit = tokenEndpointOfUrl(url);
      if (hit?.tokenPath === true) return { target: hit.target, targetKey: hit.target, strength: 'token-path', via: 'command-line', service: hit.service, what: hit.what, operation: '', url };
    }
  }
  return undefined;
}

function bareConnections(event: EndpointEvent): readonly TheftMatch[] {
  const network = event.network;
  if (event.kind !== 'network' || network === null || network.url !== '') return NO_MATCHES;
  // The command line already names a token URL: that stronger alert covers this connection.
  if (tokenEndpointRequests(event).some((m) => m.strength === 'token-path')) return NO_MATCHES;
  const hit = tokenEndpointOfConnection(network.destinationIp, network.destinationPort, network.destinationHost);
  if (hit === undefined) return NO_MATCHES;
  return [{ target: hit.target, targetKey: hit.target, strength: 'endpoint-only', via: 'connection', service: hit.service, what: hit.what, operation: '', url: '' }];
}

/**
 * Token files of one vector, from file events and from command lines that name them. `only`
 * restricts the patterns (the Arc key file has its own rule); a pattern marked `readsOnly` counts
 * only file events that record a read or an open, never a creation.
 */
function tokenFiles(vector: TokenFileHit['vector'], only: (patternId: string) => boolean, strength: MatchStrength = 'token-path') {
  return (event: EndpointEvent): readonly TheftMatch[] => {
    const seen = tokenFileHits(event);
    // Most events name no token file, and most that do name one of another rule's vector: those allocate nothing.
    let matches: TheftMatch[] | undefined;
    for (let i = 0; i < seen.length; i++) {
      const { hit, via, operation } = seen[i]!;
      if (hit.vector === vector && only(hit.patternId)) (matches ??= []).push({ target: hit.path, targetKey: hit.pathKey, strength, via, service: hit.patternId, what: hit.what, operation, url: '' });
    }
    return matches ?? NO_MATCHES;
  };
}

interface SeenTokenFile {
  readonly hit: TokenFileHit;
  readonly via: MatchVia;
  readonly operation: string;
}

/**
 * The token file a rename took away (`mv ~/.aws/credentials /private/tmp/.c`), or undefined: no
 * previous path, not a token file, or renamed to another token file of its own folder (a CLI
 * rotating its caches). A cache renamed to another name in its folder is taken too: that is the
 * first step of moving it out under a name no pattern knows. (A CLI replacing its cache through a
 * temporary file beside it renames the temporary file, not the cache.)
 */
function movedOutOfItsFolder(file: EndpointFile): TokenFileHit | undefined {
  if (file.previousPath === '') return undefined;
  const taken = tokenFileOfPath(file.previousPath);
  if (taken === undefined) return undefined;
  const folderOf = (key: string): string => key.slice(0, key.lastIndexOf('/') + 1);
  return folderOf(taken.pathKey) === folderOf(file.pathKey) && tokenFileOfPath(file.path) !== undefined ? undefined : taken;
}

/**
 * Whether the process is an interpreter or shell running a script from a temporary folder
 * (`python3 /private/tmp/s.py`, `bash /tmp/i.sh`). Not an Azure extension's payload: Run Command
 * hands PowerShell its script in `C:\Packages\Plugins\<extension>\<version>\Downloads\`, and Azure
 * PowerShell run so writes its own context as SYSTEM.
 */
function runsTemporaryScript(event: EndpointEvent): boolean {
  const caller = profileCaller(event.process);
  if (caller.category !== 'interpreter-writable-script' && caller.category !== 'shell') return false;
  const script = caller.scriptKey !== '' ? caller.scriptKey : caller.category === 'shell' ? posixShellScriptKey(event.process) : '';
  return script !== '' && isTemporaryLocation(script) && !script.startsWith(EXTENSION_PAYLOADS);
}

/** Where the Azure VM agent unpacks extensions and their payloads on Windows (`?:` is any drive). */
const EXTENSION_PAYLOADS = '?:/packages/plugins/';

/**
 * The token files an event touches or names, whatever their vector. The three token file rules ask
 * this of the same event one after the other, so the last event's answer is kept: the path is
 * matched once per event, not once per rule.
 */
function tokenFileHits(event: EndpointEvent): readonly SeenTokenFile[] {
  if (event === lastTokenFileEvent) return lastTokenFileHits;
  let hits: readonly SeenTokenFile[] = NO_TOKEN_FILES;
  // A deletion reads nothing: not the cache it removes, nor one its command line names.
  if (event.kind === 'file' && event.file !== null && !isDeleteAction(event.file.action)) {
    const hit = tokenFileOfPath(event.file.path);
    const action = event.file.action;
    // A cache written in its own folder is its owner refreshing it, unless the writer, or the script
    // an interpreter runs, is in a temporary folder (a downloaded tool planting or rewriting a CLI's
    // tokens) or its command line names another token file (`Copy-Item C:\Users\admin\.azure\msal_token_cache.bin`
    // into eve's own, `ditto /Users/bob/.azure /var/root/.azure`).
    const ownerWrite =
      hit !== undefined &&
      isCacheWrittenInPlace(hit, action, event.account) &&
      !isTemporaryLocation(event.process.pathKey) &&
      !runsTemporaryScript(event) &&
      !tokenFilesInCommandLine(event.process.commandLine, event.process.workingDirectory).some((named) => named.pathKey !== hit.pathKey);
    const moved = movedOutOfItsFolder(event.file);
    // A token file renamed or moved elsewhere (MDE FileRenamed, Elastic `rename`) is taken: the
    // file it was is the target, whoever moved it.
    if (moved !== undefined) hits = [{ hit: moved, via: 'file-event', operation: action }];
    else if (hit !== undefined && (hit.readsOnly ? isReadAction(action) : !ownerWrite)) hits = [{ hit, via: 'file-event', operation: action }];
    // A file that is no token file, written by a command line that names one: the copy itself
    // (`cp ~/.azure/msal_token_cache.json /tmp/x.dat`, seen in DeviceFileEvents' InitiatingProcessCommandLine).
    else if (hit === undefined && !isReadAction(action) && event.process.commandLine !== '') {
      const named = tokenFilesInCommandLine(event.process.commandLine, event.process.workingDirectory);
      if (named.length > 0) hits = named.map((h): SeenTokenFile => ({ hit: h, via: 'command-line', operation: action }));
    }
  }
  if (event.kind === 'process' && !changesOnlyMetadata(event)) {
    const named = tokenFilesInCommandLine(event.process.commandLine, event.process.workingDirectory);
    if (named.length > 0) hits = [...hits, ...named.map((hit): SeenTokenFile => ({ hit, via: 'command-line', operation: 'process-start' }))];
  }
  lastTokenFileEvent = event;
  lastTokenFileHits = hits;
  return hits;
}

/**
 * A program that names files without reading them (NON_READING: permissions, listing, removal;
 * `chmod 600 ~/.aws/credentials`, as AWS's own setup guide says to run), whatever its command line
 * holds: provisioning scripts run them on token files all the time. A shell running one of them
 * together with a reader (`sh -c "chmod 600 x; cat x"`) is the shell's event and still counts.
 */
function changesOnlyMetadata(event: EndpointEvent): boolean {
  return NON_READING.has(imageOfProcess(event.process));
}

let lastTokenFileEvent: EndpointEvent | undefined;
let lastTokenFileHits: readonly SeenTokenFile[] = [];
const NO_TOKEN_FILES: readonly SeenTokenFile[] = Object.freeze([]);

const ATTACK = { tactic: 'CredentialAccess', techniques: ['T1528', 'T1552.005'] } as const;

export const THEFT_RULES = [
  {
    id: 'token-endpoint-request',
    name: 'Token endpoint request by an untrusted process',
    vector: 'TokenEndpoint',
    severity: 'High',
    attack: ATTACK,
    description:
      'A process outside the allowlist requested a cloud token or instance metadata endpoint (Azure IMDS, Arc, App Service identity endpoint, AWS IMDS/ECS/EKS, GCP metadata), seen as an HTTP URL, in its command line (also decoded from a PowerShell -EncodedCommand), or through an identity endpoint environment variable.',
    runbook: [
      'Identify the process, its parent and the account from the alert; open the process tree on the host (MDE timeline, Sysmon event 1).',
      'Read Evidence.url and Target: a token path (metadata/identity/oauth2/token, iam/security-credentials, service-accounts/…/token) means a token was requested; note the resource= audience.',
      "Find what the identity did next: AzureActivity / MicrosoftGraphActivityLogs for the host's managed identity (the remote-use detector's alerts for the same identity), CloudTrail for AWS roles, GCP audit logs.",
      'Decide whether the program is a legitimate workload: who deployed it, is it signed, does it run from its install folder. If legitimate, allowlist it by path and host (docs/theft.md); if not, isolate the host and revoke the identity sessions (restart the VM to rotate IMDS tokens, remove role assignments).',
    ],
    falsePositives: [
      'Customer applications and scripts that use a managed identity through curl, PowerShell or python one-liners (deployment scripts, cloud-init user data).',
      'Configuration management and inventory tools not in the default allowlist (Ansible, Chef, Puppet facts, vulnerability scanners).',
      'Developer tools run interactively on build agents.',
    ],
    sigma: 'rules/sigma/token-endpoint-request.yml',
    match: tokenEndpointRequests,
  },
  {
    id: 'token-endpoint-connection',
    name: 'Connection to a cloud metadata endpoint by an untrusted process',
    vector: 'TokenEndpoint',
    severity: 'Medium',
    attack: ATTACK,
    description:
      'A process outside the allowlist opened a connection to a metadata or token endpoint address (169.254.169.254, fd00:ec2::254, fd20:ce::254 (GCE), 169.254.170.2, Arc localhost:40342, the retired VM extension on localhost:50342, App Service on Linux at a link-local address, port 8081) and the telemetry has no URL, so whether a token was requested is not known: Medium at most.',
    runbook: [
      'Look for the same process around the same time in process-creation telemetry (command line) or HTTP-aware telemetry to learn the path requested.',
      'Check the process, its parent and the account; a shell or download tool here is the strongest signal.',
      "Review what the host's identity did next (AzureActivity, MicrosoftGraphActivityLogs, the remote-use detector's alerts).",
      'Allowlist a legitimate program by path and host, or contain the host and rotate the identity.',
    ],
    falsePositives: [
      'Agents missing from the default allowlist that read instance metadata (monitoring, backup, inventory).',
      'Applications that use a managed identity through an SDK (the first request per host is raised, then the program is a known caller).',
    ],
    sigma: 'rules/sigma/token-endpoint-connection.yml',
    match: bareConnections,
  },
  {
    id: 'service-account-token-read',
    name: 'Kubernetes or workload identity token read by an untrusted process',
    vector: 'ServiceAccountToken',
    severity: 'High',
    attack: { tactic: 'CredentialAccess', techniques: ['T1528', 'T1552.001'] },
    description:
      'A process outside the orchestration allowlist opened or named a Kubernetes service-account token, a projected token, an Azure workload identity, EKS IRSA or EKS Pod Identity token file, in a container or through kubelet pod volumes on the node.',
    runbook: [
      'Identify the pod / container (container id, cgroup) and the process; check whether it is the workload itself or an exec session (kubernetes audit log: pods/exec).',
      'Find the service account and its RBAC bindings; check Kubernetes audit logs and the cloud audit logs for requests made with that identity after the read.',
      'If unexpected, delete the pod, rotate the service account token (recreate the pod or the secret), and review the image for tampering.',
    ],
    falsePositives: [
      'Workloads that read their own token through a shell wrapper or an SDK not installed in a standard path.',
      'Service meshes, CSI drivers and operators that mount and read tokens (add them by path).',
    ],
    sigma: 'rules/sigma/service-account-token-read.yml',
    match: tokenFiles('ServiceAccountToken', () => true),
  },
  {
    id: 'token-cache-access',
    name: 'Cloud CLI or OAuth token cache accessed by an untrusted process',
    vector: 'TokenCache',
    severity: 'High',
    attack: { tactic: 'CredentialAccess', techniques: ['T1528', 'T1552.001'] },
    description:
      'A process outside the toolchain allowlist opened, created or named a cloud CLI or OAuth token cache: Azure CLI / MSAL caches, Azure PowerShell msal.cache, gcloud credentials, AWS credentials and CLI/SSO caches, TokenCache folders, .git-credentials.',
    runbook: [
      "Identify the process and whether the cache belongs to the same user; a process reading another user's cache or copying it elsewhere is theft.",
      'Check the file path: copies of a cache outside its usual folder (temp, downloads) show staging for exfiltration.',
      'Review sign-ins and activity of the accounts in the cache (Entra sign-in logs, AWS CloudTrail, GCP audit logs) after the access; revoke refresh tokens if unexpected.',
      'Allowlist a legitimate tool by path (and host), or contain the host and revoke the sessions.',
    ],
    falsePositives: [
      'Cloud CLIs installed in non-default locations (pip user installs, conda environments, custom containers).',
      'Backup and sync tools that copy home directories; IDE extensions that read the Azure CLI cache.',
    ],
    sigma: 'rules/sigma/token-cache-access.yml',
    match: tokenFiles('TokenCache', (id) => id !== ARC_TOKEN_KEY),
  },
  {
    id: 'arc-identity-key-read',
    name: 'Azure Arc managed identity key file read by an untrusted process',
    vector: 'TokenCache',
    severity: 'High',
    attack: { tactic: 'CredentialAccess', techniques: ['T1528', 'T1552.001'] },
    description:
      "A process other than the Azure Connected Machine agent's own services, its extensions and the Azure CLI read (or named in its command line) an Azure Arc challenge key file: %ProgramData%\\AzureConnectedMachineAgent\\Tokens\\<guid>.key or /var/opt/azcmagent/tokens/<guid>.key. Reading that file is how a caller answers himds' 401 Basic-realm challenge on localhost:40342 and obtains the Arc machine's managed identity token. Only reads count (auditd-manager opened-file, ECS open/access events, command lines); file creations are himds writing the challenge.",
    runbook: [
      'Identify the process, its parent and the account; only Administrators and members of the himds group ("Hybrid agent extension applications" on Windows) can read the key, so an unexpected member of that group is itself a finding.',
      "Look for the matching request to http://localhost:40342/metadata/identity/oauth2/token around the same time (token-endpoint rules) and for what the Arc machine's identity did next: AzureActivity and MicrosoftGraphActivityLogs for the machine's managed identity, the remote-use detector's alerts.",
      'If the reader is a legitimate workload using the Arc identity, allowlist it by path and host (applications, vector TokenCache); if not, disconnect or isolate the machine, remove the identity role assignments and review who joined the himds group.',
    ],
    falsePositives: [
      "Customer applications and scripts that use the Arc machine's managed identity through an SDK (azure-identity, MSAL) or the documented PowerShell / curl example: they read the key file on every token request (the first read per host is raised).",
      'Arc-enabled extensions and agents that are not in the default allowlist and authenticate with the machine identity (add them by path).',
    ],
    sigma: 'rules/sigma/arc-identity-key-read.yml',
    match: tokenFiles('TokenCache', (id) => id === ARC_TOKEN_KEY, 'identity-key'),
  },
] as const satisfies readonly TheftRule[];
