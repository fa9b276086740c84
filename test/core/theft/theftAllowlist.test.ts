import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TheftVector } from '../../../src/core/alerts/alertRow';
import type { EndpointEvent } from '../../../src/core/records/endpoint/endpointEvent';
import { normalisePath } from '../../../src/core/records/endpoint/normalisePath';
import { parseEndpointRecord } from '../../../src/core/records/endpoint/parseEndpointRecord';
import { profileCaller } from '../../../src/core/theft/callerProfile';
import { DEFAULT_TRUSTED_PROCESSES } from '../../../src/core/theft/defaultTrustedProcesses';
import { decideTrust, trustedByExecutablePath, type TheftAllowlist } from '../../../src/core/theft/theftAllowlist';

const FIXTURES = path.join(__dirname, '../../fixtures/endpoint');
const VECTORS: readonly TheftVector[] = ['TokenEndpoint', 'ServiceAccountToken', 'TokenCache'];

function fixtureEvents(): EndpointEvent[] {
  const events: EndpointEvent[] = [];
  for (const format of readdirSync(FIXTURES).sort()) {
    for (const file of readdirSync(path.join(FIXTURES, format)).sort()) {
      const parsed = parseEndpointRecord(JSON.parse(readFileSync(path.join(FIXTURES, format, file), 'utf8')), file);
      if (parsed.ok === true) events.push(parsed.value);
    }
  }
  return events;
}

const withPath = (event: EndpointEvent, executable: string, hostName = event.hostName): EndpointEvent => ({
  ...event,
  hostName,
  process: { ...event.process, path: executable, pathKey: executable, name: path.posix.basename(executable) },
});

const defaults: TheftAllowlist = { processes: DEFAULT_TRUSTED_PROCESSES, applications: [] };

/** A host process (not in a container: a container's paths are never a node agent's). */
const FIXTURE_EVENT = fixtureEvents().find((e) => e.process.containerId === '')!;

/** A fixture event made the given program's: executable path as telemetry reports it, command line, working directory. */
function running(executable: string, commandLine = '', workingDirectory = ''): EndpointEvent {
  const base = FIXTURE_EVENT;
  return {
    ...base,
    platform: executable.includes('\\') ? 'windows' : 'linux',
    process: { ...base.process, path: executable, pathKey: normalisePath(executable), name: '', commandLine, workingDirectory },
  };
}

