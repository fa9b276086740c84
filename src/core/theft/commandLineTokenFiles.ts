/**
 * Token files a command line names, as a shell or PowerShell would read its arguments:
 *
 *   cat /var/run/secrets/kubernetes.io/serviceaccount/token
 *   cmd /c type "C:\\Users\\John Smith\\.azure\\msal_token_cache.bin"
 *   bash -c "cd /var/run/secrets/kubernetes.io/serviceaccount && cat token"
 *   tar czf /tmp/c.tgz ~/.azure ~/.aws ~/.config/gcloud
 *
 * Which paths are token files is tokenFiles.ts's (tokenFileOfPath); this file finds the paths.
 */
import { normalisePath } from '../records/endpoint/normalisePath';
import { decodedPowerShell, withEscapedQuotesAsQuotes, withoutEmptyQuotes } from './commandLineUrls';
import { ARC_TOKEN_KEY, TOKEN_FILE_NAMES, tokenFileOfPath, type TokenFileHit, type TokenFilePattern } from './tokenFiles';

/**
 * Folders that hold token files, named whole in a command line that copies or archives
 * (`tar czf /tmp/c.tgz ~/.azure ~/.aws ~/.config/gcloud`, `Compress-Archive $HOME\.azure`): each
 * stands for every token file in it.
 */
const TOKEN_FOLDERS: readonly TokenFilePattern[] = [
  // The pod's token folders (the service account's, IRSA's, Pod Identity's, the projected and workload
  // identity tokens') up to /var/run/secrets itself, and the same seen from the node: kubelet's pods
  // folder, one pod's volumes, or one token volume (`…/volumes/kubernetes.io~projected/kube-api-access-8xk2p`).
  {
    id: 'service-account-token-folder',
    vector: 'ServiceAccountToken',
    what: 'Kubernetes service account token folder',
    pattern:
      /(?:^|\/)(?:(?:var\/)?run\/secrets(?:\/(?:kubernetes\.io|eks\.amazonaws\.com|pods\.eks\.amazonaws\.com)(?:\/serviceaccount)?|\/(?:azure\/)?tokens|\/azure)?|var\/lib\/kubelet\/pods(?:\/[^/]+(?:\/volumes(?:\/kubernetes\.io~(?:projected|secret)(?:\/[^/]+)?)?)?)?)\/?$/,
  },
  { id: 'azure-cli-folder', vector: 'TokenCache', what: 'Azure CLI / Azure PowerShell folder', pattern: /(?:^|\/)\.azure\/?$/ },
  { id: 'identity-service-folder', vector: 'TokenCache', what: 'Azure PowerShell / Visual Studio MSAL cache folder', pattern: /(?:^|\/)\.identityservice\/?$/ },
  { id: 'gcloud-folder', vector: 'TokenCache', what: 'gcloud credential folder', pattern: /(?:^|\/)(?:\.config|appdata\/roaming)\/gcloud\/?$/ },
  { id: 'aws-folder', vector: 'TokenCache', what: 'AWS credentials folder', pattern: /(?:^|\/)\.aws\/?$/ },
  { id: 'azd-folder', vector: 'TokenCache', what: 'Azure Developer CLI credential folder', pattern: /(?:^|\/)\.azd\/auth(?:\/msal)?\/?$/ },
  { id: 'windows-token-broker-cache', vector: 'TokenCache', what: 'Windows token broker (WAM) cache folder', pattern: /(?:^|\/)tokenbroker(?:\/cache)?\/?$/, readsOnly: true },
  // The Arc agent's key folder: its keys are what arc-identity-key-read is about, so the folder is that pattern's.
  { id: ARC_TOKEN_KEY, vector: 'TokenCache', what: 'Azure Arc managed identity key folder', pattern: /(?:^|\/)(?:(?:%programdata%|programdata)\/azureconnectedmachineagent|var\/opt\/azcmagent)\/tokens\/?$/, readsOnly: true },
];

