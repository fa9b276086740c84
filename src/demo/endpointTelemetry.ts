import type { TheftVector } from '../core/alerts/alertRow';
import {
  auditdConnectedTo,
  auditdOpenedFile,
  defendNetworkEvent,
  defendProcessEvent,
  mdeFileEvent,
  mdeNetworkEvent,
  mdeProcessEvent,
  sysmonWindowsEvent,
  type EndpointHost,
  type EndpointProcess,
  type EventTime,
} from './endpointRecords';
import { parseTime } from '../core/records/time';
import { DEMO_SUBSCRIPTIONS, DEMO_TENANT_ID } from './identities';
import { createRandom, deriveSeed, type Random } from './random';
import { isoTicks, MS_PER_DAY, parseDay } from './timeFormat';

/**
 * Endpoint telemetry of the demo estate: Windows VMs reporting through Defender for Endpoint or
 * Sysmon, Linux VMs through Elastic Defend and auditd-manager, AKS nodes through auditd-manager.
 * Mostly the cloud agents doing their job (guest agents and Network Watcher polling the instance
 * metadata service, kubelet handling service-account tokens, the Azure CLI using its own cache),
 * plus planted token thefts, each listed with what the theft detector is expected to do with it.
 * Given VMs of the demo tenant (`tenantMachines`, see src/demo/stolenAndUsed.ts), it also reports
 * from those machines and plants the theft half of the stolen-and-used story on one of them.
 */

export type HostKind = 'windows-mde' | 'windows-sysmon' | 'linux-vm' | 'aks-node';

export interface DemoHost extends EndpointHost {
  readonly kind: HostKind;
}

export type EndpointFormat = 'mde' | 'sysmon' | 'elastic-defend' | 'auditd-manager';

export interface PlantedTheft {
  /** `T1`… for thefts, `B1`… for benign controls. */
  readonly id: string;
  /** Records of the same act share it (a process start and its connection are one theft seen twice). */
  readonly act: string;
  readonly kind: 'theft' | 'benign';
  readonly expectAlert: boolean;
  readonly vector: TheftVector;
  readonly format: EndpointFormat;
  /** MDE category, `Sysmon <EventID>`, or the ECS `event.action`. */
  readonly recordType: string;
  readonly hostName: string;
  readonly hostId: string;
  /** Event time as the record writes it (MDE Timestamp, Sysmon UtcTime, ECS @timestamp). */
  readonly time: string;
  readonly processPath: string;
  readonly commandLine: string;
  readonly account: string;
  /** The URL, address:port or file the process reached for. */
  readonly target: string;
  readonly description: string;
}

export interface EndpointBody {
  /** `endpoint-day-003-part-01.json`: name order is time order. */
  readonly name: string;
  readonly body: { readonly records: unknown[] };
}

export interface EndpointTelemetryOptions {
  readonly seed?: number;
  /** ISO day of the first record; default `2026-09-01`. */
  readonly start?: string;
  /** Days of telemetry, at least 1; default 7. */
  readonly days?: number;
  /** Hosts, at least 4 (one of each kind); default 12. */
  readonly hosts?: number;
  /** Upper bound of records per body; default 300. */
  readonly recordsPerBody?: number;
  /**
   * VMs of the demo tenant that report through Defender for Endpoint as well, after the generated
   * hosts: the theft half of the stolen-and-used story and its control (see src/demo/stolenAndUsed.ts).
   */
  readonly tenantMachines?: TenantMachinePlan;
}

/** A VM of the demo tenant (src/demo/tenant.ts), named as Azure names it. */
export interface TenantMachine {
  /** Its Azure name (`vm-contoso-app-01`), the last segment of its resource id; Defender names the host `<name>.contoso.com`. */
  readonly name: string;
  /** Its ARM id: the `xms_mirid` of its system-assigned identity. */
  readonly resourceId: string;
}

/** Which tenant VMs report endpoint telemetry, and what happens on them. */
export interface TenantMachinePlan {
  /**
   * The VM whose Managed Identity token an intruder fetches from IMDS (curl.exe, seen by Defender)
   * between 10 and 90 minutes before the tenant's planted use of it from outside Azure, and after
   * the token was issued (IMDS hands out the token it holds).
   */
  readonly stolen: TenantMachine & {
    /** Id of the tenant's planted use (`RPL1`), for the description. */
    readonly useStory: string;
    /** Time of that use, as the tenant's record writes it. */
    readonly useTime: string;
    /** When the token used was issued. */
    readonly tokenIssuedAt: string;
  };
  /**
   * A VM whose identity is never used outside Azure: an administrator asks IMDS for its token with
   * PowerShell a few hours before the theft. The theft detector alerts; no stolen-and-used incident follows.
   */
  readonly control: TenantMachine;
}

export interface EndpointTelemetry {
  readonly bodies: EndpointBody[];
  readonly planted: PlantedTheft[];
  readonly hosts: DemoHost[];
}

