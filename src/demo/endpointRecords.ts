import type { Random } from './random';

/**
 * Builders for endpoint telemetry in the shapes it really arrives in:
 * - Microsoft Defender for Endpoint Streaming API records (`AdvancedHunting-Device*Events`,
 *   `{"Tenant","category","operationName":"Publish","properties":{<Advanced Hunting row>},"tenantId","time"}`);
 * - Sysmon events 1, 3 and 11 as a Sentinel `WindowsEvent` export (header + `EventData`);
 * - Elastic Common Schema events from Elastic Defend (`endpoint.events.network` / `.process`) and
 *   auditd-manager (`opened-file`, `connected-to`).
 * Column and field names follow the samples and schemas listed in log-formats §1.5 and §6.
 */

/** The machine a record comes from. */
export interface EndpointHost {
  readonly name: string;
  /** MDE DeviceId (40 hex) / ECS host.id (32 hex). */
  readonly id: string;
  /** ARM id of the VM (`_ResourceId` of Sentinel exports). */
  readonly resourceId: string;
  readonly privateIp: string;
}

/** The process a record is about. Paths are written the platform's way. */
export interface EndpointProcess {
  readonly path: string;
  readonly commandLine: string;
  readonly pid: number;
  /** `NT AUTHORITY\SYSTEM`, `CONTOSO\svc-web`, `root`. */
  readonly account: string;
  readonly parentPath: string;
  readonly parentPid: number;
  readonly sha256: string;
}

export interface EventTime {
  /** Event time, 7 fractional digits (MDE, Sysmon) – ECS records cut it to milliseconds. */
  readonly time: string;
  readonly ms: number;
}

const fileName = (path: string): string => path.slice(Math.max(path.lastIndexOf('\\'), path.lastIndexOf('/')) + 1);
const splitAccount = (account: string): { domain: string | null; name: string } => {
  const at = account.indexOf('\\');
  return at === -1 ? { domain: null, name: account } : { domain: account.slice(0, at), name: account.slice(at + 1) };
};
const SIDS: Readonly<Record<string, string>> = { system: 'S-1-5-18', 'local service': 'S-1-5-19', 'network service': 'S-1-5-20' };
const sidOf = (name: string): string => SIDS[name.toLowerCase()] ?? 'S-1-5-21-1004336348-1177238915-682003330-1104';
/** MDE publishes a row a few minutes after the event: the envelope `time` is later than `Timestamp`. */
const publishDelayMs = (random: Random) => random.int(60_000, 300_000);

function initiatingColumns(process: EndpointProcess, random: Random): Record<string, unknown> {
  const { domain, name } = splitAccount(process.account);
  return {
    InitiatingProcessAccountDomain: domain?.toLowerCase() ?? null,
    InitiatingProcessAccountName: name.toLowerCase(),
    InitiatingProcessAccountObjectId: null,
    InitiatingProcessAccountSid: sidOf(name),
    InitiatingProcessAccountUpn: null,
    InitiatingProcessCommandLine: process.commandLine,
    InitiatingProcessCreationTime: null,
    InitiatingProcessFileName: fileName(process.path),
    InitiatingProcessFileSize: random.int(90_000, 900_000),
    InitiatingProcessFolderPath: process.path.toLowerCase(),
    InitiatingProcessId: process.pid,
    InitiatingProcessIntegrityLevel: name.toLowerCase() === 'system' ? 'System' : 'High',
    InitiatingProcessMD5: process.sha256.slice(0, 32),
    InitiatingProcessParentCreationTime: null,
    InitiatingProcessParentFileName: fileName(process.parentPath),
    InitiatingProcessParentId: process.parentPid,
    InitiatingProcessSHA1: process.sha256.slice(0, 40),
    InitiatingProcessSHA256: process.sha256,
    InitiatingProcessTokenElevation: 'TokenElevationTypeDefault',
  };
}

