import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AlertRow } from '../../../src/core/alerts/alertRow';
import type { EndpointEvent } from '../../../src/core/records/endpoint/endpointEvent';
import { parseEndpointRecord } from '../../../src/core/records/endpoint/parseEndpointRecord';
import type { PartitionSnapshot, RowChange, RowData } from '../../../src/core/state/partition';
import { detectTheft, hostPartitionKey, imageRepository, partitionKeysForScreened, screenEvents, type TheftDetectorConfig } from '../../../src/core/theft/detectTheft';
import { DEFAULT_TRUSTED_PROCESSES } from '../../../src/core/theft/defaultTrustedProcesses';
import type { TheftAllowlist } from '../../../src/core/theft/theftAllowlist';
import { buildTheftAllowlist, EMPTY_THEFT_ALLOWLIST_CONFIG } from '../../../src/core/theft/theftAllowlistConfig';
import type { TrustedProcess } from '../../../src/core/theft/trustedProcess';

const FIXTURES = path.resolve(__dirname, '../../fixtures/endpoint');
function event(name: string): EndpointEvent {
  const parsed = parseEndpointRecord(JSON.parse(readFileSync(path.join(FIXTURES, `${name}.json`), 'utf8')), name);
  if (parsed.ok !== true) throw new Error(`${name} did not parse: ${JSON.stringify(parsed)}`);
  return parsed.value;
}

/** A small allowlist built here, so these tests do not depend on the shipped defaults. */
const TEST_PROCESSES: readonly TrustedProcess[] = [
  {
    id: 'test-azure-guest-agent',
    description: 'Azure Windows guest agent',
    platform: 'windows',
    names: ['windowsazureguestagent.exe'],
    pathPatterns: ['?:/windowsazure/guestagent_*/windowsazureguestagent.exe'],
    vectors: ['TokenEndpoint'],
    source: 'test',
  },
  {
    id: 'test-network-watcher',
    description: 'Network Watcher agent',
    platform: 'windows',
    names: ['networkwatcheragent.exe'],
    pathPatterns: ['?:/packages/plugins/microsoft.azure.networkwatcher.networkwatcheragentwindows/*/networkwatcheragent/networkwatcheragent.exe'],
    vectors: ['TokenEndpoint'],
    source: 'test',
  },
  { id: 'test-kubelet', description: 'kubelet', platform: 'linux', names: ['kubelet'], pathPatterns: ['/usr/bin/kubelet'], vectors: ['ServiceAccountToken'], source: 'test' },
  {
    id: 'test-azure-cli-windows',
    description: 'Azure CLI bundled python',
    platform: 'windows',
    names: ['python.exe'],
    pathPatterns: ['?:/program files/microsoft sdks/azure/cli2/python.exe'],
    vectors: ['TokenCache', 'TokenEndpoint'],
    source: 'test',
  },
  { id: 'test-linux-guest-agent', description: 'waagent', platform: 'linux', names: ['waagent'], pathPatterns: ['/usr/sbin/waagent'], vectors: ['TokenEndpoint'], source: 'test' },
  {
    id: 'test-arc-himds',
    description: 'Arc himds, trusted for its own key files only',
    platform: 'linux',
    names: ['himds'],
    pathPatterns: ['/opt/azcmagent/bin/himds'],
    vectors: ['TokenEndpoint', 'TokenCache'],
    tokenFiles: ['azure-arc-token-key'],
    source: 'test',
  },
];
const allowlist: TheftAllowlist = { processes: TEST_PROCESSES, applications: [] };
const config: TheftDetectorConfig = { allowlist };
/** The host partitions the runner loads for these events. */
const partitionKeysFor = (events: readonly EndpointEvent[]) => partitionKeysForScreened(screenEvents(events, config));

function snapshots(changes: readonly RowChange[], base: ReadonlyMap<string, PartitionSnapshot> = new Map()): Map<string, PartitionSnapshot> {
  const out = new Map<string, PartitionSnapshot>();
  for (const [k, v] of base) out.set(k, { partitionKey: k, rows: new Map(v.rows) });
  for (const c of changes) {
    const p = out.get(c.partitionKey) ?? { partitionKey: c.partitionKey, rows: new Map<string, RowData>() };
    const rows = new Map(p.rows);
    if (c.kind === 'upsert') rows.set(c.rowKey, c.data);
    else rows.delete(c.rowKey);
    out.set(c.partitionKey, { partitionKey: c.partitionKey, rows });
  }
  return out;
}

function at(e: EndpointEvent, timeMs: number, recordId: string): EndpointEvent {
  return { ...e, timeMs, source: { ...e.source, recordId } };
}

