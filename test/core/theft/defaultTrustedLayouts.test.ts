import { describe, expect, it } from 'vitest';
import type { TheftVector } from '../../../src/core/alerts/alertRow';
import { buildEndpointEvent } from '../../../src/core/records/endpoint/buildEndpointEvent';
import type { EndpointEvent } from '../../../src/core/records/endpoint/endpointEvent';
import { profileCaller } from '../../../src/core/theft/callerProfile';
import { DEFAULT_TRUSTED_PROCESSES } from '../../../src/core/theft/defaultTrustedProcesses';
import { decideTrust, type TheftAllowlist } from '../../../src/core/theft/theftAllowlist';
import { ARC_TOKEN_KEY } from '../../../src/core/theft/tokenFiles';

/*
 * Every default allowlist entry against its vendor's real install layout (docs/allowlist-sources.md
 * cites each), through the production engine (profileCaller + decideTrust), with the path in the
 * exact form each telemetry source writes it:
 *   - Windows: `C:\…` as Sysmon Image / MDE FolderPath / Elastic Defend write it, the lower-cased
 *     `\device\harddiskvolumeN\…` of Security 5156 Application, and a lower-cased `c:\…`;
 *   - Linux: forward slashes as ECS, auditd-manager and MDE on Linux write them;
 *   - script agents: the interpreter with the command line (absolute script, as MDE and Sysmon 1
 *     show it) and, where the agent runs a relative script, the working directory (ECS, Sysmon 1).
 */
const allowlist: TheftAllowlist = { processes: DEFAULT_TRUSTED_PROCESSES, applications: [] };

type Sample =
  | { readonly exe: string }
  | { readonly interpreter: string; readonly commandLine: string; readonly cwd?: string }
  // A child trusted for the script its shell parent runs (TrustedProcess.parentScripts).
  | { readonly child: string; readonly commandLine: string; readonly parent: string; readonly parentCommandLine: string }
  // A program trusted in one image's containers (TrustedProcess.containerImages).
  | { readonly inImage: string; readonly exe: string; readonly commandLine: string };

/** The kubelet identity's registry token as AgentBaker asks IMDS for it (network-isolated clusters). */
const AKS_TOKEN_URL = 'http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://containerregistry.azure.net&client_id=0a1b2c3d-0000-4000-8000-000000000001';

