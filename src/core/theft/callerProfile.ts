import type { EndpointProcess } from '../records/endpoint/endpointEvent';
import { baseName, normalisePath, resolveDotSegments } from '../records/endpoint/normalisePath';

/**
 * What kind of program made the request, which decides how loud an alert is:
 * - `suspicious`: a download tool or LOLBin, a shell, an interpreter running inline code or a
 *   script from a writable or temporary location, or any program running from a temporary
 *   location. These are how token theft is done by hand; they alert on every new target (dedup aside).
 * - `other`: any other program. Customers' own services ask for tokens all the time, so only the
 *   first request by that program on that host is raised.
 */
export type CallerCategory = 'download-tool' | 'file-utility' | 'shell' | 'container-exec' | 'interpreter-inline' | 'interpreter-writable-script' | 'temporary-location' | 'other';

export interface CallerProfile {
  readonly tier: 'suspicious' | 'other';
  readonly category: CallerCategory;
  /** Lower-case image name without `.exe`. */
  readonly image: string;
  /** The script an interpreter runs, as written in the command line; '' when none. */
  readonly scriptPath: string;
  /** Normalised scriptPath; ''. */
  readonly scriptKey: string;
  /** The module a python interpreter runs (`-m azure.cli`, `-sm azure.cli`), as written; '' when none. */
  readonly module: string;
  /**
   * The module may not be the installed one: python runs without `-I`, so it looks in the working
   * directory first, and that directory is one an ordinary user can write (a home folder) or is
   * not known. Whoever can write there decides what `-m azure.cli` runs.
   */
  readonly moduleShadowable: boolean;
  /** One phrase for Reason: "a download tool", "a shell". */
  readonly description: string;
}

/** Download tools and Windows LOLBins that fetch URLs (LOLBAS "Download" category and the usual Unix clients). */
const DOWNLOAD_TOOLS = new Set([
  'curl', 'wget', 'certutil', 'bitsadmin', 'mshta', 'regsvr32', 'rundll32', 'cscript', 'wscript', 'msxsl', 'hh', 'finger',
  'ftp', 'tftp', 'nc', 'ncat', 'netcat', 'socat', 'telnet', 'http', 'https', 'httpie', 'aria2c', 'axel', 'lwp-request',
  'fetch', 'openssl', 'desktopimgdownldr',
  // What Debian's alternatives resolve `nc` and `wget` to: the executable's own name is what telemetry shows.
  'nc.openbsd', 'nc.traditional', 'wget2',
  // macOS's own URL client.
  'nscurl',
]);
/** Copy and viewing utilities (and the Windows LOLBins that copy files): how a token file is read by hand. */
const FILE_UTILITIES = new Set([
  'cat', 'head', 'tail', 'less', 'more', 'cp', 'mv', 'dd', 'base64', 'xxd', 'od', 'strings', 'tar', 'zip', 'gzip', 'scp', 'rsync',
  'sftp', 'tee', 'grep', 'awk', 'sed', 'jq', 'type', 'findstr', 'xcopy', 'robocopy', 'esentutl', 'expand', 'replace', 'makecab',
  // `awk` through Debian's alternatives, and the other common awks.
  'mawk', 'gawk', 'nawk', 'original-awk',
  // Archivers and readers beyond the above; `ditto` is macOS's copier and archiver, `sqlite3` reads gcloud's stores.
  'ditto', 'sqlite3', 'bzip2', 'xz', '7z', '7za', 'cpio', 'hexdump', 'pax', 'hdiutil', 'aa',
]);
/**
 * Tools that run a command inside a container or another process's namespaces: `kubectl exec web --
 * cat /var/run/secrets/…/token`, `crictl exec`, `nsenter -t 1 -m -- cat …` (Microsoft's Threat Matrix
 * for Kubernetes, "Access container service account"). The read happens inside, where the node's
 * telemetry does not see it: this command line is the trace. The cluster and container clients count
 * only with a subcommand that runs or copies something inside (their other uses read no token by hand).
 */