describe('an interpreter at an install location', () => {
  const verdict = (event: EndpointEvent, vector: TheftVector = 'TokenEndpoint'): string => decideTrust(event, profileCaller(event.process), vector, defaults).verdict;

  it.each([
    ['the Azure CLI', '/opt/az/bin/python3', '/opt/az/bin/python3 -Im azure.cli account get-access-token'],
    ['the Azure CLI on Windows', 'C:\\Program Files\\Microsoft SDKs\\Azure\\CLI2\\python.exe', '"C:\\Program Files\\Microsoft SDKs\\Azure\\CLI2\\python.exe" -IBm azure.cli login --identity'],
    ['the OMS agent', '/opt/microsoft/omsagent/ruby/bin/ruby', '/opt/microsoft/omsagent/ruby/bin/ruby /opt/microsoft/omsagent/bin/omsagent-abc -d /var/opt/microsoft/omsagent/run/omsagent.pid'],
    ['gcloud', '/usr/lib/google-cloud-sdk/platform/bundledpythonunix/bin/python3', '/usr/lib/google-cloud-sdk/platform/bundledpythonunix/bin/python3 -S -W ignore /usr/lib/google-cloud-sdk/lib/gcloud.py auth print-access-token'],
  ])('is trusted running what it is installed to run: %s', (_name, executable, commandLine) => {
    expect(verdict(running(executable, commandLine))).toBe('trusted');
  });

  it.each([
    ['VS Code server running its own JavaScript', '/home/bob/.vscode-server/bin/0123456789abcdef0123456789abcdef01234567/node', '/home/bob/.vscode-server/bin/0123456789abcdef0123456789abcdef01234567/node --dns-result-order=ipv4first /home/bob/.vscode-server/bin/0123456789abcdef0123456789abcdef01234567/out/bootstrap-fork --type=extensionHost'],
    ['a per-user gcloud running its gcloud.py', 'C:\\Users\\bob\\AppData\\Local\\Google\\Cloud SDK\\google-cloud-sdk\\platform\\bundledpython\\python.exe', '"C:\\Users\\bob\\AppData\\Local\\Google\\Cloud SDK\\google-cloud-sdk\\platform\\bundledpython\\python.exe" "C:\\Users\\bob\\AppData\\Local\\Google\\Cloud SDK\\google-cloud-sdk\\lib\\gcloud.py" auth print-access-token'],
  ])('is weaker evidence, not untrusted, installed in a home folder and running its own code: %s', (_name, executable, commandLine) => {
    expect(verdict(running(executable, commandLine))).toBe('user-writable');
  });

  it('the CLI\u2019s private python is trusted for the CLI module, not another module or standard input; with no command line, on its path', () => {
    expect(verdict(running('/opt/az/bin/python3', '/opt/az/bin/python3 -Im evil', '/etc'))).toBe('untrusted');
    expect(verdict(running('/opt/az/bin/python3', '/opt/az/bin/python3', '/etc'))).toBe('untrusted');
    expect(verdict(running('C:\\Program Files\\Microsoft SDKs\\Azure\\CLI2\\python.exe', 'python.exe -IBm evil'))).toBe('untrusted');
    // Sysmon 3 and 11, Security 5156: the executable only.
    expect(verdict(running('/opt/az/bin/python3'))).toBe('trusted');
    expect(verdict(running('C:\\Program Files\\Microsoft SDKs\\Azure\\CLI2\\python.exe'))).toBe('trusted');
    // The system python with no command line could be running anything.
    expect(verdict(running('/usr/bin/python3.9'))).not.toBe('trusted');
  });

  it('is not trusted running a module from a temporary working directory unless isolated (-I)', () => {
    expect(verdict(running('/opt/az/bin/python3', '/opt/az/bin/python3 -m grab', '/tmp/.x'))).toBe('untrusted');
    expect(verdict(running('/opt/az/bin/python3', '/opt/az/bin/python3 -Im azure.cli account get-access-token', '/tmp/.x'))).toBe('trusted');
    // Without -I from a home folder python finds a planted azure/cli there first: weaker evidence. The CLI's own az passes -I.
    expect(verdict(running('/opt/az/bin/python3', '/opt/az/bin/python3 -m azure.cli account get-access-token', '/home/alice'))).toBe('user-writable');
    expect(verdict(running('/opt/az/bin/python3', '/opt/az/bin/python3 -Im azure.cli account get-access-token', '/home/alice'))).toBe('trusted');
    expect(verdict(running('/opt/az/bin/python3', '/opt/az/bin/python3 -m azure.cli account get-access-token', '/etc'))).toBe('trusted');
    // Anywhere else an ordinary user or a service may write: a web root, a world-writable spool, a relative folder.
    for (const folder of ['/srv/app', '/var/www/html', '/var/crash', '/run/lock', 'tmp', '/var/lib/../../tmp']) {
      expect(verdict(running('/usr/bin/python3.9', 'python3.9 -sm azure.cli account get-access-token', folder))).not.toBe('trusted');
    }
  });

  it.each([
    ['inline code', '/opt/az/bin/python3', '/opt/az/bin/python3 -c "import urllib.request as u; u.urlopen(u.Request(\'http://169.254.169.254/metadata/identity/oauth2/token?resource=x\', headers={\'Metadata\': \'true\'}))"'],
    ['combined switches', '/opt/az/bin/python3', '/opt/az/bin/python3 -Ic "import os"'],
    ['a script in a home folder', '/opt/az/bin/python3', '/opt/az/bin/python3 /home/alice/grab.py /home/alice/.azure/msal_token_cache.json'],
    ['a script in /tmp', '/opt/az/bin/python3', '/opt/az/bin/python3 /tmp/.x/grab.py'],
    ['inline code on Windows', 'C:\\Program Files\\Microsoft SDKs\\Azure\\CLI2\\python.exe', 'python.exe -c "open(r\'C:\\Users\\alice\\.azure\\msal_token_cache.bin\').read()"'],
    ['ruby -e', '/opt/microsoft/omsagent/ruby/bin/ruby', '/opt/microsoft/omsagent/ruby/bin/ruby -rnet/http -e "Net::HTTP.get(URI(\'http://169.254.169.254/metadata/identity/oauth2/token\'))"'],
    ['a program from standard input, its arguments posing as an agent script', '/usr/bin/python3', 'python3 - /usr/sbin/waagent -daemon'],
    ['an interpreter binary given as the script', '/usr/bin/python3', 'python3 /opt/az/bin/python3'],
    ['a script outside its install (a web upload folder)', '/opt/az/bin/python3', '/opt/az/bin/python3 /var/www/html/up/x.py'],
    ['a script under C:\\ProgramData', 'C:\\Program Files\\Microsoft SDKs\\Azure\\CLI2\\python.exe', 'python.exe C:\\ProgramData\\x\\grab.py'],
    ['a relative script with no working directory', '/opt/az/bin/python3', '/opt/az/bin/python3 x.py'],
    ['an interactive prompt', '/opt/az/bin/python3', '/opt/az/bin/python3 -i'],
  ])('is not trusted running %s', (_name, executable, commandLine) => {
    const event = running(executable, commandLine);
    expect(verdict(event)).toBe('untrusted');
    expect(verdict(event, 'TokenCache')).toBe('untrusted');
    // The shortcut that skips the caller's profile never answers for an interpreter.
    expect(trustedByExecutablePath(event, 'TokenEndpoint', defaults)).toBe(false);
  });
});