/** Programs (and PowerShell cmdlets) that copy, move or archive what they are given (macOS's ditto, pax, hdiutil and aa too): a token folder named to them is taken whole, as it is by a recursive search (RECURSIVE_SEARCHERS). */
const COPIERS = new Set(['tar', 'zip', '7z', '7za', 'rar', 'cp', 'scp', 'rsync', 'robocopy', 'xcopy', 'copy', 'copy-item', 'cpi', 'compress-archive', 'cpio', 'ditto', 'mv', 'move', 'move-item', 'mi', 'pax', 'hdiutil', 'aa']);
/**
 * Searchers that read every file under a folder they are given with a recursion switch
 * (`grep -r . /var/run/secrets/kubernetes.io/serviceaccount/` prints the token), and the ones that
 * recurse unasked (ripgrep, the silver searcher): a token folder named to them is read whole.
 */
const RECURSIVE_SEARCHERS = new Set(['grep', 'egrep', 'fgrep', 'zgrep', 'findstr', 'select-string', 'sls']);
const ALWAYS_RECURSIVE = new Set(['rg', 'ag', 'ack']);
const RECURSION_SWITCH = /^(?:-[a-z]*r[a-z]*|--recursive|--dereference-recursive|\/s)$/i;
/** Commands that change the directory relative names are read in (`cd /var/run/secrets/kubernetes.io/serviceaccount && cat token`). */
const CHANGE_DIRECTORY = new Set(['cd', 'pushd', 'chdir', 'set-location', 'sl']);
/** Switches of those commands, before the directory: `cd /d D:\x`, `Set-Location -Path x`. */
const CHANGE_DIRECTORY_SWITCH = /^(?:\/d|-(?:literal)?path|-passthru)$/i;
/**
 * Commands that name files without reading them: removal, permissions, listing, searching by name (`del`,
 * `Remove-Item`, `rmdir /s /q C:\Users\bob\.azure`, `icacls`, `chmod 600 ~/.aws/credentials`).
 * What they name in their own command of the line is not counted; a reader beside them in the same
 * line (`chmod 600 x; cat x`) still is.
 */
export const NON_READING: ReadonlySet<string> = new Set([
  'rm', 'unlink', 'rmdir', 'rd', 'del', 'erase', 'remove-item', 'ri', 'chmod', 'chown', 'chgrp', 'chattr', 'lsattr', 'ls', 'dir', 'stat', 'touch',
  'mkdir', 'md', 'setfacl', 'getfacl', 'icacls', 'attrib', 'takeown', 'get-childitem', 'gci', 'test-path', 'get-acl', 'set-acl',
  // Searches by name: `find / -name msal_token_cache.json`, `locate`, `where /r C:\Users msal_token_cache.bin`.
  'find', 'locate', 'plocate', 'mlocate', 'where', 'whereis', 'which',
  // Printing or setting a name (`echo "token file: $AZURE_FEDERATED_TOKEN_FILE"`, `export F=…`); what a
  // command substitution in them reads still counts: `$(` and a backtick start a command of their own.
  'echo', 'printf', 'write-host', 'write-output', 'export', 'set', 'setx', 'declare',
]);
/**
 * `find` hands what it finds to a command (`find /var/run/secrets -name token -exec cat {} \;`,
 * `find ~/.aws -type f | xargs cat`), and Windows' `find` is a text search that prints the file it
 * is given (`find /v "" C:\Users\bob\.azure\msal_token_cache.json`): then the folder or file it
 * names is read, unless the command it runs reads nothing (`-exec chmod 600 {} +`). One answer per
 * line (the commands of a line rarely hold two finds).
 */