const SAMPLES: Readonly<Record<string, readonly Sample[]>> = {
  // ── Azure ──
  'azure-windows-guest-agent': [
    { exe: 'C:\\WindowsAzure\\GuestAgent_2.7.41491.1193_2026-02-18_215333\\WindowsAzureGuestAgent.exe' },
    { exe: 'C:\\WindowsAzure\\GuestAgent_2.7.41491.1102_2024-01-23_194431\\CollectGuestLogs.exe' },
    // A subfolder below the versioned folder.
    { exe: 'C:\\WindowsAzure\\GuestAgent_2.7.41491.1102_2024-01-01_000000\\GuestAgent\\WindowsAzureGuestAgent.exe' },
    { exe: 'C:\\WindowsAzure\\Packages\\GuestAgent\\WindowsAzureGuestAgent.exe' },
    { exe: 'C:\\WindowsAzure\\Packages\\WaAppAgent.exe' },
    { exe: 'C:\\WindowsAzure\\Packages_202185_155650\\WaAppAgent.exe' },
  ],
  'azure-linux-guest-agent': [
    { interpreter: '/usr/bin/python3', commandLine: '/usr/bin/python3 -u /usr/sbin/waagent -daemon' },
    { interpreter: '/usr/bin/python3.8', commandLine: 'python3 -u bin/WALinuxAgent-2.9.1.1-py3.8.egg -run-exthandlers', cwd: '/var/lib/waagent/WALinuxAgent-2.9.1.1' },
    { interpreter: '/usr/bin/python3.12', commandLine: 'python3 -u /var/lib/waagent/WALinuxAgent-2.15.0.1/bin/WALinuxAgent-2.15.0.1-py3.12.egg -run-exthandlers' },
    // RHEL 8 and its rebuilds (init/rhel/8.0/waagent.service): the platform interpreter.
    { interpreter: '/usr/libexec/platform-python3.6', commandLine: '/usr/libexec/platform-python -u /usr/sbin/waagent -daemon' },
  ],
  // AgentBaker's cse_helpers.sh: `curl -fsSL -H "Metadata: true" --noproxy "*" "http://169.254.169.254/metadata/instance?…"` in a
  // command substitution (a forked shell with the script's command line), and `timeout 60 curl …` for the kubelet identity's token.
  'aks-node-provisioning': [
    { child: '/usr/bin/curl', commandLine: 'curl -fsSL -H Metadata: true --noproxy * http://169.254.169.254/metadata/instance?api-version=2021-02-01', parent: '/usr/bin/bash', parentCommandLine: '/bin/bash /opt/azure/containers/provision_start.sh' },
    { child: '/usr/bin/timeout', commandLine: 'timeout 60 curl -v -s -H Metadata:true --noproxy * http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://containerregistry.azure.net', parent: '/usr/bin/bash', parentCommandLine: '/bin/bash /opt/azure/containers/provision.sh' },
  ],
  // The same curls where the parent names no script: AgentBaker's `retrycmd_get_aad_access_token` runs `timeout 60 curl -v -s -H
  // "Metadata:true" --noproxy "*" "$url" -w "\n%{http_code}"` (bash passes `\n` through; curl reads it), and its older tag helpers run
  // `retrycmd_silent 10 1 10 bash -cx should_skip_nvidia_drivers`, whose curl reads the instance metadata.
  'aks-node-provisioning-wrapped': [
    {
      child: '/usr/bin/curl',
      commandLine: `curl -v -s -H Metadata:true --noproxy * ${AKS_TOKEN_URL} -w \\n%{http_code}`,
      parent: '/usr/bin/timeout',
      parentCommandLine: `timeout 60 curl -v -s -H Metadata:true --noproxy * ${AKS_TOKEN_URL} -w \\n%{http_code}`,
    },
    { child: '/usr/bin/curl', commandLine: `curl -v -s -H Metadata:true --noproxy * ${AKS_TOKEN_URL}`, parent: '/usr/bin/timeout', parentCommandLine: `timeout 60 curl -v -s -H Metadata:true --noproxy * ${AKS_TOKEN_URL}` },
    { child: '/usr/bin/curl', commandLine: 'curl -fsSL -H Metadata: true --noproxy * http://169.254.169.254/metadata/instance?api-version=2021-02-01', parent: '/usr/bin/bash', parentCommandLine: 'bash -cx should_skip_nvidia_drivers' },
  ],
  'azure-vm-extension-handlers-linux': [
    { interpreter: '/usr/bin/python3', commandLine: 'python3 ./agent.py -enable', cwd: '/var/lib/waagent/Microsoft.Azure.Monitor.AzureMonitorLinuxAgent-1.33.2' },
    { exe: '/var/lib/waagent/Microsoft.Azure.Extensions.CustomScript-2.1.10/bin/custom-script-extension' },
  ],
  'azure-vm-extension-handlers-windows': [{ exe: 'C:\\Packages\\Plugins\\Microsoft.CPlat.ProxyAgent.ProxyAgentWindows\\1.0.30\\ProxyAgent\\ProxyAgent\\GuestProxyAgent.exe' }],
  'azure-network-watcher-agent-windows': [
    { exe: 'C:\\Packages\\Plugins\\Microsoft.Azure.NetworkWatcher.NetworkWatcherAgentWindows\\1.4.1587.1\\NetworkWatcherAgent\\NetworkWatcherAgent.exe' },
  ],
  'azure-monitor-agent-windows': [
    { exe: 'C:\\Packages\\Plugins\\Microsoft.Azure.Monitor.AzureMonitorWindowsAgent\\1.24.0.0\\Monitoring\\Agent\\MonAgentHost.exe' },
    { exe: 'C:\\Packages\\Plugins\\Microsoft.Azure.Monitor.AzureMonitorWindowsAgent\\1.23.0.0\\AzureMonitorAgentExtension.exe' },
  ],
  'azure-monitor-agent-linux': [{ exe: '/opt/microsoft/azuremonitoragent/bin/mdsd' }, { exe: '/opt/microsoft/azuremonitoragent/bin/amacoreagent' }],
  'azure-log-analytics-agent-linux': [{ exe: '/opt/microsoft/omsagent/ruby/bin/ruby' }],
  'azure-arc-himds-windows': [{ exe: 'C:\\Program Files\\AzureConnectedMachineAgent\\himds.exe' }],
  'azure-arc-guest-configuration-windows': [
    { exe: 'C:\\Program Files\\AzureConnectedMachineAgent\\GCArcService2\\GC\\gc_arc_service.exe' },
    { exe: 'C:\\Program Files\\AzureConnectedMachineAgent\\ExtensionService2\\GC\\gc_extension_service.exe' },
    { exe: 'C:\\Program Files\\AzureConnectedMachineAgent\\GCArcService2\\GC\\gc_worker.exe' },
  ],
  'azure-arc-himds-linux': [{ exe: '/opt/azcmagent/bin/himds' }],
  'azure-arc-guest-configuration-linux': [{ exe: '/opt/GC_Service/GC/gc_linux_service' }, { exe: '/opt/GC_Ext/GC/gc_linux_service' }],
  'azure-guest-configuration-extension-windows': [
    { exe: 'C:\\Packages\\Plugins\\Microsoft.GuestConfiguration.ConfigurationforWindows\\1.29.82.0\\dsc\\GC\\gc_service.exe' },
  ],
  'azure-guest-configuration-extension-linux': [
    { exe: '/var/lib/waagent/Microsoft.GuestConfiguration.ConfigurationForLinux-1.26.60/bin/guest-configuration-shim' },
  ],
  // Linux: the docs' folder, with and without an architecture subfolder; Windows: the docs' plugin folder.
  'azure-keyvault-extension-linux': [
    { exe: '/var/lib/waagent/Microsoft.Azure.KeyVault.KeyVaultForLinux-3.2.0.12/amd64/akvvm_service' },
    { exe: '/var/lib/waagent/Microsoft.Azure.KeyVault.KeyVaultForLinux-2.0.0.2/akvvm_service' },
  ],
  'azure-keyvault-extension-windows': [{ exe: 'C:\\Packages\\Plugins\\Microsoft.Azure.KeyVault.KeyVaultForWindows\\3.1.0.2\\akvvm_service.exe' }],
  'azure-run-command-handler-linux': [
    { exe: '/var/lib/waagent/Microsoft.CPlat.Core.RunCommandHandlerLinux-1.3.17/bin/run-command-handler' },
    { exe: '/var/lib/waagent/Microsoft.CPlat.Core.RunCommandHandlerLinux-1.3.17/bin/immediate-run-command-handler' },
  ],
  'azure-guest-proxy-agent': [{ exe: 'C:\\WindowsAzure\\ProxyAgent\\Package_1.0.30\\GuestProxyAgent.exe' }, { exe: '/usr/sbin/azure-proxy-agent' }],
  'azure-cli-windows': [{ exe: 'C:\\Program Files\\Microsoft SDKs\\Azure\\CLI2\\python.exe' }],
  'azure-cli-linux': [{ exe: '/opt/az/bin/python3.11' }],
  // /usr/bin/az of the rpm (azure-cli.spec): `$python_cmd -sm azure.cli "$@"`, python3.9 on RHEL 8/9, or a newer system python.
  // Run from a folder no ordinary user writes (a home folder or an unknown one: weaker, below).
  'azure-cli-linux-rpm': [
    { interpreter: '/usr/bin/python3.9', commandLine: '/usr/bin/python3.9 -sm azure.cli account get-access-token', cwd: '/' },
    { interpreter: '/usr/bin/python3.12', commandLine: 'python3.12 -sm azure.cli login --identity', cwd: '/etc/ansible' },
    { interpreter: '/usr/bin/python3', commandLine: 'python3 -Ism azure.cli vm list', cwd: '/home/alice' },
  ],
  // Homebrew's framework python re-executes Python.app: the image is Python.app's, the command line the wrapper's.
  'azure-cli-macos': [
    {
      interpreter: '/opt/homebrew/Cellar/python@3.13/3.13.5/Frameworks/Python.framework/Versions/3.13/Resources/Python.app/Contents/MacOS/Python',
      commandLine: '/opt/homebrew/Cellar/azure-cli/2.75.0/libexec/bin/python -Im azure.cli account get-access-token',
      cwd: '/Users/alice/src/infra',
    },
    { interpreter: '/usr/local/Cellar/python@3.12/3.12.11/Frameworks/Python.framework/Versions/3.12/Resources/Python.app/Contents/MacOS/Python', commandLine: 'python -Im azure.cli login' },
    { interpreter: '/opt/homebrew/Cellar/azure-cli/2.75.0/libexec/bin/python3.13', commandLine: '/opt/homebrew/Cellar/azure-cli/2.75.0/libexec/bin/python -Im azure.cli vm list' },
  ],
  // ── AWS ──
  'aws-ssm-agent-linux': [{ exe: '/usr/bin/amazon-ssm-agent' }, { exe: '/snap/amazon-ssm-agent/7628/ssm-agent-worker' }],
  'aws-ssm-agent-windows': [{ exe: 'C:\\Program Files\\Amazon\\SSM\\amazon-ssm-agent.exe' }, { exe: 'C:\\Program Files\\Amazon\\SSM\\ssm-agent-worker.exe' }],
  'aws-ec2launch-v2': [{ exe: 'C:\\Program Files\\Amazon\\EC2Launch\\EC2Launch.exe' }],
  'aws-ec2launch-v1': [
    {
      interpreter: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
      commandLine: 'Powershell.exe -executionpolicy remotesigned -File C:\\ProgramData\\Amazon\\EC2-Windows\\Launch\\Scripts\\InitializeInstance.ps1 -Schedule',
    },
  ],
  'aws-ec2config': [{ exe: 'C:\\Program Files\\Amazon\\Ec2ConfigService\\Ec2Config.exe' }],
  'cloud-init': [{ interpreter: '/usr/bin/python3', commandLine: '/usr/bin/python3 /usr/bin/cloud-init init' }],
  'aws-ec2-instance-connect': [{ exe: '/usr/share/ec2-instance-connect/eic_run_authorized_keys' }],
  'aws-ec2-net-utils': [{ exe: '/usr/bin/setup-policy-routes' }],
  'aws-cfn-bootstrap': [
    { interpreter: '/usr/bin/python3', commandLine: '/usr/bin/python3 /opt/aws/bin/cfn-hup' },
    { interpreter: '/usr/bin/python3.9', commandLine: '/usr/bin/python3.9 /opt/aws/bin/cfn-init -v --stack web --resource Asg --region eu-west-1' },
    { exe: 'C:\\Program Files\\Amazon\\cfn-bootstrap\\winhup.exe' },
    { exe: 'C:\\Program Files\\Amazon\\cfn-bootstrap\\cfn-init.exe' },
  ],
  'aws-cloudwatch-agent': [
    { exe: '/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent' },
    { exe: 'C:\\Program Files\\Amazon\\AmazonCloudWatchAgent\\amazon-cloudwatch-agent.exe' },
  ],
  'aws-inspector-ssm-plugin': [{ exe: '/opt/aws/inspector/bin/inspectorssmplugin' }],
  // The Python CLI: Debian's and Ubuntu's awscli package, pip as root and as a user (weaker evidence: a home folder), the bundled installer.
  'aws-cli-v1': [
    { interpreter: '/usr/bin/python3', commandLine: '/usr/bin/python3 /usr/bin/aws s3 ls' },
    { interpreter: '/usr/bin/python3.10', commandLine: '/usr/bin/python3 /usr/local/bin/aws sts get-caller-identity' },
    { interpreter: '/usr/bin/python3', commandLine: '/usr/bin/python3 /home/alice/.local/bin/aws s3 ls' },
    { interpreter: '/usr/local/aws/bin/python3', commandLine: '/usr/local/aws/bin/python3 /usr/local/aws/bin/aws ec2 describe-instances' },
  ],
  'aws-cli-v2': [{ exe: '/usr/local/aws-cli/v2/2.15.30/dist/aws' }, { exe: '/usr/local/aws-cli/aws' }, { exe: 'C:\\Program Files\\Amazon\\AWSCLIV2\\aws.exe' }],
  // ── Google Cloud ──
  'gcp-guest-agent-linux': [{ exe: '/usr/bin/google_guest_agent' }, { exe: '/usr/lib/google/guest_agent/core_plugin' }],
  'gcp-metadata-script-runner-linux': [{ exe: '/usr/bin/google_metadata_script_runner' }],
  'gcp-guest-agent-windows': [{ exe: 'C:\\Program Files\\Google\\Compute Engine\\agent\\GCEWindowsAgent.exe' }],
  'gcp-metadata-scripts-windows': [{ exe: 'C:\\Program Files\\Google\\Compute Engine\\metadata_scripts\\GCEMetadataScripts.exe' }],
  'gcp-osconfig-agent': [{ exe: '/usr/bin/google_osconfig_agent' }, { exe: 'C:\\Program Files\\Google\\OSConfig\\google_osconfig_agent.exe' }],
  'gcp-ops-agent-linux': [{ exe: '/opt/google-cloud-ops-agent/subagents/opentelemetry-collector/otelopscol' }],
  'gcp-ops-agent-windows': [{ exe: 'C:\\Program Files\\Google\\Cloud Operations\\Ops Agent\\bin\\google-cloud-ops-agent.exe' }],
  'gcloud-cli': [{ exe: '/usr/lib/google-cloud-sdk/platform/bundledpythonunix/bin/python3' }],
  // The SDK's scripts run by the system python (CLOUDSDK_PYTHON=/usr/bin/python3, or an install without the bundled one).
  'gcloud-cli-linux-scripts': [
    { interpreter: '/usr/bin/python3', commandLine: '/usr/bin/python3 /usr/lib/google-cloud-sdk/lib/gcloud.py config list' },
    { interpreter: '/usr/bin/python3.11', commandLine: 'python3 /usr/lib/google-cloud-sdk/platform/gsutil/gsutil ls gs://contoso' },
    { interpreter: '/usr/bin/python3', commandLine: 'python3 /opt/google-cloud-sdk/platform/bq/bq.py ls' },
  ],
  'gcloud-cli-macos': [
    {
      interpreter: '/opt/homebrew/Cellar/python@3.13/3.13.5/Frameworks/Python.framework/Versions/3.13/Resources/Python.app/Contents/MacOS/Python',
      commandLine: '/Users/alice/.config/gcloud/virtenv/bin/python3 /opt/homebrew/share/google-cloud-sdk/lib/gcloud.py auth print-access-token',
    },
    { interpreter: '/usr/local/Caskroom/google-cloud-sdk/latest/google-cloud-sdk/platform/bundledpythonunix/bin/python3', commandLine: 'python3 -S /usr/local/Caskroom/google-cloud-sdk/latest/google-cloud-sdk/lib/gcloud.py config list' },
  ],
  'docker-credential-gcr': [{ exe: '/usr/bin/docker-credential-gcr' }],
  // ── Kubernetes nodes ──
  kubelet: [{ exe: '/usr/bin/kubelet' }, { exe: '/home/kubernetes/bin/kubelet' }],
  'aks-acr-credential-provider': [{ exe: '/var/lib/kubelet/credential-provider/acr-credential-provider' }],
  containerd: [{ exe: '/usr/bin/containerd-shim-runc-v2' }],
  'oci-runtimes': [{ exe: '/usr/bin/runc' }],
  'cri-o': [{ exe: '/usr/bin/crio' }],
  dockerd: [{ exe: '/usr/bin/dockerd' }],
  'kube-proxy': [{ exe: '/usr/local/bin/kube-proxy' }],
  // Docker-Provider's kubernetes/linux/main.sh: `$(cat /var/run/secrets/kubernetes.io/serviceaccount/token)` for the kubelet requests.
  'aks-container-insights': [{ inImage: 'mcr.microsoft.com/azuremonitor/containerinsights/ciprod:3.1.23', exe: '/usr/bin/cat', commandLine: 'cat /var/run/secrets/kubernetes.io/serviceaccount/token' }],
  // The ENTRYPOINTs of their images (cloud-provider-azure, azure-container-networking, the three CSI drivers, the secrets-store provider).
  'aks-system-pods': [
    { exe: '/usr/local/bin/cloud-node-manager' },
    { exe: '/usr/local/bin/azure-cns' },
    { exe: '/azurediskplugin' },
    { exe: '/azurefileplugin' },
    { exe: '/blobplugin' },
    { exe: '/bin/secrets-store-csi-driver-provider-azure' },
  ],
  // ── Developer tools ──
  'git-credential-store': [{ exe: '/usr/lib/git-core/git-credential-store' }, { exe: 'C:\\Program Files\\Git\\mingw64\\bin\\git.exe' }],
  'git-credential-manager': [{ exe: 'C:\\Program Files\\Git\\mingw64\\bin\\git-credential-manager.exe' }],
  'vscode-desktop': [{ exe: 'C:\\Users\\alice\\AppData\\Local\\Programs\\Microsoft VS Code\\Code.exe' }],
  'vscode-server-node': [{ exe: '/home/alice/.vscode-server/bin/0123456789abcdef0123456789abcdef01234567/node' }],
  kubelogin: [{ exe: '/usr/local/bin/kubelogin' }],
  'azure-developer-cli': [
    { exe: '/opt/microsoft/azd/azd-linux-amd64' },
    { exe: '/opt/microsoft/azd/azd-darwin-arm64' },
    { exe: 'C:\\Program Files\\Azure Dev CLI\\azd.exe' },
    { exe: '/opt/homebrew/Cellar/azd/1.20.0/bin/azd' },
  ],
  // ── Scanners, EDR and inventory agents ──
  'qualys-cloud-agent-linux': [{ exe: '/usr/local/qualys/cloud-agent/bin/qualys-cloud-agent' }],
  'qualys-cloud-agent-windows': [{ exe: 'C:\\Program Files\\Qualys\\QualysAgent\\QualysAgent.exe' }],
  'tenable-nessus-agent-linux': [{ exe: '/opt/nessus_agent/sbin/nessusd' }],
  'tenable-nessus-agent-windows': [{ exe: 'C:\\Program Files\\Tenable\\Nessus Agent\\nessusd.exe' }],
  'rapid7-insight-agent': [
    { exe: '/opt/rapid7/ir_agent/components/insight_agent/4.0.9.38/ir_agent' },
    { exe: 'C:\\Program Files\\Rapid7\\Insight Agent\\components\\insight_agent\\4.0.9.38\\ir_agent.exe' },
  ],
  'runzero-agent': [{ exe: '/opt/rumble/bin/rumble-agent-0a1b2c3d' }],
  'oracle-cloud-agent': [{ exe: '/usr/libexec/oracle-cloud-agent/plugins/unifiedmonitoring/unifiedmonitoring' }],
  'elastic-agent': [
    { exe: '/opt/Elastic/Agent/data/elastic-agent-8.15.0-1a2b3c/elastic-agent' },
    { exe: 'C:\\Program Files\\Elastic\\Agent\\data\\elastic-agent-8.15.0-1a2b3c\\components\\winlogbeat.exe' },
  ],
  'elastic-beats-standalone': [{ exe: '/usr/share/filebeat/bin/filebeat' }, { exe: 'C:\\Program Files\\Winlogbeat\\winlogbeat.exe' }],
  'datadog-agent': [{ exe: '/opt/datadog-agent/bin/agent/agent' }, { exe: 'C:\\Program Files\\Datadog\\Datadog Agent\\bin\\agent.exe' }],
  'newrelic-infra-agent': [{ exe: '/usr/bin/newrelic-infra' }, { exe: 'C:\\Program Files\\New Relic\\newrelic-infra\\newrelic-infra.exe' }],
  'microsoft-defender-endpoint-windows': [
    { exe: 'C:\\Program Files\\Windows Defender Advanced Threat Protection\\MsSense.exe' },
    { exe: 'C:\\ProgramData\\Microsoft\\Windows Defender Advanced Threat Protection\\Platform\\10.8760.19041.4123\\MsSense.exe' },
    { exe: 'C:\\ProgramData\\Microsoft\\Windows Defender Advanced Threat Protection\\Platform\\10.8760.19041.4123\\SenseIR.exe' },
    // The sensor's IMDS collector module, which asks the metadata service on every Azure VM.
    { exe: 'C:\\Program Files\\Windows Defender Advanced Threat Protection\\SenseImdsCollector.exe' },
    { exe: 'C:\\ProgramData\\Microsoft\\Windows Defender Advanced Threat Protection\\Platform\\10.8805.27858.1000\\SenseImdsCollector.exe' },
  ],
  'microsoft-defender-endpoint-linux': [{ exe: '/opt/microsoft/mdatp/sbin/wdavdaemon' }],
  'wiz-runtime-sensor': [{ exe: '/opt/wiz/sensor/wiz-sensor' }],
  'crowdstrike-falcon-sensor': [{ exe: '/opt/CrowdStrike/falcond' }, { exe: 'C:\\Program Files\\CrowdStrike\\CSFalconService.exe' }],
};