describe("an agent's script handed to an interpreter", () => {
  const verdict = (event: EndpointEvent): string => decideTrust(event, profileCaller(event.process), 'TokenEndpoint', defaults).verdict;
  const WAAGENT = 'python3 -u /usr/sbin/waagent -daemon';

  it.each([
    ['the system python', '/usr/bin/python3.10', 'trusted'],
    ["RHEL 8's platform python", '/usr/libexec/platform-python3.6', 'trusted'],
    // Any program can be named python3 and given the agent's script as its first argument.
    ['a python3 in a home folder', '/home/eve/python3', 'untrusted'],
    ['a python3 in a user\'s ~/.local/bin', '/home/eve/.local/bin/python3', 'untrusted'],
  ])('is trusted by the script only as the system interpreter runs it: %s', (_name, executable, expected) => {
    expect(verdict(running(executable, WAAGENT))).toBe(expected);
  });

  it('is a name-only match when the telemetry does not say where the interpreter is', () => {
    const unknown = running('', WAAGENT);
    expect(verdict({ ...unknown, process: { ...unknown.process, name: 'python3' } })).toBe('name-only');
  });
});

describe('an install location in a home folder', () => {
  it.each([
    // Any program its user drops there under the agent's name matches the pattern: weaker evidence, never plain trust.
    ['/home/bob/.vscode-server/bin/0123456789abcdef0123456789abcdef01234567/node', 'vscode-server-node'],
    ['C:\\Users\\bob\\AppData\\Local\\Programs\\Microsoft VS Code\\Code.exe', 'vscode-desktop'],
  ])('%s is only user-writable (entry %s)', (executable, entryId) => {
    const event = running(executable);
    for (const vector of ['TokenEndpoint', 'TokenCache'] as const) {
      expect(decideTrust(event, profileCaller(event.process), vector, defaults), vector).toMatchObject({ verdict: 'user-writable', entryId });
      expect(trustedByExecutablePath(event, vector, defaults), vector).toBe(false);
    }
  });

  it('is only user-writable on a drive other than C:, where any user can create the folder; a volume path names no letter', () => {
    const guestAgent = (path: string): EndpointEvent => running(path);
    const verdictOf = (path: string): string => decideTrust(guestAgent(path), profileCaller(guestAgent(path).process), 'TokenEndpoint', defaults, 'azure-imds').verdict;
    expect(verdictOf('C:\\WindowsAzure\\GuestAgent_2.7.41491.1193_2026-02-18_215333\\WindowsAzureGuestAgent.exe')).toBe('trusted');
    expect(verdictOf('D:\\WindowsAzure\\GuestAgent_2.7.41491.1193_2026-02-18_215333\\WindowsAzureGuestAgent.exe')).toBe('user-writable');
    expect(verdictOf('\\\\?\\E:\\WindowsAzure\\GuestAgent_2.7.41491.1193_2026-02-18_215333\\WindowsAzureGuestAgent.exe')).toBe('user-writable');
    expect(verdictOf('\\Device\\HarddiskVolume4\\WindowsAzure\\GuestAgent_2.7.41491.1193_2026-02-18_215333\\WindowsAzureGuestAgent.exe')).toBe('trusted');
    // The shortcut that skips the caller's profile does not answer for another drive either.
    expect(trustedByExecutablePath(guestAgent('D:\\WindowsAzure\\GuestAgent_2.7.41491.1193_2026-02-18_215333\\WindowsAzureGuestAgent.exe'), 'TokenEndpoint', defaults, 'azure-imds')).toBe(false);
    expect(trustedByExecutablePath(guestAgent('C:\\WindowsAzure\\GuestAgent_2.7.41491.1193_2026-02-18_215333\\WindowsAzureGuestAgent.exe'), 'TokenEndpoint', defaults, 'azure-imds')).toBe(true);
  });

  it("is plain trust when the operator allowlists it for a host, and GKE's root-owned /home/kubernetes is no home", () => {
    const node = running('/home/bob/.vscode-server/bin/0123456789abcdef0123456789abcdef01234567/node');
    const operator: TheftAllowlist = { processes: [], applications: [{ id: 'dev-vscode', description: 'dev boxes', pathPatterns: ['/home/*/.vscode-server/bin/*/node'], hostPatterns: ['*'], vectors: ['TokenEndpoint'] }] };
    expect(decideTrust(node, profileCaller(node.process), 'TokenEndpoint', operator)).toMatchObject({ verdict: 'trusted', by: 'host-application' });
    const kubelet = running('/home/kubernetes/bin/kubelet');
    expect(decideTrust(kubelet, profileCaller(kubelet.process), 'ServiceAccountToken', defaults)).toMatchObject({ verdict: 'trusted', entryId: 'kubelet' });
  });
});

