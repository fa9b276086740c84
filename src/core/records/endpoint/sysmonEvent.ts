import { makeReject } from '../reject';
import { buildEndpointEvent, integerOf } from './buildEndpointEvent';
import { ignored, type EndpointParsed } from './endpointEvent';
import { dataValue, readWindowsEvent, type WindowsEvent } from './windowsEvent';
import { parseTime } from '../time';

/**
 * Sysmon events 1 (process created), 3 (network connection) and 11 (file created), in any shape
 * readWindowsEvent understands. Other Sysmon events are ignored by kind; an inbound connection
 * (`Initiated: false`) is ignored too: the theft rules look at what a process reaches for.
 *
 * Example (Sentinel `WindowsEvent` export, shortened):
 * `{"Provider":"Microsoft-Windows-Sysmon","Computer":"web-01.contoso.com","EventID":3,
 *   "TimeGenerated":"2026-03-01T10:00:01Z","_ResourceId":"/subscriptions/…/virtualmachines/web-01",
 *   "EventData":"{\"UtcTime\":\"2026-03-01T10:00:00.123Z\",\"ProcessId\":\"4242\",
 *   \"Image\":\"C:\\\\Windows\\\\System32\\\\WindowsPowerShell\\\\v1.0\\\\powershell.exe\",
 *   \"User\":\"CONTOSO\\\\svc-web\",\"Initiated\":\"true\",\"DestinationIp\":\"169.254.169.254\",
 *   \"DestinationHostname\":\"-\",\"DestinationPort\":\"80\"}"}`
 *
 * `event`: the record as readWindowsEvent read it, when the caller has already read it (routing does);
 * `platform`: linux for Sysmon for Linux (provider `Linux-Sysmon`), whose events are the same.
 */
export function parseSysmonEvent(record: unknown, origin: string, event: WindowsEvent | undefined = readWindowsEvent(record), platform: 'windows' | 'linux' = 'windows'): EndpointParsed {
  if (event === undefined) return { ok: false, reject: makeReject('sysmon.no-event-id', 'The Sysmon record has no numeric EventID.', record, origin) };
  if (event.eventId !== 1 && event.eventId !== 3 && event.eventId !== 11) return ignored(`sysmon.event-${event.eventId}`, origin);

  const timeMs = parseTime(dataValue(event, 'UtcTime')) ?? event.headerTimeMs;
  if (timeMs === undefined) return { ok: false, reject: makeReject('sysmon.no-time', 'The Sysmon record has neither UtcTime nor a header time.', record, origin) };
  const image = dataValue(event, 'Image');
  if (image === undefined) return { ok: false, reject: makeReject('sysmon.no-image', `Sysmon event ${event.eventId} has no Image.`, record, origin) };

  // Each branch writes its parts out in one literal, as the MDE parser does: spreading shared parts
  // into it copied every field once more per record.
  const tenantId = validTenant(event.tenantId);
  const hostId = event.resourceId.toLowerCase();
  const pid = integerOf(dataValue(event, 'ProcessId'));
  const account = dataValue(event, 'User') ?? '';
  const category = event.channel || event.provider;
  const { computer: hostName, recordId } = event;
  if (event.eventId === 1) {
    return {
      ok: true,
      value: buildEndpointEvent({
        timeMs, tenantId, hostName, hostId, platform, processPath: image, pid, account, format: 'sysmon', recordId, category, origin,
        kind: 'process',
        commandLine: dataValue(event, 'CommandLine'),
        workingDirectory: dataValue(event, 'CurrentDirectory'),
        parentPath: dataValue(event, 'ParentImage'),
        parentCommandLine: dataValue(event, 'ParentCommandLine'),
      }),
    };
  }
  if (event.eventId === 3) {
    if (dataValue(event, 'Initiated')?.toLowerCase() === 'false') return ignored('sysmon.event-3-inbound', origin);
    const destinationIp = dataValue(event, 'DestinationIp');
    if (destinationIp === undefined) return { ok: false, reject: makeReject('sysmon.no-destination', 'Sysmon event 3 has no DestinationIp.', record, origin) };
    return {
      ok: true,
      value: buildEndpointEvent({
        timeMs, tenantId, hostName, hostId, platform, processPath: image, pid, account, format: 'sysmon', recordId, category, origin,
        kind: 'network',
        network: {
          destinationIp,
          destinationHost: dataValue(event, 'DestinationHostname') ?? '',
          destinationPort: integerOf(dataValue(event, 'DestinationPort')) ?? null,
        },
      }),
    };
  }
  const target = dataValue(event, 'TargetFilename');
  if (target === undefined) return { ok: false, reject: makeReject('sysmon.no-target-file', 'Sysmon event 11 has no TargetFilename.', record, origin) };
  return {
    ok: true,
    value: buildEndpointEvent({
      timeMs, tenantId, hostName, hostId, platform, processPath: image, pid, account, format: 'sysmon', recordId, category, origin,
      kind: 'file',
      file: { path: target, action: 'FileCreate' },
    }),
  };
}

/** Exports replace the tenant id with a placeholder (`redacted`); only a GUID is a tenant id. */
export function validTenant(value: string): string {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value) ? value.toLowerCase() : '';
}