const FIND_EXEC = /(?:^|[\s;&|(`"'\\/])find(?:\.exe)?\s[^;&|]*?\s-(?:exec|execdir|ok|okdir)\s+["']?([^\s"']+)/i;
const FIND_TO_XARGS = /(?:^|[\s;&|(`"'\\/])find(?:\.exe)?\s[^;&|]*\|\s*xargs(?:\s+-\S+)*\s+["']?([^\s"']+)/i;
// Windows' find takes its search string quoted, first: a quoted path (`find "/srv/my data" -name x`) is Unix find's.
const WINDOWS_FIND_SEARCH = /(?:^|[\s&|("'\\])find(?:\.exe)?(?:\s+\/[vcni])*\s+"[^"/\\]*"/i;

function findReadsWhatItNames(commandLine: string): boolean {
  if (!/find/i.test(commandLine)) return false;
  if (WINDOWS_FIND_SEARCH.test(commandLine)) return true;
  const runs = FIND_EXEC.exec(commandLine)?.[1] ?? FIND_TO_XARGS.exec(commandLine)?.[1];
  if (runs === undefined) return false;
  const program = (runs.toLowerCase().split(/[\\/]/).pop() ?? '').replace(/\.exe$/, '');
  return !NON_READING.has(program);
}

/** Words after which the next word is a command: the shells and their switches that take one (`cmd /c del …`, `powershell -Command Remove-Item …`). */
const LAUNCHERS = new Set(['cmd', 'powershell', 'pwsh', 'sh', 'bash', 'dash', 'zsh', 'sudo', 'env', 'nohup', 'xargs']);
/** A shell's switch before its command: `-NoProfile`, `-c`, and cmd's `/c`, `/k`, `/s`, `/q` (not a path such as `/usr/bin/cat`). */
const LAUNCHER_SWITCH = /^(?:-[\w-]+|\/[a-z?]{1,2})$/i;
/** PowerShell switches that take a value (`-ExecutionPolicy Bypass`), so that the value is not taken for the command. */
const LAUNCHER_SWITCH_WITH_VALUE = new Set(['-executionpolicy', '-ep', '-ex', '-exec', '-windowstyle', '-w', '-win', '-configurationname', '-inputformat', '-outputformat', '-workingdirectory', '-wd']);
/** A directory whose relative names are resolved: one that holds token files (resolving every argument of every command would cost more than it finds). */
const TOKEN_DIRECTORY = /(?:secrets|\.azure|gcloud|\.aws|azcmagent|azureconnectedmachineagent|\.identityservice|kubelet\/pods|tokens)(?:\/|$)/;
/** The words of a command line: a quoted string (its content in group 1 or 2), or a run of characters no shell or PowerShell separates on. */
const WORD = /"([^"]*)"|'([^']*)'|([^\s'"`(),;{}<>|&]+)/g;
const UNQUOTED_WORD = /[^\s'"`(),;{}<>|&]+/g;
/**
 * What separates one command from the next in a line: `;`, `&`, `&&`, `|`, `||`, a line break, and
 * the start of a subshell or a command substitution (`(`, `$(`, `<(`, a backtick).
 */
const COMMAND_SEPARATOR = /[;&|\n(`]/;

/**
 * Windows folders a command line names through a variable (`%ProgramData%`, `$env:APPDATA`,
 * `${env:LOCALAPPDATA}`), as the token file patterns know them. The user of a profile folder is
 * not known: `_` stands for it. `%USERPROFILE%`, `$HOME` and `~` are left as written: the patterns
 * know them.
 */
const WINDOWS_FOLDER_VARIABLES: Readonly<Record<string, string>> = {
  programdata: 'C:/ProgramData',
  allusersprofile: 'C:/ProgramData',
  appdata: 'C:/Users/_/AppData/Roaming',
  localappdata: 'C:/Users/_/AppData/Local',
};
const FOLDER_VARIABLE = /^(?:%(\w+)%|\$env:(\w+))(?=[\\/]|$)/i;

/**
 * Variables that hold a token file's path, set in every pod by the webhook or agent that mounts the
 * token, at these paths: Azure workload identity's `AZURE_FEDERATED_TOKEN_FILE`, EKS IRSA's
 * `AWS_WEB_IDENTITY_TOKEN_FILE` and EKS Pod Identity's `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`.
 * A shell in the pod reads the token through them (`cat $AZURE_FEDERATED_TOKEN_FILE`, `read t <
 * $AWS_WEB_IDENTITY_TOKEN_FILE`, a builtin that starts no process): the shell's own command line
 * is then the only trace, so the variable is read as the path.
 */
const TOKEN_FILE_VARIABLES: Readonly<Record<string, string>> = {
  azure_federated_token_file: '/var/run/secrets/azure/tokens/azure-identity-token',
  aws_web_identity_token_file: '/var/run/secrets/eks.amazonaws.com/serviceaccount/token',
  aws_container_authorization_token_file: '/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token',
};
/** `$VAR`, `${VAR}`, `$env:VAR` (PowerShell) and `%VAR%` (cmd) of a TOKEN_FILE_VARIABLES name. */
const TOKEN_FILE_VARIABLE = /\$\{(\w+)\}|\$(?:env:)?(\w+)|%(\w+)%/gi;

/**
 * Token file paths named in a command line (`cat /var/run/secrets/kubernetes.io/serviceaccount/token`,
 * `type %USERPROFILE%\.azure\msal_token_cache.json`, `cp ~/.aws/credentials /tmp/x`), each once,
 * and in the script of a PowerShell `-EncodedCommand`:
 * - a quoted path is read whole, spaces included (`type "C:\Users\John Smith\.azure\msal_token_cache.bin"`);
 *   a quoted string that is no token file is read word by word (`bash -c "cat …/token"`);
 * - a relative name is read in the working directory (ECS `process.working_directory`, Sysmon
 *   `CurrentDirectory`), or in the one a `cd` earlier in the line moved to, when that directory
 *   holds token files (`cat token` in `/var/run/secrets/kubernetes.io/serviceaccount`);
 * - a folder of token files given to a copier or archiver (`tar`, `cp -r`, `Compress-Archive`) counts,
 *   and so does a wildcard that stands for token files (`.azure\*`, `msal_token_cache.*`);
 * - Windows folder variables are read as the folders (`$env:ProgramData\AzureConnectedMachineAgent\…`);
 * - what a non-reading command names in its own command of the line (`del`, `Remove-Item`, `chmod`) does not count.
 */
export function tokenFilesInCommandLine(commandLine: string, workingDirectory = ''): TokenFileHit[] {
  const hits: TokenFileHit[] = [];
  scanCommandLine(commandLine, workingDirectory, hits);
  const decoded = decodedPowerShell(commandLine);
  if (decoded !== undefined) scanCommandLine(decoded, workingDirectory, hits);
  return hits;
}

function scanCommandLine(text: string, workingDirectory: string, hits: TokenFileHit[]): void {
  const quotes = withEscapedQuotesAsQuotes(text);
  // `${env:ProgramData}` holds braces, which split words: read it as `$env:ProgramData`.
  const withVariables = quotes.includes('${') ? quotes.replace(/\$\{env:(\w+)\}/gi, '$$env:$1') : quotes;
  const withTokenFiles = /token_file/i.test(withVariables) ? withVariables.replace(TOKEN_FILE_VARIABLE, tokenFileOfVariable) : withVariables;
  const expanded = withTokenFiles.includes('{') && withTokenFiles.includes(',') ? expandBraces(withTokenFiles) : withTokenFiles;
  const commandLine = expanded.includes("''") || expanded.includes('""') || expanded.includes('\\') ? withoutShellQuoting(expanded) : expanded;
  let directory = workingDirectory === '' ? '' : normalisePath(workingDirectory).replace(/\/+$/, '');
  let changingDirectory = false;
  let copying = false;
  let excluding = false;
  let excludingAll = false;
  // The next word is a command (the line's first, one after a separator or a shell); `ignoring`:
  // the current command reads nothing it names.
  let commandNext = true;
  let switchValueNext = false;
  let ignoring = false;
  let searcher = false;
  // Looked for only when the line runs find: most lines do not.
  let findReads: boolean | undefined;
  const add = (hit: TokenFileHit | undefined): void => {
    if (hit !== undefined && !hits.some((h) => h.pathKey === hit.pathKey)) hits.push(hit);
  };
  const separate = (gap: string): void => {
    if (!COMMAND_SEPARATOR.test(gap)) return;
    commandNext = true;
    ignoring = false;
    changingDirectory = false;
    excludingAll = false;
  };
  const read = (word: string): void => {
    // What a copier is told to leave out (`tar --exclude=~/.aws`, `rsync --exclude ~/.aws`,
    // `tar --exclude='.aws'`, whose quoted value is the next word) is not copied; robocopy's /XD
    // and /XF take every name up to the next switch.
    if (excludingAll) {
      if (!word.startsWith('/')) return;
      excludingAll = false;
    }
    if (excluding || /^--exclude(?:-from)?=./i.test(word)) {
      excluding = false;
      return;
    }
    if (/^--exclude(?:-from)?=?$/i.test(word)) {
      excluding = true;
      return;
    }
    if (copying && /^\/x[df]$/i.test(word)) {
      excludingAll = true;
      return;
    }
    // A file given as `--opt=<file>`, or as curl's upload forms `@<file>`, `name=@<file>`, `-d@<file>`
    // and `name@<file>` (`-d @…`, `-F f=@…`, `--data-urlencode t@…`).
    const token = word
      .replace(/^-{1,2}[a-z][\w-]*=/i, '')
      .replace(/^(?:[\w.-]*=|-[a-z])?@|^[\w.-]+@(?=[/~$%]|[a-z]:[\\/])/i, '')
      .replace(/[.,:!]+$/, '')
      .replace(/::\$data$/i, '');
    if (token === '') return;
    const lower = token.toLowerCase();
    const program = (lower.split(/[\\/]/).pop() ?? lower).replace(/\.exe$/, '');
    if (commandNext) {
      // Switches of a shell, and the shell itself, come before its command (`cmd /c`, `powershell -NoProfile -Command`).
      if (switchValueNext) {
        switchValueNext = false;
        return;
      }
      if (LAUNCHERS.has(program)) return;
      if (LAUNCHER_SWITCH.test(token)) {
        switchValueNext = LAUNCHER_SWITCH_WITH_VALUE.has(lower);
        return;
      }
      commandNext = false;
      ignoring = NON_READING.has(program);
      if (program === 'find' && (findReads ??= findReadsWhatItNames(commandLine))) {
        ignoring = false;
        copying = true;
      }
      searcher = RECURSIVE_SEARCHERS.has(program);
      if (ALWAYS_RECURSIVE.has(program)) copying = true;
    }
    // `grep -r`, `grep -Rn`, `findstr /s`: a folder named after it is read whole.
    if (searcher && RECURSION_SWITCH.test(token)) copying = true;
    if (ignoring) return;
    if (changingDirectory) {
      if (CHANGE_DIRECTORY_SWITCH.test(token)) return;
      changingDirectory = false;
      directory = inDirectory(directory, expandFolderVariable(token));
      return;
    }
    if (CHANGE_DIRECTORY.has(lower)) {
      changingDirectory = true;
      return;
    }
    if (COPIERS.has(program)) copying = true;
    const expanded = expandFolderVariable(token);
    const path = directory !== '' && isRelative(expanded) && TOKEN_DIRECTORY.test(directory) ? `${directory}/${expanded}` : expanded;
    // Short words are options and programs, not paths; but `tar czf c.tgz .aws` in the home hands over a token folder.
    if (path.length < 6 && !(copying && tokenFolderOfPath(path) !== undefined)) return;
    // Shown as written, or as resolved in the directory; a variable's stand-in user is never shown.
    const shown = path === expanded ? token : path;
    if (/[*?]/.test(expanded)) {
      for (const hit of wildcardHits(path, copying)) add({ ...hit, path: shown });
      return;
    }
    const file = tokenFileOfPath(path);
    add(file && { ...file, path: shown });
    if (copying) {
      const folder = tokenFolderOfPath(path);
      add(folder && { ...folder, path: shown });
    }
  };
  let end = 0;
  for (const match of commandLine.matchAll(WORD)) {
    separate(commandLine.slice(end, match.index));
    end = match.index + match[0].length;
    const quoted = match[1] ?? match[2];
    if (quoted === undefined) {
      read(match[3] ?? '');
      continue;
    }
    // A quoted path is one word, spaces and all; any other quoted string is words of its own.
    const whole = quoted.trim();
    const asPath = expandFolderVariable(whole);
    if (isOnePath(whole) && !changingDirectory && (tokenFileOfPath(asPath) !== undefined || (copying && tokenFolderOfPath(asPath) !== undefined))) {
      read(whole);
      continue;
    }
    let innerEnd = 0;
    for (const inner of quoted.matchAll(UNQUOTED_WORD)) {
      separate(quoted.slice(innerEnd, inner.index));
      innerEnd = inner.index + inner[0].length;
      read(inner[0]);
    }
  }
}

/**
 * A shell's brace expansion, one level (`…/serviceaccount/{token,ca.crt}` is `…/serviceaccount/token
 * …/serviceaccount/ca.crt`), as the shell hands the words to the program.
 */
function expandBraces(commandLine: string): string {
  return commandLine.replace(/([^\s'"{}]*)\{([^{}\s'"]*,[^{}\s'"]*)\}([^\s'"{}]*)/g, (_whole, before: string, choices: string, after: string) =>
    choices.split(',').map((choice) => `${before}${choice}${after}`).join(' '),
  );
}

/**
 * A POSIX shell's quoting inside a word, removed as the shell removes it before the program sees
 * the word: an empty pair of quotes (`tok''en`) and a backslash escape in a path (`/…/to\\ken`). A
 * backslash in a word with a colon or without a slash is a Windows path's separator and stays.
 */
function withoutShellQuoting(commandLine: string): string {
  return withoutEmptyQuotes(commandLine).replace(/\S+/g, (word) => (word.includes('\\') && word.includes('/') && !word.includes(':') ? word.replace(/\\(?=\S)/g, '') : word));
}

/** The path a TOKEN_FILE_VARIABLE names, or the reference as written for any other variable. */
function tokenFileOfVariable(reference: string, braced?: string, plain?: string, percent?: string): string {
  return TOKEN_FILE_VARIABLES[(braced ?? plain ?? percent ?? '').toLowerCase()] ?? reference;
}

/** A path whose first segment is a Windows folder variable, with the folder in its place (WINDOWS_FOLDER_VARIABLES). */
function expandFolderVariable(path: string): string {
  const match = FOLDER_VARIABLE.exec(path);
  if (match === null) return path;
  const folder = WINDOWS_FOLDER_VARIABLES[(match[1] ?? match[2] ?? '').toLowerCase()];
  return folder === undefined ? path : `${folder}${path.slice(match[0].length)}`;
}

/**
 * The token files a path with a wildcard may name: each known token file name its last segment
 * matches, in its folder; and the folder itself when the segment is all (`*`, `*.*`) and a copier
 * is given it, or anyone reads every file in it (`type .azure\*`).
 */
function wildcardHits(path: string, copying: boolean): TokenFileHit[] {
  const slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  // PowerShell expands wildcards in folders too (`Get-Content C:\Users\*\.azure\msal_token_cache.bin`,
  // every user's cache): a wildcard folder stands for any one (`_`, as an unknown user does).
  // `?:` is a normalised drive, not a wildcard.
  const drive = /^\?:/.test(path) ? '?:' : '';
  const folder = drive + path.slice(drive.length, Math.max(drive.length, slash)).replace(/[^/\\]*[*?][^/\\]*/g, '_');
  const segment = path.slice(slash + 1);
  const hits: TokenFileHit[] = [];
  if (/^\*(?:\.\*)?$/.test(segment)) {
    const whole = tokenFolderOfPath(folder);
    if (whole !== undefined) hits.push(whole);
    if (copying) return hits;
  }
  const glob = new RegExp(`^${segment.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
  for (const name of TOKEN_FILE_NAMES) {
    if (!glob.test(name)) continue;
    const hit = tokenFileOfPath(`${folder}/${name}`);
    if (hit !== undefined) {
      hits.push(hit);
      break;
    }
  }
  return hits;
}

function tokenFolderOfPath(path: string): TokenFileHit | undefined {
  const pathKey = normalisePath(path);
  for (const p of TOKEN_FOLDERS) {
    if (p.pattern.test(pathKey)) return { patternId: p.id, readsOnly: p.readsOnly === true, vector: p.vector, what: p.what, path, pathKey };
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