function mdeEnvelope(table: string, tenantId: string, at: EventTime, properties: Record<string, unknown>, random: Random): Record<string, unknown> {
  return {
    Tenant: 'DefaultTenant',
    category: `AdvancedHunting-${table}`,
    operationName: 'Publish',
    properties,
    tenantId,
    time: new Date(at.ms + publishDelayMs(random)).toISOString().replace('Z', '0000Z'),
  };
}

/** MDE `DeviceNetworkEvents`: a process opened a connection. */
export function mdeNetworkEvent(args: {
  readonly tenantId: string;
  readonly host: EndpointHost;
  readonly at: EventTime;
  readonly process: EndpointProcess;
  readonly remoteIp: string;
  readonly remotePort: number;
  readonly remoteUrl: string;
  readonly reportId: number;
  readonly random: Random;
}): Record<string, unknown> {
  const { host, random } = args;
  return mdeEnvelope('DeviceNetworkEvents', args.tenantId, args.at, {
    ActionType: 'ConnectionSuccess',
    AdditionalFields: null,
    AppGuardContainerId: null,
    DeviceId: host.id,
    DeviceName: host.name,
    ...initiatingColumns(args.process, random),
    LocalIP: host.privateIp,
    LocalIPType: 'Private',
    LocalPort: random.int(49152, 65535),
    MachineGroup: 'UnassignedGroup',
    Protocol: 'Tcp',
    RemoteIP: args.remoteIp,
    RemoteIPType: args.remoteIp.startsWith('169.254.') ? 'LinkLocal' : 'Public',
    RemotePort: args.remotePort,
    RemoteUrl: args.remoteUrl,
    ReportId: args.reportId,
    Timestamp: args.at.time,
  }, random);
}

/** MDE `DeviceProcessEvents`: a process was created (`ProcessCreated`), its parent in `InitiatingProcess*`. */
export function mdeProcessEvent(args: {
  readonly tenantId: string;
  readonly host: EndpointHost;
  readonly at: EventTime;
  readonly process: EndpointProcess;
  readonly parent: EndpointProcess;
  readonly reportId: number;
  readonly random: Random;
}): Record<string, unknown> {
  const { process, random } = args;
  const { domain, name } = splitAccount(process.account);
  return mdeEnvelope('DeviceProcessEvents', args.tenantId, args.at, {
    AccountDomain: domain?.toLowerCase() ?? null,
    AccountName: name.toLowerCase(),
    AccountObjectId: null,
    AccountSid: sidOf(name),
    AccountUpn: null,
    ActionType: 'ProcessCreated',
    AdditionalFields: null,
    AppGuardContainerId: null,
    DeviceId: args.host.id,
    DeviceName: args.host.name,
    FileName: fileName(process.path),
    FileSize: random.int(200_000, 600_000),
    FolderPath: process.path,
    ...initiatingColumns(args.parent, random),
    LogonId: random.int(100_000, 999_999),
    MD5: process.sha256.slice(0, 32),
    MachineGroup: 'UnassignedGroup',
    ProcessCommandLine: process.commandLine,
    ProcessCreationTime: args.at.time,
    ProcessId: process.pid,
    ProcessIntegrityLevel: name.toLowerCase() === 'system' ? 'System' : 'High',
    ProcessTokenElevation: 'TokenElevationTypeDefault',
    ReportId: args.reportId,
    SHA1: process.sha256.slice(0, 40),
    SHA256: process.sha256,
    Timestamp: args.at.time,
  }, random);
}