/** The forms a path takes in each telemetry source. */
function forms(path: string): readonly (readonly [string, string])[] {
  if (!/^[A-Za-z]:\\/.test(path)) return [['ECS / auditd / MDE on Linux (forward slashes)', path]];
  return [
    ['Sysmon Image, MDE FolderPath, Elastic Defend (C:\\…)', path],
    ['Security 5156 Application (\\device\\harddiskvolumeN, lower case)', `\\device\\harddiskvolume4${path.slice(2)}`.toLowerCase()],
    ['lower-cased c:\\…', path.toLowerCase()],
  ];
}

function event(processPath: string, commandLine = '', cwd = '', parent: { readonly path: string; readonly commandLine: string } = { path: '', commandLine: '' }): EndpointEvent {
  return buildEndpointEvent({
    timeMs: Date.UTC(2026, 2, 1),
    kind: 'network',
    processPath,
    commandLine,
    workingDirectory: cwd,
    parentPath: parent.path,
    parentCommandLine: parent.commandLine,
    network: { destinationIp: '169.254.169.254', destinationPort: 80 },
    format: 'ecs',
    recordId: 'layout',
    category: 'test',
    origin: 'test',
  });
}

function trustOf(e: EndpointEvent, vector: TheftVector, tokenFile = '') {
  return decideTrust(e, profileCaller(e.process), vector, allowlist, tokenFile);
}