export const DEFAULT_ENDPOINT_SEED = 20260902;
const HOST_KINDS: readonly HostKind[] = ['windows-mde', 'windows-sysmon', 'linux-vm', 'aks-node'];
const HOUR_MS = 3_600_000;

export const IMDS_IP = '169.254.169.254';
export const IMDS_TOKEN_URL = 'http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://management.azure.com/';

/** The processes the estate runs. Paths are the real install locations of each agent. */
const PROGRAMS = {
  guestAgent: {
    path: 'C:\\WindowsAzure\\GuestAgent_2.7.41491.1102_2024-01-01_000000\\WindowsAzureGuestAgent.exe',
    commandLine: '"C:\\WindowsAzure\\GuestAgent_2.7.41491.1102_2024-01-01_000000\\WindowsAzureGuestAgent.exe"',
    account: 'NT AUTHORITY\\SYSTEM',
    parentPath: 'C:\\Windows\\System32\\services.exe',
  },
  networkWatcher: {
    path: 'C:\\Packages\\Plugins\\Microsoft.Azure.NetworkWatcher.NetworkWatcherAgentWindows\\1.4.2798.3\\NetworkWatcherAgent\\NetworkWatcherAgent.exe',
    commandLine: '"C:\\Packages\\Plugins\\Microsoft.Azure.NetworkWatcher.NetworkWatcherAgentWindows\\1.4.2798.3\\NetworkWatcherAgent\\NetworkWatcherAgent.exe"',
    account: 'NT AUTHORITY\\SYSTEM',
    parentPath: 'C:\\Windows\\System32\\services.exe',
  },
  azCliWindows: {
    path: 'C:\\Program Files\\Microsoft SDKs\\Azure\\CLI2\\python.exe',
    commandLine: '"C:\\Program Files\\Microsoft SDKs\\Azure\\CLI2\\python.exe" -IBm azure.cli storage blob upload --account-name stcontosodata01 --auth-mode login',
    account: 'CONTOSO\\svc-deploy',
    parentPath: 'C:\\Windows\\System32\\cmd.exe',
  },
  sqlServer: {
    path: 'C:\\Program Files\\Microsoft SQL Server\\MSSQL16.MSSQLSERVER\\MSSQL\\Binn\\sqlservr.exe',
    commandLine: '"C:\\Program Files\\Microsoft SQL Server\\MSSQL16.MSSQLSERVER\\MSSQL\\Binn\\sqlservr.exe" -sMSSQLSERVER',
    account: 'NT SERVICE\\MSSQLSERVER',
    parentPath: 'C:\\Windows\\System32\\services.exe',
  },
  windowsUpdate: {
    path: 'C:\\Windows\\System32\\svchost.exe',
    commandLine: 'C:\\Windows\\system32\\svchost.exe -k netsvcs -p -s wuauserv',
    account: 'NT AUTHORITY\\SYSTEM',
    parentPath: 'C:\\Windows\\System32\\services.exe',
  },
  waagent: {
    path: '/usr/bin/python3.10',
    commandLine: 'python3 -u /usr/sbin/waagent -run-exthandlers',
    account: 'root',
    parentPath: '/usr/bin/python3.10',
  },
  azCliLinux: {
    path: '/opt/az/bin/python3',
    commandLine: '/opt/az/bin/python3 -Im azure.cli storage blob list --account-name stcontosologs01 --auth-mode login',
    account: 'azureuser',
    parentPath: '/usr/bin/bash',
  },
  kubelet: {
    path: '/usr/local/bin/kubelet',
    commandLine: '/usr/local/bin/kubelet --config=/var/lib/kubelet/config.yaml --kubeconfig=/var/lib/kubelet/kubeconfig',
    account: 'root',
    parentPath: '/usr/lib/systemd/systemd',
  },
  logrotate: {
    path: '/usr/sbin/logrotate',
    commandLine: '/usr/sbin/logrotate /etc/logrotate.conf',
    account: 'root',
    parentPath: '/usr/lib/systemd/systemd',
  },
} as const satisfies Record<string, Omit<EndpointProcess, 'pid' | 'parentPid' | 'sha256'>>;

interface Timed {
  readonly ms: number;
  readonly record: unknown;
}

interface Context {
  readonly random: Random;
  readonly out: Timed[];
  readonly planted: PlantedTheft[];
  /** Benign classes already listed as a control. */
  readonly controls: Set<string>;
  reportId: number;
  sequence: number;
}

function run(ctx: Context, program: Omit<EndpointProcess, 'pid' | 'parentPid' | 'sha256'>): EndpointProcess {
  const { random } = ctx;
  // A stable hash per program path, so the same binary always has the same SHA-256.
  const sha256 = createRandom(deriveSeed(0, program.path)).hex(64);
  return { ...program, pid: random.int(400, 65_000), parentPid: random.int(300, 9_000), sha256 };
}