/** MDE `DeviceFileEvents`: a file was created or modified (MDE does not report plain reads). */
export function mdeFileEvent(args: {
  readonly tenantId: string;
  readonly host: EndpointHost;
  readonly at: EventTime;
  readonly process: EndpointProcess;
  readonly action: 'FileCreated' | 'FileModified';
  readonly path: string;
  readonly reportId: number;
  readonly random: Random;
}): Record<string, unknown> {
  const { process, random } = args;
  const { domain, name } = splitAccount(process.account);
  return mdeEnvelope('DeviceFileEvents', args.tenantId, args.at, {
    ActionType: args.action,
    AdditionalFields: null,
    AppGuardContainerId: null,
    DeviceId: args.host.id,
    DeviceName: args.host.name,
    FileName: fileName(args.path),
    FileOriginIP: null,
    FileOriginReferrerUrl: null,
    FileOriginUrl: null,
    FileSize: random.int(2_000, 40_000),
    FolderPath: args.path,
    ...initiatingColumns(process, random),
    MD5: random.hex(32),
    MachineGroup: 'UnassignedGroup',
    PreviousFileName: null,
    PreviousFolderPath: null,
    ReportId: args.reportId,
    RequestAccountDomain: domain,
    RequestAccountName: name,
    RequestAccountSid: sidOf(name),
    RequestProtocol: 'Local',
    RequestSourceIP: null,
    RequestSourcePort: null,
    SHA1: random.hex(40),
    SHA256: random.hex(64),
    ShareName: null,
    Timestamp: args.at.time,
  }, random);
}

/** Fixed Log Analytics workspace id of the demo (`TenantId` of Sentinel exports is the workspace). */
export const DEMO_WORKSPACE_ID = '2c4e6a8b-0d1f-4a3c-9e5b-7d9f1b3d5e7a';

export type SysmonEvent =
  | { readonly eventId: 1; readonly process: EndpointProcess; readonly currentDirectory: string }
  | { readonly eventId: 3; readonly process: EndpointProcess; readonly destinationIp: string; readonly destinationPort: number; readonly destinationHostname: string }
  | { readonly eventId: 11; readonly process: EndpointProcess; readonly targetFilename: string };

/** Sysmon event 1, 3 or 11 as a row of Sentinel's `WindowsEvent` table (EventData as an object, the `dynamic` column). */
export function sysmonWindowsEvent(host: EndpointHost, at: EventTime, event: SysmonEvent, random: Random): Record<string, unknown> {
  const p = event.process;
  const processGuid = `{${random.hex(8)}-${random.hex(4)}-${random.hex(4)}-${random.hex(4)}-${random.hex(12)}}`;
  const head = { RuleName: '-', UtcTime: at.time, ProcessGuid: processGuid, ProcessId: String(p.pid), Image: p.path };
  let data: Record<string, string>;
  switch (event.eventId) {
    case 1:
      data = {
        ...head,
        FileVersion: '-',
        Description: '-',
        Product: '-',
        Company: '-',
        OriginalFileName: fileName(p.path),
        CommandLine: p.commandLine,
        CurrentDirectory: event.currentDirectory,
        User: p.account,
        LogonGuid: `{${random.hex(8)}-${random.hex(4)}-${random.hex(4)}-${random.hex(4)}-${random.hex(12)}}`,
        LogonId: `0x${random.hex(6)}`,
        TerminalSessionId: '0',
        IntegrityLevel: p.account.toLowerCase().endsWith('system') ? 'System' : 'High',
        Hashes: `SHA256=${p.sha256.toUpperCase()}`,
        ParentProcessGuid: `{${random.hex(8)}-${random.hex(4)}-${random.hex(4)}-${random.hex(4)}-${random.hex(12)}}`,
        ParentProcessId: String(p.parentPid),
        ParentImage: p.parentPath,
        ParentCommandLine: p.parentPath,
        ParentUser: p.account,
      };
      break;
    case 3:
      data = {
        ...head,
        User: p.account,
        Protocol: 'tcp',
        Initiated: 'true',
        SourceIsIpv6: 'false',
        SourceIp: host.privateIp,
        SourceHostname: '-',
        SourcePort: String(random.int(49152, 65535)),
        SourcePortName: '-',
        DestinationIsIpv6: 'false',
        DestinationIp: event.destinationIp,
        DestinationHostname: event.destinationHostname,
        DestinationPort: String(event.destinationPort),
        DestinationPortName: event.destinationPort === 80 ? 'http' : '-',
      };
      break;
    case 11:
      data = { ...head, TargetFilename: event.targetFilename, CreationUtcTime: at.time, User: p.account };
      break;
  }
  return {
    TenantId: DEMO_WORKSPACE_ID,
    SourceSystem: 'OpsManager',
    TimeGenerated: new Date(at.ms + random.int(200, 2_000)).toISOString(),
    Provider: 'Microsoft-Windows-Sysmon',
    Channel: 'Microsoft-Windows-Sysmon/Operational',
    Computer: host.name,
    Task: event.eventId === 1 ? 1 : event.eventId === 3 ? 3 : 11,
    EventLevel: 4,
    EventLevelName: 'Information',
    EventData: data,
    EventID: event.eventId,
    EventOriginId: random.guid(),
    ManagementGroupName: 'AOI-2c4e6a8b-0d1f-4a3c-9e5b-7d9f1b3d5e7a',
    Type: 'WindowsEvent',
    _ResourceId: host.resourceId.toLowerCase(),
  };
}