describe("a cloud's agent asking another cloud's token endpoint", () => {
  // EC2Launch v1's script, whose folder under C:\\ProgramData any user can create on a VM of another cloud.
  const ec2Launch = running(
    'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
    'powershell.exe -ExecutionPolicy Bypass -File C:\\ProgramData\\Amazon\\EC2-Windows\\Launch\\Scripts\\InitializeInstance.ps1',
  );
  const verdict = (event: EndpointEvent, service: string): string => decideTrust(event, profileCaller(event.process), 'TokenEndpoint', defaults, service).verdict;

  it('is trusted on its own cloud and on a bare metadata address, not on Azure IMDS or the App Service endpoint', () => {
    expect(verdict(ec2Launch, 'aws-imds')).toBe('trusted');
    expect(verdict(ec2Launch, 'link-local-metadata')).toBe('trusted');
    expect(verdict(ec2Launch, 'azure-imds')).toBe('untrusted');
    expect(verdict(ec2Launch, 'azure-app-service')).toBe('untrusted');
    // Oracle's and Alibaba's endpoints are another cloud's too, not an unknown one.
    expect(verdict(ec2Launch, 'oracle-metadata')).toBe('untrusted');
    expect(verdict(ec2Launch, 'alibaba-metadata')).toBe('untrusted');
  });

  it('leaves the Arc agent, which probes the metadata service of whatever cloud its server runs in, to any cloud', () => {
    const himds = running('/opt/azcmagent/bin/himds', '');
    for (const service of ['azure-arc', 'aws-imds', 'gcp-metadata']) expect(verdict(himds, service), service).toBe('trusted');
    expect(trustedByExecutablePath(himds, 'TokenEndpoint', defaults, 'aws-imds')).toBe(true);
    expect(trustedByExecutablePath(running('/usr/sbin/waagent', ''), 'TokenEndpoint', defaults, 'gcp-metadata')).toBe(false);
  });
});