describe('detectTheft over the fixtures: positive and negative per vector and format', () => {
  it.each([
    // fixture, severity, vector, target
    ['mde/network-curl-imds-token', 'High', 'TokenEndpoint', 'http://169.254.169.254/metadata/identity/oauth2/token'],
    ['mde/network-http-inspected-hex-address', 'High', 'TokenEndpoint', 'http://169.254.169.254/latest/meta-data/iam/security-credentials/contoso-role'],
    ['mde/file-msal-cache-copied', 'High', 'TokenCache', 'C:\\Users\\alice\\AppData\\Local\\Temp\\msal_token_cache.json'],
    // The copy under another name: its command line names the cache.
    ['mde/file-cache-copied-renamed', 'High', 'TokenCache', '/home/alice/.azure/msal_token_cache.json'],
    // Written into the writer's own cache folder, but copied from another user's: its command line names the source.
    ['mde/file-cache-copied-from-another-home', 'High', 'TokenCache', 'C:\\Users\\eve\\.azure\\msal_token_cache.bin'],
    ['mde/process-cat-serviceaccount-token', 'High', 'ServiceAccountToken', '/var/run/secrets/kubernetes.io/serviceaccount/token'],
    ['sysmon-windowsevent/event3-public-folder-imds', 'Medium', 'TokenEndpoint', '169.254.169.254:80'],
    ['sysmon-flat/event3-public-folder-imds', 'Medium', 'TokenEndpoint', '169.254.169.254:80'],
    ['sysmon-windowsevent/event1-powershell-mapped-ipv6-token', 'High', 'TokenEndpoint', 'http://169.254.169.254/metadata/identity/oauth2/token'],
    ['sysmon-flat/event1-powershell-mapped-ipv6-token', 'High', 'TokenEndpoint', 'http://169.254.169.254/metadata/identity/oauth2/token'],
    ['sysmon-windowsevent/event11-downloaded-tool-writes-azure-cache', 'High', 'TokenCache', 'C:\\Users\\bob\\.azure\\accessTokens.json'],
    ['sysmon-flat/event11-downloaded-tool-writes-azure-cache', 'High', 'TokenCache', 'C:\\Users\\bob\\.azure\\accessTokens.json'],
    ['security-5156-securityevent/public-folder-binary-imds', 'Medium', 'TokenEndpoint', '169.254.169.254:80'],
    ['security-5156-flat/public-folder-binary-imds', 'Medium', 'TokenEndpoint', '169.254.169.254:80'],
    ['ecs/network-wget-arc-token', 'High', 'TokenEndpoint', 'http://localhost:40342/metadata/identity/oauth2/token'],
    ['ecs/network-custom-app-first-time', 'Medium', 'TokenEndpoint', 'http://169.254.169.254/metadata/identity/oauth2/token'],
    ['ecs/process-curl-gcp-token', 'High', 'TokenEndpoint', 'http://metadata.google.internal/computemetadata/v1/instance/service-accounts/default/token'],
    ['ecs/file-aws-credentials-by-tmp-binary', 'High', 'TokenCache', '/home/azureuser/.aws/credentials'],
    ['ecs-auditd/opened-file-workload-identity-token-by-cat', 'High', 'ServiceAccountToken', '/var/run/secrets/azure/tokens/azure-identity-token'],
    // A shell builtin reads the token through the variable the workload identity webhook sets: no process opens it, the command line is the trace.
    ['ecs/process-shell-builtin-reads-workload-identity-token', 'High', 'ServiceAccountToken', '/var/run/secrets/azure/tokens/azure-identity-token'],
    // A pod's token read through kubectl exec: the read happens in the pod, the command line on the admin's machine is the trace.
    ['mde/process-kubectl-exec-cat-token', 'High', 'ServiceAccountToken', '/var/run/secrets/kubernetes.io/serviceaccount/token'],
    // The same curl run by a script in /tmp: only the provisioning folder's scripts are trusted.
    ['mde/process-curl-instance-metadata-by-tmp-script', 'Medium', 'TokenEndpoint', 'http://169.254.169.254/metadata/instance'],
    // Sysmon for Linux through Sentinel's Syslog table.
    ['sysmon-linux-syslog/event1-curl-imds-token', 'High', 'TokenEndpoint', 'http://169.254.169.254/metadata/identity/oauth2/token'],
    // Defender for Containers: processes in a pod.
    ['cloud-process-events/pod-curl-imds-token', 'High', 'TokenEndpoint', 'http://169.254.169.254/metadata/identity/oauth2/token'],
    ['cloud-process-events/pod-cat-workload-identity-token-row', 'High', 'ServiceAccountToken', '/var/run/secrets/azure/tokens/azure-identity-token'],
    ['ecs-auditd/opened-file-arc-key-by-cat', 'High', 'TokenCache', '/var/opt/azcmagent/tokens/3f0e6b1c-5a2d-4c8e-9b7f-00000000a5c1.key'],
    ['ecs-auditd/opened-file-arc-key-by-app-first-time', 'Medium', 'TokenCache', '/var/opt/azcmagent/tokens/3f0e6b1c-5a2d-4c8e-9b7f-00000000a5c1.key'],
    ['mde/process-cmd-type-arc-key', 'High', 'TokenCache', 'C:\\ProgramData\\AzureConnectedMachineAgent\\Tokens\\5c7a1e2b-0000-4000-8000-00000000a5c9.key'],
    // The Azure SDKs' persistent MSAL caches end in .nocae / .cae.
    ['mde/process-cmd-type-msal-cache-nocae', 'High', 'TokenCache', 'C:\\Users\\alice\\AppData\\Local\\.IdentityService\\msal.cache.nocae'],
    // auditd records the path a syscall was given: `cat token` in the token's folder.
    ['ecs-auditd/opened-file-relative-serviceaccount-token-by-cat', 'High', 'ServiceAccountToken', '/var/run/secrets/kubernetes.io/serviceaccount/token'],
    // RHEL 8's system interpreter, running inline code.
    ['ecs/process-platform-python-inline-imds', 'High', 'TokenEndpoint', 'http://169.254.169.254/metadata/identity/oauth2/token'],
    // App Service on Linux serves IDENTITY_ENDPOINT on a link-local address.
    ['ecs/process-curl-app-service-linux-identity-endpoint', 'High', 'TokenEndpoint', 'http://169.254.129.2:8081/msi/token'],
    // A program named python3 in a home folder, handed the agent's script as its first argument: not the agent.
    ['ecs/process-renamed-binary-as-python3-in-home', 'Medium', 'TokenEndpoint', 'http://169.254.169.254/metadata/identity/oauth2/token'],
    // A pod's binary at kubelet's path, reading another pod's token through a hostPath mount: a container is never the node's kubelet.
    ['ecs-auditd/opened-file-pod-token-by-kubelet-named-binary-in-container', 'Medium', 'ServiceAccountToken', '/host/var/lib/kubelet/pods/7b1c2d3e-0000-4000-8000-0000000000d4/volumes/kubernetes.io~projected/kube-api-access-x7k2p/token'],
  ])('%s raises %s %s on %s', (name, severity, vector, target) => {
    const { alerts } = detectTheft([event(name)], new Map(), config);
    expect(alerts.map((a) => [a.Severity, a.Vector, a.Target])).toEqual([[severity, vector, target]]);
    expect(alerts[0]).toMatchObject({ Detector: 'TokenTheft', Tactic: 'CredentialAccess', Technique: 'T1528', IdentityObjectId: '', ASN: null });
    expect(alerts[0]?.TimeGenerated).toBe(alerts[0]?.EventTime);
  });

  it.each([
    'mde/network-guest-agent-trusted',
    'mde/network-ordinary-https',
    'mde/file-azure-cli-own-cache',
    // Azure PowerShell runs in the shell and writes its caches where they live at every sign-in: not theft.
    'mde/file-azure-powershell-own-context',
    'mde/file-azure-powershell-own-msal-cache',
    'mde/process-ordinary-ls',
    'cloud-process-events/pod-ordinary-row',
    'sysmon-windowsevent/event3-network-watcher-trusted',
    'sysmon-flat/event3-network-watcher-trusted',
    'sysmon-windowsevent/event1-ordinary-process',
    'sysmon-flat/event11-ordinary-file',
    'security-5156-securityevent/guest-agent-trusted',
    'security-5156-flat/guest-agent-trusted',
    'ecs/process-ordinary',
    'ecs/file-ordinary',
    'ecs-auditd/opened-file-token-by-kubelet-trusted',
    'ecs-auditd/opened-file-ordinary',
    'ecs-auditd/opened-file-arc-key-by-himds-trusted',
    'ecs-auditd/opened-file-arc-log-ordinary',
    // A creation is himds writing the challenge, not a read: Sysmon 11 and MDE FileCreated do not count.
    'sysmon-flat/event11-arc-key-created-not-a-read',
    // WALinuxAgent on RHEL 8, run by /usr/libexec/platform-python.
    'ecs/network-rhel8-waagent-platform-python',
    // Azure PowerShell run as SYSTEM (Run Command, scheduled tasks) writing its context in the SYSTEM profile.
    'mde/file-azure-powershell-context-system-profile',
    // A build agent cleaning its temporary Azure CLI folder: a deletion reads nothing.
    'mde/file-build-agent-deletes-cli-cache',
  ])('%s raises nothing and writes nothing', (name) => {
    const result = detectTheft([event(name)], new Map(), config);
    expect(result.alerts).toEqual([]);
    expect(result.changes).toEqual([]);
  });
});