const NAMESPACE_RUNNERS = new Set(['nsenter', 'chroot']);
const CONTAINER_CLIENTS = new Set(['kubectl', 'oc', 'crictl', 'docker', 'podman', 'nerdctl', 'ctr']);
const CONTAINER_EXEC_SUBCOMMAND = /(?:^|\s)(?:exec|debug|rsh|attach|cp)(?:\s|$)/;

const SHELLS = new Set(['cmd', 'powershell', 'powershell_ise', 'pwsh', 'bash', 'sh', 'dash', 'zsh', 'ksh', 'csh', 'tcsh', 'fish', 'ash', 'busybox', 'env']);

/**
 * Interpreters and the options that take a value (so the value is not mistaken for the script).
 * Python's one-letter switches combine (`-Ic`, `-uc`, `-Im azure.cli`): the inline and module
 * options are matched after any run of the switches that take no value.
 */
const INTERPRETERS: ReadonlyArray<{ readonly name: RegExp; readonly inline: RegExp; readonly module: RegExp | null; readonly takesValue: ReadonlySet<string> }> = [
  // RHEL 8 and its rebuilds run their system tools, WALinuxAgent among them, with /usr/libexec/platform-python3.6.
  { name: /^(?:platform-)?python[\d.]*w?$|^pypy3?$/, inline: /^-[bBdEhiIOPqsSuvVx]*c/, module: /^-[bBdEhiIOPqsSuvVx]*m/, takesValue: new Set(['-W', '-X', '-Q']) },
  { name: /^(?:node|nodejs|bun|deno)$/, inline: /^(?:-e|-p|-pe|-ep|--eval|--print)(?:=|$)/, module: null, takesValue: new Set(['-r', '--require', '--import', '--loader', '--experimental-loader', '-C', '--conditions']) },
  { name: /^perl[\d.]*$/, inline: /^-[a-z]*[eE]$/, module: null, takesValue: new Set(['-I', '-M', '-m']) },
  { name: /^ruby[\d.]*$/, inline: /^-e$/, module: null, takesValue: new Set(['-I', '-r', '-E']) },
  { name: /^php[\d.]*$/, inline: /^-r$/, module: null, takesValue: new Set(['-c', '-d', '-z']) },
  { name: /^(?:lua[\d.]*|tclsh[\d.]*|rscript)$/, inline: /^-e$/, module: null, takesValue: new Set(['-l']) },
  { name: /^javaw?$/, inline: /^$/, module: null, takesValue: new Set(['-cp', '-classpath', '--class-path', '-p', '--module-path']) },
  // macOS: AppleScript and JavaScript for Automation (`osascript -l JavaScript -e '…'`).
  { name: /^osascript$/, inline: /^-e$/, module: null, takesValue: new Set(['-l', '-s']) },
];

/** Temporary and world-writable locations: any program, script or downloaded file here is the strongest signal. */
const TEMPORARY = [
  /^\/tmp\//, /^\/var\/tmp\//, /^\/dev\/shm\//, /^\/run\/shm\//, /^\/run\/user\//, /^\/var\/run\/user\//,
  // A program run from memory (memfd_create, as fileless loaders do) or deleted after it started;
  // /dev/mqueue is a world-writable mount like /dev/shm.
  /^\/memfd:/, / \(deleted\)$/, /^\/dev\/mqueue\//,
  // macOS: /tmp and /var link into /private; a user's $TMPDIR is /var/folders/<xx>/<id>/T/; /Users/Shared is everyone's.
  /^\/private\/(?:var\/)?tmp\//, /^(?:\/private)?\/var\/folders\//, /^\/users\/shared\//,
  /\/appdata\/local\/temp\//, /^\?:\/windows\/temp\//, /\/downloads\//, /^\?:\/users\/public\//, /^\?:\/perflogs\//,
  /^\?:\/\$recycle\.bin\//, /^\?:\/windows\/tasks\//, /^\?:\/windows\/tracing\//,
];
/**
 * Working directories only an administrator writes: the root, the system's own trees. Python without
 * `-I` imports a module from its working directory first; anywhere else (a home, a web root, a
 * world-writable spool, a relative or unknown folder) someone other than the module's installer may
 * have put a package of that name.
 */
