import { isObject } from '../envelope';
import { text } from '../fields';
import { makeReject } from '../reject';
import { parseTime } from '../time';
import { accountName, buildEndpointEvent, integerOf, type EndpointEventParts } from './buildEndpointEvent';
import { ignored, type EndpointFormat, type EndpointParsed } from './endpointEvent';
import { fingerprintWhenRead } from './recordFingerprint';
import { validTenant } from './sysmonEvent';

/**
 * Microsoft Defender for Endpoint Advanced Hunting rows: DeviceNetworkEvents, DeviceFileEvents and
 * DeviceProcessEvents, either as Streaming API records (Event Hub) or as Log Analytics rows (the
 * Sentinel sweep). Other Device* tables are ignored by kind, as are network actions that are not a
 * process reaching out (listening sockets, inbound connections, signature hits without a process).
 *
 * Example (Streaming API, shortened):
 * `{"Tenant":"DefaultTenant","category":"AdvancedHunting-DeviceNetworkEvents","operationName":"Publish",
 *   "tenantId":"00000000-0000-4000-8000-000000000001","time":"2026-03-01T10:00:05Z",
 *   "properties":{"Timestamp":"2026-03-01T10:00:00.1234567Z","DeviceId":"a1b2…","DeviceName":"web-01.contoso.com",
 *   "ActionType":"ConnectionSuccess","RemoteIP":"169.254.169.254","RemotePort":80,"RemoteUrl":"",
 *   "InitiatingProcessFileName":"curl","InitiatingProcessFolderPath":"/usr/bin/curl",
 *   "InitiatingProcessCommandLine":"curl -H Metadata:true http://169.254.169.254/metadata/identity/oauth2/token?…",
 *   "InitiatingProcessId":4242,"InitiatingProcessAccountName":"www-data","ReportId":1234}}`
 */
export const MDE_CATEGORY_PREFIX = 'AdvancedHunting-';
export const MDE_TABLES = ['DeviceNetworkEvents', 'DeviceFileEvents', 'DeviceProcessEvents'] as const;
export type MdeTable = (typeof MDE_TABLES)[number];
/**
 * Defender for Containers' process events in Kubernetes pods (AKS, EKS, GKE), an Advanced Hunting
 * table too: a container has no DeviceId, the pod names the host (`<namespace>/<pod>`).
 */
export const CLOUD_PROCESS_TABLE = 'CloudProcessEvents';

/** Network ActionTypes that are not an outbound request by a local process. */
const NOT_OUTBOUND = new Set(['inboundconnectionaccepted', 'listeningconnectioncreated', 'networksignatureinspected', 'inboundinternetscaninspected']);

export function parseMdeRecord(record: unknown, origin: string): EndpointParsed {
  if (!isObject(record)) return { ok: false, reject: makeReject('mde.not-an-object', 'The MDE record is not a JSON object.', record, origin) };
  const category = text(record['category']) ?? '';
  if (!category.startsWith(MDE_CATEGORY_PREFIX)) return { ok: false, reject: makeReject('mde.no-category', 'The record has no AdvancedHunting-* category.', record, origin) };
  const properties = record['properties'];
  if (!isObject(properties)) return { ok: false, reject: makeReject('mde.no-properties', `The ${category} record has no properties object.`, record, origin) };
  const tenantId = text(record['tenantId']) ?? '';
  return parseMdeColumns(category.slice(MDE_CATEGORY_PREFIX.length), properties, tenantId, parseTime(record['time']), 'mde-streaming', category, record, origin);
}

/** A Log Analytics row of one of the MDE tables (Advanced Hunting column names, plus TenantId and TimeGenerated). */
export function parseMdeRow(table: string, row: Readonly<Record<string, unknown>>, origin: string): EndpointParsed {
  return parseMdeColumns(table, row, text(row['TenantId']) ?? '', parseTime(row['TimeGenerated']), 'mde-log-analytics', table, row, origin);
}