function ecsHost(host: EndpointHost): Record<string, unknown> {
  return {
    architecture: 'x86_64',
    hostname: host.name,
    id: host.id,
    ip: [host.privateIp],
    name: host.name,
    os: { family: 'debian', kernel: '5.15.0-1071-azure', name: 'Ubuntu', platform: 'ubuntu', type: 'linux', version: '22.04.4 LTS (Jammy Jellyfish)' },
  };
}

const ecsTime = (at: EventTime) => new Date(at.ms).toISOString();
const ecsArgs = (commandLine: string): string[] => commandLine.split(' ').filter((a) => a !== '');

function ecsProcess(p: EndpointProcess, withArgs: boolean): Record<string, unknown> {
  return {
    pid: p.pid,
    name: fileName(p.path),
    executable: p.path,
    ...(withArgs ? { args: ecsArgs(p.commandLine), args_count: ecsArgs(p.commandLine).length, command_line: p.commandLine } : {}),
    parent: { pid: p.parentPid, executable: p.parentPath, name: fileName(p.parentPath) },
    hash: { sha256: p.sha256 },
  };
}

function ecsUser(account: string): Record<string, unknown> {
  return { id: account === 'root' ? '0' : '1000', name: account };
}

interface EcsEventArgs {
  readonly host: EndpointHost;
  readonly at: EventTime;
  readonly process: EndpointProcess;
}

/** What every auditd-manager record shares; `syscall` and `summaryObject` describe the access, `rest` adds the ECS fields of its kind. */
function auditdEvent(
  args: EcsEventArgs & { readonly sequence: number },
  action: 'opened-file' | 'connected-to',
  syscall: Record<string, unknown>,
  summaryObject: Record<string, string>,
  rest: Record<string, unknown>,
): Record<string, unknown> {
  const { process: p, host } = args;
  const file = action === 'opened-file';
  return {
    '@timestamp': ecsTime(args.at),
    agent: { type: 'auditbeat', version: '8.15.0', id: `${host.id.slice(0, 8)}-ec2c-4a9e-9b1d-${host.id.slice(-12)}` },
    auditd: {
      data: { ...syscall, tty: '(none)' },
      message_type: 'syscall',
      result: 'success',
      sequence: args.sequence,
      session: 'unset',
      summary: { actor: { primary: 'unset', secondary: p.account }, how: p.path, object: summaryObject },
    },
    data_stream: { dataset: 'auditd_manager.auditd', namespace: 'default', type: 'logs' },
    ecs: { version: '8.11.0' },
    event: {
      action,
      category: [file ? 'file' : 'network'],
      dataset: 'auditd_manager.auditd',
      kind: 'event',
      module: 'auditd',
      outcome: 'success',
      type: file ? ['access'] : ['connection', 'start'],
    },
    host: ecsHost(host),
    service: { type: 'auditd' },
    tags: ['auditd_manager-auditd'],
    user: ecsUser(p.account),
    ...rest,
  };
}