const SYSTEM_FOLDER = /^(?:\/|\/(?:etc|usr|bin|sbin|lib|lib32|lib64|boot)\/.*|\?:\/(?:windows|program files|program files \(x86\))\/.*)$/;

/** Writable by an ordinary user: a script here is as good as one in /tmp (a program here is "other"). */
const USER_WRITABLE = [/^\/home\/[^/]+\//, /^\/root\//, /^\/users\/[^/]+\//, /^(?:\/private)?\/var\/root\//, /^\?:\/users\/[^/]+\//];

/** Whether an image name (lower case, without `.exe`) is an interpreter's: what it does is in its arguments, not its path. */
export function isInterpreterImage(image: string): boolean {
  return INTERPRETERS.some((i) => i.name.test(image));
}

export function isTemporaryLocation(pathKey: string): boolean {
  return TEMPORARY.some((p) => p.test(pathKey));
}

/** A process's image name: lower case, without `.exe` (`powershell`, `python3.11`). */
export function imageOfProcess(process: EndpointProcess): string {
  // The executable's own file name first: a process name (auditd's comm, a renamed or linked
  // program) is whatever the program set, so `foo` running /usr/bin/curl is curl.
  return (baseName(process.path) || process.name).toLowerCase().replace(/\.exe$/, '');
}

export function profileCaller(process: EndpointProcess): CallerProfile {
  const image = imageOfProcess(process);
  const base = { image, scriptPath: '', scriptKey: '', module: '', moduleShadowable: false };
  if (process.pathKey !== '' && isTemporaryLocation(process.pathKey)) {
    return { ...base, tier: 'suspicious', category: 'temporary-location', description: 'a program running from a temporary or world-writable folder' };
  }
  if (DOWNLOAD_TOOLS.has(image)) return { ...base, tier: 'suspicious', category: 'download-tool', description: 'a download tool or LOLBin' };
  if (FILE_UTILITIES.has(image)) return { ...base, tier: 'suspicious', category: 'file-utility', description: 'a file copy or viewing utility' };
  if (NAMESPACE_RUNNERS.has(image) || (CONTAINER_CLIENTS.has(image) && CONTAINER_EXEC_SUBCOMMAND.test(process.commandLine))) {
    return { ...base, tier: 'suspicious', category: 'container-exec', description: 'a tool running a command inside a container' };
  }

  if (SHELLS.has(image)) {
    // A shell stays suspicious, but the installed script it runs (`powershell.exe -File C:\ProgramData\Amazon\…\InitializeInstance.ps1`)
    // is kept so the allowlist can trust that script by its path.
    const script = POWERSHELL.test(image) ? powerShellFileOf(process.commandLine) : '';
    const scriptKey = script === '' ? '' : scriptKeyOf(script, process.workingDirectory);
    return { image, scriptPath: script, scriptKey, module: '', moduleShadowable: false, tier: 'suspicious', category: 'shell', description: 'a shell' };
  }

  const interpreter = INTERPRETERS.find((i) => i.name.test(image));
  if (interpreter !== undefined) {
    const script = scriptOf(process.commandLine, interpreter);
    if (script.inline) return { ...base, tier: 'suspicious', category: 'interpreter-inline', description: 'an interpreter running inline code' };
    // A module is found in the working directory first unless python runs isolated (-I): one in /tmp
    // is a script from /tmp; one anywhere but a system folder may not be the installed module.
    const folder = script.module && !script.isolated ? workingFolderOf(process) : undefined;
    if (folder !== undefined && folder !== '' && isTemporaryLocation(folder)) {
      return { ...base, tier: 'suspicious', category: 'interpreter-writable-script', description: 'an interpreter running a module from a temporary folder' };
    }
    if (script.path !== '') {
      const scriptKey = scriptKeyOf(script.path, process.workingDirectory);
      const profile = { image, scriptPath: script.path, scriptKey, module: '', moduleShadowable: false };
      if (isTemporaryLocation(scriptKey) || USER_WRITABLE.some((p) => p.test(scriptKey))) {
        return { ...profile, tier: 'suspicious', category: 'interpreter-writable-script', description: 'an interpreter running a script from a writable location' };
      }
      return { ...profile, tier: 'other', category: 'other', description: 'an interpreter running an installed script' };
    }
    // What the allowlist may trust a shared interpreter for (the rpm Azure CLI's `/usr/bin/python3.9 -sm azure.cli`).
    if (script.module) {
      const moduleShadowable = folder !== undefined && !SYSTEM_FOLDER.test(folder);
      return { ...base, module: script.moduleName, moduleShadowable, tier: 'other', category: 'other', description: 'a program outside the allowlist' };
    }
  }
  return { ...base, tier: 'other', category: 'other', description: 'a program outside the allowlist' };
}

/** The working directory as a normalised folder with a trailing slash (`/home/alice/`); '' when the telemetry names none. */
function workingFolderOf(process: EndpointProcess): string {
  return process.workingDirectory === '' ? '' : `${normalisePath(process.workingDirectory).replace(/\/$/, '')}/`;
}

/**
 * The script an interpreter runs: the first argument after the image that is not an option (or an
 * option's value). `-c` / `-e` mean inline code, and so do `-` (the program comes from standard
 * input, and what follows is its arguments, not a script) and an interactive switch with nothing
 * to run (`python3 -i`, `node -i`: a prompt on standard input); `-m module` (python) runs a module
 * (`moduleName`: what follows the switch, `-mazure.cli`, or the next argument),
 * `isolated` when `-I` keeps the working directory out of its search path.
 */
function scriptOf(commandLine: string, interpreter: (typeof INTERPRETERS)[number]): { inline: boolean; path: string; module: boolean; moduleName: string; isolated: boolean } {
  const args = splitArgs(commandLine).slice(1);
  // No command line at all (Sysmon 3, Security 5156): nothing is known of what it runs.
  if (commandLine.trim() === '') return { inline: false, path: '', module: false, moduleName: '', isolated: false };
  let isolated = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '-' || (interpreter.inline.source !== '^$' && interpreter.inline.test(arg))) return { inline: true, path: '', module: false, moduleName: '', isolated };
    // Python's -I, alone or among switches that take no value (`-Im azure.cli`, `-sI`); in `-XI` or
    // `-WIgnore` the I is the value of -X or -W, not isolation.
    if (interpreter.module !== null && /^-[bBdEhiOPqsSuvVx]*I/.test(arg)) isolated = true;
    // `--` ends the options: what follows is the script, whatever it looks like (`-- -m` runs a file named -m).
    if (arg === '--') {
      const script = args[i + 1] ?? '';
      return script === '' || script === '-' ? { inline: true, path: '', module: false, moduleName: '', isolated } : { inline: false, path: script, module: false, moduleName: '', isolated };
    }
    const moduleSwitch = interpreter.module?.exec(arg);
    if (moduleSwitch) {
      const attached = arg.slice(moduleSwitch[0].length);
      return { inline: false, path: '', module: true, moduleName: attached !== '' ? attached : (args[i + 1] ?? ''), isolated };
    }
    if (arg === '-jar') return { inline: false, path: args[i + 1] ?? '', module: false, moduleName: '', isolated };
    if (interpreter.takesValue.has(arg)) {
      i++;
      continue;
    }
    if (arg.startsWith('-')) continue;
    return { inline: false, path: arg, module: false, moduleName: '', isolated };
  }
  // A command line that names no script, module or code: the program comes from standard input (or
  // an interactive prompt, `python3 -i`), which is code anyone could have written.
  return { inline: true, path: '', module: false, moduleName: '', isolated };
}

