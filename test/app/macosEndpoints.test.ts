import { describe, expect, it } from 'vitest';
import { MemoryAlertSink } from '../../src/adapters/alertSink';
import { MemoryStateStore } from '../../src/adapters/memoryStateStore';
import { MemoryRejectSink } from '../../src/adapters/rejectSink';
import { judgeEndpointOutcomes, parseEndpointMessages, type TheftDeps } from '../../src/app/theftRunner';
import { loadTheftSettings } from '../../src/app/theftSettings';
import { parseEndpointRecord } from '../../src/core/records/endpoint/parseEndpointRecord';

/*
 * Macs under Defender for Endpoint and Elastic Defend, in the shapes those agents write: homes are
 * /Users/<user> (root's /var/root, reported as /private/var/root), temporary files live in
 * /private/tmp and /private/var/folders/…/T/, and the Azure CLI from Homebrew runs as Homebrew's
 * framework python (Python.app/Contents/MacOS/Python) with `-Im azure.cli`, keeping a plain
 * ~/.azure/msal_token_cache.json (encryption is Windows-only by default). Default allowlists.
 */
const PYTHON_APP = '/opt/homebrew/Cellar/python@3.13/3.13.5/Frameworks/Python.framework/Versions/3.13/Resources/Python.app/Contents/MacOS/Python';
const AZ_COMMAND = '/opt/homebrew/Cellar/azure-cli/2.75.0/libexec/bin/python -Im azure.cli account get-access-token --resource https://management.azure.com';

/** One MDE Advanced Hunting row as the streaming API sends it. */
function mdeFileEvent(reportId: number, properties: Record<string, unknown>): unknown {
  return {
    category: 'AdvancedHunting-DeviceFileEvents',
    operationName: 'Publish',
    tenantId: '00000000-0000-4000-8000-00000000c0de',
    time: '2026-03-01T10:00:05.0000000Z',
    properties: {
      Timestamp: `2026-03-01T11:${String(reportId % 60).padStart(2, '0')}:00.0000000Z`,
      DeviceId: '0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c',
      DeviceName: 'mbp-alice.contoso.com',
      InitiatingProcessAccountDomain: 'mbp-alice',
      InitiatingProcessAccountName: 'alice',
      InitiatingProcessId: 4000 + reportId,
      ReportId: reportId,
      ...properties,
    },
  };
}

/**
 * An Elastic Defend file event from a Mac. Its `open` events name the process without its
 * executable or command line (endpoint-package, custom_documentation/doc/endpoint/file/macos):
 * `executable` undefined leaves them out; `originalPath` is a rename's `file.Ext.original.path`.
 */
function defendFileEvent(id: string, action: string, process: { readonly name: string; readonly executable?: string; readonly args?: readonly string[] }, filePath: string, originalPath?: string): unknown {
  const { name, executable, args } = process;
  return {
    '@timestamp': `2026-03-01T11:${String(30 + Number(id.replace(/\D/g, '')) % 30).padStart(2, '0')}:00.000Z`,
    agent: { type: 'endpoint', version: '8.15.0', id: '2a9f8e7d-0000-4000-8000-0000000000ac' },
    ecs: { version: '8.11.0' },
    data_stream: { dataset: 'endpoint.events.file', namespace: 'default', type: 'logs' },
    event: { kind: 'event', category: ['file'], type: [action === 'open' ? 'access' : 'change'], action, id, dataset: 'endpoint.events.file', module: 'endpoint' },
    host: { name: 'mbp-alice', hostname: 'mbp-alice', id: '6c1f5d0a-0000-4000-8000-0000000000ac', os: { type: 'macos', family: 'darwin', platform: 'darwin', name: 'macOS' } },
    user: { id: '501' },
    process: executable === undefined ? { name, pid: 7000 } : { name, executable, args, command_line: (args ?? []).join(' '), pid: 7000, working_directory: '/Users/alice' },
    file: { path: filePath, name: filePath.split('/').pop(), directory: filePath.slice(0, filePath.lastIndexOf('/')), ...(originalPath === undefined ? {} : { Ext: { original: { path: originalPath, name: originalPath.split('/').pop() } } }) },
  };
}