describe('detectTheft: a token request written as a metadata host and a token path apart', () => {
  /** The Elastic Defend process fixture, made the given program's with the given command line. */
  const running = (executable: string, commandLine: string): EndpointEvent => {
    const base = event('ecs/process-curl-gcp-token');
    return { ...base, process: { ...base.process, path: executable, pathKey: executable, name: path.posix.basename(executable), commandLine } };
  };
  const TOKEN = '/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://vault.azure.net';

  it.each([
    // Standard-library clients take the host and the path as two arguments.
    ['/usr/bin/python3', `python3 -c "import http.client;c=http.client.HTTPConnection('169.254.169.254');c.request('GET','${TOKEN}',headers={'Metadata':'true'});print(c.getresponse().read())"`],
    ['/usr/bin/node', `node -e "require('http').get({host:'169.254.169.254',path:'${TOKEN}',headers:{Metadata:'true'}},r=>r.pipe(process.stdout))"`],
    ['/usr/bin/ruby', `ruby -rnet/http -e 'puts Net::HTTP.new("169.254.169.254").get("${TOKEN}", {"Metadata"=>"true"}).body'`],
    // Raw HTTP through nc: the path in the request line, the host in the arguments.
    ['/bin/sh', `sh -c "printf 'GET ${TOKEN} HTTP/1.1\\r\\nHost: 169.254.169.254\\r\\nMetadata: true\\r\\n\\r\\n' | nc 169.254.169.254 80"`],
    // The host in a variable, and a URL built with + (Invoke-Obfuscation's concatenation).
    ['/usr/bin/bash', `bash -c 'H=169.254.169.254; curl -s -H Metadata:true "http://$H${TOKEN}"'`],
    ['/usr/bin/pwsh', `pwsh -c "irm -Headers @{Metadata='true'} ('http://169.254.169.254/metadata/'+'identity/oauth2/token?api-version=2018-02-01&resource=x')"`],
  ])('%s %s is a token request', (executable, commandLine) => {
    const { alerts } = detectTheft([running(executable, commandLine)], new Map(), config);
    expect(alerts.map((a) => [a.Severity, a.Vector, a.Target])).toEqual([['High', 'TokenEndpoint', 'http://169.254.169.254/metadata/identity/oauth2/token']]);
  });

  it.each([
    // A token path without a metadata host, a host given no path, a token path on another host.
    ['/usr/bin/python3', `python3 -c "print('${TOKEN}')"`],
    ['/usr/bin/socat', 'socat - TCP:169.254.169.254:80'],
    ['/usr/bin/curl', `curl -s http://10.0.0.5${TOKEN}`],
  ])('%s %s is no token request', (executable, commandLine) => {
    expect(detectTheft([running(executable, commandLine)], new Map(), config).alerts.filter((a) => a.Severity === 'High')).toEqual([]);
  });
});

describe('detectTheft: PowerShell as Azure PowerShell\'s host', () => {
  // auditd's opened-file of an Azure PowerShell cache by pwsh, as the Az modules read it in-process.
  const read = (commandLine: string, file: string, account = 'alice', executable = '/usr/bin/pwsh'): EndpointEvent => {
    const e = event('ecs-auditd/opened-file-workload-identity-token-by-cat');
    return {
      ...e,
      hostName: 'jump-01',
      hostId: 'jump-01',
      account,
      process: { ...e.process, name: 'pwsh', path: executable, pathKey: executable.toLowerCase(), commandLine, workingDirectory: `/home/${account}`, containerId: '' },
      file: { ...e.file!, path: file, pathKey: file.toLowerCase() },
    };
  };
  const severities = (e: EndpointEvent): (string | undefined)[] => detectTheft([e], new Map(), config).alerts.map((a) => a.Severity);

  it.each([
    ['pwsh -NoLogo', '/home/alice/.IdentityService/msal.cache'],
    ['pwsh', '/home/alice/.Azure/AzureRmContext.json'],
    ['pwsh -NoProfile -File /home/alice/deploy.ps1', '/home/alice/.Azure/AzureRmContextSettings.json'],
  ])('%s reading its account\'s own %s is a program reading a cache: Medium the first time, then known', (commandLine, file) => {
    const first = read(commandLine, file);
    const one = detectTheft([first], new Map(), config);
    expect(one.alerts.map((a) => a.Severity)).toEqual(['Medium']);
    expect(one.alerts[0]?.Reason).toContain("PowerShell reading its account's own Azure PowerShell context or MSAL cache");
    expect(detectTheft([at(first, first.timeMs + 60_000, 'later')], snapshots(one.changes), config).alerts).toEqual([]);
  });

  it.each([
    ['code on its command line', read('pwsh -c Get-Content /home/alice/.Azure/AzureRmContext.json', '/home/alice/.Azure/AzureRmContext.json')],
    ['an encoded command', read('pwsh -enc ZQBjAGgAbwA=', '/home/alice/.IdentityService/msal.cache')],
    ["another account's cache", read('pwsh -NoLogo', '/home/bob/.Azure/AzureRmContext.json')],
    ['a script from /tmp', read('pwsh -File /tmp/x.ps1', '/home/alice/.IdentityService/msal.cache')],
    ['a pwsh in a home folder', read('pwsh', '/home/alice/.IdentityService/msal.cache', 'alice', '/home/alice/pwsh')],
    ["the Azure CLI's cache", read('pwsh', '/home/alice/.azure/msal_token_cache.json')],
  ])('stays a shell, High: %s', (_label, e) => {
    expect(severities(e)).toEqual(['High']);
  });
});