function eventTime(ms: number, random: Random): EventTime {
  return { ms: Math.floor(ms), time: isoTicks(Math.floor(ms), random.int(0, 9999)) };
}

/** The time text a record of that format carries (what PlantedTheft.time names). */
function recordTime(format: EndpointFormat, at: EventTime): string {
  return format === 'mde' || format === 'sysmon' ? at.time : new Date(at.ms).toISOString();
}

function note(
  ctx: Context,
  entry: Omit<PlantedTheft, 'id' | 'time' | 'hostName' | 'hostId' | 'processPath' | 'commandLine' | 'account'>,
  host: DemoHost,
  at: EventTime,
  process: EndpointProcess,
): void {
  if (entry.kind === 'benign') {
    if (ctx.controls.has(entry.act)) return;
    ctx.controls.add(entry.act);
  }
  const prefix = entry.kind === 'theft' ? 'T' : 'B';
  const id = `${prefix}${ctx.planted.filter((p) => p.kind === entry.kind).length + 1}`;
  ctx.planted.push({
    ...entry,
    id,
    time: recordTime(entry.format, at),
    hostName: host.name,
    hostId: host.id,
    processPath: process.path,
    commandLine: process.commandLine,
    account: process.account,
  });
}

function buildHosts(count: number, random: Random): DemoHost[] {
  if (!Number.isInteger(count) || count < HOST_KINDS.length) throw new RangeError(`hosts: need an integer of at least ${HOST_KINDS.length}, got ${count}.`);
  const seen = new Map<HostKind, number>();
  return Array.from({ length: count }, (_, i) => {
    const kind = HOST_KINDS[i % HOST_KINDS.length] as HostKind;
    const n = (seen.get(kind) ?? 0) + 1;
    seen.set(kind, n);
    const nn = String(n).padStart(2, '0');
    const name =
      kind === 'windows-mde' ? `vm-web-${nn}.contoso.com`
      : kind === 'windows-sysmon' ? `vm-app-${nn}.contoso.com`
      : kind === 'linux-vm' ? `vm-batch-${nn}`
      : `aks-nodepool1-2${random.hex(7)}-vmss${String(n - 1).padStart(6, '0')}`;
    const vmName = name.split('.')[0] ?? name;
    const resourceId =
      kind === 'aks-node'
        ? `/subscriptions/${DEMO_SUBSCRIPTIONS.production}/resourceGroups/MC_rg-contoso-aks_aks-contoso-gateway-01_westeurope/providers/Microsoft.Compute/virtualMachineScaleSets/aks-nodepool1-vmss/virtualMachines/${n - 1}`
        : `/subscriptions/${DEMO_SUBSCRIPTIONS.production}/resourceGroups/rg-contoso-compute/providers/Microsoft.Compute/virtualMachines/${vmName}`;
    return {
      kind,
      name,
      // MDE DeviceIds are 40 hex digits; ECS host.id (machine-id) 32.
      id: kind.startsWith('windows') ? random.hex(40) : random.hex(32),
      resourceId,
      privateIp: `10.${10 + HOST_KINDS.indexOf(kind)}.0.${3 + n}`,
    };
  });
}

/** `count` times spread over the day at roughly even intervals, each jittered by up to a few minutes. */
function spread(dayMs: number, count: number, random: Random): number[] {
  const step = MS_PER_DAY / count;
  return Array.from({ length: count }, (_, i) => dayMs + i * step + random.next() * Math.min(step * 0.8, 10 * 60_000));
}