const POWERSHELL = /^(?:powershell|powershell_ise|pwsh)$/;

/**
 * The script of `powershell.exe [options] -File <script> [args]`: `-File` (or an abbreviation such as
 * `-f`, `-fi`, with `-`, `--` or `/`) must come before any `-Command` / `-EncodedCommand`, which
 * would make the rest of the line inline code. '' when there is no such script.
 */
function powerShellFileOf(commandLine: string): string {
  return powerShellLaunch(commandLine).script;
}

/**
 * How PowerShell was started: the script of `-File` (powerShellFileOf), and whether it runs code
 * given on its command line: `-Command`, `-EncodedCommand` (any abbreviation), or a bare word,
 * which Windows PowerShell runs as a command.
 */
export function powerShellLaunch(commandLine: string): { readonly script: string; readonly inline: boolean } {
  const args = splitArgs(commandLine).slice(1);
  for (let i = 0; i < args.length; i++) {
    const option = /^(?:--?|\/)([a-z]+)$/i.exec(args[i] as string)?.[1]?.toLowerCase();
    if (option === undefined) return { script: '', inline: true };
    if ('file'.startsWith(option)) return { script: args[i + 1] ?? '', inline: false };
    if ('command'.startsWith(option) || 'encodedcommand'.startsWith(option) || option === 'ec' || option === 'cwa' || 'commandwithargs'.startsWith(option)) return { script: '', inline: true };
    // Options that take a value: skip it, so it cannot pose as the script.
    if (/^(?:executionpolicy|ep|ex|windowstyle|w|configurationname|version|v|psconsolefile|inputformat|if|outputformat|of|workingdirectory|wd|settingsfile)$/.test(option)) i++;
  }
  return { script: '', inline: false };
}

