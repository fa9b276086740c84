import type { TheftVector } from '../alerts/alertRow';

/**
 * One entry of a theft allowlist: a program that legitimately asks a token endpoint for a token,
 * reads a service-account token file, or opens a cloud CLI token cache.
 *
 * Path patterns are matched case-insensitively against the process executable path after
 * normalisation (`\` becomes `/`; a Windows drive `C:` or a `\device\harddiskvolumeN` prefix both
 * match the pattern prefix `?:`). Pattern syntax:
 *   `*`  any characters within one path segment (so `*` also covers version numbers: `2.9.1.1`)
 *   `**` any characters across segments
 * Script entries: a pattern may name a script instead of an executable (`/usr/sbin/waagent`,
 * `/var/lib/waagent/walinuxagent-*\/bin/walinuxagent-*.egg`, an EC2Launch `.ps1`); it is matched
 * against the script an interpreter (or `powershell -File`) runs, resolved against the working directory.
 * Examples: `?:/windowsazure/packages/waappagent.exe`, `?:/packages/plugins/*\/*\/networkwatcheragent.exe`,
 * `/usr/sbin/waagent`, `/var/lib/waagent/**\/*.py` (written without the backslash).
 * When the telemetry has only a process name, `names` decides, and the match is weaker (said in Evidence).
 */
export interface TrustedProcess {
  /** Stable id, kebab-case: `azure-windows-guest-agent`. */
  readonly id: string;
  /** Who ships it and what it does, in one sentence. */
  readonly description: string;
  readonly platform: 'windows' | 'linux' | 'macos' | 'any';
  /**
   * The cloud whose VMs run this agent: for the token endpoint vector it is trusted only on that
   * cloud's endpoints (and on a bare metadata connection, whose cloud is not known), so an AWS
   * agent's path made on an Azure VM (`C:\ProgramData\Amazon\…`, creatable by any user) does
   * not silence a request to Azure IMDS. Absent: any cloud (the Arc agent probes the metadata
   * service of the cloud its server runs in).
   */
  readonly cloud?: 'azure' | 'aws' | 'gcp';
  /** Executable file names, lower case (`waappagent.exe`, `waagent`). */
  readonly names: readonly string[];
  /** Install locations (see syntax above). A name match outside every pattern is NOT trusted. */
  readonly pathPatterns: readonly string[];
  /** Vectors this program is trusted for. */
  readonly vectors: readonly TheftVector[];
  /**
   * For the file vectors (ServiceAccountToken, TokenCache): the token file pattern ids (tokenFiles.ts)
   * the trust covers, when narrower than every file of the vector. The Arc agent is trusted to read
   * its own key files (`azure-arc-token-key`), not the users' CLI caches. Absent: every file.
   */
  readonly tokenFiles?: readonly string[];
  /**
   * For an interpreter at a shared location (the system python, which every user's scripts run
   * in): the modules (`python -m <module>`) the trust covers, and nothing else it runs. The rpm
   * Azure CLI is `/usr/bin/python3.9 -sm azure.cli`; the same python running a script, inline code
   * or any other module is judged as the interpreter it is. Absent: what the entry's own install
   * runs (see decideTrust).
   */
  readonly modules?: readonly string[];
  /**
   * A node agent that never runs inside a container (the VM and Arc agents, kubelet, the container
   * runtimes): an event that names a container (ECS `container.id`) is not this program, whatever
   * its path, since an image can put any binary at `/usr/local/bin/kubelet`.
   */
  readonly hostOnly?: boolean;
  /**
   * Root-owned scripts whose children the trust covers, and nothing else: the entry's `names`
   * (curl, wget) run from a system folder by a POSIX shell whose command line runs one of these
   * scripts (`/bin/bash /opt/azure/containers/provision_start.sh`). AKS's node provisioning asks
   * IMDS with curl; curl itself stays untrusted everywhere else. Needs the parent's command line
   * (Defender process rows, Sysmon 1, ECS process events); without it the child is judged as itself.
   */
  readonly parentScripts?: readonly string[];
  /**
   * The parent's whole command lines whose children the trust covers, and nothing else, where the
   * parent runs no script to name: white space collapsed, letter case aside, `*` any run of
   * characters within one word (so nothing can be appended to the command). AgentBaker wraps its
   * registry token request in `timeout 60 curl …` and runs its older tag helpers as `bash -cx
   * <function>`; these are those exact wrappers. The child must be one of `names` in a system
   * folder, as for parentScripts.
   */
  readonly parentCommandLines?: readonly string[];
  /**
   * Container images whose processes the trust covers, and nothing else: the entry's `names` run
   * from system folders inside a container of one of these images (path pattern syntax, `*` within
   * one part: `mcr.microsoft.com/azuremonitor/containerinsights/ciprod*`). Container Insights' startup
   * script reads its pod's token with `cat`. Microsoft's registry path is not one a pod's owner
   * can fill, though a pod may run the image with a command of its own: keep `tokenFiles` narrow.
   * Needs the image (Defender for Containers' ContainerImageName, ECS `container.image.name`).
   */
  readonly containerImages?: readonly string[];
  /** Public reference for the entry (vendor doc, rule tuning commit, sample file). */
  readonly source: string;
}