function benignDay(ctx: Context, host: DemoHost, dayMs: number): void {
  const { random, out } = ctx;
  const push = (ms: number, record: unknown) => out.push({ ms, record });
  const tenantId = DEMO_TENANT_ID;
  switch (host.kind) {
    case 'windows-mde': {
      // Both agents poll the metadata service every couple of hours.
      for (const [program, act] of [[PROGRAMS.guestAgent, 'guest-agent-imds'], [PROGRAMS.networkWatcher, 'network-watcher-imds']] as const) {
        for (const ms of spread(dayMs, 12, random)) {
          const at = eventTime(ms, random);
          const process = run(ctx, program);
          push(ms, mdeNetworkEvent({ tenantId, host, at, process, remoteIp: IMDS_IP, remotePort: 80, remoteUrl: '', reportId: ctx.reportId++, random }));
          note(ctx, { act, kind: 'benign', expectAlert: false, vector: 'TokenEndpoint', format: 'mde', recordType: 'AdvancedHunting-DeviceNetworkEvents', target: `${IMDS_IP}:80`, description: `${program === PROGRAMS.guestAgent ? 'The Azure guest agent' : 'Network Watcher'} polls the instance metadata service.` }, host, at, process);
        }
      }
      for (const ms of spread(dayMs, 3, random)) {
        const at = eventTime(ms, random);
        push(ms, mdeNetworkEvent({ tenantId, host, at, process: run(ctx, PROGRAMS.sqlServer), remoteIp: `13.80.${random.int(1, 250)}.${random.int(1, 250)}`, remotePort: 443, remoteUrl: 'stcontosobackup01.blob.core.windows.net', reportId: ctx.reportId++, random }));
        const updateAt = eventTime(ms + random.int(1, 50) * 60_000, random);
        push(updateAt.ms, mdeProcessEvent({ tenantId, host, at: updateAt, process: run(ctx, PROGRAMS.windowsUpdate), parent: run(ctx, { ...PROGRAMS.windowsUpdate, path: 'C:\\Windows\\System32\\services.exe', commandLine: 'C:\\Windows\\system32\\services.exe' }), reportId: ctx.reportId++, random }));
      }
      return;
    }
    case 'windows-sysmon': {
      for (const [program, act] of [[PROGRAMS.networkWatcher, 'network-watcher-imds'], [PROGRAMS.guestAgent, 'guest-agent-imds']] as const) {
        for (const ms of spread(dayMs, 12, random)) {
          const at = eventTime(ms, random);
          const process = run(ctx, program);
          push(ms, sysmonWindowsEvent(host, at, { eventId: 3, process, destinationIp: IMDS_IP, destinationPort: 80, destinationHostname: '-' }, random));
          note(ctx, { act: `${act}-sysmon`, kind: 'benign', expectAlert: false, vector: 'TokenEndpoint', format: 'sysmon', recordType: 'Sysmon 3', target: `${IMDS_IP}:80`, description: 'A cloud agent calls the instance metadata service (Sysmon network connection).' }, host, at, process);
        }
      }
      // The deployment account's az CLI refreshes its token cache once a day.
      const cliAt = eventTime(dayMs + 8 * HOUR_MS + random.next() * HOUR_MS, random);
      const cli = run(ctx, PROGRAMS.azCliWindows);
      push(cliAt.ms, sysmonWindowsEvent(host, cliAt, { eventId: 1, process: cli, currentDirectory: 'C:\\Users\\svc-deploy\\' }, random));
      const cacheAt = eventTime(cliAt.ms + 1_500, random);
      const cachePath = 'C:\\Users\\svc-deploy\\.azure\\msal_token_cache.json';
      push(cacheAt.ms, sysmonWindowsEvent(host, cacheAt, { eventId: 11, process: cli, targetFilename: cachePath }, random));
      note(ctx, { act: 'az-cli-cache-windows', kind: 'benign', expectAlert: false, vector: 'TokenCache', format: 'sysmon', recordType: 'Sysmon 11', target: cachePath, description: 'The Azure CLI rewrites its own token cache.' }, host, cacheAt, cli);
      for (const ms of spread(dayMs, 3, random)) {
        const at = eventTime(ms, random);
        push(ms, sysmonWindowsEvent(host, at, { eventId: 1, process: run(ctx, PROGRAMS.windowsUpdate), currentDirectory: 'C:\\Windows\\system32\\' }, random));
      }
      return;
    }
    case 'linux-vm':
    case 'aks-node': {
      for (const ms of spread(dayMs, 12, random)) {
        const at = eventTime(ms, random);
        const process = run(ctx, PROGRAMS.waagent);
        push(ms, auditdConnectedTo({ host, at, process, destinationIp: IMDS_IP, destinationPort: 80, sequence: ctx.sequence++ }));
        note(ctx, { act: 'waagent-imds', kind: 'benign', expectAlert: false, vector: 'TokenEndpoint', format: 'auditd-manager', recordType: 'connected-to', target: `${IMDS_IP}:80`, description: 'WALinuxAgent (python running /usr/sbin/waagent) polls the instance metadata service.' }, host, at, process);
      }
      if (host.kind === 'linux-vm') {
        for (const ms of spread(dayMs + 7 * HOUR_MS, 2, random)) {
          const at = eventTime(ms, random);
          const process = run(ctx, PROGRAMS.azCliLinux);
          const path = '/home/azureuser/.azure/msal_token_cache.json';
          push(ms, auditdOpenedFile({ host, at, process, path, workingDirectory: '/home/azureuser', sequence: ctx.sequence++ }));
          note(ctx, { act: 'az-cli-cache-linux', kind: 'benign', expectAlert: false, vector: 'TokenCache', format: 'auditd-manager', recordType: 'opened-file', target: path, description: 'The Azure CLI reads its own token cache.' }, host, at, process);
        }
        const at = eventTime(dayMs + 6 * HOUR_MS + 25 * 60_000, random);
        push(at.ms, defendProcessEvent({ host, at, process: run(ctx, PROGRAMS.logrotate), workingDirectory: '/', random }));
      } else {
        // kubelet refreshes the projected service-account token of each of three pods every 4 hours.
        const pods = [0, 1, 2].map((i) => createRandom(deriveSeed(0, `${host.id}-pod-${i}`)).guid());
        for (const pod of pods) {
          for (const ms of spread(dayMs, 6, random)) {
            const at = eventTime(ms, random);
            const process = run(ctx, PROGRAMS.kubelet);
            const path = `/var/lib/kubelet/pods/${pod}/volumes/kubernetes.io~projected/kube-api-access-${pod.slice(0, 5)}/token`;
            push(ms, auditdOpenedFile({ host, at, process, path, workingDirectory: '/', sequence: ctx.sequence++ }));
            note(ctx, { act: 'kubelet-sa-token', kind: 'benign', expectAlert: false, vector: 'ServiceAccountToken', format: 'auditd-manager', recordType: 'opened-file', target: path, description: "kubelet handles a pod's projected service-account token." }, host, at, process);
          }
        }
      }
      return;
    }
  }
}