function parseMdeColumns(
  table: string,
  c: Readonly<Record<string, unknown>>,
  tenantId: string,
  fallbackTimeMs: number | undefined,
  format: EndpointFormat,
  category: string,
  record: unknown,
  origin: string,
): EndpointParsed {
  if (table !== CLOUD_PROCESS_TABLE && !(MDE_TABLES as readonly string[]).includes(table)) return ignored(`mde.${table || 'unknown-table'}`, origin);
  const timeMs = parseTime(c['Timestamp']) ?? fallbackTimeMs;
  if (timeMs === undefined) return { ok: false, reject: makeReject('mde.no-time', `The ${table} row has no Timestamp.`, record, origin) };
  const action = text(c['ActionType']) ?? '';
  if (table === CLOUD_PROCESS_TABLE) return cloudProcessEvent(c, validTenant(tenantId), timeMs, action, format, category, record, origin);
  const deviceId = text(c['DeviceId']) ?? '';
  const reportId = text(c['ReportId']) ?? '';
  // Each event's parts are written out in one literal: spreading shared parts into it cost an extra
  // copy of every field per record, most of this parser's garbage.
  const tenant = validTenant(tenantId);
  const hostName = text(c['DeviceName']) ?? '';
  // ReportId is unique per device and time only (MDE docs), hence the triple.
  const recordId = `mde:${deviceId}|${reportId}|${text(c['Timestamp']) ?? ''}`;

  // Network and file rows: the initiating process is the one acting.
  const byInitiatingProcess = (kind: 'network' | 'file', network: EndpointEventParts['network'], file: EndpointEventParts['file']): EndpointParsed => {
    const processName = text(c['InitiatingProcessFileName']);
    return {
      ok: true,
      value: buildEndpointEvent({
        timeMs,
        tenantId: tenant,
        hostName,
        hostId: deviceId,
        format,
        recordId,
        category,
        origin,
        processName,
        processPath: folderPathToFile(text(c['InitiatingProcessFolderPath']), processName),
        commandLine: text(c['InitiatingProcessCommandLine']),
        pid: integerOf(c['InitiatingProcessId']),
        parentName: text(c['InitiatingProcessParentFileName']),
        account: accountName(text(c['InitiatingProcessAccountDomain']), text(c['InitiatingProcessAccountName'])),
        kind,
        network,
        file,
      }),
    };
  };

  if (table === 'DeviceNetworkEvents') {
    if (NOT_OUTBOUND.has(action.toLowerCase())) return ignored(`mde.DeviceNetworkEvents.${action}`, origin);
    const http = action.toLowerCase() === 'httpconnectioninspected' ? httpFields(c['AdditionalFields']) : undefined;
    const remoteUrl = text(c['RemoteUrl']) ?? '';
    const urlLike = remoteUrl.includes('/') ? remoteUrl : '';
    return byInitiatingProcess(
      'network',
      {
        destinationIp: text(c['RemoteIP']) ?? '',
        destinationHost: http?.host ?? (urlLike === '' ? remoteUrl : ''),
        destinationPort: integerOf(c['RemotePort']) ?? null,
        url: http?.url ?? urlLike,
        method: http?.method ?? '',
      },
      undefined,
    );
  }
  if (table === 'DeviceFileEvents') {
    const path = folderPathToFile(text(c['FolderPath']), text(c['FileName']));
    if (path === undefined) return { ok: false, reject: makeReject('mde.no-file-path', 'The DeviceFileEvents row has neither FolderPath nor FileName.', record, origin) };
    const previousPath = previousPathOf(text(c['PreviousFolderPath']), text(c['PreviousFileName']), path, text(c['FileName']));
    return byInitiatingProcess('file', undefined, { path, action, previousPath });
  }
  if (action !== '' && action.toLowerCase() !== 'processcreated') return ignored(`mde.DeviceProcessEvents.${action}`, origin);
  return {
    ok: true,
    value: buildEndpointEvent({
      timeMs,
      tenantId: tenant,
      hostName,
      hostId: deviceId,
      format,
      recordId,
      category,
      origin,
      kind: 'process',
      processName: text(c['FileName']),
      processPath: folderPathToFile(text(c['FolderPath']), text(c['FileName'])),
      commandLine: text(c['ProcessCommandLine']),
      pid: integerOf(c['ProcessId']),
      parentName: text(c['InitiatingProcessFileName']),
      parentPath: folderPathToFile(text(c['InitiatingProcessFolderPath']), text(c['InitiatingProcessFileName'])),
      parentCommandLine: text(c['InitiatingProcessCommandLine']),
      account: accountName(text(c['AccountDomain']), text(c['AccountName'])),
    }),
  };
}

/**
 * A CloudProcessEvents row: a process started in a container. The host is the pod
 * (`<KubernetesNamespace>/<KubernetesPodName>`, the container's name when the row names no pod) in
 * its cluster (AzureResourceId, AwsResourceName or GcpFullResourceName). The row carries no report
 * id: it is known by its container, process id and time, the same in a Streaming API record and a
 * Log Analytics row (a fingerprint of its content when it names no container or process id).
 */