/** An MDE process creation on a Mac. */
function mdeProcessEvent(reportId: number, folderPath: string, commandLine: string, account = 'alice'): unknown {
  return {
    category: 'AdvancedHunting-DeviceProcessEvents',
    operationName: 'Publish',
    tenantId: '00000000-0000-4000-8000-00000000c0de',
    time: '2026-03-01T10:00:05.0000000Z',
    properties: {
      Timestamp: `2026-03-01T12:${String(reportId % 60).padStart(2, '0')}:00.0000000Z`,
      DeviceId: '0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c',
      DeviceName: 'mbp-alice.contoso.com',
      ActionType: 'ProcessCreated',
      FileName: folderPath.split('/').pop(),
      FolderPath: folderPath,
      ProcessCommandLine: commandLine,
      AccountDomain: 'mbp-alice',
      AccountName: account,
      InitiatingProcessFileName: 'zsh',
      InitiatingProcessFolderPath: '/bin/zsh',
      ReportId: reportId,
    },
  };
}

const RECORDS = {
  // The CLI refreshing its own cache at sign-in: written where it lives, by its owner.
  azWritesOwnCache: mdeFileEvent(1, {
    ActionType: 'FileModified',
    FileName: 'msal_token_cache.json',
    FolderPath: '/Users/alice/.azure/msal_token_cache.json',
    InitiatingProcessFileName: 'Python',
    InitiatingProcessFolderPath: PYTHON_APP,
    InitiatingProcessCommandLine: AZ_COMMAND,
  }),
  // Root's CLI (sudo az login) keeps its cache in /var/root, which telemetry reports through /private.
  rootAzWritesOwnCache: mdeFileEvent(2, {
    ActionType: 'FileModified',
    FileName: 'azureProfile.json',
    FolderPath: '/private/var/root/.azure/azureProfile.json',
    InitiatingProcessFileName: 'Python',
    InitiatingProcessFolderPath: PYTHON_APP,
    InitiatingProcessCommandLine: AZ_COMMAND,
    InitiatingProcessAccountName: 'root',
  }),
  // The same cache copied to /private/tmp by inline python.
  inlineCopyToTmp: mdeFileEvent(3, {
    ActionType: 'FileCreated',
    FileName: 'msal_token_cache.json',
    FolderPath: '/private/tmp/.c/msal_token_cache.json',
    InitiatingProcessFileName: 'Python',
    InitiatingProcessFolderPath: PYTHON_APP,
    InitiatingProcessCommandLine: `python3 -c "import shutil; shutil.copy('/Users/alice/.azure/msal_token_cache.json', '/private/tmp/.c/')"`,
  }),
  // Another account writing into alice's cache folder: a copy, not the owner's refresh.
  otherAccountWritesCache: mdeFileEvent(4, {
    ActionType: 'FileCreated',
    FileName: 'msal_token_cache.json',
    FolderPath: '/Users/eve/.azure/msal_token_cache.json',
    InitiatingProcessFileName: 'cp',
    InitiatingProcessFolderPath: '/bin/cp',
    InitiatingProcessCommandLine: 'cp /Users/alice/.azure/msal_token_cache.json /Users/eve/.azure/',
    InitiatingProcessAccountName: 'eve',
  }),
  // The CLI opening its cache (Elastic Defend with the executable): trusted for azure.cli.
  azOpensCache: defendFileEvent('Mac+++1', 'modification', { name: 'Python', executable: PYTHON_APP, args: [PYTHON_APP, '-Im', 'azure.cli', 'account', 'show'] }, '/Users/alice/.azure/msal_token_cache.json'),
  // A download in the user's temporary folder opening the gcloud store.
  downloadOpensGcloud: defendFileEvent('Mac+++2', 'modification', { name: 'updater', executable: '/private/var/folders/x1/k2q/T/AppTranslocation/upd/updater', args: ['updater'] }, '/Users/alice/.config/gcloud/credentials.db'),
};

function deps(): TheftDeps & { sink: MemoryAlertSink; deadLetter: MemoryRejectSink } {
  return { store: new MemoryStateStore(), sink: new MemoryAlertSink(), deadLetter: new MemoryRejectSink(), settings: loadTheftSettings(undefined), processedAt: Date.parse('2026-03-02T00:00:00Z') };
}