function firstOf(hosts: readonly DemoHost[], kind: HostKind): DemoHost {
  const host = hosts.find((h) => h.kind === kind);
  if (host === undefined) throw new Error(`generateEndpointTelemetry: no ${kind} host.`);
  return host;
}

/** The planted thefts, one day each from the third day on (clamped to the last day). */
function plantThefts(ctx: Context, hosts: readonly DemoHost[], startMs: number, days: number): void {
  const { random, out } = ctx;
  const dayOf = (n: number) => startMs + Math.min(days - 1, n) * MS_PER_DAY;
  const tenantId = DEMO_TENANT_ID;

  // T1/T2: a web shell on an IIS server runs PowerShell against the metadata service (seen by MDE).
  const web = firstOf(hosts, 'windows-mde');
  const w3wp = run(ctx, { path: 'C:\\Windows\\System32\\inetsrv\\w3wp.exe', commandLine: 'c:\\windows\\system32\\inetsrv\\w3wp.exe -ap "DefaultAppPool"', account: 'IIS APPPOOL\\DefaultAppPool', parentPath: 'C:\\Windows\\System32\\svchost.exe' });
  const powershell = run(ctx, {
    path: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
    commandLine: `powershell.exe -NoProfile -Command "Invoke-RestMethod -Headers @{Metadata='true'} -Uri '${IMDS_TOKEN_URL}'"`,
    account: 'IIS APPPOOL\\DefaultAppPool',
    parentPath: w3wp.path,
  });
  const t1 = eventTime(dayOf(2) + 13 * HOUR_MS + random.int(0, 3_000_000), random);
  out.push({ ms: t1.ms, record: mdeProcessEvent({ tenantId, host: web, at: t1, process: powershell, parent: w3wp, reportId: ctx.reportId++, random }) });
  note(ctx, { act: 'webshell-powershell-imds', kind: 'theft', expectAlert: true, vector: 'TokenEndpoint', format: 'mde', recordType: 'AdvancedHunting-DeviceProcessEvents', target: IMDS_TOKEN_URL, description: 'A web shell under w3wp.exe starts PowerShell to fetch a managed identity token from IMDS.' }, web, t1, powershell);
  const t2 = eventTime(t1.ms + 900, random);
  out.push({ ms: t2.ms, record: mdeNetworkEvent({ tenantId, host: web, at: t2, process: powershell, remoteIp: IMDS_IP, remotePort: 80, remoteUrl: '', reportId: ctx.reportId++, random }) });
  note(ctx, { act: 'webshell-powershell-imds', kind: 'theft', expectAlert: true, vector: 'TokenEndpoint', format: 'mde', recordType: 'AdvancedHunting-DeviceNetworkEvents', target: `${IMDS_IP}:80`, description: 'The same PowerShell connects to the metadata service.' }, web, t2, powershell);

  // T3: the same session copies a user's Azure CLI cache to a world-readable folder.
  const copy = run(ctx, {
    path: powershell.path,
    commandLine: 'powershell.exe -NoProfile -Command "Copy-Item C:\\Users\\svc-deploy\\.azure\\msal_token_cache.json C:\\Users\\Public\\msal_token_cache.json"',
    account: 'IIS APPPOOL\\DefaultAppPool',
    parentPath: w3wp.path,
  });
  const t3 = eventTime(t2.ms + 95_000, random);
  const copied = 'C:\\Users\\Public\\msal_token_cache.json';
  out.push({ ms: t3.ms, record: mdeFileEvent({ tenantId, host: web, at: t3, process: copy, action: 'FileCreated', path: copied, reportId: ctx.reportId++, random }) });
  note(ctx, { act: 'webshell-copies-cli-cache', kind: 'theft', expectAlert: true, vector: 'TokenCache', format: 'mde', recordType: 'AdvancedHunting-DeviceFileEvents', target: copied, description: "PowerShell under the web server copies the deployment account's Azure CLI token cache to C:\\Users\\Public." }, web, t3, copy);

  // T4/T5: curl with the metadata address written in hex (Sysmon 1 and 3).
  const app = firstOf(hosts, 'windows-sysmon');
  const curl = run(ctx, {
    path: 'C:\\Windows\\System32\\curl.exe',
    commandLine: 'curl.exe -s -H "Metadata: true" "http://0xa9fea9fe/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://management.azure.com/"',
    account: 'NT AUTHORITY\\SYSTEM',
    parentPath: 'C:\\Windows\\System32\\cmd.exe',
  });
  const t4 = eventTime(dayOf(3) + 2 * HOUR_MS + random.int(0, 3_000_000), random);
  out.push({ ms: t4.ms, record: sysmonWindowsEvent(app, t4, { eventId: 1, process: curl, currentDirectory: 'C:\\Windows\\Temp\\' }, random) });
  note(ctx, { act: 'curl-hex-imds', kind: 'theft', expectAlert: true, vector: 'TokenEndpoint', format: 'sysmon', recordType: 'Sysmon 1', target: 'http://0xa9fea9fe/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://management.azure.com/', description: 'curl asks for a managed identity token with the metadata address obfuscated as 0xa9fea9fe.' }, app, t4, curl);
  const t5 = eventTime(t4.ms + 400, random);
  out.push({ ms: t5.ms, record: sysmonWindowsEvent(app, t5, { eventId: 3, process: curl, destinationIp: IMDS_IP, destinationPort: 80, destinationHostname: '-' }, random) });
  note(ctx, { act: 'curl-hex-imds', kind: 'theft', expectAlert: true, vector: 'TokenEndpoint', format: 'sysmon', recordType: 'Sysmon 3', target: `${IMDS_IP}:80`, description: 'The socket of the same curl shows the real metadata address.' }, app, t5, curl);

  // T6: python dropped in /tmp of a pod reads the pod's service-account token (auditd on the AKS node).
  const node = firstOf(hosts, 'aks-node');
  const python = run(ctx, { path: '/tmp/.cache/python3', commandLine: '/tmp/.cache/python3 /tmp/.cache/k.py', account: 'root', parentPath: '/bin/sh' });
  const t6 = eventTime(dayOf(4) + 21 * HOUR_MS + random.int(0, 3_000_000), random);
  const saToken = '/var/run/secrets/kubernetes.io/serviceaccount/token';
  out.push({ ms: t6.ms, record: auditdOpenedFile({ host: node, at: t6, process: python, path: saToken, workingDirectory: '/tmp/.cache', containerId: random.hex(64), sequence: ctx.sequence++ }) });
  note(ctx, { act: 'tmp-python-sa-token', kind: 'theft', expectAlert: true, vector: 'ServiceAccountToken', format: 'auditd-manager', recordType: 'opened-file', target: saToken, description: 'A python binary dropped in /tmp of a pod reads the Kubernetes service-account token.' }, node, t6, python);

  // T7: cp copies root's Azure CLI token cache to /dev/shm (auditd on a Linux VM).
  const vm = firstOf(hosts, 'linux-vm');
  const cp = run(ctx, { path: '/usr/bin/cp', commandLine: 'cp /root/.azure/msal_token_cache.json /dev/shm/.c', account: 'root', parentPath: '/usr/bin/bash' });
  const t7 = eventTime(dayOf(5) + 3 * HOUR_MS + random.int(0, 3_000_000), random);
  const rootCache = '/root/.azure/msal_token_cache.json';
  out.push({ ms: t7.ms, record: auditdOpenedFile({ host: vm, at: t7, process: cp, path: rootCache, workingDirectory: '/root', sequence: ctx.sequence++ }) });
  note(ctx, { act: 'cp-cli-cache', kind: 'theft', expectAlert: true, vector: 'TokenCache', format: 'auditd-manager', recordType: 'opened-file', target: rootCache, description: "cp, not the Azure CLI, reads root's Azure CLI token cache." }, vm, t7, cp);

  // T8: a binary named waagent, running from /tmp, calls the metadata service (Elastic Defend).
  const fake = run(ctx, { path: '/tmp/waagent', commandLine: '/tmp/waagent -run-exthandlers', account: 'root', parentPath: '/usr/bin/bash' });
  const start = eventTime(t7.ms + 40 * 60_000, random);
  out.push({ ms: start.ms, record: defendProcessEvent({ host: vm, at: start, process: fake, workingDirectory: '/tmp', random }) });
  const t8 = eventTime(start.ms + 1_200, random);
  out.push({ ms: t8.ms, record: defendNetworkEvent({ host: vm, at: t8, process: fake, destinationIp: IMDS_IP, destinationPort: 80, random }) });
  note(ctx, { act: 'fake-waagent-imds', kind: 'theft', expectAlert: true, vector: 'TokenEndpoint', format: 'elastic-defend', recordType: 'connection_attempted', target: `${IMDS_IP}:80`, description: 'A fake waagent binary in /tmp connects to the metadata service: the agent name, but not its install path.' }, vm, t8, fake);
}