/** PowerShell's images: Windows PowerShell, its ISE, PowerShell 7. */
export function isPowerShellImage(image: string): boolean {
  return POWERSHELL.test(image);
}

/**
 * The script a POSIX shell runs, as scriptKeyOf keys it: its first argument that is no option
 * (`bash -e /tmp/i.sh`); '' for inline code (`-c`, `-ec`) or none. PowerShell's is powerShellFileOf's.
 */
export function posixShellScriptKey(process: EndpointProcess): string {
  const words = process.commandLine.trim().split(/\s+/).slice(1);
  for (const word of words) {
    if (word === '-c' || /^-[a-z]*c$/i.test(word)) return '';
    if (!word.startsWith('-') && !word.startsWith('+')) return scriptKeyOf(word.replace(/^["']|["']$/g, ''), process.workingDirectory);
  }
  return '';
}

/**
 * A script path as the allowlist compares it: normalised, resolved against the working directory
 * when it is relative (`bin/WALinuxAgent-2.9.1.1-py3.8.egg` run from `/var/lib/waagent/WALinuxAgent-2.9.1.1`),
 * with `.` and `..` segments resolved so `/usr/sbin/../../tmp/x.py` is `/tmp/x.py`. A relative
 * script without a working directory stays relative: no allowlist pattern (all absolute) matches it.
 */
export function scriptKeyOf(script: string, workingDirectory: string): string {
  const key = normalisePath(script);
  const absolute = key.startsWith('/') || key.startsWith('?:/');
  if (!absolute && workingDirectory !== '' && !key.startsWith('~')) return resolveDotSegments(`${normalisePath(workingDirectory).replace(/\/$/, '')}/${key}`);
  return resolveDotSegments(key);
}

/** Splits a command line into arguments, honouring double and single quotes (enough for both Windows and POSIX logs). */
export function splitArgs(commandLine: string): string[] {
  const args: string[] = [];
  for (const match of commandLine.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) args.push(match[1] ?? match[2] ?? match[3] ?? '');
  return args;
}