function cloudProcessEvent(c: Readonly<Record<string, unknown>>, tenantId: string, timeMs: number, action: string, format: EndpointFormat, category: string, record: unknown, origin: string): EndpointParsed {
  if (action !== '' && action.toLowerCase() !== 'processcreated') return ignored(`mde.${CLOUD_PROCESS_TABLE}.${action}`, origin);
  const namespace = text(c['KubernetesNamespace']);
  const workload = text(c['KubernetesPodName']) ?? text(c['ContainerName']) ?? '';
  const hostName = namespace !== undefined && workload !== '' ? `${namespace}/${workload}` : workload;
  const cluster = text(c['AzureResourceId']) ?? text(c['AwsResourceName']) ?? text(c['GcpFullResourceName']) ?? '';
  const processName = text(c['FileName']) ?? text(c['ProcessName']);
  const containerId = text(c['ContainerId']);
  const pid = integerOf(c['ProcessId']);
  return {
    ok: true,
    value: buildEndpointEvent({
      timeMs,
      tenantId,
      hostName,
      hostId: cluster === '' ? hostName : `${cluster}|${hostName}`,
      format,
      recordId: containerId !== undefined && pid !== undefined ? `cloud:${cluster}|${containerId}|${pid}|${text(c['Timestamp']) ?? ''}` : fingerprintWhenRead(record),
      category,
      origin,
      kind: 'process',
      processName,
      processPath: folderPathToFile(text(c['FolderPath']), processName),
      commandLine: text(c['ProcessCommandLine']),
      workingDirectory: text(c['ProcessCurrentWorkingDirectory']),
      pid,
      parentName: text(c['ParentProcessName']),
      // Always in a container: a path inside it is never a node agent's (theftAllowlist).
      containerId: containerId ?? text(c['ContainerName']) ?? 'container',
      containerImage: text(c['ContainerImageName']),
      account: text(c['AccountName']),
    }),
  };
}

/**
 * Where a FileRenamed row's file was. MDE documents PreviousFolderPath as the folder and
 * PreviousFileName as the old name; a move keeps its name, so an empty PreviousFileName means the
 * new one. But FolderPath itself usually holds the whole path (folderPathToFile), and so may
 * PreviousFolderPath: when its parent is the new path's parent, it already names the old file
 * (`…\.Azure\AzureRmContext.json.tmp` renamed to `…\.Azure\AzureRmContext.json`), and appending
 * the new name would invent a path inside it.
 */
function previousPathOf(previousFolder: string | undefined, previousName: string | undefined, newPath: string, newName: string | undefined): string | undefined {
  if (previousFolder === undefined) return undefined;
  if (previousName !== undefined) return folderPathToFile(previousFolder, previousName);
  const parentOf = (p: string): string => p.slice(0, Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\'))).toLowerCase();
  if (parentOf(previousFolder.replace(/[\\/]+$/, '')) === parentOf(newPath)) return previousFolder;
  return folderPathToFile(previousFolder, newName);
}

/**
 * MDE documents FolderPath as the folder, but real rows usually hold the full file path
 * (`c:\windowsazure\guestagent_2.7…\waappagent.exe`); append the file name only when it is missing.
 */
function folderPathToFile(folder: string | undefined, file: string | undefined): string | undefined {
  if (folder === undefined) return file;
  if (file === undefined) return folder;
  const sep = folder.includes('\\') ? '\\' : '/';
  if (folder.toLowerCase().endsWith(`${sep}${file.toLowerCase()}`) || folder.toLowerCase() === file.toLowerCase()) return folder;
  return `${folder.replace(/[\\/]+$/, '')}${sep}${file}`;
}

/** HttpConnectionInspected: `{"direction":"Out","host":"…","method":"GET","uri":"/metadata/…","user_agent":"…"}`. */
function httpFields(additional: unknown): { host: string; url: string; method: string } | undefined {
  let fields: unknown = additional;
  if (typeof fields === 'string') {
    try {
      fields = JSON.parse(fields);
    } catch {
      return undefined;
    }
  }
  if (!isObject(fields)) return undefined;
  const host = text(fields['host']) ?? '';
  const uri = text(fields['uri']) ?? '';
  return { host, url: host === '' ? uri : `http://${host}${uri.startsWith('/') ? '' : '/'}${uri}`, method: text(fields['method']) ?? '' };
}