const VM_RESOURCE = /\/providers\/microsoft\.compute\/virtualmachines\/([^/]+)$/i;

/** The tenant's VMs as Defender hosts: FQDN host names, 40-hex DeviceIds, the VMs' own resource ids. */
function tenantHosts(plan: TenantMachinePlan, generated: readonly DemoHost[], random: Random): DemoHost[] {
  const machines = [plan.stolen, plan.control];
  return machines.map((machine, i) => {
    const vmName = VM_RESOURCE.exec(machine.resourceId)?.[1];
    if (vmName === undefined || vmName.toLowerCase() !== machine.name.toLowerCase()) {
      throw new RangeError(`tenantMachines: ${machine.name} is not the virtual machine ${machine.resourceId} names.`);
    }
    const name = `${machine.name}.contoso.com`;
    const taken = [...generated, ...machines.slice(0, i).map((m) => ({ name: `${m.name}.contoso.com` }))];
    if (taken.some((h) => h.name.toLowerCase() === name.toLowerCase())) throw new RangeError(`tenantMachines: host ${name} is already in the estate.`);
    return { kind: 'windows-mde' as const, name, id: random.hex(40), resourceId: machine.resourceId, privateIp: `10.10.1.${4 + i}` };
  });
}

/**
 * The planted acts on the tenant's VMs: the intruder's curl.exe fetching the VM's token from IMDS
 * (process and connection, one act), and the administrator's PowerShell doing the same a few hours
 * earlier on the control VM.
 */