describe("detectTheft: a pod's own token, read where the pod mounts it", () => {
  const read = (executable: string, file: string, containerId: string): EndpointEvent => {
    const e = event('ecs-auditd/opened-file-workload-identity-token-by-cat');
    const name = executable.split('/').pop()!;
    return {
      ...e,
      process: { ...e.process, name, path: executable, pathKey: executable, commandLine: `${name}`, containerId, containerImage: containerId === '' ? '' : 'registry.contoso.example/shop/orders:1.4' },
      file: { ...e.file!, path: file, pathKey: file },
    };
  };
  const SA_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';
  const severities = (e: EndpointEvent): (string | undefined)[] => detectTheft([e], new Map(), config).alerts.map((a) => a.Severity);

  it.each([
    ['its service account token', SA_TOKEN],
    ['its Azure workload identity token', '/var/run/secrets/azure/tokens/azure-identity-token'],
  ])('a program in the container reading %s raises nothing: the token used as designed', (_label, file) => {
    const detection = detectTheft([read('/app/server', file, 'c0ffee')], new Map(), config);
    expect(detection.alerts).toEqual([]);
    expect(detection.summary.trusted).toBe(1);
  });

  it.each([
    ['cat in the container', read('/usr/bin/cat', SA_TOKEN, 'c0ffee'), 'High'],
    ['a program run from /tmp in the container', read('/tmp/x', SA_TOKEN, 'c0ffee'), 'High'],
    ["a program in a container reading a pod's token from the node's side", read('/app/server', '/host/var/lib/kubelet/pods/7b1c/volumes/kubernetes.io~projected/kube-api-access-x7k2p/token', 'c0ffee'), 'Medium'],
    ['the same path read outside any container', read('/app/server', SA_TOKEN, ''), 'Medium'],
    ["another container's token through a host mount", read('/app/server', `/host/run/containerd/io.containerd.runtime.v2.task/k8s.io/5d0c/rootfs${SA_TOKEN}`, 'c0ffee'), 'Medium'],
  ])('still counts: %s', (_label, e, severity) => {
    expect(severities(e)).toEqual([severity]);
  });
});

describe('detectTheft: a node agent in a container', () => {
  // The shipped entries: kubelet's is one of the node agents (hostOnly), at /usr/local/bin/kubelet among others.
  const built = buildTheftAllowlist(DEFAULT_TRUSTED_PROCESSES, EMPTY_THEFT_ALLOWLIST_CONFIG);
  if (!built.ok) throw new Error(built.errors.join('; '));
  const shipped: TheftDetectorConfig = { allowlist: built.value };

  it("is not the node's agent: kubelet's path inside a pod is the image's, judged and named as such", () => {
    const inPod = event('ecs-auditd/opened-file-pod-token-by-kubelet-named-binary-in-container');
    const [alert] = detectTheft([inPod], new Map(), shipped).alerts;
    expect(alert?.Reason).toContain('its name matches allowlist entry kubelet, a node agent, but it runs in container 9f3c1b2a7d4e, whose image chose its path');
    expect(alert?.Evidence['process']).toMatchObject({ containerId: '9f3c1b2a7d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8', containerImage: 'registry.contoso.example/tools/debug:1.2' });
    // The same read by the same path on the node itself (no container) is kubelet's.
    const onNode = { ...inPod, process: { ...inPod.process, containerId: '' } };
    expect(detectTheft([onNode], new Map(), shipped).alerts).toEqual([]);
  });

  it('trusts in a container what runs in containers (kube-proxy is a DaemonSet pod)', () => {
    const inPod = event('ecs-auditd/opened-file-pod-token-by-kubelet-named-binary-in-container');
    const kubeProxy = { ...inPod, process: { ...inPod.process, name: 'kube-proxy', path: '/usr/local/bin/kube-proxy', pathKey: '/usr/local/bin/kube-proxy' }, file: { ...inPod.file!, path: '/var/run/secrets/kubernetes.io/serviceaccount/token', pathKey: '/var/run/secrets/kubernetes.io/serviceaccount/token' } };
    expect(detectTheft([kubeProxy], new Map(), shipped).alerts).toEqual([]);
    // Its trust is for its own token: another pod's, read through a hostPath, is not kube-proxy's business.
    const otherPods = { ...kubeProxy, file: { ...kubeProxy.file, path: '/host/var/lib/kubelet/pods/7c1d/volumes/kubernetes.io~projected/kube-api-access-x1/token', pathKey: '/host/var/lib/kubelet/pods/7c1d/volumes/kubernetes.io~projected/kube-api-access-x1/token' } };
    expect(detectTheft([otherPods], new Map(), shipped).alerts.map((a) => a.Severity)).toEqual(['Medium']);
  });

  it("trusts curl run by AKS's node provisioning script (Defender's process row names the parent's command line), and not run by a script elsewhere", () => {
    expect(detectTheft([event('mde/process-aks-provisioning-curl-instance-metadata')], new Map(), shipped).alerts).toEqual([]);
    expect(detectTheft([event('mde/process-curl-instance-metadata-by-tmp-script')], new Map(), shipped).alerts.map((a) => [a.Severity, a.Target])).toEqual([['Medium', 'http://169.254.169.254/metadata/instance']]);
  });

  it("trusts AKS's system pods asking IMDS for the node's metadata (cloud-node-manager, in its container)", () => {
    const app = event('ecs/network-custom-app-first-time');
    const pod = (executable: string): EndpointEvent => ({ ...app, process: { ...app.process, name: path.posix.basename(executable), path: executable, pathKey: executable, commandLine: `${executable} --node-name=aks-nodepool1-12345678-vmss000002`, containerId: '3f9a1c2b' } });
    expect(detectTheft([pod('/usr/local/bin/cloud-node-manager')], new Map(), shipped).alerts).toEqual([]);
    // Another program in the same pod is judged as itself.
    expect(detectTheft([pod('/usr/local/bin/node-helper')], new Map(), shipped).alerts.map((a) => a.Severity)).toEqual(['Medium']);
  });

  it("trusts Container Insights' startup script reading its pod's own token, in Microsoft's image only, for that token only", () => {
    const row = JSON.parse(readFileSync(path.join(FIXTURES, 'cloud-process-events/pod-cat-workload-identity-token-row.json'), 'utf8')) as Record<string, unknown>;
    const catIn = (image: string, file: string): EndpointEvent => {
      const parsed = parseEndpointRecord({ ...row, KubernetesNamespace: 'kube-system', KubernetesPodName: 'ama-logs-7xk2p', ContainerImageName: image, ProcessCommandLine: `cat ${file}` }, 'ama-logs');
      if (parsed.ok !== true) throw new Error(JSON.stringify(parsed));
      return parsed.value;
    };
    const ciprod = 'mcr.microsoft.com/azuremonitor/containerinsights/ciprod:3.1.23';
    expect(detectTheft([catIn(ciprod, '/var/run/secrets/kubernetes.io/serviceaccount/token')], new Map(), shipped).alerts).toEqual([]);
    expect(detectTheft([catIn('contosoacr.azurecr.io/tools/debug:1.0', '/var/run/secrets/kubernetes.io/serviceaccount/token')], new Map(), shipped).alerts.map((a) => a.Severity)).toEqual(['High']);
    expect(detectTheft([catIn(ciprod, '/var/run/secrets/azure/tokens/azure-identity-token')], new Map(), shipped).alerts.map((a) => a.Severity)).toEqual(['High']);
  });

  it('does not trust runc or crun in a container: they run on the node, and an image can put any binary at their path', () => {
    const inPod = event('ecs-auditd/opened-file-pod-token-by-kubelet-named-binary-in-container');
    const runc = { ...inPod, process: { ...inPod.process, name: 'runc', path: '/usr/bin/runc', pathKey: '/usr/bin/runc' } };
    expect(detectTheft([runc], new Map(), shipped).alerts.map((a) => a.Severity)).toEqual(['Medium']);
    expect(detectTheft([{ ...runc, process: { ...runc.process, containerId: '' } }], new Map(), shipped).alerts).toEqual([]);
  });
});

