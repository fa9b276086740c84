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
import { tokenFileOfPath, type TokenFileHit, type TokenFilePattern } from './tokenFiles';

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
  let excluding = false;
  const add = (hit: TokenFileHit | undefined): void => {
    if (hit !== undefined && !hits.some((h) => h.pathKey === hit.pathKey)) hits.push(hit);
  };
  const read = (word: string): void => {
    // What a copier is told to leave out (`tar --exclude=~/.aws`, `rsync --exclude ~/.aws`) is not copied.
    if (excluding || /^--exclude(?:-from)?=/i.test(word)) {
      excluding = false;
      return;
    }
    if (/^--exclude(?:-from)?$/i.test(word)) {
      excluding = true;
      return;
    }
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