/** The vector each entry is probed on: its first, with the Arc key file for entries scoped to it. */
function probe(id: string): { vector: TheftVector; tokenFile: string } {
  const entry = DEFAULT_TRUSTED_PROCESSES.find((e) => e.id === id);
  if (entry === undefined) throw new Error(`no entry ${id}`);
  const vector = entry.vectors[0] as TheftVector;
  return { vector, tokenFile: vector === 'TokenEndpoint' ? '' : (entry.tokenFiles?.[0] ?? 'cloud-token-cache-file') };
}

const CASES = Object.entries(SAMPLES).flatMap(([id, samples]) =>
  samples.flatMap((sample) =>
    'inImage' in sample
      ? [[id, `in ${sample.inImage}`, `${sample.exe} ${sample.commandLine}`, { ...event(sample.exe, sample.commandLine), process: { ...event(sample.exe, sample.commandLine).process, containerId: '5d0c', containerImage: sample.inImage } }] as const]
      : 'exe' in sample
      ? forms(sample.exe).map(([form, path]) => [id, form, path, event(path)] as const)
      : 'child' in sample
        ? [[id, `run by ${sample.parentCommandLine}`, `${sample.child} ${sample.commandLine}`, event(sample.child, sample.commandLine, '', { path: sample.parent, commandLine: sample.parentCommandLine })] as const]
        : forms(sample.interpreter).map(([form, path]) => [id, `${form}, script in the command line`, `${path} ${sample.commandLine}`, event(path, sample.commandLine, sample.cwd ?? '')] as const),
  ),
);