function plantTenantThefts(ctx: Context, plan: TenantMachinePlan, hosts: readonly DemoHost[], startMs: number, days: number): void {
  const { random, out } = ctx;
  const tenantId = DEMO_TENANT_ID;
  const endMs = startMs + days * MS_PER_DAY;
  const hostOf = (machine: TenantMachine): DemoHost => {
    const host = hosts.find((h) => h.resourceId === machine.resourceId);
    if (host === undefined) throw new Error(`generateEndpointTelemetry: no host for ${machine.name}.`);
    return host;
  };
  const timeOf = (value: string, what: string): number => {
    const ms = parseTime(value);
    if (ms === undefined) throw new RangeError(`tenantMachines: ${what} "${value}" is not a time.`);
    return ms;
  };
  const inside = (ms: number, what: string): number => {
    if (ms < startMs || ms >= endMs) {
      throw new RangeError(`tenantMachines: ${what} (${new Date(ms).toISOString()}) falls outside the telemetry's days ${new Date(startMs).toISOString().slice(0, 10)}…${new Date(endMs - 1).toISOString().slice(0, 10)}.`);
    }
    return ms;
  };

  const useMs = timeOf(plan.stolen.useTime, 'stolen.useTime');
  const issuedMs = timeOf(plan.stolen.tokenIssuedAt, 'stolen.tokenIssuedAt');
  const earliest = Math.max(issuedMs + 60_000, useMs - 90 * 60_000);
  const latest = useMs - 10 * 60_000;
  const theftMs = inside(Math.floor(latest > earliest ? earliest + random.next() * (latest - earliest) : Math.max(issuedMs, useMs - 5 * 60_000)), `the theft on ${plan.stolen.name}`);

  // The intruder's session: curl.exe, started from a command prompt, asks IMDS for the VM's ARM token.
  const victim = hostOf(plan.stolen);
  const cmd = run(ctx, { path: 'C:\\Windows\\System32\\cmd.exe', commandLine: 'C:\\Windows\\system32\\cmd.exe', account: 'CONTOSO\\svc-app', parentPath: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe' });
  const curl = run(ctx, {
    path: 'C:\\Windows\\System32\\curl.exe',
    commandLine: `curl.exe -s -H "Metadata: true" "${IMDS_TOKEN_URL}"`,
    account: 'CONTOSO\\svc-app',
    parentPath: cmd.path,
  });
  const minutes = Math.round((useMs - theftMs) / 60_000);
  const description = `An intruder on ${plan.stolen.name} runs curl.exe against IMDS for the VM's ARM token, ${minutes} minutes before ${plan.stolen.useStory} uses that token from outside Azure.`;
  const started = eventTime(theftMs, random);
  out.push({ ms: started.ms, record: mdeProcessEvent({ tenantId, host: victim, at: started, process: curl, parent: cmd, reportId: ctx.reportId++, random }) });
  note(ctx, { act: 'intruder-curl-imds', kind: 'theft', expectAlert: true, vector: 'TokenEndpoint', format: 'mde', recordType: 'AdvancedHunting-DeviceProcessEvents', target: IMDS_TOKEN_URL, description }, victim, started, curl);
  const connected = eventTime(started.ms + 700, random);
  out.push({ ms: connected.ms, record: mdeNetworkEvent({ tenantId, host: victim, at: connected, process: curl, remoteIp: IMDS_IP, remotePort: 80, remoteUrl: '', reportId: ctx.reportId++, random }) });
  note(ctx, { act: 'intruder-curl-imds', kind: 'theft', expectAlert: true, vector: 'TokenEndpoint', format: 'mde', recordType: 'AdvancedHunting-DeviceNetworkEvents', target: `${IMDS_IP}:80`, description: `The same curl.exe on ${plan.stolen.name} connects to the metadata service.` }, victim, connected, curl);

  // The control: an administrator checks the other VM's identity by hand, hours earlier (later when that would leave the telemetry's days).
  const control = hostOf(plan.control);
  const before = theftMs - random.int(3, 6) * HOUR_MS;
  const controlMs = inside(before >= startMs ? before : theftMs + random.int(1, 3) * HOUR_MS, `the control on ${plan.control.name}`);
  const explorer = run(ctx, { path: 'C:\\Windows\\explorer.exe', commandLine: 'C:\\Windows\\Explorer.EXE', account: 'CONTOSO\\adm-ops', parentPath: 'C:\\Windows\\System32\\userinit.exe' });
  const check = run(ctx, {
    path: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
    commandLine: `powershell.exe -NoProfile -Command "(Invoke-RestMethod -Headers @{Metadata='true'} -Uri '${IMDS_TOKEN_URL}').expires_on"`,
    account: 'CONTOSO\\adm-ops',
    parentPath: explorer.path,
  });
  const checked = eventTime(controlMs, random);
  out.push({ ms: checked.ms, record: mdeProcessEvent({ tenantId, host: control, at: checked, process: check, parent: explorer, reportId: ctx.reportId++, random }) });
  note(ctx, {
    act: 'admin-powershell-imds', kind: 'theft', expectAlert: true, vector: 'TokenEndpoint', format: 'mde', recordType: 'AdvancedHunting-DeviceProcessEvents', target: IMDS_TOKEN_URL,
    description: `An administrator checks ${plan.control.name}'s managed identity with PowerShell against IMDS: a theft alert, but the identity is never used outside Azure, so no stolen-and-used incident.`,
  }, control, checked, check);
}

export function generateEndpointTelemetry(options: EndpointTelemetryOptions = {}): EndpointTelemetry {
  const seed = options.seed ?? DEFAULT_ENDPOINT_SEED;
  const startMs = parseDay(options.start ?? '2026-09-01', 'start');
  const days = options.days ?? 7;
  if (!Number.isInteger(days) || days < 1) throw new RangeError(`days: need a positive integer, got ${days}.`);
  const recordsPerBody = options.recordsPerBody ?? 300;
  if (!Number.isInteger(recordsPerBody) || recordsPerBody < 1) throw new RangeError(`recordsPerBody: need a positive integer, got ${recordsPerBody}.`);
  const generated = buildHosts(options.hosts ?? 12, createRandom(deriveSeed(seed, 'hosts')));
  // After the generated hosts, with their own random stream: the generated hosts' records stay as they were.
  const tenantMachines = options.tenantMachines;
  const hosts = tenantMachines === undefined ? generated : [...generated, ...tenantHosts(tenantMachines, generated, createRandom(deriveSeed(seed, 'tenant-hosts')))];

  const out: Timed[] = [];
  const planted: PlantedTheft[] = [];
  const controls = new Set<string>();
  for (let day = 0; day < days; day++) {
    const ctx: Context = { random: createRandom(deriveSeed(seed, `endpoint-day-${day}`)), out, planted, controls, reportId: 1000 + day * 100_000, sequence: 10_000 + day * 100_000 };
    for (const host of hosts) benignDay(ctx, host, startMs + day * MS_PER_DAY);
  }
  plantThefts({ random: createRandom(deriveSeed(seed, 'thefts')), out, planted, controls, reportId: 900_000_000, sequence: 900_000_000 }, hosts, startMs, days);
  if (tenantMachines !== undefined) {
    const ctx: Context = { random: createRandom(deriveSeed(seed, 'tenant-thefts')), out, planted, controls, reportId: 950_000_000, sequence: 950_000_000 };
    plantTenantThefts(ctx, tenantMachines, hosts, startMs, days);
  }

  out.sort((a, b) => a.ms - b.ms);
  const bodies: EndpointBody[] = [];
  for (let day = 0; day < days; day++) {
    const lo = startMs + day * MS_PER_DAY;
    const records = out.filter((t) => t.ms >= lo && t.ms < lo + MS_PER_DAY).map((t) => t.record);
    const parts = Math.max(1, Math.ceil(records.length / recordsPerBody));
    const size = Math.ceil(records.length / parts);
    for (let part = 0; part < parts; part++) {
      bodies.push({
        name: `endpoint-day-${String(day).padStart(3, '0')}-part-${String(part + 1).padStart(2, '0')}.json`,
        body: { records: records.slice(part * size, (part + 1) * size) },
      });
    }
  }
  planted.sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'theft' ? -1 : 1));
  return { bodies, planted, hosts };
}