/** auditd-manager: an `openat` of a watched file (`-w <path> -p r` rule), ECS `opened-file`. */
export function auditdOpenedFile(
  args: EcsEventArgs & { readonly path: string; readonly workingDirectory: string; readonly containerId?: string; readonly sequence: number },
): Record<string, unknown> {
  const { process: p } = args;
  return auditdEvent(args, 'opened-file', { a0: 'ffffff9c', a2: '0', exit: '3', syscall: 'openat' }, { primary: args.path, type: 'file' }, {
    ...(args.containerId === undefined ? {} : { container: { id: args.containerId, runtime: 'containerd' } }),
    file: { path: args.path, mode: '0600', owner: p.account === 'root' ? 'root' : 'azureuser' },
    process: { ...ecsProcess(p, false), title: p.commandLine, working_directory: args.workingDirectory },
  });
}

/** auditd-manager: a `connect` syscall (`-a always,exit -S connect` rule), ECS `connected-to`. */
export function auditdConnectedTo(
  args: EcsEventArgs & { readonly destinationIp: string; readonly destinationPort: number; readonly sequence: number },
): Record<string, unknown> {
  const port = String(args.destinationPort);
  return auditdEvent(
    args,
    'connected-to',
    { a0: '3', exit: '0', socket: { addr: args.destinationIp, family: 'ipv4', port }, syscall: 'connect' },
    { primary: args.destinationIp, secondary: port, type: 'socket' },
    {
      destination: { ip: args.destinationIp, port: args.destinationPort },
      network: { direction: 'egress', transport: 'tcp' },
      process: { ...ecsProcess(args.process, false), title: args.process.commandLine },
    },
  );
}

/** What every Elastic Defend event shares; `rest` adds the ECS fields of its kind. */
function defendEvent(
  args: EcsEventArgs & { readonly random: Random },
  kind: 'network' | 'process',
  action: string,
  rest: Record<string, unknown>,
): Record<string, unknown> {
  const { host } = args;
  const dataset = `endpoint.events.${kind}`;
  return {
    '@timestamp': ecsTime(args.at),
    agent: { id: `${host.id.slice(0, 8)}-1f2e-4d3c-8b4a-${host.id.slice(-12)}`, type: 'endpoint', version: '8.15.0' },
    data_stream: { dataset, namespace: 'default', type: 'logs' },
    ecs: { version: '8.10.0' },
    event: {
      action,
      category: [kind],
      created: ecsTime(args.at),
      dataset,
      id: args.random.hex(20),
      kind: 'event',
      module: 'endpoint',
      outcome: 'unknown',
      type: ['start'],
    },
    host: ecsHost(host),
    user: ecsUser(args.process.account),
    ...rest,
  };
}

/** Elastic Defend `endpoint.events.network`: an outbound connection attempt. */
export function defendNetworkEvent(
  args: EcsEventArgs & { readonly destinationIp: string; readonly destinationPort: number; readonly random: Random },
): Record<string, unknown> {
  return defendEvent(args, 'network', 'connection_attempted', {
    destination: { address: args.destinationIp, ip: args.destinationIp, port: args.destinationPort },
    network: { direction: 'egress', transport: 'tcp', type: 'ipv4' },
    process: ecsProcess(args.process, false),
    source: { address: args.host.privateIp, ip: args.host.privateIp, port: args.random.int(32768, 60999) },
  });
}

/** Elastic Defend `endpoint.events.process`: a process started (`exec`). */
export function defendProcessEvent(args: EcsEventArgs & { readonly workingDirectory: string; readonly random: Random }): Record<string, unknown> {
  return defendEvent(args, 'process', 'exec', { process: { ...ecsProcess(args.process, true), working_directory: args.workingDirectory } });
}