describe('every default entry has a real-layout sample', () => {
  it('no entry is left without one, and no sample names a missing entry', () => {
    const ids = DEFAULT_TRUSTED_PROCESSES.map((e) => e.id).sort();
    expect(Object.keys(SAMPLES).sort()).toEqual(ids);
  });
});

/** Entries whose samples live in a home folder: their match is weaker evidence (verdict user-writable, judged as a name-only match). */
const IN_A_HOME = new Set(['vscode-desktop', 'vscode-server-node']);

describe.each(CASES.map(([id, form, path, e]) => [`${id}: ${form}: ${path}`, id, e] as const))('%s', (_label, id, e) => {
  it('is trusted by its own entry (only as weaker evidence in a home folder)', () => {
    const { vector, tokenFile } = probe(id);
    // A script an interpreter runs from a home folder (pip's --user install) is weaker evidence too.
    const inHome = IN_A_HOME.has(id) || /(?:^|\s)\/home\/[^/\s]+\//.test(e.process.commandLine);
    expect(trustOf(e, vector, tokenFile)).toMatchObject({ verdict: inHome ? 'user-writable' : 'trusted', entryId: id });
  });
});

describe('what the defaults must not trust', () => {
  it.each([
    ['a Custom Script payload on Windows', event('C:\\Packages\\Plugins\\Microsoft.Compute.CustomScriptExtension\\1.10.17\\Downloads\\0\\tool.exe')],
    [
      'pwsh running a Custom Script payload',
      event('C:\\Program Files\\PowerShell\\7\\pwsh.exe', 'C:\\Program Files\\PowerShell\\7\\pwsh.exe -File C:\\Packages\\Plugins\\Microsoft.Compute.CustomScriptExtension\\1.10.17\\Downloads\\0\\Test-CreateFolder.ps1'),
    ],
    ['a Custom Script payload on Linux', event('/bin/bash', '/bin/bash /var/lib/waagent/custom-script/download/0/script.sh')],
    ['the waagent egg named without a working directory (MDE has none)', event('/usr/bin/python3.8', 'python3 -u bin/WALinuxAgent-2.9.1.1-py3.8.egg -run-exthandlers')],
    ['a look-alike egg run from /tmp', event('/usr/bin/python3.8', 'python3 -u bin/WALinuxAgent-9.9.9.9-py3.8.egg -run-exthandlers', '/tmp/x')],
    ['a .. walk out of the waagent folder', event('/usr/bin/python3', 'python3 /var/lib/waagent/WALinuxAgent-2.9.1.1/../../../../tmp/bin/WALinuxAgent-1.1-py3.egg')],
    [
      'PowerShell running inline code before naming the EC2Launch script',
      event('C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe', 'powershell.exe -Command iwr http://169.254.169.254/ -File C:\\ProgramData\\Amazon\\EC2-Windows\\Launch\\Scripts\\InitializeInstance.ps1'),
    ],
    ['the guest agent name in a writable folder', event('C:\\Users\\Public\\WindowsAzureGuestAgent.exe')],
    ['a stray binary in the guest agent folder', event('C:\\WindowsAzure\\GuestAgent_2.7.41491.1193_2026-02-18_215333\\evil.exe')],
    ['python from the system folder', event('/usr/bin/python3')],
    // The AWS CLI v1 entry names its scripts' install paths, not any script called aws.
    ['a script named aws in /tmp', event('/usr/bin/python3', 'python3 /tmp/aws s3 ls')],
    ['a gcloud.py outside the SDK\u2019s install roots', event('/usr/bin/python3', 'python3 /home/alice/google-cloud-sdk-copy/lib/gcloud.py auth print-access-token')],
    ['a script named aws elsewhere in a home', event('/usr/bin/python3', 'python3 /home/alice/bin/aws s3 ls')],
    ['the system python running a script', event('/usr/bin/python3.9', 'python3.9 /home/alice/grab.py')],
    ['the system python running inline code', event('/usr/bin/python3.9', "python3.9 -sc 'import azure.cli'")],
    ['the system python running another module', event('/usr/bin/python3.9', 'python3.9 -m http.server')],
    ['the system python running a module whose name only starts like the CLI\u2019s', event('/usr/bin/python3.9', 'python3.9 -m azure.cli_grab')],
    ['the CLI module run from /tmp, where a planted azure/cli would shadow it', event('/usr/bin/python3.9', 'python3.9 -sm azure.cli account get-access-token', '/tmp/x')],
    ['a python outside the system folder running the CLI module', event('/home/alice/bin/python3', 'python3 -sm azure.cli account get-access-token')],
    ['Homebrew\u2019s python running a script of a user\u2019s', event('/opt/homebrew/Cellar/python@3.13/3.13.5/Frameworks/Python.framework/Versions/3.13/Resources/Python.app/Contents/MacOS/Python', 'python3 /Users/alice/grab.py')],
    ['Homebrew\u2019s python running inline code', event('/opt/homebrew/Cellar/python@3.13/3.13.5/Frameworks/Python.framework/Versions/3.13/Resources/Python.app/Contents/MacOS/Python', "python3 -Ic 'import azure.cli'")],
    ['Homebrew\u2019s python with no command line (every Homebrew python tool runs it)', event('/opt/homebrew/Cellar/python@3.13/3.13.5/Frameworks/Python.framework/Versions/3.13/Resources/Python.app/Contents/MacOS/Python')],
    ['a python in a Mac home running the CLI module', event('/Users/alice/.venv/bin/python3', 'python3 -Im azure.cli account get-access-token')],
    ['a python in a Mac home running gcloud.py', event('/Users/alice/.venv/bin/python3', 'python3 /opt/homebrew/share/google-cloud-sdk/lib/gcloud.py auth print-access-token')],
    ['the aws name in a Mac\u2019s temporary folder', event('/private/var/folders/x1/abc/T/aws')],
    ['a Run Command script on Linux', event('/var/lib/waagent/run-command-handler/download/myRunCommand/0/script.sh')],
    ['a Run Command handler name outside its bin folder', event('/var/lib/waagent/run-command-handler/download/x/0/run-command-handler')],
    ['the Key Vault extension name in a writable folder', event('/tmp/Microsoft.Azure.KeyVault.KeyVaultForLinux-3.2.0.12/akvvm_service')],
    ['the ACR credential provider name outside the kubelet folder', event('/tmp/credential-provider/acr-credential-provider')],
    // Any Windows user can create C:\var: the Windows node's path proves nothing.
    ['the ACR credential provider at the Windows node path', event('C:\\var\\lib\\kubelet\\credential-provider\\acr-credential-provider.exe')],
    // AKS provisioning's trust is for curl, wget and timeout from system folders, run by a shell running a script in /opt/azure/containers.
    ['curl run by a look-alike provisioning script in /tmp', event('/usr/bin/curl', 'curl http://169.254.169.254/metadata/identity/oauth2/token?resource=x', '', { path: '/usr/bin/bash', commandLine: '/bin/bash /tmp/opt/azure/containers/provision_start.sh' })],
    ['curl run by inline shell code naming the provisioning folder', event('/usr/bin/curl', 'curl http://169.254.169.254/metadata/identity/oauth2/token?resource=x', '', { path: '/usr/bin/bash', commandLine: 'bash -c /opt/azure/containers/provision_start.sh' })],
    ['a curl in /tmp run by the provisioning script', event('/tmp/curl', 'curl http://169.254.169.254/metadata/identity/oauth2/token?resource=x', '', { path: '/usr/bin/bash', commandLine: '/bin/bash /opt/azure/containers/provision_start.sh' })],
    ['python run by the provisioning script', event('/usr/bin/python3', 'python3 -c "import urllib.request"', '', { path: '/usr/bin/bash', commandLine: '/bin/bash /opt/azure/containers/provision_start.sh' })],
    // The wrapped curls are trusted under those exact parents only: nothing appended, no other helper, not a copy in /tmp.
    ['curl under timeout with an output file appended', event('/usr/bin/curl', `curl -v -s -H Metadata:true --noproxy * ${AKS_TOKEN_URL} -o /tmp/t`, '', { path: '/usr/bin/timeout', commandLine: `timeout 60 curl -v -s -H Metadata:true --noproxy * ${AKS_TOKEN_URL} -o /tmp/t` })],
    ['curl under timeout asking another host', event('/usr/bin/curl', 'curl -v -s -H Metadata:true --noproxy * http://203.0.113.7/metadata/identity/oauth2/token?api-version=2018-02-01&resource=x', '', { path: '/usr/bin/timeout', commandLine: 'timeout 60 curl -v -s -H Metadata:true --noproxy * http://203.0.113.7/metadata/identity/oauth2/token?api-version=2018-02-01&resource=x' })],
    ['curl under a shell running another function', event('/usr/bin/curl', 'curl -s -H Metadata:true http://169.254.169.254/metadata/identity/oauth2/token?resource=x', '', { path: '/usr/bin/bash', commandLine: 'bash -cx grab_token' })],
    ['a curl in /tmp under the token wrapper', event('/tmp/curl', `curl -v -s -H Metadata:true --noproxy * ${AKS_TOKEN_URL}`, '', { path: '/usr/bin/timeout', commandLine: `timeout 60 curl -v -s -H Metadata:true --noproxy * ${AKS_TOKEN_URL}` })],
    ['curl whose parent is no shell', event('/usr/bin/curl', 'curl http://169.254.169.254/metadata/identity/oauth2/token?resource=x', '', { path: '/usr/bin/python3', commandLine: 'python3 /opt/azure/containers/provision_start.sh' })],
  ])('%s', (_label, e) => {
    expect(trustOf(e, 'TokenEndpoint').verdict).not.toBe('trusted');
  });

  it('the rpm CLI run without -I from a home folder or an unknown one is weaker evidence: python finds a planted azure/cli there first', () => {
    for (const e of [
      event('/usr/bin/python3.9', 'python3.9 -sm azure.cli account get-access-token', '/home/alice'),
      event('/usr/bin/python3.9', 'python3.9 -sm azure.cli account get-access-token'),
      event('/usr/bin/python3.9', 'python3.9 -sm azure.cli login --identity', '/root'),
    ]) {
      expect(trustOf(e, 'TokenEndpoint')).toMatchObject({ verdict: 'user-writable', entryId: 'azure-cli-linux-rpm' });
    }
    // The same for the deb CLI's own python without its -I (its az always passes -I).
    expect(trustOf(event('/opt/az/bin/python3', '/opt/az/bin/python3 -m azure.cli login --identity', '/home/mallory'), 'TokenEndpoint')).toMatchObject({ verdict: 'user-writable', entryId: 'azure-cli-linux' });
    expect(trustOf(event('/opt/az/bin/python3', '/opt/az/bin/python3 -Im azure.cli login --identity', '/home/mallory'), 'TokenEndpoint')).toMatchObject({ verdict: 'trusted', entryId: 'azure-cli-linux' });
  });

  it('trusts the Arc agent for its own key files only, not for the users\u2019 CLI caches', () => {
    const himds = event('/opt/azcmagent/bin/himds');
    expect(trustOf(himds, 'TokenCache', ARC_TOKEN_KEY).verdict).toBe('trusted');
    expect(trustOf(himds, 'TokenCache', 'cloud-token-cache-file').verdict).toBe('untrusted');
    // The Azure CLI is trusted for every cache, the Arc key included (az login --identity on an Arc server).
    expect(trustOf(event('/opt/az/bin/python3.11'), 'TokenCache', ARC_TOKEN_KEY).verdict).toBe('trusted');
  });
});