describe('the entry an untrusted program imitates', () => {
  const imitated = (executable: string, commandLine: string): string => {
    const event = running(executable, commandLine);
    const trust = decideTrust(event, profileCaller(event.process), 'TokenEndpoint', defaults);
    return trust.verdict === 'untrusted' ? trust.nameMatchedEntry : trust.verdict;
  };

  it('is named for an agent name at the wrong path, never for an interpreter or shell under its usual name', () => {
    expect(imitated('/tmp/waagent', '/tmp/waagent -daemon')).toBe('azure-linux-guest-agent');
    expect(imitated('/usr/bin/python3', 'python3 /tmp/waagent -daemon')).toBe('azure-linux-guest-agent');
    expect(imitated('/usr/bin/python3.10', 'python3 -c "import urllib"')).toBe('');
    expect(imitated('/usr/local/bin/python3', 'python3 /srv/app/main.py')).toBe('');
  });
});

describe('trusted by the executable path alone', () => {
  const withApplication: TheftAllowlist = {
    processes: DEFAULT_TRUSTED_PROCESSES,
    applications: [{ id: 'contoso-billing', description: 'billing', pathPatterns: ['/opt/contoso/billing/bin/*'], hostPatterns: ['app-*'], vectors: ['TokenEndpoint'] }],
  };
  const events = fixtureEvents();

  it('answers yes only where decideTrust trusts the caller, whatever script it runs', () => {
    let yes = 0;
    let no = 0;
    for (const allowlist of [defaults, withApplication]) {
      for (const event of events) {
        for (const vector of VECTORS) {
          if (trustedByExecutablePath(event, vector, allowlist)) {
            yes++;
            expect(decideTrust(event, profileCaller(event.process), vector, allowlist).verdict, `${event.source.origin} ${vector}`).toBe('trusted');
          } else no++;
        }
      }
    }
    expect(yes).toBeGreaterThan(0);
    expect(no).toBeGreaterThan(0);
  });

  it('says no for a program outside every install location, for an empty path, and for an operator application on another host or vector', () => {
    const event = FIXTURE_EVENT;
    expect(trustedByExecutablePath(withPath(event, '/tmp/waagent'), 'TokenEndpoint', defaults)).toBe(false);
    expect(trustedByExecutablePath({ ...event, process: { ...event.process, path: '', pathKey: '' } }, 'TokenEndpoint', defaults)).toBe(false);
    const billing = withPath(event, '/opt/contoso/billing/bin/worker', 'app-01.contoso.com');
    expect(trustedByExecutablePath(billing, 'TokenEndpoint', withApplication)).toBe(true);
    expect(trustedByExecutablePath({ ...billing, hostName: 'db-01.contoso.com' }, 'TokenEndpoint', withApplication)).toBe(false);
    expect(trustedByExecutablePath(billing, 'TokenCache', withApplication)).toBe(false);
    // The same answers a second time, when they come from the memo.
    expect(trustedByExecutablePath(withPath(event, '/tmp/waagent'), 'TokenEndpoint', defaults)).toBe(false);
    expect(trustedByExecutablePath(billing, 'TokenEndpoint', withApplication)).toBe(true);
  });
});