describe('detectTheft: reasons, evidence and redaction', () => {
  it('says a bare connection has no token path, and a token URL does', () => {
    const [bare] = detectTheft([event('sysmon-windowsevent/event3-public-folder-imds')], new Map(), config).alerts;
    expect(bare?.Reason).toMatch(/no token path, so severity is Medium/);
    const [url] = detectTheft([event('mde/network-curl-imds-token')], new Map(), config).alerts;
    expect(url?.Reason).toMatch(/a token path was seen in the command line, so severity is High/);
    expect(url?.Evidence['url']).toContain('resource=https://management.azure.com/');
  });

  it('raises a first-time program once, says so, and treats its later requests as a known caller without writing', () => {
    const first = event('ecs/network-custom-app-first-time');
    const one = detectTheft([first], new Map(), config);
    expect(one.alerts).toHaveLength(1);
    expect(one.alerts[0]?.Reason).toContain('first time this executable asked for a token on this host');
    const later = at(first, first.timeMs + 3_600_000, 'ecs:later');
    const two = detectTheft([later], snapshots(one.changes), config);
    expect(two.alerts).toEqual([]);
    expect(two.changes).toEqual([]);
    expect(two.summary.knownCallers).toBe(1);
  });

  it("knows a container's program by its image: another image's program at the same path is first-time, a new tag of the same image is known", () => {
    const e = event('ecs/network-custom-app-first-time');
    const inImage = (image: string, recordId: string, timeMs: number): EndpointEvent =>
      at({ ...e, process: { ...e.process, containerId: `c-${recordId}`, containerImage: image } }, timeMs, recordId);
    const one = detectTheft([inImage('registry.contoso.example:5000/shop/orders:1.4.2', 'ecs:orders', e.timeMs)], new Map(), config);
    expect(one.alerts).toHaveLength(1);
    const two = detectTheft(
      [
        inImage('registry.contoso.example:5000/shop/orders:1.5.0@sha256:0d5c', 'ecs:orders-upgraded', e.timeMs + 60_000),
        inImage('docker.io/eve/miner:latest', 'ecs:miner', e.timeMs + 120_000),
      ],
      snapshots(one.changes),
      config,
    );
    expect(two.alerts.map((a) => (a.Evidence['process'] as { containerImage?: string }).containerImage)).toEqual(['docker.io/eve/miner:latest']);
    expect(two.alerts[0]?.Reason).toContain('first time this executable asked for a token on this host');
    expect(imageRepository('Registry:5000/Team/App:1.2@sha256:ab')).toBe('registry:5000/team/app');
    expect(imageRepository('registry:5000/team/app')).toBe('registry:5000/team/app');
  });

  it('knows an interpreter by the module it runs: -m azure.cli seen once does not make -m evil a known caller', () => {
    const e = event('ecs/network-custom-app-first-time');
    const python = (module: string, recordId: string, timeMs: number): EndpointEvent =>
      at({ ...e, process: { ...e.process, name: 'python3.9', path: '/usr/bin/python3.9', pathKey: '/usr/bin/python3.9', commandLine: `python3.9 -m ${module}`, workingDirectory: '/srv/app' } }, timeMs, recordId);
    const one = detectTheft([python('azure.cli', 'ecs:cli', e.timeMs)], new Map(), config);
    expect(one.alerts).toHaveLength(1);
    const two = detectTheft([python('azure.cli', 'ecs:cli-again', e.timeMs + 60_000), python('evil', 'ecs:evil', e.timeMs + 120_000)], snapshots(one.changes), config);
    expect(two.alerts.map((a) => a.ProcessCommandLine)).toEqual(['python3.9 -m evil']);
  });

  it('does not trust a trusted name at an untrusted path, and says so', () => {
    const e = event('ecs/network-custom-app-first-time');
    const dropped: EndpointEvent = { ...e, process: { ...e.process, name: 'waagent', path: '/tmp/waagent', pathKey: '/tmp/waagent' } };
    const [alert] = detectTheft([dropped], new Map(), config).alerts;
    expect(alert?.Severity).toBe('High');
    expect(alert?.Reason).toContain('its name matches allowlist entry test-linux-guest-agent');
    expect(alert?.Evidence['allowlist']).toEqual({ verdict: 'untrusted', nameMatchedEntry: 'test-linux-guest-agent' });
  });

  it('trusts an interpreter by the installed agent script it runs, not by the interpreter', () => {
    const e = event('ecs/network-custom-app-first-time');
    const agent = (commandLine: string): EndpointEvent => ({ ...e, process: { ...e.process, name: 'python3', path: '/usr/bin/python3', pathKey: '/usr/bin/python3', commandLine } });
    expect(detectTheft([agent('/usr/bin/python3 -u /usr/sbin/waagent -run-exthandlers')], new Map(), config).summary.trusted).toBe(1);
    // An option value is not the script: -W takes one.
    expect(detectTheft([agent('/usr/bin/python3 -W /usr/sbin/waagent /opt/x/steal.py')], new Map(), config).alerts).toHaveLength(1);
    expect(detectTheft([agent('/usr/bin/python3 -c "import urllib.request"')], new Map(), config).alerts[0]?.Severity).toBe('High');
  });

  it('weakens a name-only allowlist match to one Low first-time alert and says so in Evidence', () => {
    const e = event('mde/network-guest-agent-trusted');
    const nameOnly: EndpointEvent = { ...e, process: { ...e.process, path: '', pathKey: '' } };
    const [alert] = detectTheft([nameOnly], new Map(), config).alerts;
    expect(alert?.Severity).toBe('Low');
    expect(alert?.Evidence['allowlist']).toMatchObject({ verdict: 'name-only', entry: 'test-azure-guest-agent' });
  });

  it('takes no notice of a program that only changes or lists a token file (chmod, ls, rm), but of a shell running one beside a reader', () => {
    const e = event('mde/process-cat-serviceaccount-token');
    const run = (path: string, commandLine: string): EndpointEvent => ({ ...e, process: { ...e.process, name: '', path, pathKey: path, commandLine } });
    for (const [path, commandLine] of [
      ['/usr/bin/chmod', 'chmod 600 /home/alice/.aws/credentials'],
      ['/usr/bin/ls', 'ls -l /var/run/secrets/kubernetes.io/serviceaccount/token'],
      ['/usr/bin/rm', 'rm -f /home/alice/.azure/msal_token_cache.json'],
    ]) expect(detectTheft([run(path!, commandLine!)], new Map(), config).alerts, commandLine).toEqual([]);
    expect(detectTheft([run('/usr/bin/cat', 'cat /home/alice/.aws/credentials')], new Map(), config).alerts).toHaveLength(1);
    expect(detectTheft([run('/bin/sh', 'sh -c "chmod 600 /home/alice/.aws/credentials; cat /home/alice/.aws/credentials"')], new Map(), config).alerts).toHaveLength(1);
  });

  it('takes a URL given to a searcher (grep, findstr) for the pattern it is, not a request; curl with the same URL is one', () => {
    const curl = event('ecs/process-curl-gcp-token');
    const searchers = [
      ['/usr/bin/grep', 'grep -rn http://169.254.169.254/metadata/identity/oauth2/token ./docs'],
      ['C:\\Windows\\System32\\findstr.exe', 'findstr /s /i /c:"169.254.169.254/metadata/identity" *.ps1'],
    ].map(([path, commandLine]) => ({ ...curl, process: { ...curl.process, name: '', path: path!, pathKey: path!.toLowerCase().replace(/\\/g, '/').replace(/^c:/, '?:'), commandLine: commandLine! } }));
    expect(detectTheft(searchers, new Map(), config).alerts).toEqual([]);
    const asked = { ...curl, process: { ...curl.process, commandLine: 'curl -s -H Metadata:true http://169.254.169.254/metadata/identity/oauth2/token' } };
    expect(detectTheft([asked], new Map(), config).alerts.map((a) => a.Severity)).toEqual(['High']);
  });

  it("judges a request curl sends to the metadata address under another host's name (--resolve, --connect-to) as the request it is", () => {
    const curl = event('ecs/process-curl-gcp-token');
    const redirectedTo = (commandLine: string) => detectTheft([{ ...curl, process: { ...curl.process, commandLine } }], new Map(), config).alerts;
    expect(redirectedTo('curl -s --resolve cdn.example:80:169.254.169.254 -H Metadata:true http://cdn.example/metadata/identity/oauth2/token?resource=x').map((a) => [a.Severity, a.Target])).toEqual([['High', 'http://169.254.169.254/metadata/identity/oauth2/token']]);
    expect(redirectedTo('curl -s http://cdn.example/metadata/identity/oauth2/token?resource=x')).toEqual([]);
  });

  it('redacts bearer tokens, JWTs and identity headers from the command line', () => {
    const e = event('mde/network-curl-imds-token');
    const jwt = 'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL21hbmFnZW1lbnQuYXp1cmUuY29tIn0.c2lnbmF0dXJlLXNpZ25hdHVyZQ';
    const leaking: EndpointEvent = {
      ...e,
      process: { ...e.process, commandLine: `curl -H "Authorization: Bearer ${jwt}" -H "X-IDENTITY-HEADER: 0123456789abcdef" http://169.254.169.254/metadata/identity/oauth2/token?access_token=abcdef123456` },
    };
    const [alert] = detectTheft([leaking], new Map(), config).alerts;
    expect(alert?.ProcessCommandLine).not.toContain(jwt.slice(0, 20));
    expect(alert?.ProcessCommandLine).not.toContain('0123456789abcdef');
    expect(alert?.ProcessCommandLine).not.toContain('abcdef123456');
    expect(JSON.stringify(alert?.Evidence)).not.toContain('abcdef123456');
  });
});

