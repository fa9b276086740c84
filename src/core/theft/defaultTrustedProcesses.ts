import { ARC_TOKEN_KEY, AZD_TOKEN_CACHE } from './tokenFiles';
import type { TrustedProcess } from './trustedProcess';

/*
 * The default theft allowlists: each cloud's own agents and tools, the Kubernetes node and
 * in-cluster components, developer tools that legitimately open their own token caches, and the
 * inventory/scanner agents whose metadata queries show up as false positives in public detection
 * rules. Every entry carries the public reference it was built from; docs/allowlist-sources.md
 * lists them all and the known gaps.
 *
 * Two rules shape the data:
 *  - No shell, general interpreter or LOLBin is trusted for what it is. An interpreter appears only
 *    when every path pattern pins it inside one agent's own install tree (the Azure CLI's bundled
 *    python, the gcloud bundled python, the OMS agent's ruby). The engine must never trust a name
 *    in NEVER_TRUSTED_BY_NAME_ALONE on its name alone, even when an entry lists it.
 *  - Agents that are scripts (waagent, cloud-init, cfn-*, EC2Launch v1) run as
 *    `/usr/bin/python3 -u /usr/sbin/waagent` or `powershell.exe -File …\InitializeInstance.ps1`: the
 *    executable is the system python or PowerShell, which is never trusted. Their patterns name the
 *    script, which the engine matches against the script in the command line (relative scripts are
 *    resolved against the working directory). An IMDS call seen with no command line (Sysmon 3,
 *    Security 5156) is judged on the interpreter alone and still alerts, by design.
 *  - Self-updating agents keep versioned folders (`GuestAgent_<ver>_<date>`, `WALinuxAgent-<ver>`,
 *    `Plugins\<Publisher.Type>\<ver>`, `Platform\<ver>`): those are `*`; a subfolder below them
 *    is `**` (any depth, also none). Customer payload folders (Custom Script `Downloads\<n>`,
 *    `/var/lib/waagent/custom-script/download`) are never reachable from a pattern.
 */

// Public references used by several entries (commit-pinned where the source is a repository file).
const ELASTIC_UNUSUAL_IMDS_RULE =
  'https://github.com/elastic/detection-rules/blob/003110e109e4c9dbf910ce18f7783dfc142bb6e9/rules/linux/credential_access_unusual_instance_metadata_service_api_request.toml';
const ELASTIC_SUSPICIOUS_IMDS_RULE =
  'https://github.com/elastic/detection-rules/blob/18250d627655a8062878314466180beb4e8319c2/rules/cross-platform/credential_access_suspicious_instance_metadata_service_api_request.toml';
const ELASTIC_AUDITD_IDENTITY_FILE_RULE =
  'https://github.com/elastic/detection-rules/blob/143a1933447f8c67d8b04fd13a205084c864c3d7/rules/linux/credential_access_auditd_sensitive_cloud_and_host_identity_file_open.toml';
const OTRF_AZURE_VM_BASELINE =
  'https://github.com/OTRF/Security-Datasets/blob/d9d40ef123d2c87d5d3df28c96bcab4f0faccc87/datasets/atomic/windows/lateral_movement/host/covenant_sharpsc_query_dcerpc_smb_svcctl.zip';
const ARC_AGENT_OVERVIEW = 'https://learn.microsoft.com/azure/azure-arc/servers/agent-overview';
const WINDOWS_VM_AGENT_ISSUE_20 = 'https://github.com/Azure/WindowsVMAgent/issues/20';
const WALINUXAGENT_README = 'https://github.com/Azure/WALinuxAgent/blob/master/README.md';
/**
 * The Defender for Endpoint sensor's processes that talk to the metadata service: the sensor, its
 * proxy, incident response, network detection, and the IMDS collector module
 * (`SenseImdsCollector.exe`, listed among the sensor's processes in Microsoft's client analyzer
 * documentation, "Windows Defender Advanced Threat Protection IMDSCollector module").
 */
const MDE_SENSOR_PROCESSES = ['mssense.exe', 'sensecncproxy.exe', 'senseir.exe', 'sensendr.exe', 'senseimdscollector.exe'];
const MDE_EXCLUSIONS = 'https://learn.microsoft.com/defender-endpoint/defender-endpoint-antivirus-exclusions';
const STRONTIC_CFN_BOOTSTRAP = 'https://github.com/StrongWind1/xCyclopedia/blob/master/strontic-xcyclopedia/markdown/winhup.exe-48FE04D8A6525EBF39345C41CE0D6842.md';
const GCP_GUEST_AGENT_WINDOWS_SPEC =
  'https://github.com/GoogleCloudPlatform/guest-agent/blob/28f0ad0e2d783484692fd2d28ff41b9826d21dc9/packaging/googet/google-compute-engine-windows.goospec';
const GCP_GUEST_AGENT_LINUX_SPEC =
  'https://github.com/GoogleCloudPlatform/guest-agent/blob/0feadcf50455a9ae0e1a42a58a4628603c4e4a74/packaging/google-guest-agent.spec';
const ELASTIC_AGENT_LAYOUT = 'https://www.elastic.co/docs/reference/fleet/installation-layout';
const ELASTIC_ADD_CLOUD_METADATA = 'https://www.elastic.co/docs/reference/fleet/add-cloud-metadata-processor';

/** Windows program folders are written once with `?:` (any drive, or `\device\harddiskvolumeN`). */
const AZURE_PLUGINS = '?:/packages/plugins';
const GCE_PROGRAM_FILES = '?:/program files/google/compute engine';
const ARC_PROGRAM_FILES = '?:/program files/azureconnectedmachineagent';

/** The CloudFormation helper scripts (aws-cfn-bootstrap), the same names on Linux and (with .exe) on Windows. */
const CFN_HELPERS = ['cfn-init', 'cfn-hup', 'cfn-signal', 'cfn-get-metadata', 'cfn-elect-cmd-leader', 'cfn-send-cmd-event', 'cfn-send-cmd-result'] as const;

const GUEST_AGENT_NAMES = [
  'windowsazureguestagent.exe',
  'waappagent.exe',
  'collectguestlogs.exe',
  'windowsazurenetagent.exe',
  'windowsazuretelemetryservice.exe',
] as const;

/** `dir/name` for each name: one pattern per executable keeps a stray binary in the folder untrusted. */
function eachIn(dir: string, names: readonly string[]): string[] {
  return names.map((name) => `${dir}/${name}`);
}

/**
 * Shells, general-purpose interpreters, download tools and Windows LOLBins. Seen on a token
 * endpoint or a token file they are the attack, not the agent, so the engine must never trust
 * them by name alone; an entry may list one only with path patterns pinned to its own tree.
 */
export const NEVER_TRUSTED_BY_NAME_ALONE: ReadonlySet<string> = new Set([
  'sh', 'bash', 'dash', 'zsh', 'ksh', 'csh', 'tcsh', 'fish', 'busybox', 'env',
  'python', 'python2', 'python3', 'python.exe', 'pythonw.exe', 'python3.exe',
  'node', 'node.exe', 'nodejs', 'bun', 'deno', 'java', 'java.exe', 'javaw.exe',
  'perl', 'ruby', 'php', 'lua', 'osascript',
  'curl', 'curl.exe', 'wget', 'wget.exe', 'nc', 'ncat', 'socat', 'openssl',
  'cat', 'cp', 'head', 'tail', 'base64', 'dd',
  'powershell.exe', 'powershell_ise.exe', 'pwsh', 'pwsh.exe', 'cmd.exe',
  'certutil.exe', 'bitsadmin.exe', 'mshta.exe', 'rundll32.exe', 'regsvr32.exe',
  'wscript.exe', 'cscript.exe', 'msbuild.exe', 'installutil.exe', 'wmic.exe',
]);

