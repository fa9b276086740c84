import { describe, expect, it } from 'vitest';
import type { TheftVector } from '../../../src/core/alerts/alertRow';
import { DEFAULT_TRUSTED_PROCESSES, NEVER_TRUSTED_BY_NAME_ALONE } from '../../../src/core/theft/defaultTrustedProcesses';
import { isInterpreterImage } from '../../../src/core/theft/callerProfile';
import type { TrustedProcess } from '../../../src/core/theft/trustedProcess';

/*
 * Meta-tests over the whole default allowlist, in the style of elastic/detection-rules: every check
 * returns the full list of offenders so one run names every broken entry. Each check is also run
 * against a deliberately broken corpus, so a check that can no longer fail is noticed.
 */

const VALID_VECTORS: ReadonlySet<TheftVector> = new Set<TheftVector>(['TokenEndpoint', 'ServiceAccountToken', 'TokenCache']);
const KEBAB_CASE = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** Test-local reading of the pattern syntax in trustedProcess.ts: `*` within a segment, `**` across, `**\/` also no folder. */
function patternToRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern.charAt(i);
    if (char === '*' && pattern.charAt(i + 1) === '*' && pattern.charAt(i + 2) === '/') {
      source += '(?:.*/)?';
      i += 2;
    } else if (char === '*' && pattern.charAt(i + 1) === '*') {
      source += '.*';
      i++;
    } else if (char === '*') {
      source += '[^/]*';
    } else {
      source += char.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${source}$`, 'i');
}

/** Telemetry path -> pattern space: `\` to `/`, drive letter or \device\harddiskvolumeN to `?:`. */
function normalisePath(path: string): string {
  return path
    .replace(/\\/g, '/')
    .toLowerCase()
    .replace(/^\/device\/harddiskvolume\d+\//, '?:/')
    .replace(/^[a-z]:\//, '?:/');
}

/** Entries whose path patterns match this executable. */
function trustedBy(entries: readonly TrustedProcess[], executablePath: string): string[] {
  const path = normalisePath(executablePath);
  return entries.filter((entry) => entry.pathPatterns.some((pattern) => patternToRegExp(pattern).test(path))).map((entry) => entry.id);
}

function lastSegment(pattern: string): string {
  return pattern.slice(pattern.lastIndexOf('/') + 1);
}

function duplicateIds(entries: readonly TrustedProcess[]): string[] {
  const seen = new Set<string>();
  const duplicates: string[] = [];
  for (const { id } of entries) {
    if (seen.has(id)) duplicates.push(id);
    seen.add(id);
  }
  return duplicates;
}

function badIds(entries: readonly TrustedProcess[]): string[] {
  return entries.filter(({ id }) => !KEBAB_CASE.test(id)).map(({ id }) => id);
}

function missingProse(entries: readonly TrustedProcess[]): string[] {
  const offenders: string[] = [];
  for (const entry of entries) {
    if (entry.description.trim().length === 0) offenders.push(`${entry.id}: empty description`);
    if (!/^https:\/\/\S+$/.test(entry.source)) offenders.push(`${entry.id}: source is not a single https URL`);
  }
  return offenders;
}

function badNames(entries: readonly TrustedProcess[]): string[] {
  const offenders: string[] = [];
  for (const entry of entries) {
    if (entry.names.length === 0) offenders.push(`${entry.id}: no names`);
    if (new Set(entry.names).size !== entry.names.length) offenders.push(`${entry.id}: repeated name`);
    for (const name of entry.names) {
      if (name.length === 0 || name !== name.toLowerCase() || /[\\/*]/.test(name)) offenders.push(`${entry.id}: name '${name}'`);
    }
  }
  return offenders;
}

function malformedPatterns(entries: readonly TrustedProcess[]): string[] {
  const offenders: string[] = [];
  for (const entry of entries) {
    if (entry.pathPatterns.length === 0 && (entry.parentScripts ?? []).length === 0 && (entry.parentCommandLines ?? []).length === 0 && (entry.containerImages ?? []).length === 0) offenders.push(`${entry.id}: no path patterns`);
    for (const pattern of entry.pathPatterns) {
      const isWindows = pattern.startsWith('?:/');
      const isLinux = pattern.startsWith('/');
      const problems: string[] = [];
      if (!isWindows && !isLinux) problems.push('starts with neither ?:/ nor /');
      if (entry.platform === 'windows' && !isWindows) problems.push('linux path on a windows entry');
      if (entry.platform === 'linux' && !isLinux) problems.push('windows path on a linux entry');
      if (pattern.includes('\\')) problems.push('backslash');
      if (pattern.includes('//') || pattern.endsWith('/')) problems.push('empty segment');
      if (pattern !== pattern.toLowerCase()) problems.push('not lower case');
      if (/\*\*\*/.test(pattern) || /[^/]\*\*|\*\*[^/]/.test(pattern)) problems.push('** must be a whole segment');
      if (problems.length > 0) offenders.push(`${entry.id}: '${pattern}' (${problems.join(', ')})`);
    }
  }
  return offenders;
}

/** Script files a pattern may name instead of an executable: matched against the script an interpreter runs. */
const SCRIPT_FILE = /\.(?:py|egg|ps1)$/;

/** The last segment, read as a glob, must be able to name one of the entry's executables (or be a script file). */
function patternsThatMatchNoName(entries: readonly TrustedProcess[]): string[] {
  const offenders: string[] = [];
  for (const entry of entries) {
    for (const pattern of entry.pathPatterns) {
      const last = lastSegment(pattern);
      if (last === '**' || SCRIPT_FILE.test(last)) continue;
      const lastAsGlob = patternToRegExp(last);
      if (!entry.names.some((name) => lastAsGlob.test(name))) offenders.push(`${entry.id}: '${pattern}'`);
    }
  }
  return offenders;
}

function badVectors(entries: readonly TrustedProcess[]): string[] {
  const offenders: string[] = [];
  for (const entry of entries) {
    if (entry.vectors.length === 0) offenders.push(`${entry.id}: no vectors`);
    if (new Set(entry.vectors).size !== entry.vectors.length) offenders.push(`${entry.id}: repeated vector`);
    for (const vector of entry.vectors) if (!VALID_VECTORS.has(vector)) offenders.push(`${entry.id}: vector '${vector}'`);
  }
  return offenders;
}

/*
 * Where a shell, interpreter or LOLBin would sit if it were NOT an agent's private copy: system
 * folders, the usual language installs, temp and home folders. A pattern that reaches any of these
 * for an interpreter name trusts every script on the machine.
 */
const GENERIC_INTERPRETER_HOMES: readonly string[] = [
  '/bin', '/sbin', '/usr/bin', '/usr/sbin', '/usr/local/bin', '/usr/local/sbin', '/opt/bin', '/tmp', '/var/tmp', '/dev/shm',
  '/home/contoso', '/root', '/opt/conda/bin', '/home/contoso/.local/bin', '/home/contoso/.nvm/versions/node/v20.0.0/bin',
  '?:/windows', '?:/windows/system32', '?:/windows/syswow64', '?:/windows/system32/windowspowershell/v1.0',
  '?:/program files/powershell/7', '?:/program files/nodejs', '?:/program files/python311', '?:/python311',
  '?:/users/contoso/appdata/local/programs/python/python311', '?:/users/contoso/appdata/local/temp', '?:/programdata',
];

function interpreterSpellings(name: string): string[] {
  // python3 is exec'd under its versioned file name (python3.11); probe that spelling too.
  return name === 'python3' ? [name, 'python3.11'] : [name];
}

function unpinnedInterpreters(entries: readonly TrustedProcess[]): string[] {
  const offenders: string[] = [];
  for (const entry of entries) {
    // An entry for a shared interpreter is pinned to its modules instead (modulesOnInterpretersOnly).
    if (entry.modules !== undefined) continue;
    const interpreters = entry.names.filter((name) => NEVER_TRUSTED_BY_NAME_ALONE.has(name));
    for (const name of interpreters) {
      const probes = GENERIC_INTERPRETER_HOMES.flatMap((home) => interpreterSpellings(name).map((spelling) => `${home}/${spelling}`));
      for (const probe of probes) {
        const trusting = entry.pathPatterns.filter((pattern) => patternToRegExp(pattern).test(probe));
        if (trusting.length > 0) offenders.push(`${entry.id}: '${name}' trusted at ${probe} by ${trusting.join(', ')}`);
      }
      // A pattern that starts with a wildcard pins nothing.
      for (const pattern of entry.pathPatterns) {
        if (/^(\?:)?\/\*/.test(pattern)) offenders.push(`${entry.id}: '${name}' under unanchored '${pattern}'`);
      }
    }
  }
  return offenders;
}

/** `modules` narrows an interpreter's trust: on another program it means nothing, and an empty list trusts nothing. */
function modulesOnInterpretersOnly(entries: readonly TrustedProcess[]): string[] {
  const offenders: string[] = [];
  for (const entry of entries) {
    if (entry.modules === undefined) continue;
    if (entry.modules.length === 0) offenders.push(`${entry.id}: empty modules`);
    for (const name of entry.names) if (!isInterpreterImage(name.replace(/\.exe$/, ''))) offenders.push(`${entry.id}: modules on '${name}', not an interpreter`);
  }
  return offenders;
}

const BROKEN_CORPUS: readonly TrustedProcess[] = [
  {
    id: 'Bad_Id',
    description: ' ',
    platform: 'windows',
    names: ['PowerShell.exe', 'cmd.exe'],
    pathPatterns: ['C:\\Windows\\System32\\cmd.exe', '?:/windows//system32/cmd.exe', '?:/windows/system32/cmd.exe', '?:/tools/helper.dll'],
    vectors: [],
    source: 'internal wiki',
  },
  {
    id: 'bad-python',
    description: 'Any python anywhere.',
    platform: 'linux',
    names: ['python3'],
    pathPatterns: ['/usr/bin/python3*', '/**/python3', '/opt/x***/python3'],
    // The cast smuggles in a vector a hand-edited or JSON-loaded list could carry.
    vectors: ['TokenEndpoint', 'Imds' as TheftVector],
    source: 'https://example.com/doc',
  },
  {
    id: 'bad-python',
    description: 'Duplicate id.',
    platform: 'linux',
    names: ['agent'],
    pathPatterns: ['?:/program files/agent/agent.exe'],
    modules: [],
    vectors: ['TokenCache'],
    source: 'https://example.com/doc',
  },
];

describe('DEFAULT_TRUSTED_PROCESSES meta-tests', () => {
  const checks: ReadonlyArray<readonly [string, (entries: readonly TrustedProcess[]) => string[]]> = [
    ['ids are unique', duplicateIds],
    ['ids are kebab-case', badIds],
    ['description and an https source are present', missingProse],
    ['names are lower case file names', badNames],
    ['path patterns are well formed for their platform', malformedPatterns],
    ['every pattern ends in one of its names', patternsThatMatchNoName],
    ['vectors are present and valid', badVectors],
    ['interpreters and LOLBins are only trusted inside an agent tree', unpinnedInterpreters],
    ['modules are named only for interpreters', modulesOnInterpretersOnly],
  ];

  it.each(checks)('%s (no offenders in the default list)', (_name, check) => {
    expect(check(DEFAULT_TRUSTED_PROCESSES)).toEqual([]);
  });

  it.each(checks)('%s (the check catches the broken corpus)', (_name, check) => {
    expect(check(BROKEN_CORPUS).length).toBeGreaterThan(0);
  });

  it('names every offender of the broken corpus at once', () => {
    expect(badIds(BROKEN_CORPUS)).toEqual(['Bad_Id']);
    expect(duplicateIds(BROKEN_CORPUS)).toEqual(['bad-python']);
    expect(badVectors(BROKEN_CORPUS)).toEqual(['Bad_Id: no vectors', "bad-python: vector 'Imds'"]);
    expect(unpinnedInterpreters(BROKEN_CORPUS)).toEqual(
      expect.arrayContaining([
        "Bad_Id: 'cmd.exe' trusted at ?:/windows/system32/cmd.exe by ?:/windows/system32/cmd.exe",
        "bad-python: 'python3' trusted at /usr/bin/python3 by /usr/bin/python3*, /**/python3",
        "bad-python: 'python3' trusted at /tmp/python3 by /**/python3",
        "bad-python: 'python3' trusted at /usr/bin/python3.11 by /usr/bin/python3*",
        "bad-python: 'python3' under unanchored '/**/python3'",
      ]),
    );
    expect(modulesOnInterpretersOnly(BROKEN_CORPUS)).toEqual(['bad-python: empty modules', "bad-python: modules on 'agent', not an interpreter"]);
    expect(patternsThatMatchNoName(BROKEN_CORPUS)).toEqual([
      "Bad_Id: 'C:\\Windows\\System32\\cmd.exe'",
      "Bad_Id: '?:/tools/helper.dll'",
      "bad-python: '?:/program files/agent/agent.exe'",
    ]);
  });

  it('holds a corpus of the intended size', () => {
    // 60+ entries: each cloud's agents and extension handlers on both platforms, Kubernetes, developer tools, scanners.
    expect(DEFAULT_TRUSTED_PROCESSES.length).toBeGreaterThanOrEqual(60);
  });
});

describe('seed executables from real telemetry', () => {
  // Executable paths exactly as recorded in public samples (see docs/allowlist-sources.md).
  const seeds: ReadonlyArray<readonly [string, string, string]> = [
    [
      'networkwatcheragent.exe, Security 5156 (OTRF)',
      '\\device\\harddiskvolume2\\packages\\plugins\\microsoft.azure.networkwatcher.networkwatcheragentwindows\\1.4.1587.1\\networkwatcheragent\\networkwatcheragent.exe',
      'azure-network-watcher-agent-windows',
    ],
    [
      'windowsazureguestagent.exe, Security 5156 (OTRF)',
      '\\device\\harddiskvolume2\\windowsazure\\packages\\guestagent\\windowsazureguestagent.exe',
      'azure-windows-guest-agent',
    ],
    [
      'waappagent.exe, MDE DeviceFileEvents (Elastic)',
      'c:\\windowsazure\\guestagent_2.7.41491.1057_2022-11-07_163802\\waappagent.exe',
      'azure-windows-guest-agent',
    ],
    [
      'WindowsAzureGuestAgent.exe, Application Error 1000 (Azure/WindowsVMAgent#20)',
      'C:\\WindowsAzure\\GuestAgent_2.7.41491.1193_2026-02-18_215333\\WindowsAzureGuestAgent.exe',
      'azure-windows-guest-agent',
    ],
    ['WaAppAgent.exe, Application Error 1000 (Azure/WindowsVMAgent#8)', 'C:\\WindowsAzure\\Packages_202185_155650\\WaAppAgent.exe', 'azure-windows-guest-agent'],
    ['winhup.exe, cfn-hup service ImagePath (sc qc output)', 'C:\\Program Files\\Amazon\\cfn-bootstrap\\winhup.exe', 'aws-cfn-bootstrap'],
    [
      'gc_worker.exe, Sysmon 1 ParentImage on an Arc server',
      'C:\\Program Files\\AzureConnectedMachineAgent\\GCArcService2\\GC\\gc_worker.exe',
      'azure-arc-guest-configuration-windows',
    ],
    [
      'GCEWindowsAgent.exe, Elastic Defend network event',
      'C:\\Program Files\\Google\\Compute Engine\\agent\\GCEWindowsAgent.exe',
      'gcp-guest-agent-windows',
    ],
    ['qualys-cloud-agent (Elastic rule exclusion)', '/usr/local/qualys/cloud-agent/bin/qualys-cloud-agent', 'qualys-cloud-agent-linux'],
    ['elastic-agent (Elastic rule exclusion)', '/opt/Elastic/Agent/data/elastic-agent-8.15.0-abc123/elastic-agent', 'elastic-agent'],
    ['VS Code server node (Elastic rule exclusion)', '/vscode/vscode-server/bin/linux-x64/0123abcd/node', 'vscode-server-node'],
  ];

  it.each(seeds)('%s is trusted by its entry', (_label, executablePath, expectedId) => {
    expect(trustedBy(DEFAULT_TRUSTED_PROCESSES, executablePath)).toEqual([expectedId]);
  });

  it.each(['networkwatcheragent.exe', 'windowsazureguestagent.exe', 'waappagent.exe', 'gcewindowsagent.exe'])(
    '%s is a listed name',
    (name) => {
      expect(DEFAULT_TRUSTED_PROCESSES.some((entry) => entry.names.includes(name))).toBe(true);
    },
  );
});

describe('shells, interpreters and LOLBins', () => {
  const mustNeverBeTrustedByName = [
    'powershell.exe', 'pwsh', 'pwsh.exe', 'cmd.exe', 'bash', 'sh', 'python', 'python3', 'python.exe', 'node', 'ruby',
    'curl', 'wget', 'certutil.exe', 'bitsadmin.exe',
  ];

  it.each(mustNeverBeTrustedByName)('%s is in NEVER_TRUSTED_BY_NAME_ALONE', (name) => {
    expect(NEVER_TRUSTED_BY_NAME_ALONE.has(name)).toBe(true);
  });

  // Homebrew's framework python runs as `Python.app/Contents/MacOS/Python`: the macOS Azure CLI entry
  // names it, for its `azure.cli` module only (an entry with modules trusts nothing else the interpreter runs).
  it.each(['powershell.exe', 'pwsh', 'pwsh.exe', 'cmd.exe', 'bash', 'sh', 'python', 'curl', 'wget', 'certutil.exe', 'bitsadmin.exe'])(
    '%s is listed by no entry at all, but for one pinned to a module, to its parent shell\'s scripts or to its parent\'s exact command lines',
    (name) => {
      expect(DEFAULT_TRUSTED_PROCESSES.filter((entry) => entry.names.includes(name) && entry.modules === undefined && entry.parentScripts === undefined && entry.parentCommandLines === undefined).map((entry) => entry.id)).toEqual([]);
    },
  );

  // The interpreters that do appear are trusted only inside their agent's own tree.
  const generic: ReadonlyArray<readonly [string]> = [
    ['/usr/bin/python3'],
    ['/usr/bin/python3.10'],
    ['/usr/local/bin/node'],
    ['/home/contoso/node'],
    ['/tmp/python3'],
    ['C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe'],
    ['C:\\Program Files\\PowerShell\\7\\pwsh.exe'],
    ['C:\\Windows\\System32\\cmd.exe'],
    ['C:\\Python311\\python.exe'],
    ['C:\\Users\\contoso\\AppData\\Local\\Programs\\Python\\Python311\\python.exe'],
    ['/usr/bin/curl'],
    ['/usr/bin/ruby'],
  ];

  // The rpm CLI's entry names the system python, for the azure.cli module only (modules): never for the path alone
  // (defaultTrustedLayouts.test.ts runs the system python with a script, inline code and other modules against it).
  it.each(generic)('%s is trusted by no entry for its path', (executablePath) => {
    expect(trustedBy(DEFAULT_TRUSTED_PROCESSES, executablePath).filter((id) => id !== 'azure-cli-linux-rpm')).toEqual([]);
  });

  const pinned: ReadonlyArray<readonly [string, string]> = [
    ['C:\\Program Files\\Microsoft SDKs\\Azure\\CLI2\\python.exe', 'azure-cli-windows'],
    ['/opt/az/bin/python3.11', 'azure-cli-linux'],
    ['/usr/lib/google-cloud-sdk/platform/bundledpythonunix/bin/python3', 'gcloud-cli'],
    ['/opt/microsoft/omsagent/ruby/bin/ruby', 'azure-log-analytics-agent-linux'],
  ];

  it.each(pinned)('%s is trusted as the private interpreter of %s', (executablePath, expectedId) => {
    expect(trustedBy(DEFAULT_TRUSTED_PROCESSES, executablePath)).toEqual([expectedId]);
  });
});