describe('detectTheft: the Azure Arc key file', () => {
  it('names the rule, the vector and the reason', () => {
    const [alert] = detectTheft([event('ecs-auditd/opened-file-arc-key-by-app-first-time')], new Map(), config).alerts;
    expect(alert).toMatchObject({ AlertName: 'Azure Arc managed identity key file read by an untrusted process', Vector: 'TokenCache' });
    expect(alert?.Evidence).toMatchObject({ rule: 'arc-identity-key-read', service: 'azure-arc-token-key', strength: 'identity-key', via: 'file-event' });
    expect(alert?.Reason).toMatch(/the key that unlocks the machine's managed identity was read .*so severity is Medium/);
    expect(alert?.Reason).toContain('first time this executable touched a token file of this kind on this host');
  });

  it('does not lower a name-only allowlist match below Medium', () => {
    const himds = event('ecs-auditd/opened-file-arc-key-by-himds-trusted');
    const nameOnly: EndpointEvent = { ...himds, process: { ...himds.process, path: '', pathKey: '' } };
    const [alert] = detectTheft([nameOnly], new Map(), config).alerts;
    expect(alert?.Severity).toBe('Medium');
    expect(alert?.Evidence['allowlist']).toMatchObject({ verdict: 'name-only', entry: 'test-arc-himds' });
  });

  it('does not trust the Arc agent for other token caches (tokenFiles scopes the entry)', () => {
    const himds = event('ecs-auditd/opened-file-arc-key-by-himds-trusted');
    const readsCliCache: EndpointEvent = { ...himds, file: { path: '/root/.azure/msal_token_cache.json', pathKey: '/root/.azure/msal_token_cache.json', action: 'opened-file', previousPath: '' } };
    const [alert] = detectTheft([readsCliCache], new Map(), config).alerts;
    expect(alert).toMatchObject({ Vector: 'TokenCache', Severity: 'Medium' });
    expect(alert?.Evidence['rule']).toBe('token-cache-access');
  });
});

describe('detectTheft: versioned and self-updated callers', () => {
  const first = event('ecs/network-custom-app-first-time');
  const versioned = (folder: string, recordId: string, hours: number): EndpointEvent => {
    const path = `/opt/contoso/agent/${folder}/bin/contoso-agent`;
    return at({ ...first, process: { ...first.process, name: 'contoso-agent', path, pathKey: path } }, first.timeMs + hours * 3_600_000, recordId);
  };

  it('raises a versioned agent once, not again after each update', () => {
    const one = detectTheft([versioned('contoso-agent-1.9.3', 'ecs:v1', 0)], new Map(), config);
    expect(one.alerts).toHaveLength(1);
    expect(one.changes[0]).toMatchObject({ rowKey: expect.stringContaining('contoso-agent-<ver>'), data: { processPath: '/opt/contoso/agent/contoso-agent-1.9.3/bin/contoso-agent' } });
    const updated = detectTheft([versioned('contoso-agent-2.0.1', 'ecs:v2', 24)], snapshots(one.changes), config);
    expect(updated.alerts).toEqual([]);
    expect(updated.summary.knownCallers).toBe(1);
  });

  it('still raises a different program in the same versioned tree', () => {
    const one = detectTheft([versioned('contoso-agent-1.9.3', 'ecs:v1', 0)], new Map(), config);
    const other = versioned('contoso-agent-1.9.3', 'ecs:other', 1);
    const renamed: EndpointEvent = { ...other, process: { ...other.process, path: '/opt/contoso/agent/contoso-agent-1.9.3/bin/other-tool', pathKey: '/opt/contoso/agent/contoso-agent-1.9.3/bin/other-tool' } };
    expect(detectTheft([renamed], snapshots(one.changes), config).alerts).toHaveLength(1);
  });
});

describe('detectTheft: state, dedup and determinism', () => {
  const base = event('mde/network-curl-imds-token');
  const hour = 3_600_000;
  const events = [0, 1, 2, 3].map((i) => at(base, base.timeMs + i * hour, `mde:r${i}`));

  it('keeps one partition per tenant and host', () => {
    expect(partitionKeysFor([...events, event('ecs/network-wget-arc-token')])).toEqual(
      [hostPartitionKey(base), hostPartitionKey(event('ecs/network-wget-arc-token'))].sort(),
    );
  });

  it('reads no host state for telemetry that matches no vector or only trusted callers', () => {
    const harmless = ['mde/network-ordinary-https', 'ecs/file-ordinary', 'sysmon-flat/event1-ordinary-process', 'mde/network-guest-agent-trusted', 'ecs-auditd/opened-file-token-by-kubelet-trusted'].map(event);
    expect(partitionKeysFor(harmless)).toEqual([]);
    const result = detectTheft(harmless, new Map(), config);
    expect(result.summary.trusted).toBe(2);
    expect(result.changes).toEqual([]);
    // The same host's partition is read as soon as one of its events has a caller left standing.
    const curl = event('mde/network-curl-imds-token');
    expect(partitionKeysFor([...harmless, curl])).toEqual([hostPartitionKey(curl)]);
  });

  it('raises one alert per host + program + vector + target per 5 days and counts the suppressed ones on the row', () => {
    const result = detectTheft(events, new Map(), config);
    expect(result.alerts).toHaveLength(1);
    expect(result.summary.suppressed).toBe(3);
    expect(result.changes).toHaveLength(1);
    expect(result.changes[0]).toMatchObject({ kind: 'upsert', data: { suppressed: 3 } });
    const sixDaysLater = at(base, base.timeMs + 6 * 24 * hour, 'mde:r6d');
    expect(detectTheft([sixDaysLater], snapshots(result.changes), config).alerts).toHaveLength(1);
  });

  it('gives the same alerts whatever the order within a batch', () => {
    const forward = detectTheft(events, new Map(), config);
    const backward = detectTheft([...events].reverse(), new Map(), config);
    expect(backward.alerts).toEqual(forward.alerts);
    expect(backward.changes).toEqual(forward.changes);
  });

  it('gives the same alerts whatever the batch boundaries (in event-time order)', () => {
    const whole = detectTheft(events, new Map(), config);
    let state = new Map<string, PartitionSnapshot>();
    const alerts = [];
    for (const e of events) {
      const r = detectTheft([e], state, config);
      alerts.push(...r.alerts);
      state = snapshots(r.changes, state);
    }
    expect(alerts).toEqual(whole.alerts);
    expect([...state.values()].flatMap((p) => [...p.rows.values()])).toEqual(whole.changes.map((c) => (c.kind === 'upsert' ? c.data : null)));
  });

  it('gives the AlertIds of event-time order when a later record of the same day is judged first, one event per invocation', () => {
    const first = (alerts: readonly AlertRow[]): string[] => alerts.map((a) => `${a.Severity} ${a.Vector} ${a.AlertId}`);
    // A suspicious caller's dedup window, and a first-time program (a first-seen row), 10 minutes apart.
    const app = event('ecs/network-custom-app-first-time');
    const tenMinutes = 600_000;
    const inOrder = [0, 1, 2].flatMap((i) => [at(base, base.timeMs + i * tenMinutes, `mde:ooo${i}`), at(app, app.timeMs + i * tenMinutes, `ecs:ooo${i}`)]);
    const whole = detectTheft(inOrder, new Map(), config);
    expect(whole.alerts.map((a) => a.Severity).sort()).toEqual(['High', 'Medium']);
    let state = new Map<string, PartitionSnapshot>();
    const newestFirst: AlertRow[] = [];
    for (const e of [...inOrder].sort((a, b) => b.timeMs - a.timeMs)) {
      const r = detectTheft([e], state, config);
      newestFirst.push(...r.alerts);
      state = snapshots(r.changes, state);
    }
    expect(first(newestFirst).sort()).toEqual(first(whole.alerts).sort());
    // The rows are the later records': the same alerts under the same ids, raised by other records.
    expect(newestFirst.map((a) => a.EventTime).sort()).not.toEqual(whole.alerts.map((a) => a.EventTime).sort());
  });

  it('a program first seen only connecting is first-time again when its token request is seen, then known', () => {
    // One connection as Defender logs it: a ConnectionSuccess row, then the HttpConnectionInspected row with the URL.
    const columns = {
      DeviceId: '5f0c3b1e9d2a4c6b8e7f1a2b3c4d5e6f7a8b9c0d', DeviceName: 'app-07.contoso.com', RemoteIP: '169.254.169.254', RemotePort: 80, RemoteUrl: '',
      InitiatingProcessFileName: 'inventory', InitiatingProcessFolderPath: '/opt/contoso/bin/inventory', InitiatingProcessCommandLine: '/opt/contoso/bin/inventory --daemon', InitiatingProcessId: 2210,
    };
    const row = (reportId: number, timestamp: string, more: Record<string, unknown>): EndpointEvent => {
      const parsed = parseEndpointRecord({ category: 'AdvancedHunting-DeviceNetworkEvents', tenantId: '00000000-0000-4000-8000-00000000c0de', properties: { ...columns, ReportId: reportId, Timestamp: timestamp, ...more } }, `r${reportId}`);
      if (parsed.ok !== true) throw new Error(JSON.stringify(parsed));
      return parsed.value;
    };
    const token = '{"direction":"Out","host":"169.254.169.254","method":"GET","uri":"/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://vault.azure.net"}';
    const bare = row(1, '2026-03-01T10:00:00.0000000Z', { ActionType: 'ConnectionSuccess' });
    const inspected = row(2, '2026-03-01T10:00:00.0040000Z', { ActionType: 'HttpConnectionInspected', AdditionalFields: token });
    const later = row(3, '2026-03-01T11:00:00.0000000Z', { ActionType: 'HttpConnectionInspected', AdditionalFields: token });
    const whole = detectTheft([bare, inspected, later], new Map(), config);
    expect(whole.alerts.map((a) => [a.Severity, a.Target])).toEqual([
      ['Low', '169.254.169.254:80'],
      ['Medium', 'http://169.254.169.254/metadata/identity/oauth2/token'],
    ]);
    expect(whole.summary.knownCallers).toBe(1);
    // One event at a time, the same alerts and the same state.
    let state = new Map<string, PartitionSnapshot>();
    const oneByOne = [];
    for (const e of [bare, inspected, later]) {
      const r = detectTheft([e], state, config);
      oneByOne.push(...r.alerts);
      state = snapshots(r.changes, state);
    }
    expect(oneByOne).toEqual(whole.alerts);
  });

  it('re-emits the same AlertId for a redelivered batch and writes nothing', () => {
    const first = detectTheft(events, new Map(), config);
    const again = detectTheft(events, snapshots(first.changes), config);
    expect(again.alerts.map((a) => a.AlertId)).toEqual(first.alerts.map((a) => a.AlertId));
    expect(again.changes).toEqual([]);
    const firstTime = event('ecs/network-custom-app-first-time');
    const f1 = detectTheft([firstTime], new Map(), config);
    const f2 = detectTheft([firstTime], snapshots(f1.changes), config);
    expect(f2.alerts).toEqual(f1.alerts);
    expect(f2.changes).toEqual([]);
  });

  it('keeps hosts apart: the same program on another host raises again', () => {
    const other: EndpointEvent = { ...base, hostId: 'another-device', hostName: 'web-02.contoso.com', source: { ...base.source, recordId: 'mde:other' } };
    expect(detectTheft([base, other], new Map(), config).alerts).toHaveLength(2);
  });

  it('honours an operator application allowlisted by path and host, on those hosts only', () => {
    const e = event('ecs/network-custom-app-first-time');
    const withApp: TheftDetectorConfig = {
      allowlist: { processes: [], applications: [{ id: 'billing-api', description: 'Billing API', pathPatterns: ['/opt/contoso/billing/bin/billing-api'], hostPatterns: ['lnx-*'], vectors: ['TokenEndpoint'] }] },
    };
    expect(detectTheft([e], new Map(), withApp).alerts).toEqual([]);
    const elsewhere: EndpointEvent = { ...e, hostName: 'db-01.contoso.com', hostId: 'db-01' };
    expect(detectTheft([elsewhere], new Map(), withApp).alerts).toHaveLength(1);
  });
});