export const DEFAULT_TRUSTED_PROCESSES: readonly TrustedProcess[] = [
  // ───────────────────────────── Azure ─────────────────────────────
  {
    id: 'azure-windows-guest-agent',
    description:
      'Microsoft Azure Windows VM guest agent (WindowsAzureGuestAgent, WaAppAgent/RdAgent, CollectGuestLogs, the older NetAgent and Telemetry services); seen calling 169.254.169.254 on Azure VMs.',
    platform: 'windows',
    cloud: 'azure',
    names: [...GUEST_AGENT_NAMES],
    pathPatterns: [
      // MSI layout: C:\WindowsAzure\Packages\WaAppAgent.exe, Packages\GuestAgent\WindowsAzureGuestAgent.exe; the
      // transparent installer also leaves timestamped copies (C:\WindowsAzure\Packages_202185_155650\WaAppAgent.exe).
      ...eachIn('?:/windowsazure/packages*/**', GUEST_AGENT_NAMES),
      // Self-updated agents run from C:\WindowsAzure\GuestAgent_2.7.41491.1193_2026-02-18_215333\…, new on every
      // update; `**` also covers a subfolder below the versioned one.
      ...eachIn('?:/windowsazure/guestagent_*/**', GUEST_AGENT_NAMES),
    ],
    vectors: ['TokenEndpoint'],
    source: WINDOWS_VM_AGENT_ISSUE_20,
  },
  {
    id: 'azure-linux-guest-agent',
    hostOnly: true,
    description:
      'Microsoft Azure Linux VM agent (WALinuxAgent): the waagent daemon script and the self-updated extension handler egg under /var/lib/waagent/WALinuxAgent-<ver>, both run by the system python and trusted by script path.',
    platform: 'linux',
    cloud: 'azure',
    names: ['waagent'],
    pathPatterns: [
      '/usr/sbin/waagent',
      '/usr/bin/waagent',
      '/usr/local/sbin/waagent',
      // `python3 -u bin/WALinuxAgent-2.9.1.1-py3.8.egg -run-exthandlers`, run from /var/lib/waagent/WALinuxAgent-2.9.1.1.
      '/var/lib/waagent/walinuxagent-*/bin/walinuxagent-*.egg',
    ],
    vectors: ['TokenEndpoint'],
    source: WALINUXAGENT_README,
  },
  {
    id: 'aks-node-provisioning',
    hostOnly: true,
    description:
      "AKS node provisioning (AgentBaker's custom script extension): /opt/azure/containers/provision_start.sh and the scripts it runs ask IMDS with curl for the instance metadata and the kubelet identity's registry token; curl, wget and timeout are trusted only as children of a shell running one of those root-owned scripts.",
    platform: 'linux',
    cloud: 'azure',
    names: ['curl', 'wget', 'timeout'],
    pathPatterns: [],
    parentScripts: ['/opt/azure/containers/*.sh'],
    vectors: ['TokenEndpoint'],
    source: 'https://github.com/Azure/AgentBaker/blob/master/parts/linux/cloud-init/artifacts/cse_helpers.sh',
  },
  {
    id: 'aks-node-provisioning-wrapped',
    hostOnly: true,
    description:
      "AKS node provisioning's curl where its parent names no script: the kubelet identity's registry token (network-isolated clusters) under AgentBaker's `timeout 60 curl -v -s -H Metadata:true --noproxy * <IMDS token URL>`, and the instance metadata read by the node-image tag helpers run as `bash -cx <function>`; trusted only as a child of those exact command lines.",
    platform: 'linux',
    cloud: 'azure',
    names: ['curl'],
    pathPatterns: [],
    parentCommandLines: [
      'timeout 60 curl -v -s -H Metadata:true --noproxy * http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource=*',
      'timeout 60 curl -v -s -H Metadata:true --noproxy * http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource=* -w *',
      'bash -cx should_skip_nvidia_drivers',
      'bash -cx should_skip_binary_cleanup',
      'bash -cx should_enforce_kube_pmc_install',
      'bash -cx enableManagedGPUExperience',
    ],
    vectors: ['TokenEndpoint'],
    source: 'https://github.com/Azure/AgentBaker/blob/master/parts/linux/cloud-init/artifacts/cse_helpers.sh',
  },
  {
    id: 'azure-vm-extension-handlers-linux',
    hostOnly: true,
    description:
      'Microsoft Azure VM extension handlers on Linux that authenticate with the managed identity (Azure Monitor Agent handler agent.py, Custom Script handler) in /var/lib/waagent/<Publisher.Type>-<version>; the scripts Custom Script downloads run from /var/lib/waagent/custom-script/download and stay untrusted.',
    platform: 'linux',
    cloud: 'azure',
    names: ['agent.py', 'custom-script-extension', 'custom-script-extension-arm64'],
    pathPatterns: [
      '/var/lib/waagent/microsoft.azure.monitor.azuremonitorlinuxagent-*/agent.py',
      '/var/lib/waagent/microsoft.azure.extensions.customscript-*/bin/custom-script-extension',
      '/var/lib/waagent/microsoft.azure.extensions.customscript-*/bin/custom-script-extension-arm64',
    ],
    vectors: ['TokenEndpoint'],
    source: 'https://github.com/Azure/custom-script-extension-linux/blob/master/Makefile',
  },
  {
    id: 'azure-vm-extension-handlers-windows',
    description:
      'Microsoft Azure VM extension handlers on Windows that reach IMDS themselves, in C:\\Packages\\Plugins\\<Publisher.Type>\\<version>: the Guest Proxy Agent extension. Custom Script Downloads\\<n> payloads stay untrusted.',
    platform: 'windows',
    cloud: 'azure',
    names: ['guestproxyagent.exe'],
    pathPatterns: [`${AZURE_PLUGINS}/microsoft.cplat.proxyagent.proxyagentwindows/*/proxyagent/proxyagent/guestproxyagent.exe`],
    vectors: ['TokenEndpoint'],
    source: 'https://github.com/Azure/GuestProxyAgent',
  },
  {
    id: 'azure-network-watcher-agent-windows',
    description:
      'Microsoft Azure Network Watcher VM extension agent; the most frequent IMDS caller in the OTRF Azure VM baseline.',
    platform: 'windows',
    cloud: 'azure',
    names: ['networkwatcheragent.exe'],
    pathPatterns: [
      `${AZURE_PLUGINS}/microsoft.azure.networkwatcher.networkwatcheragentwindows/*/networkwatcheragent/networkwatcheragent.exe`,
    ],
    vectors: ['TokenEndpoint'],
    source: OTRF_AZURE_VM_BASELINE,
  },
  {
    id: 'azure-monitor-agent-windows',
    description:
      'Microsoft Azure Monitor Agent (AMA) Windows extension: health monitor, launcher, host, manager and core; authenticates with the VM managed identity.',
    platform: 'windows',
    cloud: 'azure',
    names: ['azuremonitoragentextension.exe', 'amaexthealthmonitor.exe', 'monagentlauncher.exe', 'monagenthost.exe', 'monagentmanager.exe', 'monagentcore.exe'],
    // C:\Packages\Plugins\Microsoft.Azure.Monitor.AzureMonitorWindowsAgent\1.24.0.0\Monitoring\Agent\MonAgentHost.exe (also on Arc machines).
    pathPatterns: eachIn(`${AZURE_PLUGINS}/microsoft.azure.monitor.azuremonitorwindowsagent/*/**`, [
      'azuremonitoragentextension.exe',
      'amaexthealthmonitor.exe',
      'monagentlauncher.exe',
      'monagenthost.exe',
      'monagentmanager.exe',
      'monagentcore.exe',
    ]),
    // On Arc-enabled servers AMA authenticates with the machine identity, so it reads the Arc key files.
    vectors: ['TokenEndpoint', 'TokenCache'],
    tokenFiles: [ARC_TOKEN_KEY],
    source: 'https://lucaslifes.com/p/understanding-azure-monitor-windows-agent-processes',
  },
  {
    id: 'azure-monitor-agent-linux',
    description:
      'Microsoft Azure Monitor Agent (AMA) Linux package: mdsd, mdsdmgr, amacoreagent, agentlauncher and its bundled fluent-bit; authenticates with the VM managed identity.',
    platform: 'linux',
    cloud: 'azure',
    names: ['mdsd', 'mdsdmgr', 'amacoreagent', 'agentlauncher', 'fluent-bit'],
    pathPatterns: eachIn('/opt/microsoft/azuremonitoragent/bin', ['mdsd', 'mdsdmgr', 'amacoreagent', 'agentlauncher', 'fluent-bit']),
    vectors: ['TokenEndpoint', 'TokenCache'],
    tokenFiles: [ARC_TOKEN_KEY],
    source: 'https://github.com/Azure/azure-linux-extensions/tree/master/AzureMonitorAgent',
  },
  {
    id: 'azure-log-analytics-agent-linux',
    description:
      'Microsoft Log Analytics (OMS) agent for Linux, retired but still deployed; its ruby is the agent-private one under /opt/microsoft/omsagent.',
    platform: 'linux',
    cloud: 'azure',
    names: ['omsagent', 'ruby'],
    pathPatterns: ['/opt/microsoft/omsagent/bin/omsagent', '/opt/microsoft/omsagent/ruby/bin/ruby'],
    vectors: ['TokenEndpoint'],
    source: 'https://github.com/microsoft/OMS-Agent-for-Linux/blob/master/docs/OMS-Agent-for-Linux.md',
  },
  {
    id: 'azure-arc-himds-windows',
    description:
      'Azure Connected Machine agent (Arc) on Windows: himds serves the local identity endpoint localhost:40342 and fetches Entra tokens; azcmagent is its CLI.',
    platform: 'windows',
    names: ['himds.exe', 'azcmagent.exe'],
    pathPatterns: eachIn(ARC_PROGRAM_FILES, ['himds.exe', 'azcmagent.exe']),
    // himds writes the challenge key files; azcmagent is the documented admin tool.
    vectors: ['TokenEndpoint', 'TokenCache'],
    tokenFiles: [ARC_TOKEN_KEY],
    source: ARC_AGENT_OVERVIEW,
  },
  {
    id: 'azure-arc-guest-configuration-windows',
    description:
      'Azure Arc machine configuration and extension services on Windows (gc_arc_service, gc_extension_service; gc_service before agent 1.36).',
    platform: 'windows',
    names: ['gc_arc_service.exe', 'gc_extension_service.exe', 'gc_service.exe', 'gc_worker.exe'],
    pathPatterns: [
      // The docs name GCArcService2\GC and ExtensionService2\GC; older agents used GCArcService\GC.
      `${ARC_PROGRAM_FILES}/gcarcservice*/gc/gc_arc_service.exe`,
      `${ARC_PROGRAM_FILES}/extensionservice*/gc/gc_extension_service.exe`,
      `${ARC_PROGRAM_FILES}/gcarcservice*/gc/gc_service.exe`,
      `${ARC_PROGRAM_FILES}/extensionservice*/gc/gc_service.exe`,
      // Policy evaluation worker, seen in public Sysmon telemetry as the parent of DSC runs.
      `${ARC_PROGRAM_FILES}/gcarcservice*/gc/gc_worker.exe`,
    ],
    // The GC services request tokens from himds for extensions and policy, answering the key-file challenge.
    vectors: ['TokenEndpoint', 'TokenCache'],
    tokenFiles: [ARC_TOKEN_KEY],
    source: ARC_AGENT_OVERVIEW,
  },
  {
    id: 'azure-arc-himds-linux',
    hostOnly: true,
    description: 'Azure Connected Machine agent (Arc) on Linux: the himds daemon and the azcmagent CLI under /opt/azcmagent.',
    platform: 'linux',
    names: ['himds', 'azcmagent'],
    pathPatterns: eachIn('/opt/azcmagent/bin', ['himds', 'azcmagent']),
    vectors: ['TokenEndpoint', 'TokenCache'],
    tokenFiles: [ARC_TOKEN_KEY],
    source: ARC_AGENT_OVERVIEW,
  },
  {
    id: 'azure-arc-guest-configuration-linux',
    hostOnly: true,
    description:
      'Azure Arc machine configuration (gcad) and extension (extd) daemons on Linux; both run gc_linux_service from their own tree.',
    platform: 'linux',
    names: ['gc_linux_service'],
    pathPatterns: ['/opt/gc_service/gc/gc_linux_service', '/opt/gc_ext/gc/gc_linux_service'],
    vectors: ['TokenEndpoint', 'TokenCache'],
    tokenFiles: [ARC_TOKEN_KEY],
    source: ARC_AGENT_OVERVIEW,
  },
  {
    id: 'azure-guest-configuration-extension-windows',
    description: 'Azure Policy guest configuration VM extension on Azure Windows VMs (gc_service under C:\\Packages\\Plugins).',
    platform: 'windows',
    cloud: 'azure',
    names: ['gc_service.exe'],
    pathPatterns: [`${AZURE_PLUGINS}/microsoft.guestconfiguration.configurationforwindows/**/gc_service.exe`],
    vectors: ['TokenEndpoint'],
    source: 'https://github.com/Azure/Guest-Configuration-Extension',
  },
  {
    id: 'azure-guest-configuration-extension-linux',
    hostOnly: true,
    description:
      'Azure Policy guest configuration VM extension on Azure Linux VMs: its shim and the gc_linux_service agent under /var/lib/waagent.',
    platform: 'linux',
    cloud: 'azure',
    names: ['guest-configuration-shim', 'gc_linux_service'],
    pathPatterns: [
      '/var/lib/waagent/microsoft.guestconfiguration.configurationforlinux-*/bin/guest-configuration-shim',
      '/var/lib/waagent/microsoft.guestconfiguration.configurationforlinux-*/**/gc_linux_service',
    ],
    vectors: ['TokenEndpoint'],
    source: 'https://github.com/Azure/Guest-Configuration-Extension',
  },
  {
    id: 'azure-keyvault-extension-linux',
    hostOnly: true,
    description:
      'Azure Key Vault VM extension for Linux: the akvvm_service daemon in /var/lib/waagent/Microsoft.Azure.KeyVault.KeyVaultForLinux-<version> (an architecture subfolder below it) polls Key Vault for certificates with a managed identity token from IMDS, or from the Arc endpoint with the Arc key on Arc-enabled servers.',
    platform: 'linux',
    cloud: 'azure',
    names: ['akvvm_service'],
    pathPatterns: ['/var/lib/waagent/microsoft.azure.keyvault.keyvaultforlinux-*/**/akvvm_service'],
    vectors: ['TokenEndpoint', 'TokenCache'],
    tokenFiles: [ARC_TOKEN_KEY],
    source: 'https://learn.microsoft.com/azure/virtual-machines/extensions/key-vault-linux',
  },
  {
    id: 'azure-keyvault-extension-windows',
    description:
      'Azure Key Vault VM extension for Windows: the akvvm_service service in C:\\Packages\\Plugins\\Microsoft.Azure.KeyVault.KeyVaultForWindows\\<version> polls Key Vault for certificates with a managed identity token from IMDS (the Arc endpoint and key on Arc-enabled servers).',
    platform: 'windows',
    cloud: 'azure',
    names: ['akvvm_service.exe'],
    pathPatterns: [`${AZURE_PLUGINS}/microsoft.azure.keyvault.keyvaultforwindows/*/**/akvvm_service.exe`],
    vectors: ['TokenEndpoint', 'TokenCache'],
    tokenFiles: [ARC_TOKEN_KEY],
    source: 'https://learn.microsoft.com/azure/virtual-machines/extensions/key-vault-windows',
  },
  {
    id: 'azure-run-command-handler-linux',
    hostOnly: true,
    description:
      'Azure Run Command (v2) handler for Linux in /var/lib/waagent/Microsoft.CPlat.Core.RunCommandHandlerLinux-<version>/bin: fetches scripts from blob storage with a managed identity token. The scripts it runs (from /var/lib/waagent/run-command-handler/download) stay untrusted.',
    platform: 'linux',
    cloud: 'azure',
    names: ['run-command-handler', 'run-command-handler-arm64', 'immediate-run-command-handler'],
    pathPatterns: eachIn('/var/lib/waagent/microsoft.cplat.core.runcommandhandlerlinux-*/bin', ['run-command-handler', 'run-command-handler-arm64', 'immediate-run-command-handler']),
    vectors: ['TokenEndpoint'],
    source: 'https://github.com/Azure/run-command-handler-linux/blob/main/Makefile',
  },
  {
    id: 'azure-guest-proxy-agent',
    description:
      'Azure Guest Proxy Agent installed on the VM itself (not the extension copy): GuestProxyAgent.exe in C:\\WindowsAzure\\ProxyAgent\\Package_<version>, /usr/sbin/azure-proxy-agent on Linux; reads instance metadata.',
    platform: 'any',
    cloud: 'azure',
    names: ['guestproxyagent.exe', 'azure-proxy-agent'],
    pathPatterns: ['?:/windowsazure/proxyagent/package_*/guestproxyagent.exe', '/usr/sbin/azure-proxy-agent'],
    vectors: ['TokenEndpoint'],
    source: 'https://github.com/Azure/GuestProxyAgent/blob/main/proxy_agent_setup/src/linux/azure-proxy-agent.service',
  },
  {
    id: 'azure-cli-windows',
    description:
      'Azure CLI on Windows: az.cmd runs the CLI-private python.exe under Microsoft SDKs\\Azure\\CLI2 (msal_token_cache, azureProfile, `az login --identity`).',
    platform: 'windows',
    cloud: 'azure',
    names: ['python.exe'],
    pathPatterns: [
      '?:/program files/microsoft sdks/azure/cli2/python.exe',
      '?:/program files (x86)/microsoft sdks/azure/cli2/python.exe',
    ],
    modules: ['azure.cli'],
    vectors: ['TokenCache', 'TokenEndpoint'],
    source: 'https://learn.microsoft.com/cli/azure/install-azure-cli-windows',
  },
  {
    id: 'azure-cli-linux',
    description:
      'Azure CLI deb package: /usr/bin/az is a shell wrapper (not trusted) around the CLI-private python under /opt/az, which it runs as -Im azure.cli; that python is trusted for the CLI module only. The rpm runs the system python (azure-cli-linux-rpm).',
    platform: 'linux',
    cloud: 'azure',
    names: ['python3'],
    // python3* also covers the resolved symlink target (python3.11, python3.12) that exec telemetry reports.
    pathPatterns: ['/opt/az/bin/python3*'],
    // Any user can run this python with another module (-m evil) or a script of its own.
    modules: ['azure.cli'],
    vectors: ['TokenCache', 'TokenEndpoint'],
    source: 'https://learn.microsoft.com/cli/azure/install-azure-cli-linux',
  },

  // ───────────────────────────── AWS ─────────────────────────────
  {
    id: 'azure-cli-linux-rpm',
    description:
      "Azure CLI from Microsoft's rpm (packages.microsoft.com, for RHEL and CentOS Stream): /usr/bin/az runs the system python with the CLI's packages on PYTHONPATH (`python3.9 -sm azure.cli`); trusted for the azure.cli module only, never for a script, inline code or another module.",
    platform: 'linux',
    cloud: 'azure',
    names: ['python3', 'python3.9', 'python3.12'],
    pathPatterns: ['/usr/bin/python3', '/usr/bin/python3.*'],
    modules: ['azure.cli'],
    vectors: ['TokenCache', 'TokenEndpoint'],
    source: 'https://github.com/Azure/azure-cli/blob/c48ec0b0fdac1a55d3f1e99b447108910456c4ec/scripts/release/rpm/azure-cli.spec',
  },
  {
    id: 'azure-cli-macos',
    description:
      "Azure CLI from Homebrew on macOS: /opt/homebrew/bin/az (/usr/local/bin/az on Intel) is a bash wrapper (not trusted) running the formula's virtualenv python as `-Im azure.cli`; Homebrew's python is a framework build whose bin/python3.x re-executes Python.app/Contents/MacOS/Python, the image telemetry records. That python is every Homebrew python tool's, so it is trusted for the azure.cli module only (the token cache is plain ~/.azure/msal_token_cache.json on macOS).",
    platform: 'macos',
    cloud: 'azure',
    // The image is Python.app's `Python`: listed for the patterns' sake, never trusted by that name (NEVER_TRUSTED_BY_NAME_ALONE).
    names: ['python', 'python3'],
    pathPatterns: [
      ...['/opt/homebrew', '/usr/local'].map((prefix) => `${prefix}/cellar/python@3.*/*/frameworks/python.framework/versions/3.*/resources/python.app/contents/macos/python`),
      ...['/opt/homebrew', '/usr/local'].map((prefix) => `${prefix}/cellar/azure-cli/*/libexec/bin/python3*`),
    ],
    modules: ['azure.cli'],
    vectors: ['TokenCache', 'TokenEndpoint'],
    source: 'https://github.com/Homebrew/homebrew-core/blob/master/Formula/a/azure-cli.rb',
  },
  {
    id: 'aws-ssm-agent-linux',
    hostOnly: true,
    description:
      'AWS Systems Manager agent and its workers (deb/rpm and snap installs); fetches instance role credentials. Commands it runs are children and stay untrusted.',
    platform: 'linux',
    cloud: 'aws',
    names: ['amazon-ssm-agent', 'ssm-agent-worker', 'ssm-session-worker', 'ssm-document-worker'],
    pathPatterns: [
      ...eachIn('/usr/bin', ['amazon-ssm-agent', 'ssm-agent-worker', 'ssm-session-worker', 'ssm-document-worker']),
      ...eachIn('/snap/amazon-ssm-agent/*', ['amazon-ssm-agent', 'ssm-agent-worker', 'ssm-session-worker', 'ssm-document-worker']),
    ],
    vectors: ['TokenEndpoint'],
    source: ELASTIC_UNUSUAL_IMDS_RULE,
  },
  {
    id: 'aws-ssm-agent-windows',
    description: 'AWS Systems Manager agent and its workers on Windows; fetches instance role credentials.',
    platform: 'windows',
    cloud: 'aws',
    names: ['amazon-ssm-agent.exe', 'ssm-agent-worker.exe', 'ssm-session-worker.exe', 'ssm-document-worker.exe'],
    pathPatterns: eachIn('?:/program files/amazon/ssm', [
      'amazon-ssm-agent.exe',
      'ssm-agent-worker.exe',
      'ssm-session-worker.exe',
      'ssm-document-worker.exe',
    ]),
    vectors: ['TokenEndpoint'],
    source: 'https://github.com/aws/amazon-ssm-agent',
  },
  {
    id: 'aws-ec2launch-v2',
    description:
      'AWS EC2Launch v2 Windows launch agent and service. EC2Launch v1 is a set of PowerShell scripts and is deliberately absent.',
    platform: 'windows',
    cloud: 'aws',
    names: ['ec2launch.exe', 'ec2launchservice.exe'],
    pathPatterns: ['?:/program files/amazon/ec2launch/ec2launch.exe', '?:/program files/amazon/ec2launch/**/ec2launchservice.exe'],
    vectors: ['TokenEndpoint'],
    source: 'https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ec2launch-v2.html',
  },
  {
    id: 'aws-ec2launch-v1',
    description:
      'AWS EC2Launch v1 (Windows Server 2016/2019 AMIs): PowerShell scripts run by powershell.exe -File; trusted by script path, never PowerShell itself.',
    platform: 'windows',
    cloud: 'aws',
    names: ['initializeinstance.ps1', 'initializedisks.ps1', 'sysprepinstance.ps1'],
    pathPatterns: eachIn('?:/programdata/amazon/ec2-windows/launch/scripts', ['initializeinstance.ps1', 'initializedisks.ps1', 'sysprepinstance.ps1']),
    vectors: ['TokenEndpoint'],
    source: 'https://docs.aws.amazon.com/AWSEC2/latest/WindowsGuide/ec2launch.html',
  },
  {
    id: 'aws-ec2config',
    description: 'AWS EC2Config service, the legacy Windows launch agent (Windows Server 2012 R2 and older AMIs).',
    platform: 'windows',
    cloud: 'aws',
    names: ['ec2config.exe'],
    pathPatterns: ['?:/program files/amazon/ec2configservice/ec2config.exe'],
    vectors: ['TokenEndpoint'],
    source: 'https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/UsingConfig_Install.html',
  },
  {
    id: 'cloud-init',
    hostOnly: true,
    description:
      'cloud-init (Canonical), the Linux first-boot agent on every major cloud; a python script, trusted only where telemetry names the script.',
    platform: 'linux',
    names: ['cloud-init'],
    pathPatterns: ['/usr/bin/cloud-init', '/usr/local/bin/cloud-init'],
    vectors: ['TokenEndpoint'],
    source: ELASTIC_UNUSUAL_IMDS_RULE,
  },
  {
    id: 'aws-ec2-instance-connect',
    hostOnly: true,
    description:
      'AWS EC2 Instance Connect AuthorizedKeysCommand helpers; they call curl, so the curl child itself is not covered.',
    platform: 'linux',
    cloud: 'aws',
    names: ['eic_run_authorized_keys', 'eic_curl_authorized_keys', 'eic_parse_authorized_keys'],
    pathPatterns: eachIn('/usr/share/ec2-instance-connect', [
      'eic_run_authorized_keys',
      'eic_curl_authorized_keys',
      'eic_parse_authorized_keys',
    ]),
    vectors: ['TokenEndpoint'],
    source: ELASTIC_UNUSUAL_IMDS_RULE,
  },
  {
    id: 'aws-ec2-net-utils',
    hostOnly: true,
    description: 'AWS amazon-ec2-net-utils policy routing helper on Amazon Linux; reads interface metadata from IMDS.',
    platform: 'linux',
    cloud: 'aws',
    names: ['setup-policy-routes'],
    pathPatterns: ['/usr/bin/setup-policy-routes'],
    vectors: ['TokenEndpoint'],
    source: ELASTIC_UNUSUAL_IMDS_RULE,
  },
  {
    id: 'aws-cfn-bootstrap',
    description:
      'AWS CloudFormation helper scripts: python scripts under /opt/aws/bin (Amazon Linux, symlinks into /opt/aws/apitools/cfn-init/bin) or /usr/local/bin (pip), and the frozen .exe helpers plus the cfn-hup service wrapper winhup.exe in C:\\Program Files\\Amazon\\cfn-bootstrap on Windows.',
    platform: 'any',
    cloud: 'aws',
    names: [...CFN_HELPERS, ...CFN_HELPERS.map((name) => `${name}.exe`), 'winhup.exe'],
    pathPatterns: [
      ...eachIn('/opt/aws/bin', CFN_HELPERS),
      ...eachIn('/opt/aws/apitools/cfn-init/bin', CFN_HELPERS),
      ...eachIn('/usr/local/bin', CFN_HELPERS),
      ...eachIn('?:/program files/amazon/cfn-bootstrap', [...CFN_HELPERS.map((name) => `${name}.exe`), 'winhup.exe']),
    ],
    vectors: ['TokenEndpoint'],
    source: STRONTIC_CFN_BOOTSTRAP,
  },
  {
    id: 'aws-cloudwatch-agent',
    description: 'Amazon CloudWatch agent and its start/config helpers; uses the instance role credentials.',
    platform: 'any',
    cloud: 'aws',
    names: [
      'amazon-cloudwatch-agent',
      'start-amazon-cloudwatch-agent',
      'config-downloader',
      'amazon-cloudwatch-agent.exe',
      'start-amazon-cloudwatch-agent.exe',
      'config-downloader.exe',
    ],
    pathPatterns: [
      ...eachIn('/opt/aws/amazon-cloudwatch-agent/bin', [
        'amazon-cloudwatch-agent',
        'start-amazon-cloudwatch-agent',
        'config-downloader',
      ]),
      ...eachIn('?:/program files/amazon/amazoncloudwatchagent', [
        'amazon-cloudwatch-agent.exe',
        'start-amazon-cloudwatch-agent.exe',
        'config-downloader.exe',
      ]),
    ],
    vectors: ['TokenEndpoint'],
    source: 'https://github.com/aws/amazon-cloudwatch-agent',
  },
  {
    id: 'aws-inspector-ssm-plugin',
    description: 'Amazon Inspector scanning plugin run through SSM; queries instance metadata.',
    platform: 'linux',
    cloud: 'aws',
    names: ['inspectorssmplugin'],
    pathPatterns: ['/opt/aws/inspector/bin/inspectorssmplugin'],
    vectors: ['TokenEndpoint'],
    source: ELASTIC_UNUSUAL_IMDS_RULE,
  },
  {
    id: 'aws-cli-v2',
    description:
      'AWS CLI v2 (self-contained binary; Linux installer, macOS pkg, Windows msi): reads ~/.aws/credentials, cli/cache and sso/cache, and fetches role credentials from IMDS.',
    platform: 'any',
    cloud: 'aws',
    names: ['aws', 'aws.exe'],
    // macOS's pkg installs the same binary as /usr/local/aws-cli/aws (/usr/local/bin/aws links to it).
    pathPatterns: ['/usr/local/aws-cli/v2/*/dist/aws', '/usr/local/aws-cli/aws', '?:/program files/amazon/awscliv2/aws.exe'],
    vectors: ['TokenCache', 'TokenEndpoint'],
    source: 'https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html',
  },
  {
    id: 'aws-cli-v1',
    description:
      "AWS CLI v1 (Python): the aws script a python runs, from a distribution package (/usr/bin/aws), pip (/usr/local/bin/aws; ~/.local/bin/aws for a user install, weaker evidence as any home folder) or the bundled installer (/usr/local/aws/bin/aws); reads ~/.aws/credentials and fetches role credentials from IMDS.",
    platform: 'linux',
    cloud: 'aws',
    names: ['aws'],
    pathPatterns: ['/usr/bin/aws', '/usr/local/bin/aws', '/usr/local/aws/bin/aws', '/home/*/.local/bin/aws'],
    vectors: ['TokenCache', 'TokenEndpoint'],
    source: 'https://docs.aws.amazon.com/cli/v1/userguide/install-linux.html',
  },

  // ───────────────────────────── Google Cloud ─────────────────────────────
  {
    id: 'gcp-guest-agent-linux',
    hostOnly: true,
    description:
      'Google Compute Engine guest agent on Linux (legacy agent, agent manager, compat manager, core plugin, workload certificate refresher).',
    platform: 'linux',
    cloud: 'gcp',
    names: [
      'google_guest_agent',
      'google_guest_agent_manager',
      'google_guest_compat_manager',
      'ggactl_plugin',
      'gce_workload_cert_refresh',
      'core_plugin',
    ],
    pathPatterns: [
      ...eachIn('/usr/bin', [
        'google_guest_agent',
        'google_guest_agent_manager',
        'google_guest_compat_manager',
        'ggactl_plugin',
        'gce_workload_cert_refresh',
      ]),
      '/usr/lib/google/guest_agent/core_plugin',
    ],
    vectors: ['TokenEndpoint'],
    source: GCP_GUEST_AGENT_LINUX_SPEC,
  },
  {
    id: 'gcp-metadata-script-runner-linux',
    hostOnly: true,
    description:
      'Google Compute Engine startup/shutdown script runner on Linux; the user scripts it launches are children and stay untrusted.',
    platform: 'linux',
    cloud: 'gcp',
    names: ['google_metadata_script_runner', 'gce_metadata_script_runner', 'gce_compat_metadata_script_runner'],
    pathPatterns: eachIn('/usr/bin', [
      'google_metadata_script_runner',
      'gce_metadata_script_runner',
      'gce_compat_metadata_script_runner',
    ]),
    vectors: ['TokenEndpoint'],
    source: GCP_GUEST_AGENT_LINUX_SPEC,
  },
  {
    id: 'gcp-guest-agent-windows',
    description:
      'Google Compute Engine Windows guest agent (GCEWindowsAgent, agent and compat managers, core plugin, authorized-keys helpers).',
    platform: 'windows',
    cloud: 'gcp',
    names: [
      'gcewindowsagent.exe',
      'gcewindowsagentmanager.exe',
      'gcewindowscompatmanager.exe',
      'coreplugin.exe',
      'ggactl_plugin.exe',
      'gceauthorizedkeys.exe',
      'gceauthorizedkeyscommand.exe',
      'gceauthorizedkeysnew.exe',
    ],
    pathPatterns: [
      ...eachIn(`${GCE_PROGRAM_FILES}/agent`, [
        'gcewindowsagent.exe',
        'gcewindowsagentmanager.exe',
        'gcewindowscompatmanager.exe',
        'ggactl_plugin.exe',
        'gceauthorizedkeys.exe',
        'gceauthorizedkeyscommand.exe',
        'gceauthorizedkeysnew.exe',
      ]),
      `${GCE_PROGRAM_FILES}/agent/guestagentcoreplugin/coreplugin.exe`,
    ],
    vectors: ['TokenEndpoint'],
    source: GCP_GUEST_AGENT_WINDOWS_SPEC,
  },
  {
    id: 'gcp-metadata-scripts-windows',
    description:
      'Google Compute Engine Windows startup/shutdown script runners; the PowerShell or cmd scripts they start are children and stay untrusted.',
    platform: 'windows',
    cloud: 'gcp',
    names: ['gcemetadatascripts.exe', 'gcecompatmetadatascripts.exe', 'gcemetadatascriptrunner.exe'],
    pathPatterns: [
      `${GCE_PROGRAM_FILES}/metadata_scripts/gcemetadatascripts.exe`,
      `${GCE_PROGRAM_FILES}/metadata_scripts/gcecompatmetadatascripts.exe`,
      `${GCE_PROGRAM_FILES}/agent/gcemetadatascriptrunner.exe`,
    ],
    vectors: ['TokenEndpoint'],
    source: GCP_GUEST_AGENT_WINDOWS_SPEC,
  },
  {
    id: 'gcp-osconfig-agent',
    description: 'Google OS Config agent (VM Manager): patching, inventory and policies; authenticates with the VM service account.',
    platform: 'any',
    cloud: 'gcp',
    names: ['google_osconfig_agent', 'google_osconfig_agent.exe'],
    pathPatterns: ['/usr/bin/google_osconfig_agent', '?:/program files/google/osconfig/google_osconfig_agent.exe'],
    vectors: ['TokenEndpoint'],
    source: ELASTIC_UNUSUAL_IMDS_RULE,
  },
  {
    id: 'gcp-ops-agent-linux',
    description:
      'Google Cloud Ops Agent on Linux: config engine, diagnostics service, fluent-bit logging subagent and otelopscol metrics subagent under /opt/google-cloud-ops-agent.',
    platform: 'linux',
    cloud: 'gcp',
    names: ['google_cloud_ops_agent_engine', 'google_cloud_ops_agent_diagnostics', 'fluent-bit', 'otelopscol'],
    pathPatterns: [
      '/opt/google-cloud-ops-agent/libexec/google_cloud_ops_agent_engine',
      '/opt/google-cloud-ops-agent/libexec/google_cloud_ops_agent_diagnostics',
      '/opt/google-cloud-ops-agent/subagents/fluent-bit/bin/fluent-bit',
      '/opt/google-cloud-ops-agent/subagents/opentelemetry-collector/otelopscol',
    ],
    vectors: ['TokenEndpoint'],
    source: 'https://github.com/GoogleCloudPlatform/ops-agent/tree/master/systemd',
  },
  {
    id: 'gcp-ops-agent-windows',
    description: 'Google Cloud Ops Agent on Windows: the agent service and its fluent-bit and metrics subagents.',
    platform: 'windows',
    cloud: 'gcp',
    names: ['google-cloud-ops-agent.exe', 'fluent-bit.exe', 'google-cloud-metrics-agent_windows_amd64.exe'],
    pathPatterns: eachIn('?:/program files/google/cloud operations/ops agent/**', [
      'google-cloud-ops-agent.exe',
      'fluent-bit.exe',
      'google-cloud-metrics-agent_windows_amd64.exe',
    ]),
    vectors: ['TokenEndpoint'],
    source: 'https://github.com/GoogleCloudPlatform/ops-agent',
  },
  {
    id: 'gcloud-cli',
    description:
      'Google Cloud CLI: gcloud is a wrapper script around the SDK-bundled python, which opens ~/.config/gcloud credentials and asks the metadata server for tokens.',
    platform: 'any',
    cloud: 'gcp',
    names: ['python3', 'python.exe'],
    pathPatterns: [
      '/usr/lib/google-cloud-sdk/platform/bundledpythonunix/bin/python3*',
      '/snap/google-cloud-cli/*/platform/bundledpythonunix/bin/python3*',
      '/opt/google-cloud-sdk/platform/bundledpythonunix/bin/python3*',
      '?:/program files (x86)/google/cloud sdk/google-cloud-sdk/platform/bundledpython/python.exe',
      '?:/users/*/appdata/local/google/cloud sdk/google-cloud-sdk/platform/bundledpython/python.exe',
    ],
    vectors: ['TokenCache', 'TokenEndpoint'],
    source: 'https://cloud.google.com/sdk/docs/install',
  },
  {
    id: 'gcloud-cli-linux-scripts',
    description:
      "Google Cloud CLI on Linux run by a python other than its bundled one (CLOUDSDK_PYTHON, or an install without the bundled python): the SDK's entry scripts in the install roots the bundled-python entry names (lib/gcloud.py, gsutil, bq.py); trusted by script path, as run by a python that is not in a home.",
    platform: 'linux',
    cloud: 'gcp',
    names: ['gcloud.py', 'gsutil', 'bq.py'],
    pathPatterns: [
      '/usr/lib/google-cloud-sdk/lib/gcloud.py',
      '/usr/lib/google-cloud-sdk/platform/gsutil/gsutil',
      '/usr/lib/google-cloud-sdk/platform/bq/bq.py',
      '/snap/google-cloud-cli/*/lib/gcloud.py',
      '/opt/google-cloud-sdk/lib/gcloud.py',
      '/opt/google-cloud-sdk/platform/gsutil/gsutil',
      '/opt/google-cloud-sdk/platform/bq/bq.py',
    ],
    vectors: ['TokenCache', 'TokenEndpoint'],
    source: 'https://cloud.google.com/sdk/docs/install',
  },
  {
    id: 'gcloud-cli-macos',
    description:
      "Google Cloud CLI from Homebrew's gcloud-cli cask on macOS: the SDK is copied to <prefix>/share/google-cloud-sdk, and gcloud runs lib/gcloud.py with the cask's virtualenv python or Homebrew's framework python (the bundled python only on x86_64); trusted by script path, as run by a python that is not in a home.",
    platform: 'macos',
    cloud: 'gcp',
    names: ['gcloud.py'],
    pathPatterns: [
      '/opt/homebrew/share/google-cloud-sdk/lib/gcloud.py',
      '/usr/local/share/google-cloud-sdk/lib/gcloud.py',
      '/opt/homebrew/caskroom/gcloud-cli/*/google-cloud-sdk/lib/gcloud.py',
      '/usr/local/caskroom/gcloud-cli/*/google-cloud-sdk/lib/gcloud.py',
      '/usr/local/caskroom/google-cloud-sdk/*/google-cloud-sdk/lib/gcloud.py',
    ],
    vectors: ['TokenCache', 'TokenEndpoint'],
    source: 'https://github.com/Homebrew/homebrew-cask/blob/master/Casks/g/gcloud-cli.rb',
  },
  {
    id: 'docker-credential-gcr',
    description: 'Google docker-credential-gcr: Docker credential helper for Artifact/Container Registry; reads gcloud credentials or the metadata server.',
    platform: 'linux',
    cloud: 'gcp',
    names: ['docker-credential-gcr'],
    pathPatterns: ['/usr/bin/docker-credential-gcr', '/usr/local/bin/docker-credential-gcr'],
    vectors: ['TokenCache', 'TokenEndpoint'],
    source: 'https://github.com/GoogleCloudPlatform/docker-credential-gcr',
  },

  // ───────────────────────────── Kubernetes nodes ─────────────────────────────
  {
    id: 'kubelet',
    hostOnly: true,
    description:
      'Kubernetes kubelet: requests, writes and rotates projected service-account tokens for every pod on the node.',
    platform: 'linux',
    names: ['kubelet'],
    // /home/kubernetes/bin is where GKE's Container-Optimized OS nodes keep the node binaries.
    pathPatterns: ['/usr/bin/kubelet', '/usr/local/bin/kubelet', '/home/kubernetes/bin/kubelet'],
    vectors: ['ServiceAccountToken'],
    source: ELASTIC_AUDITD_IDENTITY_FILE_RULE,
  },
  {
    id: 'aks-acr-credential-provider',
    hostOnly: true,
    description:
      "AKS Linux nodes' kubelet image credential provider for Azure Container Registry, installed by AgentBaker in /var/lib/kubelet/credential-provider (root's): asks IMDS for the kubelet identity's token on image pulls. Not its Windows twin: any user can create C:\\var on a Windows machine.",
    platform: 'linux',
    cloud: 'azure',
    names: ['acr-credential-provider'],
    pathPatterns: ['/var/lib/kubelet/credential-provider/acr-credential-provider'],
    vectors: ['TokenEndpoint'],
    source: 'https://github.com/Azure/AgentBaker/blob/master/parts/linux/cloud-init/artifacts/cse_install.sh',
  },
  {
    id: 'containerd',
    hostOnly: true,
    description:
      'containerd and its runc shims: set up the pod mounts that carry the service-account token (they never need IMDS).',
    platform: 'linux',
    names: ['containerd', 'containerd-shim', 'containerd-shim-runc-v1', 'containerd-shim-runc-v2'],
    pathPatterns: [
      ...eachIn('/usr/bin', ['containerd', 'containerd-shim', 'containerd-shim-runc-v1', 'containerd-shim-runc-v2']),
      ...eachIn('/usr/local/bin', ['containerd', 'containerd-shim', 'containerd-shim-runc-v1', 'containerd-shim-runc-v2']),
      '/home/kubernetes/bin/containerd',
    ],
    vectors: ['ServiceAccountToken'],
    source: ELASTIC_UNUSUAL_IMDS_RULE,
  },
  {
    id: 'oci-runtimes',
    hostOnly: true,
    description: 'OCI runtimes runc and crun: bind-mount the token volume into the container while creating it. They run on the node, never as a pod.',
    platform: 'linux',
    names: ['runc', 'crun'],
    pathPatterns: ['/usr/bin/runc', '/usr/sbin/runc', '/usr/local/bin/runc', '/usr/local/sbin/runc', '/usr/bin/crun', '/usr/local/bin/crun'],
    vectors: ['ServiceAccountToken'],
    source: ELASTIC_UNUSUAL_IMDS_RULE,
  },
  {
    id: 'cri-o',
    hostOnly: true,
    description: 'CRI-O and its conmon monitor: set up the pod mounts that carry the service-account token.',
    platform: 'linux',
    names: ['crio', 'conmon'],
    pathPatterns: ['/usr/bin/crio', '/usr/local/bin/crio', '/usr/bin/conmon', '/usr/libexec/crio/conmon', '/usr/local/bin/conmon'],
    vectors: ['ServiceAccountToken'],
    source: ELASTIC_UNUSUAL_IMDS_RULE,
  },
  {
    id: 'dockerd',
    hostOnly: true,
    description: 'Docker engine (dockerd) when used as the node runtime: creates the container mounts.',
    platform: 'linux',
    names: ['dockerd'],
    pathPatterns: ['/usr/bin/dockerd', '/usr/local/bin/dockerd'],
    vectors: ['ServiceAccountToken'],
    source: ELASTIC_UNUSUAL_IMDS_RULE,
  },

  // ───────────────────────────── Developer tools ─────────────────────────────
  {
    id: 'git-credential-store',
    description:
      "Git's plaintext credential helper (git credential-store), which reads ~/.git-credentials; it is a git builtin, so the executable may be git itself.",
    platform: 'any',
    names: ['git-credential-store', 'git', 'git-credential-store.exe', 'git.exe'],
    pathPatterns: [
      '/usr/lib/git-core/git-credential-store',
      '/usr/libexec/git-core/git-credential-store',
      '/usr/bin/git',
      '?:/program files/git/mingw64/libexec/git-core/git-credential-store.exe',
      '?:/program files/git/mingw64/bin/git.exe',
      '?:/program files/git/cmd/git.exe',
    ],
    vectors: ['TokenCache'],
    source: 'https://git-scm.com/docs/git-credential-store',
  },
  {
    id: 'git-credential-manager',
    description: 'Git Credential Manager (bundled with Git for Windows, or installed on Linux): reads its own and git credential stores.',
    platform: 'any',
    names: ['git-credential-manager', 'git-credential-manager.exe'],
    pathPatterns: [
      '?:/program files/git/mingw64/bin/git-credential-manager.exe',
      '?:/program files/git/mingw64/libexec/git-core/git-credential-manager.exe',
      '/usr/local/bin/git-credential-manager',
      '/usr/local/share/gcm-core/git-credential-manager',
    ],
    vectors: ['TokenCache'],
    source: 'https://github.com/git-ecosystem/git-credential-manager',
  },
  {
    id: 'vscode-desktop',
    description:
      'Visual Studio Code desktop (Electron): its Azure and AWS extensions read CLI caches and can ask IMDS for a token on a cloud VM.',
    platform: 'any',
    names: ['code.exe', 'code'],
    pathPatterns: [
      '?:/users/*/appdata/local/programs/microsoft vs code/code.exe',
      '?:/program files/microsoft vs code/code.exe',
      '/usr/share/code/code',
      '/snap/code/*/usr/share/code/code',
    ],
    vectors: ['TokenCache', 'TokenEndpoint'],
    source: ELASTIC_SUSPICIOUS_IMDS_RULE,
  },
  {
    id: 'vscode-server-node',
    description:
      'VS Code remote server node runtime, pinned to the versioned server folders that Elastic excludes in its IMDS rule (the folder is user-writable: a weaker anchor).',
    platform: 'linux',
    names: ['node'],
    pathPatterns: [
      '/home/*/.vscode-server/bin/*/node',
      '/root/.vscode-server/bin/*/node',
      '/home/*/.vscode-server/cli/servers/*/server/node',
      '/root/.vscode-server/cli/servers/*/server/node',
      '/vscode/vscode-server/bin/linux-x64/*/node',
    ],
    vectors: ['TokenCache', 'TokenEndpoint'],
    source: ELASTIC_SUSPICIOUS_IMDS_RULE,
  },
  {
    id: 'kubelogin',
    description:
      'Azure kubelogin, the kubectl credential plugin for AKS: reads the Azure CLI token cache (azurecli mode) and asks IMDS for a token (msi mode).',
    platform: 'any',
    names: ['kubelogin', 'kubelogin.exe'],
    pathPatterns: ['/usr/local/bin/kubelogin', '/usr/bin/kubelogin', '?:/users/*/.azure-kubelogin/kubelogin.exe'],
    vectors: ['TokenCache', 'TokenEndpoint'],
    source: 'https://github.com/Azure/kubelogin',
  },
  {
    id: 'azure-developer-cli',
    description:
      "The Azure Developer CLI (azd): reads and refreshes its own MSAL cache under ~/.azd/auth, and asks IMDS for a token when signed in with a managed identity. Its install script and deb/rpm put the binary in /opt/microsoft/azd (root's), the MSI in Program Files, Homebrew in its Cellar; not the per-user MSI install under the user's AppData.",
    platform: 'any',
    cloud: 'azure',
    names: ['azd', 'azd.exe', 'azd-linux-amd64', 'azd-linux-arm64', 'azd-darwin-amd64', 'azd-darwin-arm64'],
    pathPatterns: ['/opt/microsoft/azd', '/opt/microsoft/azd/azd-*', '?:/program files/azure dev cli/azd.exe', '/opt/homebrew/cellar/azd/*/bin/azd', '/usr/local/cellar/azd/*/bin/azd'],
    vectors: ['TokenCache', 'TokenEndpoint'],
    tokenFiles: [AZD_TOKEN_CACHE],
    source: 'https://github.com/Azure/azure-dev/blob/main/cli/installer/install-azd.sh',
  },

  // ───────────────────────────── Scanners and inventory agents ─────────────────────────────
  {
    id: 'qualys-cloud-agent-linux',
    description: 'Qualys Cloud Agent on Linux; reads instance metadata to identify the cloud asset.',
    platform: 'linux',
    names: ['qualys-cloud-agent'],
    pathPatterns: ['/usr/local/qualys/cloud-agent/bin/qualys-cloud-agent'],
    vectors: ['TokenEndpoint'],
    source: ELASTIC_UNUSUAL_IMDS_RULE,
  },
  {
    id: 'tenable-nessus-agent-linux',
    description: 'Tenable Nessus Agent (and Nessus scanner) on Linux: service, daemon, agent module and CLI.',
    platform: 'linux',
    names: ['nessus-service', 'nessusd', 'nessus-agent-module', 'nessuscli'],
    pathPatterns: [
      ...eachIn('/opt/nessus_agent/sbin', ['nessus-service', 'nessusd', 'nessuscli']),
      '/opt/nessus_agent/**/nessus-agent-module',
      ...eachIn('/opt/nessus/sbin', ['nessus-service', 'nessusd', 'nessuscli']),
    ],
    vectors: ['TokenEndpoint'],
    source: ELASTIC_UNUSUAL_IMDS_RULE,
  },
  {
    id: 'rapid7-insight-agent',
    description: 'Rapid7 Insight Agent (ir_agent), top-level and versioned component binaries, on Linux and Windows.',
    platform: 'any',
    names: ['ir_agent', 'ir_agent.exe'],
    pathPatterns: [
      '/opt/rapid7/ir_agent/ir_agent',
      '/opt/rapid7/ir_agent/components/insight_agent/*/ir_agent',
      '?:/program files/rapid7/insight agent/ir_agent.exe',
      '?:/program files/rapid7/insight agent/components/insight_agent/*/ir_agent.exe',
    ],
    vectors: ['TokenEndpoint'],
    source: 'https://docs.rapid7.com/insight-agent/agent-logs/',
  },
  {
    id: 'runzero-agent',
    description: 'runZero (formerly Rumble) network discovery agent; the binary name carries a build suffix.',
    platform: 'linux',
    names: ['rumble-agent'],
    pathPatterns: ['/opt/rumble/bin/rumble-agent*'],
    vectors: ['TokenEndpoint'],
    source: ELASTIC_UNUSUAL_IMDS_RULE,
  },
  {
    id: 'oracle-cloud-agent',
    description: 'Oracle Cloud Agent and its plugins (OCI instance metadata at 169.254.169.254/opc).',
    platform: 'linux',
    names: ['oracle-cloud-agent'],
    pathPatterns: ['/usr/libexec/oracle-cloud-agent/**', '/snap/oracle-cloud-agent/**'],
    vectors: ['TokenEndpoint'],
    source: ELASTIC_UNUSUAL_IMDS_RULE,
  },
  {
    id: 'elastic-agent',
    description:
      'Elastic Agent and the Beats it runs as components; add_cloud_metadata queries the metadata service of every supported cloud at start.',
    platform: 'any',
    names: [
      'elastic-agent', 'filebeat', 'metricbeat', 'auditbeat', 'packetbeat', 'heartbeat',
      'elastic-agent.exe', 'filebeat.exe', 'metricbeat.exe', 'auditbeat.exe', 'packetbeat.exe', 'heartbeat.exe', 'winlogbeat.exe',
    ],
    pathPatterns: [
      '/opt/elastic/agent/data/elastic-agent-*/elastic-agent',
      ...eachIn('/opt/elastic/agent/data/elastic-agent-*/components', ['filebeat', 'metricbeat', 'auditbeat', 'packetbeat', 'heartbeat']),
      '?:/program files/elastic/agent/data/elastic-agent-*/elastic-agent.exe',
      ...eachIn('?:/program files/elastic/agent/data/elastic-agent-*/components', [
        'filebeat.exe',
        'metricbeat.exe',
        'auditbeat.exe',
        'packetbeat.exe',
        'heartbeat.exe',
        'winlogbeat.exe',
      ]),
    ],
    vectors: ['TokenEndpoint'],
    source: ELASTIC_AGENT_LAYOUT,
  },
  {
    id: 'elastic-beats-standalone',
    description: 'Standalone Elastic Beats (deb/rpm and Windows installs); add_cloud_metadata is on by default.',
    platform: 'any',
    names: ['filebeat', 'metricbeat', 'auditbeat', 'packetbeat', 'heartbeat', 'filebeat.exe', 'metricbeat.exe', 'auditbeat.exe', 'winlogbeat.exe'],
    pathPatterns: [
      '/usr/share/filebeat/bin/filebeat',
      '/usr/share/metricbeat/bin/metricbeat',
      '/usr/share/auditbeat/bin/auditbeat',
      '/usr/share/packetbeat/bin/packetbeat',
      '/usr/share/heartbeat/bin/heartbeat',
      '?:/program files/filebeat/filebeat.exe',
      '?:/program files/metricbeat/metricbeat.exe',
      '?:/program files/auditbeat/auditbeat.exe',
      '?:/program files/winlogbeat/winlogbeat.exe',
    ],
    vectors: ['TokenEndpoint'],
    source: ELASTIC_ADD_CLOUD_METADATA,
  },
  {
    id: 'datadog-agent',
    description: 'Datadog Agent and its sub-agents; reads EC2, Azure and GCE metadata to resolve the host name and cloud tags.',
    platform: 'any',
    names: ['agent', 'process-agent', 'trace-agent', 'security-agent', 'system-probe', 'agent.exe', 'process-agent.exe', 'trace-agent.exe'],
    pathPatterns: [
      '/opt/datadog-agent/bin/agent/agent',
      ...eachIn('/opt/datadog-agent/embedded/bin', ['process-agent', 'trace-agent', 'security-agent', 'system-probe']),
      '?:/program files/datadog/datadog agent/bin/agent.exe',
      ...eachIn('?:/program files/datadog/datadog agent/bin/agent', ['process-agent.exe', 'trace-agent.exe']),
    ],
    vectors: ['TokenEndpoint'],
    source: 'https://docs.datadoghq.com/agent/faq/how-datadog-agent-determines-the-hostname/',
  },
  {
    id: 'newrelic-infra-agent',
    description: 'New Relic infrastructure agent; detects the cloud provider from instance metadata unless disable_cloud_metadata is set.',
    platform: 'any',
    names: ['newrelic-infra', 'newrelic-infra-service', 'newrelic-infra.exe', 'newrelic-infra-service.exe'],
    pathPatterns: [
      '/usr/bin/newrelic-infra',
      '/usr/bin/newrelic-infra-service',
      '?:/program files/new relic/newrelic-infra/newrelic-infra.exe',
      '?:/program files/new relic/newrelic-infra/newrelic-infra-service.exe',
    ],
    vectors: ['TokenEndpoint'],
    source: 'https://docs.newrelic.com/docs/infrastructure/install-infrastructure-agent/linux-installation/tarball-manual-install-infrastructure-linux/',
  },
  {
    id: 'qualys-cloud-agent-windows',
    description: 'Qualys Cloud Agent on Windows; reads instance metadata to identify the cloud asset.',
    platform: 'windows',
    names: ['qualysagent.exe'],
    pathPatterns: ['?:/program files/qualys/qualysagent/qualysagent.exe'],
    vectors: ['TokenEndpoint'],
    source: 'https://docs.qualys.com/en/ca/latest/install/windows/installation_requirements.htm',
  },
  {
    id: 'tenable-nessus-agent-windows',
    description: 'Tenable Nessus Agent on Windows: the agent service and its scanner process.',
    platform: 'windows',
    names: ['nessusd.exe', 'nessus-service.exe', 'nessuscli.exe'],
    pathPatterns: ['?:/program files/tenable/nessus agent/nessusd.exe', '?:/program files/tenable/nessus agent/nessus-service.exe', '?:/program files/tenable/nessus agent/nessuscli.exe'],
    vectors: ['TokenEndpoint'],
    source: 'https://docs.tenable.com/nessus-agent/Content/InstallNessusAgentsWindows.htm',
  },
  {
    id: 'microsoft-defender-endpoint-windows',
    description: 'Microsoft Defender for Endpoint sensor on Windows; reads instance metadata to tag the machine with its cloud resource (SenseImdsCollector.exe, its IMDS collector module).',
    platform: 'windows',
    names: MDE_SENSOR_PROCESSES,
    pathPatterns: [
      ...eachIn('?:/program files/windows defender advanced threat protection', MDE_SENSOR_PROCESSES),
      // Server 2012 R2 / 2016 (modern unified solution) and sensors updated by KB5005292 run from a versioned Platform folder.
      ...eachIn('?:/programdata/microsoft/windows defender advanced threat protection/platform/*', MDE_SENSOR_PROCESSES),
    ],
    vectors: ['TokenEndpoint'],
    source: MDE_EXCLUSIONS,
  },
  {
    id: 'microsoft-defender-endpoint-linux',
    hostOnly: true,
    description: 'Microsoft Defender for Endpoint on Linux (mdatp); reads instance metadata to tag the machine with its cloud resource.',
    platform: 'linux',
    names: ['wdavdaemon'],
    pathPatterns: ['/opt/microsoft/mdatp/sbin/wdavdaemon'],
    vectors: ['TokenEndpoint'],
    source: 'https://learn.microsoft.com/defender-endpoint/linux-resources',
  },
  {
    id: 'kube-proxy',
    description:
      "Kubernetes kube-proxy on the node; authenticates to the API server with its own service-account token (mounted at /var/run/secrets/kubernetes.io/serviceaccount), not other pods' tokens under kubelet's volumes.",
    platform: 'linux',
    names: ['kube-proxy'],
    pathPatterns: ['/usr/local/bin/kube-proxy', '/usr/bin/kube-proxy'],
    vectors: ['ServiceAccountToken'],
    tokenFiles: ['kubernetes-service-account'],
    source: 'https://kubernetes.io/docs/reference/command-line-tools-reference/kube-proxy/',
  },
  {
    id: 'aks-system-pods',
    description:
      "AKS kube-system pods that ask IMDS for the node's metadata or a managed identity token: cloud-node-manager (cloud-provider-azure's IMDS client, /metadata/instance and /metadata/loadbalancer), azure-cns (/metadata/instance), the Azure Disk, Azure Files and Blob CSI node plugins (the cloud provider's metadata and managed identity credential) and the Key Vault secrets-store provider (its VM managed identity mode). They run in containers at the paths their images put them.",
    platform: 'linux',
    cloud: 'azure',
    names: ['cloud-node-manager', 'azure-cns', 'azurediskplugin', 'azurefileplugin', 'blobplugin', 'secrets-store-csi-driver-provider-azure'],
    pathPatterns: ['/usr/local/bin/cloud-node-manager', '/usr/local/bin/azure-cns', '/azurediskplugin', '/azurefileplugin', '/blobplugin', '/bin/secrets-store-csi-driver-provider-azure'],
    vectors: ['TokenEndpoint'],
    source: 'https://github.com/kubernetes-sigs/cloud-provider-azure/blob/master/pkg/provider/azure_instance_metadata.go',
  },
  {
    id: 'aks-container-insights',
    description:
      "Azure Monitor Container Insights' ama-logs pods: the image's startup script /opt/main.sh reads the pod's own service-account token with cat (for the kubelet's /stats/summary and /pods), and its ruby, fluent-bit, fluentd, mdsd and telegraf read it as API clients. Trusted for the pod's own token only, and only in Microsoft's Container Insights image.",
    platform: 'linux',
    cloud: 'azure',
    names: ['cat', 'ruby', 'fluent-bit', 'fluentd', 'mdsd', 'telegraf'],
    pathPatterns: [],
    containerImages: ['mcr.microsoft.com/azuremonitor/containerinsights/ciprod*'],
    vectors: ['ServiceAccountToken'],
    tokenFiles: ['kubernetes-service-account'],
    source: 'https://github.com/microsoft/Docker-Provider/blob/ci_prod/kubernetes/linux/main.sh',
  },
  {
    id: 'wiz-runtime-sensor',
    description: 'Wiz runtime sensor on Linux hosts and as the ECS/Fargate entrypoint wrapper; reads instance metadata to identify the workload.',
    platform: 'linux',
    names: ['wiz-sensor'],
    pathPatterns: ['/opt/wiz/sensor/wiz-sensor'],
    vectors: ['TokenEndpoint'],
    source: 'https://www.wiz.io/blog/wiz-runtime-sensor-for-linux',
  },
  {
    id: 'crowdstrike-falcon-sensor',
    description: 'CrowdStrike Falcon sensor (falcond and its sensor process on Linux, CSFalconService on Windows); reads instance metadata for cloud asset details.',
    platform: 'any',
    names: ['falcond', 'falcon-sensor', 'falcon-sensor-bpf', 'csfalconservice.exe'],
    pathPatterns: ['/opt/crowdstrike/falcond', '/opt/crowdstrike/falcon-sensor', '/opt/crowdstrike/falcon-sensor-bpf', '?:/program files/crowdstrike/csfalconservice.exe'],
    vectors: ['TokenEndpoint'],
    source: 'https://github.com/CrowdStrike/falcon-scripts',
  },
];