async function alertsOf(records: readonly unknown[]) {
  const d = deps();
  const parsed = parseEndpointMessages([JSON.stringify({ records })], (i) => `message ${i}`, d.processedAt);
  const outcome = await judgeEndpointOutcomes(parsed.outcomes, d, 'mac-batch', parsed.rejects);
  expect(outcome.rejectsByReason).toEqual({});
  return outcome.alerts.map((a) => [a.Severity, a.Vector, a.Target, a.ProcessPath] as const);
}

describe('theft on macOS endpoints', () => {
  it('reads the platform from the paths (MDE) and from host.os (Elastic)', () => {
    for (const record of [RECORDS.azWritesOwnCache, RECORDS.azOpensCache]) {
      const parsed = parseEndpointRecord(record, 'test');
      expect(parsed.ok === true && parsed.value.platform).toBe('macos');
    }
  });

  it('is silent for the Azure CLI from Homebrew keeping its own cache, the user’s or root’s, and for its extensions', async () => {
    // `az extension add` runs pip, which writes each wheel's azext_metadata.json under ~/.azure/cliextensions.
    const extension = mdeFileEvent(5, {
      ActionType: 'FileCreated',
      FileName: 'azext_metadata.json',
      FolderPath: '/Users/alice/.azure/cliextensions/aks-preview/azext_aks_preview/azext_metadata.json',
      InitiatingProcessFileName: 'Python',
      InitiatingProcessFolderPath: PYTHON_APP,
      InitiatingProcessCommandLine: '/opt/homebrew/Cellar/azure-cli/2.75.0/libexec/bin/python -m pip install --target /Users/alice/.azure/cliextensions/aks-preview /private/var/folders/x1/k2q/T/tmp9/aks_preview-13.0.0b1-py2.py3-none-any.whl',
    });
    // The CLI replacing its cache through a file beside it is a rename inside the cache's folder.
    const replaced = defendFileEvent('Mac+++3', 'rename', { name: 'Python', executable: PYTHON_APP, args: [PYTHON_APP, '-Im', 'azure.cli', 'login'] }, '/Users/alice/.azure/msal_token_cache.json', '/Users/alice/.azure/msal_token_cache.json.tmp');
    expect(await alertsOf([RECORDS.azWritesOwnCache, RECORDS.rootAzWritesOwnCache, RECORDS.azOpensCache, extension, replaced])).toEqual([]);
  });

  it('raises on a cache copied to a temporary folder, into another user’s home, or opened by a download', async () => {
    expect(await alertsOf([RECORDS.inlineCopyToTmp, RECORDS.otherAccountWritesCache, RECORDS.downloadOpensGcloud])).toEqual([
      ['High', 'TokenCache', '/private/tmp/.c/msal_token_cache.json', PYTHON_APP],
      ['High', 'TokenCache', '/Users/eve/.azure/msal_token_cache.json', '/bin/cp'],
      ['High', 'TokenCache', '/Users/alice/.config/gcloud/credentials.db', '/private/var/folders/x1/k2q/T/AppTranslocation/upd/updater'],
    ]);
  });

  it('never makes a python known by its name alone: Defend’s open events name no executable', async () => {
    const open = (id: string, path: string) => defendFileEvent(id, 'open', { name: 'Python' }, path);
    expect(await alertsOf([open('Mac+++11', '/Users/alice/.azure/msal_token_cache.json'), open('Mac+++12', '/Users/alice/.aws/credentials'), open('Mac+++13', '/Users/alice/.config/gcloud/credentials.db'), open('Mac+++14', '/Users/alice/.aws/credentials')])).toEqual([
      ['Medium', 'TokenCache', '/Users/alice/.azure/msal_token_cache.json', ''],
      ['Medium', 'TokenCache', '/Users/alice/.aws/credentials', ''],
      ['Medium', 'TokenCache', '/Users/alice/.config/gcloud/credentials.db', ''],
    ]);
  });

  it('knows macOS’s own tools: ditto, osascript, nscurl and sqlite3', async () => {
    expect(
      await alertsOf([
        mdeProcessEvent(21, '/usr/bin/ditto', 'ditto -c -k --sequesterRsrc --keepParent /Users/alice/.azure /Users/Shared/.cache.zip'),
        mdeProcessEvent(22, '/usr/bin/osascript', `osascript -l JavaScript -e "ObjC.import('Foundation'); $.NSString.stringWithContentsOfFileEncodingError('/Users/alice/.aws/credentials', 4, null)"`),
        mdeProcessEvent(23, '/usr/bin/nscurl', 'nscurl http://169.254.169.254/latest/meta-data/iam/security-credentials/mac-role'),
        mdeProcessEvent(24, '/usr/bin/sqlite3', 'sqlite3 /Users/alice/.config/gcloud/access_tokens.db .dump'),
      ]),
    ).toEqual([
      ['High', 'TokenCache', '/Users/alice/.azure', '/usr/bin/ditto'],
      ['High', 'TokenCache', '/Users/alice/.aws/credentials', '/usr/bin/osascript'],
      ['High', 'TokenEndpoint', 'http://169.254.169.254/latest/meta-data/iam/security-credentials/mac-role', '/usr/bin/nscurl'],
      ['High', 'TokenCache', '/Users/alice/.config/gcloud/access_tokens.db', '/usr/bin/sqlite3'],
    ]);
  });

  it('sees a cache moved out of its folder, in MDE FileRenamed and Elastic rename events', async () => {
    const script = { name: 'Python', executable: PYTHON_APP, args: [PYTHON_APP, '/Users/alice/Downloads/x.py'] };
    expect(
      await alertsOf([
        mdeFileEvent(31, {
          ActionType: 'FileRenamed',
          FileName: '.d',
          FolderPath: '/private/tmp/.d',
          PreviousFolderPath: '/Users/alice/.azure/',
          PreviousFileName: 'msal_token_cache.json',
          InitiatingProcessFileName: 'mv',
          InitiatingProcessFolderPath: '/bin/mv',
          InitiatingProcessCommandLine: 'mv /Users/alice/.azure/msal_token_cache.json /private/tmp/.d',
        }),
        defendFileEvent('Mac+++32', 'rename', script, '/private/tmp/.c', '/Users/alice/.aws/credentials'),
      ]),
    ).toEqual([
      ['High', 'TokenCache', '/Users/alice/.azure/msal_token_cache.json', '/bin/mv'],
      ['High', 'TokenCache', '/Users/alice/.aws/credentials', PYTHON_APP],
    ]);
  });

  it('sees copies named as the CLIs name their plain caches on macOS, and root’s cache planted from elsewhere', async () => {
    const byScript = (reportId: number, folderPath: string, script: string, account = 'alice') =>
      mdeFileEvent(reportId, { ActionType: 'FileCreated', FileName: folderPath.split('/').pop(), FolderPath: folderPath, InitiatingProcessFileName: 'python3', InitiatingProcessFolderPath: '/usr/bin/python3', InitiatingProcessCommandLine: `/usr/bin/python3 ${script}`, InitiatingProcessAccountName: account });
    expect(
      await alertsOf([
        byScript(41, '/private/tmp/loot/service_principal_entries.json', '/Users/alice/Downloads/x.py'),
        byScript(42, '/private/tmp/loot/access_tokens.db', '/Users/alice/Downloads/x.py'),
        byScript(43, '/private/var/root/.aws/credentials', '/private/tmp/s.py', 'root'),
        // A shell script from a temporary folder rewriting its account's own cache in place.
        mdeFileEvent(45, { ActionType: 'FileModified', FileName: 'msal_token_cache.json', FolderPath: '/Users/alice/.azure/msal_token_cache.json', InitiatingProcessFileName: 'bash', InitiatingProcessFolderPath: '/bin/bash', InitiatingProcessCommandLine: '/bin/bash -e /private/tmp/i.sh', InitiatingProcessAccountName: 'alice' }),
        mdeFileEvent(44, { ActionType: 'FileCreated', FileName: 'msal_token_cache.json', FolderPath: '/private/var/root/.azure/msal_token_cache.json', InitiatingProcessFileName: 'ditto', InitiatingProcessFolderPath: '/usr/bin/ditto', InitiatingProcessCommandLine: 'ditto /Users/bob/.azure /var/root/.azure', InitiatingProcessAccountName: 'root' }),
      ]),
    ).toEqual([
      ['High', 'TokenCache', '/private/tmp/loot/service_principal_entries.json', '/usr/bin/python3'],
      ['High', 'TokenCache', '/private/tmp/loot/access_tokens.db', '/usr/bin/python3'],
      ['High', 'TokenCache', '/private/var/root/.aws/credentials', '/usr/bin/python3'],
      ['High', 'TokenCache', '/private/var/root/.azure/msal_token_cache.json', '/usr/bin/ditto'],
      ['High', 'TokenCache', '/Users/alice/.azure/msal_token_cache.json', '/bin/bash'],
    ]);
  });

  it('sees a cache renamed inside its folder to a name no pattern knows (the first step of moving it out), but not a CLI replacing its cache', async () => {
    const script = { name: 'Python', executable: PYTHON_APP, args: [PYTHON_APP, '/Users/alice/Downloads/x.py'] };
    expect(
      await alertsOf([
        defendFileEvent('Mac+++51', 'rename', script, '/Users/alice/.aws/.credentials.swp', '/Users/alice/.aws/credentials'),
        // MDE rows may name the whole old path in PreviousFolderPath, with PreviousFileName empty:
        // PowerShell replacing its context through a temporary file beside it.
        mdeFileEvent(52, {
          ActionType: 'FileRenamed',
          FileName: 'AzureRmContext.json',
          FolderPath: 'C:\\Users\\bob\\.Azure\\AzureRmContext.json',
          PreviousFolderPath: 'C:\\Users\\bob\\.Azure\\AzureRmContext.json.tmp',
          PreviousFileName: '',
          InitiatingProcessFileName: 'pwsh.exe',
          InitiatingProcessFolderPath: 'c:\\program files\\powershell\\7\\pwsh.exe',
          InitiatingProcessCommandLine: '"C:\\Program Files\\PowerShell\\7\\pwsh.exe"',
          InitiatingProcessAccountName: 'bob',
        }),
      ]),
    ).toEqual([['High', 'TokenCache', '/Users/alice/.aws/credentials', PYTHON_APP]]);
  });

  it('never makes a python known by its path when the telemetry gives no command line for a token file (Defend’s modification events)', async () => {
    const write = (id: string, path: string) => defendFileEvent(id, 'modification', { name: 'Python', executable: PYTHON_APP }, path);
    expect(
      await alertsOf([
        write('Mac+++61', '/Users/alice/work/tenant-b/.azconfig/msal_token_cache.json'),
        write('Mac+++62', '/private/tmp/.l/msal_token_cache.json'),
        write('Mac+++63', '/Users/Shared/.s/service_principal_entries.json'),
      ]),
    ).toEqual([
      ['Medium', 'TokenCache', '/Users/alice/work/tenant-b/.azconfig/msal_token_cache.json', PYTHON_APP],
      ['Medium', 'TokenCache', '/private/tmp/.l/msal_token_cache.json', PYTHON_APP],
      ['Medium', 'TokenCache', '/Users/Shared/.s/service_principal_entries.json', PYTHON_APP],
    ]);
  });

  it('takes a token folder moved or archived by mv, pax, hdiutil or aa', async () => {
    expect(
      await alertsOf([
        mdeProcessEvent(71, '/bin/mv', 'mv /Users/alice/.azure /private/tmp/.z'),
        mdeProcessEvent(72, '/bin/pax', 'pax -w -f /private/tmp/g.pax /Users/alice/.config/gcloud'),
        mdeProcessEvent(73, '/usr/bin/hdiutil', 'hdiutil create -srcfolder /Users/alice/.aws /private/tmp/a.dmg'),
        mdeProcessEvent(74, '/usr/bin/aa', 'aa archive -d /Users/alice/.azure -o /private/tmp/z.aar'),
      ]),
    ).toEqual([
      ['High', 'TokenCache', '/Users/alice/.azure', '/bin/mv'],
      ['High', 'TokenCache', '/Users/alice/.config/gcloud', '/bin/pax'],
      ['High', 'TokenCache', '/Users/alice/.aws', '/usr/bin/hdiutil'],
      ['High', 'TokenCache', '/Users/alice/.azure', '/usr/bin/aa'],
    ]);
  });

  it('is silent when a python opens the CLIs’ settings and indexes, which hold no token', async () => {
    const open = (id: string, path: string) => defendFileEvent(id, 'open', { name: 'Python' }, path);
    expect(
      await alertsOf([
        open('Mac+++81', '/Users/alice/.azure/commandIndex.json'),
        open('Mac+++82', '/Users/alice/.azure/versionCheck.json'),
        open('Mac+++83', '/Users/alice/.azure/az.json'),
        open('Mac+++84', '/Users/alice/.config/gcloud/.last_update_check.json'),
      ]),
    ).toEqual([]);
  });
});
